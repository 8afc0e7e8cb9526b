package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/text"
	"github.com/rapport/rapport/internal/ticket"
)

// pageNames are the page templates under templates/; each is parsed
// together with layout.html and partials.html and must define "content".
var pageNames = []string{
	"login", "login_code", "error", "inbox", "ticket", "customers", "customer", "preferences",
	"admin_agents", "admin_agent", "admin_teams", "admin_team",
	"contact", "calls", "notifications", "admin_sla",
	"qa", "qa_review", "qa_calibration", "admin_rubrics", "admin_rubric", "scorecard",
	"customer_purchases",
	"survey", "followup", "admin_surveys", "pulse", "pulse_manage", "pulse_results",
	"dashboard", "feedback", "at_risk",
	"goals_manage", "team", "standard", "admin_standard",
	"admin_compensation", "compensation_manage", "causes",
	"setup", "admin_business", "saved_replies",
	"admin_webhooks", "admin_webhook", "admin_sso",
	"admin_audit", "admin_tokens",
	"admin_imports", "admin_import",
	"portal", "portal_ticket", "admin_erasure",
	"help", "help_category", "help_article", "help_search", "help_standard", "kb", "kb_article", "kb_report",
	"admin_widget",
	"chats",
}

// pageTemplate is one page with the shared layout and partials, cloned
// from them and parsed on its first render. Every page used to be built
// at start: each clone copies the layout's and partials' parse trees
// (html/template escapes each set's trees in place, so they cannot be
// shared), and seventy copies held 36 MB of an idle server's heap
// (docs/PERFORMANCE.md, "Idle memory"). Now a page costs memory once
// someone opens it.
type pageTemplate = *lazyPage

// lazyPage is a page template built on first use.
type lazyPage struct {
	name string
	fsys fs.FS
	base *template.Template // the layout and partials; never executed itself
	once sync.Once
	t    *template.Template
	err  error
}

// template returns the page, building it the first time.
func (lp *lazyPage) template() (*template.Template, error) {
	lp.once.Do(func() {
		t, err := lp.base.Clone()
		if err == nil {
			_, err = t.ParseFS(lp.fsys, "templates/"+lp.name+".html")
		}
		if err != nil {
			err = fmt.Errorf("web: template %s: %w", lp.name, err)
		}
		lp.t, lp.err = t, err
	})
	return lp.t, lp.err
}

// ExecuteTemplate executes the page's template name into w.
func (lp *lazyPage) ExecuteTemplate(w io.Writer, name string, data any) error {
	t, err := lp.template()
	if err != nil {
		return err
	}
	return t.ExecuteTemplate(w, name, data)
}

// templateFuncs are the few helpers templates need besides page methods.
var templateFuncs = template.FuncMap{
	// rowOf pairs a page with one ticket of its list, for "ticketRow".
	"rowOf": func(p any, t any) map[string]any { return map[string]any{"P": p, "T": t} },
	"join":  strings.Join,
	"str":   func(v any) string { return fmt.Sprint(v) },
	"hasID": func(ids []int64, id int64) bool {
		for _, x := range ids {
			if x == id {
				return true
			}
		}
		return false
	},
	"hasStr": func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	},
}

