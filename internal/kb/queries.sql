-- Queries of the knowledge base (internal/kb). Times are UTC Unix
-- milliseconds; internal, helpful and sent are 0 or 1.

-- name: categories
SELECT id, slug, position, names FROM kb_categories ORDER BY position, id

-- name: sections
SELECT id, category_id, position, names FROM kb_sections ORDER BY category_id, position, id

-- name: insert-category
INSERT INTO kb_categories (slug, position, names, created_at) VALUES ($1, $2, $3, $4) RETURNING id

-- name: update-category
UPDATE kb_categories SET slug = $2, position = $3, names = $4 WHERE id = $1

-- name: insert-section
INSERT INTO kb_sections (category_id, position, names, created_at) VALUES ($1, $2, $3, $4) RETURNING id

-- name: update-section
UPDATE kb_sections SET category_id = $2, position = $3, names = $4 WHERE id = $1

-- name: insert-article
INSERT INTO kb_articles (section_id, slug, internal, position, created_by, created_at)
VALUES ($1, $2, $3, 0, $4, $5) RETURNING id

-- name: update-article
UPDATE kb_articles SET section_id = $2, slug = $3, internal = $4 WHERE id = $1

-- name: article
SELECT id, section_id, slug, internal, COALESCE(created_by, 0), created_at FROM kb_articles WHERE id = $1

-- name: article-by-slug
SELECT id, section_id, slug, internal, COALESCE(created_by, 0), created_at FROM kb_articles WHERE slug = $1

-- name: slug-taken
SELECT count(*) FROM kb_articles WHERE slug = $1 AND id <> $2

-- name: translations
-- The translations of articles, with the id of their newest revision and
-- their published revision's title.
SELECT t.id, t.article_id, t.language, t.title, t.body, COALESCE(t.published_rev, 0), COALESCE(t.published_at, 0),
       COALESCE(t.updated_by, 0), COALESCE(ag.name, ''), t.updated_at, t.views, t.helpful_yes, t.helpful_no,
       (SELECT MAX(r.id) FROM kb_revisions r WHERE r.translation_id = t.id),
       COALESCE(p.title, '')
FROM kb_translations t
LEFT JOIN agents ag ON ag.id = t.updated_by
LEFT JOIN kb_revisions p ON p.id = t.published_rev
WHERE t.article_id = $1
ORDER BY t.language

-- name: all-articles
-- Every article for the editors' list, with its translations' states.
SELECT a.id, a.section_id, a.slug, a.internal, t.id, t.language, t.title, COALESCE(t.published_rev, 0),
       (SELECT MAX(r.id) FROM kb_revisions r WHERE r.translation_id = t.id), t.updated_at, t.views
FROM kb_articles a JOIN kb_translations t ON t.article_id = a.id
ORDER BY a.section_id, a.position, a.id, t.language

-- name: translation-id
SELECT id FROM kb_translations WHERE article_id = $1 AND language = $2

-- name: insert-translation
INSERT INTO kb_translations (article_id, language, title, body, updated_by, updated_at)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING id

-- name: update-translation
UPDATE kb_translations SET title = $2, body = $3, updated_by = $4, updated_at = $5 WHERE id = $1

