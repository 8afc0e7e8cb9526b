// Package i18n holds Rapport's message catalogues (one JSON file per language
// in locales/) and picks the language for a request.
//
// A catalogue maps keys to messages. A plain message is a string, formatted
// with fmt.Sprintf when T gets arguments. A message that shows a count with
// a noun ("2 tickets", "Transfers: 2") is a plural entry instead: a JSON
// object from CLDR plural category to text,
//
//	"inbox.tickets_n": {"one": "{n} ticket", "other": "{n} tickets"}
//
// with exactly the categories the language uses for whole numbers, plus
// "other" (Russian one, few, many, other; Latvian zero, one, other; English,
// Italian and Catalan one, other), as the CLDR rules in
// golang.org/x/text/feature/plural decide. {n} stands for the count in
// every form; further arguments are formatted with fmt.Sprintf. N picks the
// form; TestPluralForms checks every entry of every catalogue, and that no
// plain string writes a count before a noun.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// Default is the language used when nothing better is known, and the
// fallback for keys missing from another catalogue.
const Default = "en"

// Supported lists the languages Rapport ships, in display order.
var Supported = []string{"en", "it", "ru", "lv", "ca"}

// Names gives each supported language's name in itself.
var Names = map[string]string{
	"en": "English",
	"it": "Italiano",
	"ru": "Русский",
	"lv": "Latviešu",
	"ca": "Català",
}

//go:embed locales/*.json
var localesFS embed.FS

// Catalog is a set of message catalogues keyed by language code.
type Catalog struct {
	msgs    map[string]map[string]string
	plurals map[string]map[string]map[string]string // lang, key, category
	langs   []string
	matcher language.Matcher
}