// parseTemplates parses the layout with its partials, and every page on
// its own, at start; a missing or broken template is an error, so a bad
// build fails before it serves anything. The files are parsed in parallel,
// as the start waits for them (issue 14). Each page is put together with
// the layout on its first render (lazyPage).
func parseTemplates(fsys fs.FS) (map[string]pageTemplate, error) {
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	var base *template.Template
	g.Go(func() error {
		var err error
		base, err = template.New("layout.html").Funcs(templateFuncs).
			ParseFS(fsys, "templates/layout.html", "templates/partials.html", "templates/customer360.html", "templates/goals_partials.html", "templates/recovery.html", "templates/ticket_composer.html", "templates/business_fields.html", "templates/time.html", "templates/tokens.html", "templates/help_partials.html", "templates/chat_partials.html")
		if err != nil {
			return fmt.Errorf("web: templates: %w", err)
		}
		if base.Lookup("layout") == nil {
			return errors.New("web: templates: no layout")
		}
		return nil
	})
	for _, name := range pageNames {
		g.Go(func() error {
			t, err := template.New(name+".html").Funcs(templateFuncs).ParseFS(fsys, "templates/"+name+".html")
			if err != nil {
				return fmt.Errorf("web: template %s: %w", name, err)
			}
			if t.Lookup("content") == nil {
				return fmt.Errorf("web: template %s: no content", name)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	pages := map[string]pageTemplate{}
	for _, name := range pageNames {
		pages[name] = &lazyPage{name: name, fsys: fsys, base: base}
	}
	return pages, nil
}

// page is what every template gets: the request's language and agent, the
// flash message and form problem, and the page's own Data. Its methods
// are the templates' vocabulary for texts, dates and labels.
type page struct {
	s        *server
	informal bool // customers' pages of a business that speaks informally
	Lang     string
	Me       *agent.Agent // nil without a session
	CSRF     string
	Title    string
	Nav      string // the menu entry to highlight
	Flash    string
	Problem  *problem
	Form     url.Values // the submitted form, to refill it after a problem
	Search   string     // the header search box
	Version  string
	Now      time.Time
	Zone     *time.Location // the reader's: the agent's own, else the business's
	Data     any
	Unread   int   // the agent's unread notifications, for the header
	Pulse    int64 // a pulse survey waiting for the agent's answer, 0 for none
	ShowSLA  bool  // ticket lists have a deadline column

	// Days is the zone whose days a report's periods are made of (the
	// business's, for metrics, goals and scorecards): a period's dates are
	// shown as that zone has them, whatever the reader's zone. nil: Zone.
	Days *time.Location
	// ctx is the request's, for what a template reads as it renders (a
	// chat's greeting clock, chat.go).
	ctx context.Context
}

// newPage starts a page titled by catalogue key title, taking (and
// clearing) the flash cookie.
func (s *server) newPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, title string) *page {
	p := &page{s: s, Lang: rc.lang, Version: s.version, Now: s.clock.Now().UTC(), Form: url.Values{}, ctx: r.Context()}
	if p.Lang == "" {
		p.Lang = i18n.Default
	}
	p.Days = s.businessZone(r.Context())
	p.Zone = p.Days
	if rc.loggedIn && rc.me.TimeZone != "" {
		p.Zone = s.agentZone(r.Context(), rc.me)
	}
	if rc.loggedIn {
		me := rc.me
		p.Me, p.CSRF = &me, rc.sess.CSRFToken
		p.Unread = s.unreadCount(r, rc)
		p.Pulse = s.pendingPulse(r, rc)
	}
	p.Title = p.T(title)
	if c, err := r.Cookie(flashCookie); err == nil {
		if key, err := url.QueryUnescape(c.Value); err == nil && strings.HasPrefix(key, "flash.") {
			if msg := p.T(key); msg != key {
				p.Flash = msg
			}
		}
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure})
	}
	return p
}

// setFlash leaves the catalogue key of a success message for the next page.
func (s *server) setFlash(w http.ResponseWriter, key string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(key), Path: "/", MaxAge: 60,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure})
}

// render executes page name into a buffer first, so that a template error
// becomes a clean 500 rather than half a page.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t, ok := s.pages[name]
	var buf bytes.Buffer
	var err error
	if !ok {
		err = fmt.Errorf("no template %q", name)
	} else {
		err = t.ExecuteTemplate(&buf, "layout", p)
	}
	if err != nil {
		s.log.Error("render failed", "template", name, "path", r.URL.Path, slog.Any("error", err))
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(p.T("error.internal_text") + "\n"))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// T returns the catalogue message key in the page's language.
func (p *page) T(key string, args ...any) string { return p.voice().T(key, args...) }

// voice is the page's language in its register: informal only on the
// pages customers see, when the business speaks to them so.
func (p *page) voice() i18n.Voice { return p.s.cat.Voice(p.Lang, p.informal) }

// N is the plural entry key in the page's language, in the form its rules
// give the count n ({{.N "ticket.transfers" $t.TransferCount}}).
func (p *page) N(key string, n int, args ...any) string {
	return p.voice().N(key, n, args...)
}

// has reports whether key has a message.
func (p *page) has(key string) bool { return p.s.cat.T(p.Lang, key) != key }

// label is the message prefix+value, or the value itself when the
// catalogue has none (a value a newer version added).
func (p *page) label(prefix, value string) string {
	if p.has(prefix + value) {
		return p.T(prefix + value)
	}
	return value
}

// Status names a ticket status.
func (p *page) Status(st ticket.Status) string { return p.label("status.", string(st)) }

// Priority names a ticket priority.
func (p *page) Priority(pr string) string { return p.label("priority.", pr) }

// Kind names a ticket kind.
func (p *page) Kind(k string) string { return p.label("kind.", k) }

// Channel names a channel.
func (p *page) Channel(c string) string { return p.label("channel.", c) }

// Role names an agent role.
func (p *page) Role(r agent.Role) string { return p.label("role.", string(r)) }

// Avail names an availability.
func (p *page) Avail(a string) string { return p.label("availability.", a) }

// View names an inbox view.
func (p *page) View(v string) string { return p.label("view.", v) }

// Sort names an inbox sort order.
func (p *page) Sort(v string) string { return p.label("sort.", v) }

// IdentityKind names a kind of customer identity.
func (p *page) IdentityKind(k string) string { return p.label("identity.", k) }

// LangName names a language code in the page's language; "" is unknown.
func (p *page) LangName(code string) string {
	if code == "" {
		return p.T("lang.unknown")
	}
	if p.has("lang." + code) {
		return p.T("lang." + code)
	}
	if n, ok := i18n.Names[code]; ok {
		return n
	}
	return code
}

// Languages are the UI languages with a catalogue.
func (p *page) Languages() []string { return p.s.cat.Languages() }

// Date formats t as a full date and time in the page's language, in the
// reader's zone.
func (p *page) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return p.formatDate("date.long", t)
}