-- name: insert-revision
INSERT INTO kb_revisions (translation_id, title, body, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id

-- name: revisions
SELECT r.id, r.title, r.body, COALESCE(r.created_by, 0), COALESCE(ag.name, ''), r.created_at
FROM kb_revisions r LEFT JOIN agents ag ON ag.id = r.created_by
WHERE r.translation_id = $1 ORDER BY r.id DESC LIMIT 100

-- name: latest-revision
SELECT r.id, r.title, r.body FROM kb_revisions r WHERE r.translation_id = $1 ORDER BY r.id DESC LIMIT 1

-- name: publish
UPDATE kb_translations SET published_rev = $2, published_at = $3 WHERE id = $1

-- name: unpublish
UPDATE kb_translations SET published_rev = NULL, published_at = NULL WHERE id = $1

-- name: published
-- The published translations of one article, with their published text.
SELECT t.id, t.language, r.title, r.body, COALESCE(t.published_at, 0)
FROM kb_translations t JOIN kb_revisions r ON r.id = t.published_rev
WHERE t.article_id = $1
ORDER BY t.language

-- name: public-articles
-- Every published translation of a public article (internal = 0 unless
-- $1 is 1), for lists, the home page and the sitemap.
SELECT a.id, a.section_id, a.slug, t.id, t.language, r.title, COALESCE(t.published_at, 0), t.views
FROM kb_articles a
JOIN kb_translations t ON t.article_id = a.id
JOIN kb_revisions r ON r.id = t.published_rev
WHERE a.internal = 0 OR $1 = 1
ORDER BY a.section_id, a.position, a.id, t.language

-- name: popular
-- The most viewed published translations in language $1, else in the
-- default language $2 for articles without one in $1.
SELECT a.slug, t.language, r.title
FROM kb_translations t
JOIN kb_articles a ON a.id = t.article_id
JOIN kb_revisions r ON r.id = t.published_rev
WHERE a.internal = 0
  AND (t.language = $1 OR (t.language = $2 AND NOT EXISTS (
      SELECT 1 FROM kb_translations o WHERE o.article_id = t.article_id AND o.language = $1 AND o.published_rev IS NOT NULL)))
ORDER BY t.views DESC, t.id
LIMIT $3

-- name: count-view
UPDATE kb_translations SET views = views + 1 WHERE id = $1

-- name: vote-yes
UPDATE kb_translations SET helpful_yes = helpful_yes + 1 WHERE id = $1

-- name: vote-no
UPDATE kb_translations SET helpful_no = helpful_no + 1 WHERE id = $1

-- name: insert-vote
INSERT INTO kb_votes (translation_id, helpful, comment, created_at) VALUES ($1, $2, $3, $4)

-- name: insert-missed
INSERT INTO kb_missed_searches (language, query, created_at) VALUES ($1, $2, $3)

-- name: insert-deflection
INSERT INTO kb_deflections (translation_id, token, created_at, source) VALUES ($1, $2, $3, $4)

-- name: contact-sent
UPDATE kb_deflections SET sent = 1 WHERE token = $1 AND sent = 0

-- name: report-articles
-- Per published or once-published translation: views, votes, and the
-- opens from the contact form or the chat widget since $1 with how many of
-- them still sent it, and of both the widget's.
SELECT a.id, a.slug, t.language, t.title, t.views, t.helpful_yes, t.helpful_no,
       (SELECT count(*) FROM kb_deflections d WHERE d.translation_id = t.id AND d.created_at >= $1),
       (SELECT count(*) FROM kb_deflections d WHERE d.translation_id = t.id AND d.created_at >= $1 AND d.sent = 1),
       (SELECT count(*) FROM kb_deflections d WHERE d.translation_id = t.id AND d.created_at >= $1 AND d.source = 'widget'),
       (SELECT count(*) FROM kb_deflections d WHERE d.translation_id = t.id AND d.created_at >= $1 AND d.source = 'widget' AND d.sent = 1)
FROM kb_translations t JOIN kb_articles a ON a.id = t.article_id
ORDER BY t.views DESC, t.id
LIMIT 200

-- name: report-gaps
SELECT language, lower(query), count(*), MAX(created_at)
FROM kb_missed_searches WHERE created_at >= $1
GROUP BY language, lower(query)
ORDER BY count(*) DESC, MAX(created_at) DESC
LIMIT 100

-- name: report-comments
SELECT a.slug, t.language, t.title, v.helpful, v.comment, v.created_at
FROM kb_votes v JOIN kb_translations t ON t.id = v.translation_id JOIN kb_articles a ON a.id = t.article_id
WHERE v.comment <> '' AND v.created_at >= $1
ORDER BY v.created_at DESC
LIMIT 50

-- name: word-exists
SELECT count(*) FROM kb_words WHERE language = $1 AND word >= $2 AND word < $3

-- name: words-from
-- The words of a language from $2 up to $3 (those with one first letter)
-- of $4 to $5 characters: the candidates of a typo's correction, in one
-- row, separated by spaces (NULL when there is none).
SELECT string_agg(word, ' ') FROM (SELECT word FROM kb_words WHERE language = $1 AND word >= $2 AND word < $3
    AND length(word) BETWEEN $4 AND $5 LIMIT 20000) w

-- name: settings
SELECT accent, publish_standard FROM kb_settings WHERE id = 1

-- name: save-settings
INSERT INTO kb_settings (id, accent, publish_standard) VALUES (1, $1, $2)
ON CONFLICT (id) DO UPDATE SET accent = excluded.accent, publish_standard = excluded.publish_standard

-- name: insert-file
INSERT INTO kb_files (article_id, filename, content_type, blob_sha256, size, created_at)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING id

-- name: files
SELECT id, article_id, filename, content_type, blob_sha256, size, created_at FROM kb_files WHERE article_id = $1 ORDER BY id

-- name: file
SELECT f.id, f.article_id, f.filename, f.content_type, f.blob_sha256, f.size, f.created_at, a.internal
FROM kb_files f JOIN kb_articles a ON a.id = f.article_id WHERE f.id = $1

-- name: word-known
SELECT count(*) FROM kb_words WHERE (language = $1 OR language = $2) AND word = $3

-- name: published-text
SELECT r.title, r.body FROM kb_translations t JOIN kb_revisions r ON r.id = t.published_rev WHERE t.id = $1
