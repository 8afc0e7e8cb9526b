// Package i18n holds Rapport's message catalogues (one JSON file per language
// in locales/) and picks the language for a request.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

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
	langs   []string
	matcher language.Matcher
}

// Load reads the embedded catalogues and then, when dir is not empty, every
// NAME.json (or NAME.PART.json) in dir, whose messages add to or replace the embedded ones; a
// business extends or rewords texts that way.
func Load(dir string) (*Catalog, error) {
	c := &Catalog{msgs: map[string]map[string]string{}}
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

func (c *Catalog) readDir(fsys fs.FS, dir string) error {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return fmt.Errorf("i18n: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() || filepath.Ext(e.Name()) != ".json" {
			continue
		}
		// NAME.json, or NAME.PART.json for catalogues kept in several files
		// (en.customer.json holds the texts customers see).
		lang, _, _ := strings.Cut(strings.TrimSuffix(e.Name(), ".json"), ".")
		data, err := fs.ReadFile(fsys, filepath.ToSlash(filepath.Join(dir, e.Name())))
		if err != nil {
			return fmt.Errorf("i18n: %w", err)
		}
		var m map[string]string
		if err := json.Unmarshal(data, &m); err != nil {
			return fmt.Errorf("i18n: %s: %w", e.Name(), err)
		}
		if c.msgs[lang] == nil {
			c.msgs[lang] = map[string]string{}
		}
		for k, v := range m {
			c.msgs[lang][k] = v
		}
	}
	return nil
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
func (c *Catalog) T(lang, key string, args ...any) string {
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

// Keys returns the keys of lang's catalogue, sorted.
func (c *Catalog) Keys(lang string) []string {
	keys := make([]string, 0, len(c.msgs[lang]))
	for k := range c.msgs[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Moment writes t in words in lang, for a customer: the catalogue's
// "moment.layout" filled with {weekday}, {d}, {month}, {y}, {hm} and {zone}
// ("Tuesday 8 December 2026 at 12:00 UTC"), in zone (UTC when nil).
func (c *Catalog) Moment(lang string, t time.Time, zone *time.Location) string {
	if zone == nil {
		zone = time.UTC
	}
	t = t.In(zone)
	return strings.NewReplacer(
		"{weekday}", c.T(lang, "moment.weekday."+strconv.Itoa(int(t.Weekday()))),
		"{d}", strconv.Itoa(t.Day()),
		"{month}", c.T(lang, "moment.month."+strconv.Itoa(int(t.Month()))),
		"{y}", strconv.Itoa(t.Year()),
		"{hm}", t.Format("15:04"),
		"{zone}", t.Format("MST"),
	).Replace(c.T(lang, "moment.layout"))
}

// PromiseReply is the reply that tells a customer of an action plan, in
// lang: the agent's body, then what will happen and by when in words
// (moment in UTC, the business's zone until customers have their own).
func (c *Catalog) PromiseReply(lang, body, what string, due time.Time) string {
	if strings.TrimSpace(body) == "" {
		return ""
	}
	return strings.TrimRight(body, " \n\r\t") + "\n\n" + c.T(lang, "promise.mail", what, c.Moment(lang, due, time.UTC))
}