// Short formats t compactly in the reader's zone: the time for today
// (their today), else the day.
func (p *page) Short(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t, now := t.In(p.zone()), p.Now.In(p.zone())
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return t.Format("15:04")
	}
	if t.Year() != now.Year() {
		return p.formatDate("date.medium", t)
	}
	return p.formatDate("date.short", t)
}

// By says a deadline in words, in the page's language and the reader's
// zone: "by 15:00 today", "by Monday at 10:00".
func (p *page) By(due time.Time) string { return p.s.cat.By(p.Lang, due, p.Now, p.zone()) }

// Zones are the time zones a zone field suggests.
func (p *page) Zones() []string { return i18n.CommonZones }

// ZoneName names the reader's time zone ("Europe/Rome").
func (p *page) ZoneName() string { return p.zone().String() }

// zone is the reader's time zone, UTC for a page made without one.
func (p *page) zone() *time.Location {
	if p.Zone == nil {
		return time.UTC
	}
	return p.Zone
}

// formatDay writes the date of a report's day starting at t (a business
// midnight) with the date format key: in p.Days, so that a Tokyo
// business's 1 December reads 1 December to an agent in Rome too.
func (p *page) formatDay(key string, t time.Time) string { return p.formatDateIn(key, t.In(p.days())) }

// days is p.Days, else the reader's zone.
func (p *page) days() *time.Location {
	if p.Days == nil {
		return p.zone()
	}
	return p.Days
}

// ISO is t for a <time datetime> attribute: UTC, whatever the reader's zone.
func (p *page) ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// formatDate fills the layout of catalogue key with t's parts, in the
// reader's zone: {d} day, {dd} two-digit day, {mm} two-digit month, {mon}
// month name, {y} year, {hm} hours and minutes.
func (p *page) formatDate(key string, t time.Time) string { return p.formatDateIn(key, t.In(p.zone())) }

// formatDateIn writes t as it is, in its own location.
func (p *page) formatDateIn(key string, t time.Time) string {
	return strings.NewReplacer(
		"{dd}", t.Format("02"),
		"{d}", strconv.Itoa(t.Day()),
		"{mm}", t.Format("01"),
		"{mon}", p.T("month."+strconv.Itoa(int(t.Month()))),
		"{y}", strconv.Itoa(t.Year()),
		"{hm}", t.Format("15:04"),
	).Replace(p.T(key))
}

// Can reports whether the signed-in agent has permission perm.
func (p *page) Can(perm string) bool {
	return p.Me != nil && p.Me.Can(agent.Permission(perm))
}

// Err is the problem with field on form ("" for any form), or "".
func (p *page) Err(form, field string) string {
	if p.Problem == nil || (form != "" && p.Problem.Form != form) {
		return ""
	}
	return p.Problem.Fields[field]
}

// Failed reports whether form is the one with the problem.
func (p *page) Failed(form string) bool { return p.Problem != nil && p.Problem.Form == form }

// Val is the submitted value of field when form failed, else def: a
// failed form comes back as the agent filled it in.
func (p *page) Val(form, field, def string) string {
	if p.Failed(form) {
		return p.Form.Get(field)
	}
	return def
}

// Body renders a message: its sanitised HTML when it has some, else its
// text with line breaks kept.
func (p *page) Body(m ticket.Message) template.HTML {
	if m.BodyHTML != "" {
		return template.HTML(m.BodyHTML) // sanitised by the ticket service
	}
	lines := strings.Split(strings.ReplaceAll(m.BodyText, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = template.HTMLEscapeString(l)
	}
	return template.HTML(strings.Join(lines, "<br>\n"))
}

// Trimmed is the new part of a customer's plain-text email, without the
// quoted history, or "" when nothing was trimmed (the whole message shows).
func (p *page) Trimmed(m ticket.Message) template.HTML {
	if m.Kind != ticket.CustomerMessage || m.BodyHTML != "" || m.InboundID == 0 {
		return ""
	}
	t := strings.TrimSpace(text.TrimQuoted(m.BodyText))
	if t == "" || t == strings.TrimSpace(m.BodyText) {
		return ""
	}
	return p.Body(ticket.Message{BodyText: t})
}

// FileSize writes a size in bytes for people: 830 B, 12 KB, 3.4 MB.
func (p *page) FileSize(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%d KB", (n+512)/1024)
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
	}
}

// Initial is the first letter of a name, for avatars.
func (p *page) Initial(name string) string {
	for _, r := range strings.TrimSpace(name) {
		return strings.ToUpper(string(r))
	}
	return "?"
}

// ProblemFor is the message of the problem when form is the one that
// failed, else "".
func (p *page) ProblemFor(form string) string {
	if p.Failed(form) {
		return p.Problem.Message
	}
	return ""
}

// ConfirmFor reports whether form failed only for want of the agent's
// confirmation, so the page offers to send it again, confirmed.
func (p *page) ConfirmFor(form string) bool {
	return p.Failed(form) && p.Problem.Confirm
}

// NativeName is a language's name in that language, for language pickers.
func (p *page) NativeName(code string) string {
	if n, ok := i18n.Names[code]; ok {
		return n
	}
	return code
}

// MessageKind names a kind of thread message: customer, reply or note.
func (p *page) MessageKind(k string) string { return p.label("message.", k) }
