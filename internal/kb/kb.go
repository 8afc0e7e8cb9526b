// Package kb is Rapport's knowledge base and the data of its public help
// center: categories holding sections holding articles, each article a
// group of translations (one per language) written in Markdown, saved as
// revisions (who and when) and published one revision at a time; internal
// articles only agents see. It keeps the help center's statistics (views,
// "was this helpful?" votes, deflections from the contact form, searches
// that found nothing) and searches published articles with the full-text
// engine of internal/search, per language, ranked by relevance,
// helpfulness and views.
package kb

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/blob"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/search"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// ErrNotFound is a category, section, article, translation or file that
// does not exist, or that the reader may not see.
var ErrNotFound = store.ErrNotFound

// KindArticle is the search documents' kind of a published translation;
// its ref is the translation's id.
const KindArticle = "kb"

// Limits of the fields, in characters.
const (
	MaxTitle = 200
	MaxBody  = 100_000
	MaxName  = 120
	MaxSlug  = 120
	MaxFile  = 10 << 20 // bytes of one image or file
)

// Names are a category's or section's name per language.
type Names map[string]string

// In is the name in lang, else in def, else any.
func (n Names) In(lang, def string) string {
	if s := n[lang]; s != "" {
		return s
	}
	if s := n[def]; s != "" {
		return s
	}
	keys := make([]string, 0, len(n))
	for k := range n {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if n[k] != "" {
			return n[k]
		}
	}
	return ""
}

// Category groups sections on the help center's home page.
type Category struct {
	ID       int64
	Slug     string
	Position int
	Names    Names
	Sections []Section
}

// Section groups articles within a category.
type Section struct {
	ID         int64
	CategoryID int64
	Position   int
	Names      Names
}

// Opts are the dependencies of a Service.
type Opts struct {
	DB    *store.DB
	Clock jobs.Clock    // nil: the wall clock
	Index *search.Index // nil: a new index over DB
	Blobs *blob.Store   // nil: a new blob store over DB
}

// Service keeps the knowledge base.
type Service struct {
	db    *store.DB
	clock jobs.Clock
	ix    *search.Index
	blobs *blob.Store
	q     store.Queries
	pool  int // how many of the best matches by text a search weighs first (search.go)
}

//go:embed queries.sql
var queriesFS embed.FS

// New returns a Service.
func New(o Opts) *Service {
	if o.Clock == nil {
		o.Clock = jobs.SystemClock{}
	}
	if o.Index == nil {
		o.Index = search.New(o.DB)
	}
	if o.Blobs == nil {
		o.Blobs = blob.New(o.DB, o.Clock)
	}
	return &Service{db: o.DB, clock: o.Clock, ix: o.Index, blobs: o.Blobs, q: store.MustLoadQueries(queriesFS, o.DB.Dialect),
		pool: 4 * candidates}
}

// Languages are the languages articles may be written in.
func Languages() []string { return i18n.Supported }

var slugRE = regexp.MustCompile(`^[\p{Ll}\p{Nd}]+(-[\p{Ll}\p{Nd}]+)*$`)

