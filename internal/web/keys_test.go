package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	fstestpkg "testing/fstest"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/goals"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/ticket"
)

// templateKey finds the catalogue keys templates pass to T: {{.T "key"}},
// {{$.T "key" arg}}.
var templateKey = regexp.MustCompile(`\.T "([^"]+)"`)

// catalogueKey is what a key looks like: dotted lower-case words.
var catalogueKey = regexp.MustCompile(`^[a-z]+(\.[a-z0-9_]+)+$`)

// Every key the templates and the Go code of this package use exists in
// the English catalogue (and so, by i18n's own test, in every other): an
// agent never meets a raw key.
func TestUsedKeysExist(t *testing.T) {
	cat := i18n.MustLoad()
	en := map[string]bool{}
	prefixes := map[string]bool{}
	for _, k := range cat.Keys(i18n.Default) {
		en[k] = true
		prefixes[strings.SplitN(k, ".", 2)[0]] = true
	}
	used := map[string]string{} // key -> where

	err := fs.WalkDir(assets, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(assets, path)
		if err != nil {
			return err
		}
		for _, m := range templateKey.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = path
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(used) < 100 {
		t.Fatalf("found only %d keys in the templates; is the scan broken?", len(used))
	}

	// In Go, every string literal that looks like a key of a known area
	// (flash., valid., event., …) must be a key.
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	goKeys := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || !catalogueKey.MatchString(s) || !prefixes[strings.SplitN(s, ".", 2)[0]] {
				return true
			}
			used[s] = fset.Position(lit.Pos()).String()
			goKeys++
			return true
		})
	}
	if goKeys < 50 {
		t.Fatalf("found only %d keys in the Go code; is the scan broken?", goKeys)
	}

	// Keys made from values: every value the UI can show has a label.
	dynamic := map[string][]string{
		"status.":       toStrings(ticket.Statuses),
		"priority.":     ticket.Priorities,
		"kind.":         ticket.Kinds,
		"channel.":      ticket.Channels,
		"view.":         inboxViews,
		"sort.":         inboxSorts,
		"role.":         toStrings(agent.Roles),
		"availability.": agent.Availabilities,
		"identity.":     identityKinds,
		"message.":      {ticket.CustomerMessage, ticket.Reply, ticket.Note},
		"lang.":         i18n.Supported,
		"month.":        {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"},
		"timer.":        slaTimers,
		"presence.":     {ticket.Viewing, ticket.Replying},
		"snooze.for_":   snoozeChoices,
		// Goals and recognition (goals_view.go, goals_manage.go, team.go)
		"goals.metric.": toStrings(goals.Metrics),
		"goals.unit.":   toStrings(goals.Metrics),
		"goals.period.": toStrings(goals.Periods),
		"goals.last.":   toStrings(goals.Periods),
		"goals.status.": toStrings(goals.Statuses),
		"goals.err.":    {"subject", "metric", "period", "start", "target", "note"},
		"kudos.kind.":   goals.KudosKinds,
		"kudos.err.":    {"to", "message"},
	}
	for prefix, values := range dynamic {
		for _, v := range values {
			used[prefix+v] = "value of " + prefix
		}
	}
	for _, typ := range []string{ticket.EventCreated, ticket.EventReplied, ticket.EventNoted, ticket.EventCustomerMsg,
		ticket.EventAssigned, ticket.EventTransferred, ticket.EventStatus, ticket.EventReopened, ticket.EventPriority,
		ticket.EventKind, ticket.EventLanguage, ticket.EventSubject, ticket.EventTeam, ticket.EventTags, ticket.EventClosed,
		sla.EventAtRisk, sla.EventBreached, ticket.EventSnoozed, ticket.EventWoke, ticket.EventCollabAdded, ticket.EventCollabGone} {
		if !describesEvent(typ) {
			t.Errorf("event type %q has no description of its own", typ)
		}
	}

	for k, where := range used {
		if !en[k] {
			t.Errorf("%s: key %q is not in en.json", where, k)
		}
	}
}

// describesEvent reports whether describeEvent has a case for typ rather
// than the generic fallback.
func describesEvent(typ string) bool {
	p := &page{s: &server{cat: i18n.MustLoad()}, Lang: "en"}
	l := describeEvent(p, historyNames{}, ticket.Event{Type: typ, ActorKind: "system", Data: map[string]any{}})
	return l.Text != p.T("event.other", p.T("actor.system"), typ)
}

func toStrings[S ~string](in []S) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = string(s)
	}
	return out
}

// Date layouts use only the placeholders formatDate fills, in every
// language, so no date shows a raw {placeholder}.
func TestDateLayouts(t *testing.T) {
	cat := i18n.MustLoad()
	placeholder := regexp.MustCompile(`\{[a-z]*\}?`)
	known := map[string]bool{"{d}": true, "{dd}": true, "{mm}": true, "{mon}": true, "{y}": true, "{hm}": true}
	for _, lang := range i18n.Supported {
		for _, key := range []string{"date.long", "date.medium", "date.short"} {
			layout := cat.T(lang, key)
			for _, ph := range placeholder.FindAllString(layout, -1) {
				if !known[ph] {
					t.Errorf("%s %s: unknown placeholder %q in %q", lang, key, ph, layout)
				}
			}
			p := &page{s: &server{cat: cat}, Lang: lang}
			if got := p.formatDate(key, time.Date(2025, 3, 9, 14, 5, 0, 0, time.UTC)); strings.ContainsAny(got, "{}") || !strings.Contains(got, "9") {
				t.Errorf("%s %s: %q", lang, key, got)
			}
		}
	}
}

// Every page template parses and renders with the layout; a missing one
// stops New.
func TestTemplatesParse(t *testing.T) {
	pages, err := parseTemplates(assets)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != len(pageNames) {
		t.Errorf("%d pages parsed, want %d", len(pages), len(pageNames))
	}
	// Each is built with the layout on its first render.
	for name, p := range pages {
		tmpl, err := p.template()
		if err != nil {
			t.Fatal(err)
		}
		if tmpl.Lookup("content") == nil || tmpl.Lookup("layout") == nil {
			t.Errorf("page %s: no content or layout", name)
		}
	}
	missing := fstest(t, "login")
	if _, err := parseTemplates(missing); err == nil || !strings.Contains(err.Error(), "login") {
		t.Errorf("without login.html: err %v, want one naming it", err)
	}
}

// fstest returns a copy of the embedded templates without templates/NAME.html.
func fstest(t *testing.T, without string) fs.FS {
	t.Helper()
	m := fstestpkg.MapFS{}
	err := fs.WalkDir(assets, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path == "templates/"+without+".html" {
			return err
		}
		b, err := fs.ReadFile(assets, path)
		m[path] = &fstestpkg.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}