// Load reads the embedded catalogues and then, when dir is not empty, every
// NAME.json (or NAME.PART.json) in dir, whose messages add to or replace the embedded ones; a
// business extends or rewords texts that way.
func Load(dir string) (*Catalog, error) {
	c := &Catalog{msgs: map[string]map[string]string{}, plurals: map[string]map[string]map[string]string{}}
	if err := c.readDir(localesFS, "locales"); err != nil {
		return nil, err
	}
	if dir != "" {
		if err := c.readDir(os.DirFS(dir), "."); err != nil {
			return nil, err
		}
	}
	if _, ok := c.msgs[Default]; !ok {
		return nil, fmt.Errorf("i18n: no %s catalogue", Default)
	}
	// The default first so that the matcher falls back to it.
	c.langs = []string{Default}
	for l := range c.msgs {
		if l != Default {
			c.langs = append(c.langs, l)
		}
	}
	sort.Strings(c.langs[1:])
	tags := make([]language.Tag, len(c.langs))
	for i, l := range c.langs {
		tags[i] = language.Make(l)
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

// MustLoad is Load("") for start-up and tests; the embedded files are part
// of the binary, so a broken one is a programming error.
func MustLoad() *Catalog {
	c, err := Load("")
	if err != nil {
		panic(err)
	}
	return c
}

// readDir adds the catalogue files of dir, in name order, a later file's
// key replacing an earlier one's. The files are decoded in parallel (a
// server's start waits for them, issue 14) and merged in order.
func (c *Catalog) readDir(fsys fs.FS, dir string) error {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return fmt.Errorf("i18n: %w", err)
	}
	var files []fs.DirEntry
	for _, e := range entries {
		if !e.IsDir() && filepath.Ext(e.Name()) == ".json" {
			files = append(files, e)
		}
	}
	parsed := make([]catalogFile, len(files))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, e := range files {
		g.Go(func() error {
			data, err := fs.ReadFile(fsys, filepath.ToSlash(filepath.Join(dir, e.Name())))
			if err != nil {
				return fmt.Errorf("i18n: %w", err)
			}
			parsed[i], err = parseCatalogFile(e.Name(), data)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for i, e := range files {
		// NAME.json, or NAME.PART.json for catalogues kept in several files
		// (en.customer.json holds the texts customers see).
		lang, _, _ := strings.Cut(strings.TrimSuffix(e.Name(), ".json"), ".")
		if c.msgs[lang] == nil {
			c.msgs[lang] = map[string]string{}
			c.plurals[lang] = map[string]map[string]string{}
		}
		// A later file replaces a key whichever shape it has.
		for k, str := range parsed[i].msgs {
			delete(c.plurals[lang], k)
			c.msgs[lang][k] = str
		}
		for k, forms := range parsed[i].plurals {
			delete(c.msgs[lang], k)
			c.plurals[lang][k] = forms
		}
	}
	return nil
}

// catalogFile is one decoded catalogue file: its plain messages and its
// plural entries.
type catalogFile struct {
	msgs    map[string]string
	plurals map[string]map[string]string
}

// parseCatalogFile decodes the catalogue file name in one pass: every
// value a string or an object of CLDR plural categories with "other".
func parseCatalogFile(name string, data []byte) (catalogFile, error) {
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return catalogFile{}, fmt.Errorf("i18n: %s: %w", name, err)
	}
	f := catalogFile{msgs: make(map[string]string, len(m)), plurals: map[string]map[string]string{}}
	for k, v := range m {
		switch v := v.(type) {
		case string:
			f.msgs[k] = v
			continue
		case map[string]any:
			forms := make(map[string]string, len(v))
			for cat, text := range v {
				str, ok := text.(string)
				if !ok {
					return catalogFile{}, fmt.Errorf("i18n: %s: %q is neither a string nor plural forms", name, k)
				}
				forms[cat] = str
			}
			for cat := range forms {
				if !isCategory(cat) {
					return catalogFile{}, fmt.Errorf("i18n: %s: %q: %q is not a CLDR plural category", name, k, cat)
				}
			}
			if forms["other"] == "" {
				return catalogFile{}, fmt.Errorf("i18n: %s: %q has no \"other\" form", name, k)
			}
			f.plurals[k] = forms
		default:
			return catalogFile{}, fmt.Errorf("i18n: %s: %q is neither a string nor plural forms", name, k)
		}
	}
	return f, nil
}

// Languages returns the languages that have a catalogue, the default first.
func (c *Catalog) Languages() []string { return append([]string(nil), c.langs...) }

// Has reports whether lang has a catalogue.
func (c *Catalog) Has(lang string) bool { _, ok := c.msgs[lang]; return ok }

// Match picks the best catalogue for an Accept-Language header value.
func (c *Catalog) Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, idx, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return c.langs[idx]
}

// T returns the message key in lang, formatted with args as by fmt.Sprintf
// when there are any. A key missing in lang comes from the default
// catalogue; a key missing there too is returned as is, so it shows up.
// A plural entry asked for with T takes its count from the first argument,
// as N does.
func (c *Catalog) T(lang, key string, args ...any) string {
	if c.isPlural(lang, key) {
		n := 0
		if len(args) > 0 {
			n, _ = toInt(args[0])
			args = args[1:]
		}
		return c.N(lang, key, n, args...)
	}
	msg, ok := c.msgs[lang][key]
	if !ok {
		msg, ok = c.msgs[Default][key]
		if !ok {
			return key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// HasKey reports whether key is in lang's catalogue or, as T falls back
// to it, in the default one.
func (c *Catalog) HasKey(lang, key string) bool {
	for _, l := range []string{lang, Default} {
		if _, ok := c.msgs[l][key]; ok {
			return true
		}
		if _, ok := c.plurals[l][key]; ok {
			return true
		}
	}
	return false
}

// Keys returns the keys of lang's catalogue, plain and plural, sorted.
func (c *Catalog) Keys(lang string) []string {
	keys := make([]string, 0, len(c.msgs[lang])+len(c.plurals[lang]))
	for k := range c.msgs[lang] {
		keys = append(keys, k)
	}
	for k := range c.plurals[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// PromiseReply is the reply that tells a customer of an action plan, in
// lang: the agent's body, then what will happen and by when, in words and
// in the customer's zone (By). Without a body there is no reply: "".
func (c *Catalog) PromiseReply(lang, body, what string, due, now time.Time, zone *time.Location) string {
	if strings.TrimSpace(body) == "" {
		return ""
	}
	return strings.TrimRight(body, " \n\r\t") + "\n\n" + c.T(lang, "promise.mail", what, c.By(lang, due, now, zone))
}

// categories are the CLDR plural category names, by plural.Form.
var categories = map[plural.Form]string{
	plural.Other: "other", plural.Zero: "zero", plural.One: "one",
	plural.Two: "two", plural.Few: "few", plural.Many: "many",
}

func isCategory(name string) bool {
	for _, c := range categories {
		if c == name {
			return true
		}
	}
	return false
}

// Category is the CLDR cardinal plural category ("one", "few", ...) of the
// whole number n in lang.
func Category(lang string, n int) string {
	if n < 0 {
		n = -n
	}
	return categories[plural.Cardinal.MatchPlural(language.Make(lang), n%10000000, 0, 0, 0, 0)]
}

func (c *Catalog) isPlural(lang, key string) bool {
	if _, ok := c.plurals[lang][key]; ok {
		return true
	}
	_, inLang := c.msgs[lang][key]
	_, ok := c.plurals[Default][key]
	return ok && !inLang
}

// N returns the plural entry key in lang in the form CLDR gives the count
// n, with {n} replaced by n and the rest formatted with args as by
// fmt.Sprintf. A key missing in lang comes from the default catalogue; a
// missing form falls back to "other"; a plain string under key is used as
// it is, with n as its first argument.
func (c *Catalog) N(lang, key string, n int, args ...any) string {
	forms, ok := c.plurals[lang][key]
	if !ok {
		if _, plain := c.msgs[lang][key]; plain {
			return c.T(lang, key, append([]any{n}, args...)...)
		}
		lang = Default
		if forms, ok = c.plurals[Default][key]; !ok {
			return c.T(lang, key, append([]any{n}, args...)...)
		}
	}
	msg, ok := forms[Category(lang, n)]
	if !ok {
		msg = forms["other"]
	}
	msg = strings.ReplaceAll(msg, "{n}", strconv.Itoa(n))
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// PluralKeys returns the keys of lang's plural entries, sorted.
func (c *Catalog) PluralKeys(lang string) []string {
	keys := make([]string, 0, len(c.plurals[lang]))
	for k := range c.plurals[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// toInt reads a count given as any integer type.
func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case int8:
		return int(x), true
	case int16:
		return int(x), true
	case int32:
		return int(x), true
	case int64:
		return int(x), true
	case uint:
		return int(x), true
	case uint8:
		return int(x), true
	case uint16:
		return int(x), true
	case uint32:
		return int(x), true
	case uint64:
		return int(x), true
	}
	return 0, false
}
