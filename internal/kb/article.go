package kb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/search"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// Article is one article: where it sits, whether only agents see it, and
// its translations.
type Article struct {
	ID           int64
	SectionID    int64
	Slug         string
	Internal     bool
	CreatedBy    int64
	CreatedAt    time.Time
	Translations []Translation
}

// Translation is an article in one language: its working copy (the
// newest revision) and whether, and which revision of it, is published.
type Translation struct {
	ID             int64
	ArticleID      int64
	Language       string
	Title          string // of the working copy
	Body           string // Markdown, of the working copy
	PublishedRev   int64  // 0: not published
	PublishedTitle string
	PublishedAt    time.Time
	UpdatedBy      int64
	UpdatedByName  string
	UpdatedAt      time.Time
	Views          int64
	Yes, No        int64 // "was this helpful?" answers
	LatestRev      int64
}

// Published reports whether the public (or, for internal articles, the
// agents) see a revision of t.
func (t Translation) Published() bool { return t.PublishedRev != 0 }

// Draft reports whether t has changes the public does not see yet.
func (t Translation) Draft() bool { return t.LatestRev != t.PublishedRev }

// In returns a's translation in lang.
func (a Article) In(lang string) (Translation, bool) {
	for _, t := range a.Translations {
		if t.Language == lang {
			return t, true
		}
	}
	return Translation{}, false
}

// Title is the article's title for a list in lang: its translation's,
// else the first one's.
func (a Article) Title(lang string) string {
	if t, ok := a.In(lang); ok {
		return t.Title
	}
	if len(a.Translations) > 0 {
		return a.Translations[0].Title
	}
	return a.Slug
}

// Revision is one saved version of a translation.
type Revision struct {
	ID        int64
	Title     string
	Body      string
	By        int64
	ByName    string
	CreatedAt time.Time
}

// ArticleInput is a new article: where it goes, and its first translation.
type ArticleInput struct {
	SectionID int64
	Slug      string // "": made from the title
	Internal  bool
	Language  string
	Title     string
	Body      string
}

// TextInput is a translation's text as an editor writes it.
type TextInput struct {
	Title string
	Body  string
}

func checkText(errs valid.Fields, in TextInput) TextInput {
	// Invalid UTF-8 would be stored by SQLite and refused by PostgreSQL:
	// both store the same text, with U+FFFD for the broken bytes.
	in.Title = strings.TrimSpace(strings.ToValidUTF8(in.Title, "\uFFFD"))
	in.Body = strings.TrimSpace(strings.ReplaceAll(strings.ToValidUTF8(in.Body, "\uFFFD"), "\r\n", "\n"))
	switch n := utf8.RuneCountInString(in.Title); {
	case n == 0:
		errs.Add("title", valid.Msg("valid.required", "is required"))
	case n > MaxTitle:
		errs.Add("title", valid.Msg("valid.longer_than", "is longer than %d characters", MaxTitle))
	}
	if utf8.RuneCountInString(in.Body) > MaxBody {
		errs.Add("body", valid.Msg("valid.longer_than", "is longer than %d characters", MaxBody))
	}
	return in
}

func checkLanguage(errs valid.Fields, lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if !slices.Contains(Languages(), lang) {
		errs.Add("language", valid.Message{Key: "valid.language", Text: "must be a language code: " + strings.Join(Languages(), ", ")})
	}
	return lang
}

// by is an agent id as a nullable column value.
func by(agentID int64) any {
	if agentID == 0 {
		return nil
	}
	return agentID
}

// CreateArticle makes an article with its first translation, a draft,
// written by agent agentID (0 for none).
func (s *Service) CreateArticle(ctx context.Context, agentID int64, in ArticleInput) (Article, error) {
	errs := valid.Fields{}
	text := checkText(errs, TextInput{Title: in.Title, Body: in.Body})
	lang := checkLanguage(errs, in.Language)
	if strings.TrimSpace(in.Slug) == "" {
		in.Slug = Slugify(text.Title)
		if in.Slug == "" {
			in.Slug = "article"
		}
	}
	slug := checkSlug(errs, in.Slug)
	if in.SectionID <= 0 {
		errs.Add("section", valid.Msg("valid.required", "is required"))
	}
	if err := errs.Err(); err != nil {
		return Article{}, err
	}
	var id int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if slug, err = s.freeSlug(ctx, tx, slug, 0); err != nil {
			return err
		}
		now := store.Millis(s.clock.Now())
		if err := tx.QueryRowContext(ctx, s.q.Get("insert-article"), in.SectionID, slug, boolInt(in.Internal), by(agentID), now).Scan(&id); err != nil {
			return err
		}
		_, err = s.writeText(ctx, tx, agentID, id, lang, text)
		return err
	})
	if store.IsForeignKeyViolation(err) {
		return Article{}, valid.Fields{"section": valid.Msg("kb.valid_section", "does not exist")}
	}
	if err != nil {
		return Article{}, fmt.Errorf("kb: create article: %w", err)
	}
	return s.Article(ctx, id)
}

