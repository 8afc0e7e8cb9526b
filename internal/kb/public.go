package kb

import (
	"context"
	"database/sql"
	"fmt"
	"html/template"
	"time"

	"github.com/rapport/rapport/internal/store"
)

// Page is a published article as a reader sees it in one language.
type Page struct {
	ArticleID     int64
	TranslationID int64
	SectionID     int64
	Slug          string
	Internal      bool
	Language      string // the language shown
	Asked         string // the language asked for
	Title         string
	Body          string // Markdown of the published revision
	HTML          template.HTML
	PublishedAt   time.Time
	Languages     []string // every language the article is published in
}

// Fallback reports whether p is shown in another language than the one
// asked for, which has no translation of it.
func (p Page) Fallback() bool { return p.Language != p.Asked }

// Read returns the article with slug as published in lang, else in def
// (the business's default language), else in the first language it is
// published in. Internal articles are ErrNotFound unless agents is true;
// so is an article published in no language.
func (s *Service) Read(ctx context.Context, slug, lang, def string, agents bool) (Page, error) {
	a, err := scanArticle(s.db.R.QueryRowContext(ctx, s.q.Get("article-by-slug"), slug))
	if err != nil {
		return Page{}, fmt.Errorf("kb: read %q: %w", slug, notFound(err))
	}
	if a.Internal && !agents {
		return Page{}, fmt.Errorf("kb: read %q: %w", slug, ErrNotFound)
	}
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("published"), a.ID)
	if err != nil {
		return Page{}, fmt.Errorf("kb: read %q: %w", slug, err)
	}
	defer rows.Close()
	var all []Page
	for rows.Next() {
		p := Page{ArticleID: a.ID, SectionID: a.SectionID, Slug: a.Slug, Internal: a.Internal, Asked: lang}
		var at int64
		if err := rows.Scan(&p.TranslationID, &p.Language, &p.Title, &p.Body, &at); err != nil {
			return Page{}, fmt.Errorf("kb: read %q: %w", slug, err)
		}
		p.PublishedAt = store.Time(at)
		all = append(all, p)
	}
	if err := rows.Err(); err != nil {
		return Page{}, fmt.Errorf("kb: read %q: %w", slug, err)
	}
	if len(all) == 0 {
		return Page{}, fmt.Errorf("kb: read %q: %w", slug, ErrNotFound)
	}
	pick := all[0]
	for _, want := range []string{def, lang} {
		for _, p := range all {
			if p.Language == want {
				pick = p
			}
		}
	}
	for _, p := range all {
		pick.Languages = append(pick.Languages, p.Language)
	}
	pick.HTML = Render(pick.Body)
	return pick, nil
}

// Link is a published article in a list: its slug, and its title in the
// language it is shown in.
type Link struct {
	ArticleID     int64
	TranslationID int64
	SectionID     int64
	Slug          string
	Language      string
	Title         string
	PublishedAt   time.Time
	Views         int64
}

// Published returns every public published translation (internal ones too
// when agents is true), by section.
func (s *Service) Published(ctx context.Context, agents bool) ([]Link, error) {
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("public-articles"), boolInt(agents))
	if err != nil {
		return nil, fmt.Errorf("kb: published: %w", err)
	}
	defer rows.Close()
	var out []Link
	for rows.Next() {
		var l Link
		var at int64
		if err := rows.Scan(&l.ArticleID, &l.SectionID, &l.Slug, &l.TranslationID, &l.Language, &l.Title, &at, &l.Views); err != nil {
			return nil, fmt.Errorf("kb: published: %w", err)
		}
		l.PublishedAt = store.Time(at)
		out = append(out, l)
	}
	return out, rows.Err()
}

// InLanguage keeps, of links, one per article: the one in lang, else in
// def, else the first; in their order.
func InLanguage(links []Link, lang, def string) []Link {
	best := map[int64]int{}
	var order []int64
	rank := func(l Link) int {
		switch l.Language {
		case lang:
			return 2
		case def:
			return 1
		}
		return 0
	}
	for i, l := range links {
		j, ok := best[l.ArticleID]
		if !ok {
			order = append(order, l.ArticleID)
			best[l.ArticleID] = i
			continue
		}
		if rank(l) > rank(links[j]) {
			best[l.ArticleID] = i
		}
	}
	out := make([]Link, 0, len(order))
	for _, id := range order {
		out = append(out, links[best[id]])
	}
	return out
}

// Popular returns the n most viewed public articles in lang, else in def
// for those without a translation in lang.
func (s *Service) Popular(ctx context.Context, lang, def string, n int) ([]Link, error) {
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("popular"), lang, def, n)
	if err != nil {
		return nil, fmt.Errorf("kb: popular: %w", err)
	}
	defer rows.Close()
	var out []Link
	for rows.Next() {
		var l Link
		if err := rows.Scan(&l.Slug, &l.Language, &l.Title); err != nil {
			return nil, fmt.Errorf("kb: popular: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// CountView counts one reading of translation id.
func (s *Service) CountView(ctx context.Context, id int64) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q.Get("count-view"), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("kb: count view of %d: %w", id, err)
	}
	return nil
}