// Slugify makes a slug of s: its words lower-cased and joined by hyphens,
// at most MaxSlug characters; "" when s has no letter or digit.
func Slugify(s string) string {
	words := strings.FieldsFunc(strings.ToLower(fold(s)), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	out := strings.Join(words, "-")
	for utf8.RuneCountInString(out) > MaxSlug-8 {
		i := strings.LastIndexByte(out, '-')
		if i <= 0 {
			out = string([]rune(out)[:MaxSlug-8])
			break
		}
		out = out[:i]
	}
	return out
}

func checkSlug(errs valid.Fields, slug string) string {
	slug = strings.ToLower(strings.TrimSpace(slug))
	if slug == "" {
		errs.Add("slug", valid.Msg("valid.required", "is required"))
	} else if utf8.RuneCountInString(slug) > MaxSlug || !slugRE.MatchString(slug) {
		errs.Add("slug", valid.Msg("kb.valid_slug", "may hold only lower-case letters, digits and single hyphens"))
	}
	return slug
}

// checkNames keeps the names of known languages, trimmed; at least one is
// required.
func checkNames(errs valid.Fields, in Names) Names {
	out := Names{}
	for _, l := range Languages() {
		s := strings.TrimSpace(in[l])
		if s == "" {
			continue
		}
		if utf8.RuneCountInString(s) > MaxName {
			errs.Add("name_"+l, valid.Msg("valid.longer_than", "is longer than %d characters", MaxName))
		}
		out[l] = s
	}
	if len(out) == 0 {
		errs.Add("names", valid.Msg("kb.valid_name", "needs a name in at least one language"))
	}
	return out
}

func namesJSON(n Names) string {
	b, _ := json.Marshal(n) // a map of strings always marshals
	return string(b)
}

func parseNames(s string) Names {
	n := Names{}
	_ = json.Unmarshal([]byte(s), &n) // written by namesJSON; a broken row shows no names
	return n
}

// Categories returns every category with its sections, in order.
func (s *Service) Categories(ctx context.Context) ([]Category, error) {
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("categories"))
	if err != nil {
		return nil, fmt.Errorf("kb: categories: %w", err)
	}
	var cats []Category
	at := map[int64]int{}
	for rows.Next() {
		var c Category
		var names string
		if err := rows.Scan(&c.ID, &c.Slug, &c.Position, &names); err != nil {
			rows.Close()
			return nil, fmt.Errorf("kb: categories: %w", err)
		}
		c.Names = parseNames(names)
		at[c.ID] = len(cats)
		cats = append(cats, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("kb: categories: %w", err)
	}
	rows, err = s.db.R.QueryContext(ctx, s.q.Get("sections"))
	if err != nil {
		return nil, fmt.Errorf("kb: sections: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sec Section
		var names string
		if err := rows.Scan(&sec.ID, &sec.CategoryID, &sec.Position, &names); err != nil {
			return nil, fmt.Errorf("kb: sections: %w", err)
		}
		sec.Names = parseNames(names)
		if i, ok := at[sec.CategoryID]; ok {
			cats[i].Sections = append(cats[i].Sections, sec)
		}
	}
	return cats, rows.Err()
}

// CategoryInput is a category as an editor writes it.
type CategoryInput struct {
	Slug     string
	Position int
	Names    Names
}

// SaveCategory creates a category (id 0) or rewrites category id, and
// returns its id.
func (s *Service) SaveCategory(ctx context.Context, id int64, in CategoryInput) (int64, error) {
	errs := valid.Fields{}
	in.Slug = checkSlug(errs, in.Slug)
	in.Names = checkNames(errs, in.Names)
	if err := errs.Err(); err != nil {
		return 0, err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if id == 0 {
			return tx.QueryRowContext(ctx, s.q.Get("insert-category"), in.Slug, in.Position, namesJSON(in.Names),
				store.Millis(s.clock.Now())).Scan(&id)
		}
		return affected(tx.ExecContext(ctx, s.q.Get("update-category"), id, in.Slug, in.Position, namesJSON(in.Names)))
	})
	if store.IsUniqueViolation(err) {
		return 0, valid.Fields{"slug": valid.Msg("kb.valid_slug_taken", "is taken")}
	}
	if err != nil {
		return 0, fmt.Errorf("kb: save category %d: %w", id, err)
	}
	return id, nil
}

// SectionInput is a section as an editor writes it.
type SectionInput struct {
	CategoryID int64
	Position   int
	Names      Names
}

// SaveSection creates a section (id 0) or rewrites section id, and
// returns its id.
func (s *Service) SaveSection(ctx context.Context, id int64, in SectionInput) (int64, error) {
	errs := valid.Fields{}
	in.Names = checkNames(errs, in.Names)
	if in.CategoryID <= 0 {
		errs.Add("category", valid.Msg("valid.required", "is required"))
	}
	if err := errs.Err(); err != nil {
		return 0, err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if id == 0 {
			return tx.QueryRowContext(ctx, s.q.Get("insert-section"), in.CategoryID, in.Position, namesJSON(in.Names),
				store.Millis(s.clock.Now())).Scan(&id)
		}
		return affected(tx.ExecContext(ctx, s.q.Get("update-section"), id, in.CategoryID, in.Position, namesJSON(in.Names)))
	})
	if store.IsForeignKeyViolation(err) {
		return 0, valid.Fields{"category": valid.Msg("kb.valid_category", "does not exist")}
	}
	if err != nil {
		return 0, fmt.Errorf("kb: save section %d: %w", id, err)
	}
	return id, nil
}

// affected turns an UPDATE that changed no row into ErrNotFound.
func affected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// notFound wraps sql.ErrNoRows as ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// since is the start of the last days days, for reports.
func (s *Service) since(days int) int64 {
	return store.Millis(s.clock.Now().Add(-time.Duration(days) * 24 * time.Hour))
}