// freeSlug is slug, or slug with a number after it when another article
// than id has it.
func (s *Service) freeSlug(ctx context.Context, tx *sql.Tx, slug string, id int64) (string, error) {
	try := slug
	for n := 2; ; n++ {
		var taken int
		if err := tx.QueryRowContext(ctx, s.q.Get("slug-taken"), try, id).Scan(&taken); err != nil {
			return "", err
		}
		if taken == 0 {
			return try, nil
		}
		try = fmt.Sprintf("%s-%d", slug, n)
	}
}

// writeText saves text as the newest revision of article id's translation
// in lang, making the translation when there is none, and returns the
// translation's id.
func (s *Service) writeText(ctx context.Context, tx *sql.Tx, agentID, id int64, lang string, text TextInput) (int64, error) {
	now := store.Millis(s.clock.Now())
	var tid int64
	err := tx.QueryRowContext(ctx, s.q.Get("translation-id"), id, lang).Scan(&tid)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if err := tx.QueryRowContext(ctx, s.q.Get("insert-translation"), id, lang, text.Title, text.Body, by(agentID), now).Scan(&tid); err != nil {
			return 0, err
		}
	case err != nil:
		return 0, err
	default:
		if _, err := tx.ExecContext(ctx, s.q.Get("update-translation"), tid, text.Title, text.Body, by(agentID), now); err != nil {
			return 0, err
		}
	}
	var rev int64
	if err := tx.QueryRowContext(ctx, s.q.Get("insert-revision"), tid, text.Title, text.Body, by(agentID), now).Scan(&rev); err != nil {
		return 0, err
	}
	return tid, nil
}

// SaveText saves a new revision of article id in lang (a new translation
// when it has none), by agent agentID. What the public sees changes only
// when it is published.
func (s *Service) SaveText(ctx context.Context, agentID, id int64, lang string, in TextInput) error {
	errs := valid.Fields{}
	text := checkText(errs, in)
	lang = checkLanguage(errs, lang)
	if err := errs.Err(); err != nil {
		return err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.article(ctx, tx, id); err != nil {
			return err
		}
		_, err := s.writeText(ctx, tx, agentID, id, lang, text)
		return err
	})
	if err != nil {
		return fmt.Errorf("kb: save article %d (%s): %w", id, lang, notFound(err))
	}
	return nil
}

// ArticleMeta is where an article sits and who sees it.
type ArticleMeta struct {
	SectionID int64
	Slug      string
	Internal  bool
}

// UpdateArticle moves or renames article id, or changes who sees it.
func (s *Service) UpdateArticle(ctx context.Context, id int64, in ArticleMeta) error {
	errs := valid.Fields{}
	slug := checkSlug(errs, in.Slug)
	if in.SectionID <= 0 {
		errs.Add("section", valid.Msg("valid.required", "is required"))
	}
	if err := errs.Err(); err != nil {
		return err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var taken int
		if err := tx.QueryRowContext(ctx, s.q.Get("slug-taken"), slug, id).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			return valid.Fields{"slug": valid.Msg("kb.valid_slug_taken", "is taken")}
		}
		return affected(tx.ExecContext(ctx, s.q.Get("update-article"), id, in.SectionID, slug, boolInt(in.Internal)))
	})
	var fields valid.Fields
	switch {
	case errors.As(err, &fields):
		return fields
	case store.IsForeignKeyViolation(err):
		return valid.Fields{"section": valid.Msg("kb.valid_section", "does not exist")}
	case err != nil:
		return fmt.Errorf("kb: update article %d: %w", id, err)
	}
	return nil
}

func scanArticle(sc interface{ Scan(...any) error }) (Article, error) {
	var a Article
	var internal int
	var at int64
	err := sc.Scan(&a.ID, &a.SectionID, &a.Slug, &internal, &a.CreatedBy, &at)
	a.Internal, a.CreatedAt = internal == 1, store.Time(at)
	return a, err
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (s *Service) article(ctx context.Context, q querier, id int64) (Article, error) {
	a, err := scanArticle(q.QueryRowContext(ctx, s.q.Get("article"), id))
	if err != nil {
		return Article{}, notFound(err)
	}
	rows, err := q.QueryContext(ctx, s.q.Get("translations"), id)
	if err != nil {
		return Article{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var t Translation
		var pubAt, upAt int64
		var latest sql.NullInt64
		if err := rows.Scan(&t.ID, &t.ArticleID, &t.Language, &t.Title, &t.Body, &t.PublishedRev, &pubAt,
			&t.UpdatedBy, &t.UpdatedByName, &upAt, &t.Views, &t.Yes, &t.No, &latest, &t.PublishedTitle); err != nil {
			return Article{}, err
		}
		t.LatestRev = latest.Int64
		if pubAt != 0 {
			t.PublishedAt = store.Time(pubAt)
		}
		t.UpdatedAt = store.Time(upAt)
		a.Translations = append(a.Translations, t)
	}
	return a, rows.Err()
}

// Article returns article id with its translations, drafts included.
func (s *Service) Article(ctx context.Context, id int64) (Article, error) {
	a, err := s.article(ctx, s.db.R, id)
	if err != nil {
		return Article{}, fmt.Errorf("kb: article %d: %w", id, err)
	}
	return a, nil
}

// ListItem is one translation in the editors' list.
type ListItem struct {
	ArticleID, SectionID, TranslationID int64
	Slug, Language, Title               string
	Internal, Published, Draft          bool
	UpdatedAt                           time.Time
	Views                               int64
}

// List returns every translation of every article, for the editors.
func (s *Service) List(ctx context.Context) ([]ListItem, error) {
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("all-articles"))
	if err != nil {
		return nil, fmt.Errorf("kb: list: %w", err)
	}
	defer rows.Close()
	out := []ListItem{}
	for rows.Next() {
		var it ListItem
		var internal int
		var pub, at int64
		var latest sql.NullInt64
		if err := rows.Scan(&it.ArticleID, &it.SectionID, &it.Slug, &internal, &it.TranslationID, &it.Language, &it.Title,
			&pub, &latest, &at, &it.Views); err != nil {
			return nil, fmt.Errorf("kb: list: %w", err)
		}
		it.Internal, it.Published, it.Draft = internal == 1, pub != 0, latest.Int64 != pub
		it.UpdatedAt = store.Time(at)
		out = append(out, it)
	}
	return out, rows.Err()
}

// Revisions returns the revisions of article id in lang, newest first.
func (s *Service) Revisions(ctx context.Context, id int64, lang string) ([]Revision, error) {
	var tid int64
	if err := s.db.R.QueryRowContext(ctx, s.q.Get("translation-id"), id, lang).Scan(&tid); err != nil {
		return nil, fmt.Errorf("kb: revisions of %d (%s): %w", id, lang, notFound(err))
	}
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("revisions"), tid)
	if err != nil {
		return nil, fmt.Errorf("kb: revisions of %d (%s): %w", id, lang, err)
	}
	defer rows.Close()
	out := []Revision{}
	for rows.Next() {
		var r Revision
		var at int64
		if err := rows.Scan(&r.ID, &r.Title, &r.Body, &r.By, &r.ByName, &at); err != nil {
			return nil, fmt.Errorf("kb: revisions: %w", err)
		}
		r.CreatedAt = store.Time(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Publish makes the newest revision of article id in lang the one readers
// see, and indexes it for search.
func (s *Service) Publish(ctx context.Context, id int64, lang string) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var tid int64
		if err := tx.QueryRowContext(ctx, s.q.Get("translation-id"), id, lang).Scan(&tid); err != nil {
			return notFound(err)
		}
		var rev int64
		var title, body string
		if err := tx.QueryRowContext(ctx, s.q.Get("latest-revision"), tid).Scan(&rev, &title, &body); err != nil {
			return notFound(err)
		}
		if _, err := tx.ExecContext(ctx, s.q.Get("publish"), tid, rev, store.Millis(s.clock.Now())); err != nil {
			return err
		}
		return s.index(ctx, tx, tid, lang, title, body)
	})
	if err != nil {
		return fmt.Errorf("kb: publish %d (%s): %w", id, lang, err)
	}
	return nil
}

// index writes the search document of translation tid and adds its words
// to the vocabulary the typo correction picks from.
func (s *Service) index(ctx context.Context, tx *sql.Tx, tid int64, lang, title, body string) error {
	text := PlainText(body)
	if err := s.ix.Put(ctx, tx, search.Doc{Kind: KindArticle, Ref: tid, Language: lang, Title: title, Body: text}); err != nil {
		return err
	}
	seen := map[string]bool{}
	var words []string
	for _, w := range search.Words(fold(title + " " + text)) {
		if utf8.RuneCountInString(w) >= 3 && utf8.RuneCountInString(w) <= 40 && !seen[w] {
			seen[w] = true
			words = append(words, w)
		}
	}
	for len(words) > 0 {
		n := min(len(words), 400)
		var b strings.Builder
		args := []any{lang}
		b.WriteString("INSERT INTO kb_words (language, word) VALUES ")
		for i, w := range words[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			args = append(args, w)
			fmt.Fprintf(&b, "($1, $%d)", len(args))
		}
		b.WriteString(" ON CONFLICT (language, word) DO NOTHING")
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
		words = words[n:]
	}
	return nil
}

// Unpublish takes article id in lang off the help center (and out of
// search); its revisions stay.
func (s *Service) Unpublish(ctx context.Context, id int64, lang string) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var tid int64
		if err := tx.QueryRowContext(ctx, s.q.Get("translation-id"), id, lang).Scan(&tid); err != nil {
			return notFound(err)
		}
		if _, err := tx.ExecContext(ctx, s.q.Get("unpublish"), tid); err != nil {
			return err
		}
		return s.ix.Delete(ctx, tx, KindArticle, tid)
	})
	if err != nil {
		return fmt.Errorf("kb: unpublish %d (%s): %w", id, lang, err)
	}
	return nil
}
