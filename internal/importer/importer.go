// Package importer brings another help desk's history into Rapport: the
// agents, customers, tickets, messages, notes, tags and files of an export
// on disk (`rapport import zendesk|freshdesk|helpscout DIR`).
//
// Each vendor's reader (zendesk.go, freshdesk.go, helpscout.go) turns its
// documented export files into a Dataset, the same shape for every
// vendor, checking the whole export before anything is written. Run then
// writes the Dataset through the services that own the tables: agents by
// agent.Service.ImportTx (deactivated, without a password), customers by
// customer.Service.CreateTx, tickets by ticket.Service.ImportTx, which
// keeps the original times and tells no subscriber (no acknowledgement,
// no SLA timer, no assignment); the metrics count each ticket on its
// original days (metrics.Service.TicketChanged, in the same transaction).
//
// Every record brought in is linked to its original number in
// import_links, so a second run of the same export finds everything and
// writes nothing again; a later export of the same help desk adds only
// what is new (tickets, and new messages on tickets imported before).
// What cannot be brought in is skipped and listed, with why, in the
// Report, which a real run also keeps in import_runs.
package importer

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

//go:embed queries.sql
var queriesFS embed.FS

// Sources are the help desks Rapport reads exports of.
var Sources = []string{"zendesk", "freshdesk", "helpscout"}

// MaxFileSize is the largest attachment brought in; a larger file is
// skipped and reported.
const MaxFileSize = 25 << 20

// Dataset is an export read from disk, the same for every help desk.
type Dataset struct {
	Source    string // one of Sources
	Dir       string // the export's folder; files' paths are inside it
	Agents    []Person
	Customers []Person
	Tickets   []Ticket
	Skipped   []Skip // what the reader could not use, and why
}

// Person is an agent or a customer of the other help desk.
type Person struct {
	ExternalID string
	Name       string
	Email      string
	Phone      string
	Locale     string
	Role       agent.Role // agents only
	Tags       []string   // customers only (for example their organization)
	CreatedAt  time.Time
}

// Ticket is one ticket of the other help desk with its thread.
type Ticket struct {
	ExternalID string
	Subject    string
	Status     ticket.Status
	Priority   string
	Kind       string
	Channel    string
	Language   string // "": the requester's, from their locale
	Requester  string // the customer's ExternalID
	Assignee   string // the agent's ExternalID; "" for none
	Tags       []string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	SolvedAt   time.Time
	ClosedAt   time.Time
	Messages   []Message // oldest first
}

// Message is one message of a Ticket.
type Message struct {
	ExternalID string
	Kind       string // ticket.CustomerMessage, ticket.Reply or ticket.Note
	Author     string // the ExternalID of the agent or customer who wrote it; "" unknown
	Text, HTML string
	CreatedAt  time.Time
	Files      []File
}

// File is an attachment of a Message.
type File struct {
	ExternalID  string
	Name        string
	ContentType string
	Path        string // inside Dataset.Dir; "" when the export holds no copy
}

// Skip is something not brought in, and why.
type Skip struct {
	Kind       string `json:"kind"` // agent, customer, ticket, message, attachment, file
	ExternalID string `json:"external_id"`
	Reason     string `json:"reason"`
}

// Counts are how many records of each kind.
type Counts struct {
	Agents      int `json:"agents"`
	Customers   int `json:"customers"`
	Tickets     int `json:"tickets"`
	Messages    int `json:"messages"` // customers' messages and public replies
	Notes       int `json:"notes"`    // internal notes
	Attachments int `json:"attachments"`
}

// Report is what an import did (or, in a dry run, would do).
type Report struct {
	RunID    int64     `json:"run_id"` // 0 for a dry run
	Source   string    `json:"source"`
	DryRun   bool      `json:"dry_run"`
	New      Counts    `json:"new"`      // brought in by this run
	Existing Counts    `json:"existing"` // found from an earlier run (or, agents and customers, by email), left alone
	Skipped  []Skip    `json:"skipped"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
}

// Opts are an Importer's dependencies.
type Opts struct {
	DB          *store.DB
	Clock       jobs.Clock
	Agents      *agent.Service
	Customers   *customer.Service
	Tickets     *ticket.Service
	Attachments *attachment.Service
	Metrics     *metrics.Service
	Log         *slog.Logger
}

// Importer writes Datasets into the database.
type Importer struct {
	o Opts
	q store.Queries
}

// New returns an Importer.
func New(o Opts) (*Importer, error) {
	if o.DB == nil || o.Agents == nil || o.Customers == nil || o.Tickets == nil || o.Attachments == nil || o.Metrics == nil {
		return nil, errors.New("importer: a service is missing")
	}
	if o.Clock == nil {
		o.Clock = jobs.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	q, err := store.LoadQueries(queriesFS, o.DB.Dialect)
	if err != nil {
		return nil, fmt.Errorf("importer: %w", err)
	}
	return &Importer{o: o, q: q}, nil
}

// RunOpts are the choices of one run.
type RunOpts struct {
	// DryRun does the whole import in one transaction and rolls it back:
	// the report is exact, and nothing is written.
	DryRun bool
	// Progress, when set, is called after each ticket with how many of
	// the tickets are done.
	Progress func(done, total int)
}

// Run imports ds. A real run records itself in import_runs, writes the
// agents and customers in one transaction and each ticket in its own, so
// that an interrupted run keeps what it finished and the next run goes on
// from there. An error is a failure of the database (or a file that
// cannot be read); what is wrong with a record skips the record.
func (im *Importer) Run(ctx context.Context, ds Dataset, o RunOpts) (Report, error) {
	rep := Report{Source: ds.Source, DryRun: o.DryRun, Started: im.o.Clock.Now().UTC(), Skipped: append([]Skip{}, ds.Skipped...)}
	if !validSource(ds.Source) {
		return rep, fmt.Errorf("importer: unknown source %q", ds.Source)
	}
	r := &run{im: im, ds: ds, rep: &rep, agents: map[string]int64{}, customers: map[string]int64{},
		langs: map[string]string{}}
	insertRun := func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, im.q.Get("insert-run"), ds.Source, ds.Dir, store.Millis(rep.Started)).Scan(&rep.RunID)
	}
	if o.DryRun {
		tx, err := im.o.DB.W.BeginTx(ctx, nil)
		if err != nil {
			return rep, fmt.Errorf("importer: begin: %w", err)
		}
		defer tx.Rollback()
		// The links need a run to point to: one made in the transaction
		// that is rolled back.
		if err := insertRun(tx); err != nil {
			return rep, fmt.Errorf("importer: %w", err)
		}
		r.each = func(fn func(tx *sql.Tx) error) error { return fn(tx) }
	} else {
		r.each = func(fn func(tx *sql.Tx) error) error { return im.o.DB.Tx(ctx, fn) }
		if err := im.o.DB.Tx(ctx, insertRun); err != nil {
			return rep, fmt.Errorf("importer: record the run: %w", err)
		}
	}
	err := r.all(ctx, o.Progress)
	rep.Finished = im.o.Clock.Now().UTC()
	if o.DryRun {
		rep.RunID = 0
	} else {
		if ferr := im.finish(ctx, rep, err); ferr != nil && err == nil {
			err = ferr
		}
		// The planner's statistics for what came in, even when the run
		// stopped part way: what it stored stays.
		if rep.New.Tickets+rep.New.Customers > 0 {
			if aerr := im.o.DB.Analyze(ctx); aerr != nil && err == nil {
				err = aerr
			}
		}
	}
	return rep, err
}

// finish stores the outcome of run rep.
func (im *Importer) finish(ctx context.Context, rep Report, runErr error) error {
	counts, err := json.Marshal(map[string]Counts{"new": rep.New, "existing": rep.Existing})
	if err != nil {
		return err
	}
	skipped, err := json.Marshal(rep.Skipped)
	if err != nil {
		return err
	}
	status, msg := "done", ""
	if runErr != nil {
		status, msg = "failed", runErr.Error()
	}
	// A cancelled run still records how it ended.
	ctx = context.WithoutCancel(ctx)
	return im.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, im.q.Get("finish-run"), rep.RunID, status, string(counts), string(skipped), msg,
			store.Millis(rep.Finished))
		return err
	})
}

func validSource(s string) bool {
	for _, v := range Sources {
		if v == s {
			return true
		}
	}
	return false
}

// run is one Run's state.
type run struct {
	im  *Importer
	ds  Dataset
	rep *Report
	// each runs fn in a transaction: its own in a real run, the one
	// rolled-back transaction in a dry run.
	each      func(fn func(tx *sql.Tx) error) error
	agents    map[string]int64  // external id → agent id
	customers map[string]int64  // external id → customer id
	langs     map[string]string // customer's external id → language, from their locale
}

func (r *run) skip(kind, id, reason string) {
	r.rep.Skipped = append(r.rep.Skipped, Skip{Kind: kind, ExternalID: id, Reason: reason})
}

// all imports the people, then each ticket. A transaction run again
// (store.DB.Tx retries a collision) starts again from the report as it
// was before it.
func (r *run) all(ctx context.Context, progress func(done, total int)) error {
	unit := func(fn func(tx *sql.Tx) error) error {
		snap := *r.rep
		skipped := len(r.rep.Skipped)
		agents, customers := len(r.agents), len(r.customers)
		return r.each(func(tx *sql.Tx) error {
			*r.rep = snap
			r.rep.Skipped = r.rep.Skipped[:skipped]
			if len(r.agents) != agents || len(r.customers) != customers {
				// People are one unit, before any ticket: start it afresh.
				clear(r.agents)
				clear(r.customers)
			}
			return fn(tx)
		})
	}
	err := unit(func(tx *sql.Tx) error {
		for _, p := range r.ds.Agents {
			if err := r.agent(ctx, tx, p); err != nil {
				return err
			}
		}
		for _, p := range r.ds.Customers {
			if err := r.customer(ctx, tx, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, t := range r.ds.Tickets {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := unit(func(tx *sql.Tx) error { return r.ticket(ctx, tx, t) }); err != nil {
			return fmt.Errorf("importer: ticket %s: %w", t.ExternalID, err)
		}
		if progress != nil {
			progress(i+1, len(r.ds.Tickets))
		}
	}
	return nil
}

// link is the local id of the record kind/ext imported before (0: none).
func (r *run) link(ctx context.Context, tx *sql.Tx, kind, ext string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, r.im.q.Get("get-link"), r.ds.Source, kind, ext).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("importer: read link %s %s: %w", kind, ext, err)
	}
	return id, nil
}

// putLink records that kind/ext became local row id.
func (r *run) putLink(ctx context.Context, tx *sql.Tx, kind, ext string, id int64) error {
	if ext == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, r.im.q.Get("put-link"), r.ds.Source, kind, ext, id, r.rep.RunID, store.Millis(r.im.o.Clock.Now()))
	if err != nil {
		return fmt.Errorf("importer: link %s %s: %w", kind, ext, err)
	}
	return nil
}

// agent links p to an agent: the one imported before, else the one with
// p's email, else a new, deactivated one.
func (r *run) agent(ctx context.Context, tx *sql.Tx, p Person) error {
	id, err := r.link(ctx, tx, "agent", p.ExternalID)
	if err != nil {
		return err
	}
	if id != 0 {
		r.agents[p.ExternalID] = id
		r.rep.Existing.Agents++
		return nil
	}
	email := strings.ToLower(strings.TrimSpace(p.Email))
	if email == "" {
		r.skip("agent", p.ExternalID, "no email address; their replies are kept without an author")
		return nil
	}
	err = tx.QueryRowContext(ctx, r.im.q.Get("agent-by-email"), email).Scan(&id)
	switch {
	case err == nil:
		r.rep.Existing.Agents++
	case errors.Is(err, sql.ErrNoRows):
		name := strings.TrimSpace(p.Name)
		if name == "" {
			name = email
		}
		role := p.Role
		if !role.Valid() {
			role = agent.RoleAgent
		}
		id, err = r.im.o.Agents.ImportTx(ctx, tx, agent.Imported{Email: email, Name: name, Role: role, Language: language(p.Locale),
			CreatedAt: p.CreatedAt, Source: r.ds.Source})
		var ve valid.Fields
		if errors.As(err, &ve) {
			r.skip("agent", p.ExternalID, fieldsText(ve)+"; their replies are kept without an author")
			return nil
		}
		if err != nil {
			return err
		}
		r.rep.New.Agents++
	default:
		return fmt.Errorf("importer: find agent %s: %w", email, err)
	}
	r.agents[p.ExternalID] = id
	return r.putLink(ctx, tx, "agent", p.ExternalID, id)
}

// customer links p to a customer: the one imported before, else the one
// with p's email or phone, else a new one.
func (r *run) customer(ctx context.Context, tx *sql.Tx, p Person) error {
	id, err := r.link(ctx, tx, "customer", p.ExternalID)
	if err != nil {
		return err
	}
	if id != 0 {
		r.customers[p.ExternalID] = id
		r.rep.Existing.Customers++
		return nil
	}
	var n customer.NewCustomer
	n.Name, n.CreatedAt = strings.TrimSpace(p.Name), p.CreatedAt
	n.Language = language(p.Locale)
	r.langs[p.ExternalID] = n.Language
	if utf8.RuneCountInString(n.Name) > 200 {
		n.Name = string([]rune(n.Name)[:200])
	}
	for _, id := range []struct{ kind, value string }{{customer.Email, p.Email}, {customer.Phone, p.Phone}} {
		if strings.TrimSpace(id.value) == "" {
			continue
		}
		norm, msg := customer.NormalizeIdentity(id.kind, id.value)
		if msg != "" {
			r.skip("customer", p.ExternalID, fmt.Sprintf("%s %q %s; the customer is kept without it", id.kind, id.value, msg))
			continue
		}
		var found int64
		err := tx.QueryRowContext(ctx, r.im.q.Get("customer-by-identity"), id.kind, norm).Scan(&found)
		if err == nil {
			r.customers[p.ExternalID] = found
			r.rep.Existing.Customers++
			return r.putLink(ctx, tx, "customer", p.ExternalID, found)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("importer: find customer: %w", err)
		}
		if id.kind == customer.Email {
			n.Emails = append(n.Emails, norm)
		} else {
			n.Phones = append(n.Phones, norm)
		}
	}
	n.ExternalIDs = []string{r.ds.Source + ":" + p.ExternalID}
	n.Tags, _ = tags(p.Tags)
	c, err := r.im.o.Customers.CreateTx(ctx, tx, n)
	var ve valid.Fields
	if errors.As(err, &ve) {
		r.skip("customer", p.ExternalID, fieldsText(ve))
		return nil
	}
	if err != nil {
		return err
	}
	r.rep.New.Customers++
	r.customers[p.ExternalID] = c.ID
	return r.putLink(ctx, tx, "customer", p.ExternalID, c.ID)
}

// ticket imports t, or the messages of t new since an earlier import.
func (r *run) ticket(ctx context.Context, tx *sql.Tx, t Ticket) error {
	id, err := r.link(ctx, tx, "ticket", t.ExternalID)
	if err != nil {
		return err
	}
	msgs, files, err := r.messages(ctx, tx, t)
	if err != nil {
		return err
	}
	if id != 0 {
		r.rep.Existing.Tickets++
		if len(msgs) == 0 {
			return nil
		}
		hist := make([]ticket.HistoryMessage, len(msgs))
		for i, m := range msgs {
			hist[i] = m.hist
		}
		ids, err := r.im.o.Tickets.AppendHistoryTx(ctx, tx, id, hist)
		if err != nil {
			return err
		}
		return r.finishTicket(ctx, tx, id, msgs, ids, files)
	}
	cust, ok := r.customers[t.Requester]
	if !ok {
		r.skip("ticket", t.ExternalID, fmt.Sprintf("its requester %q is not among the export's customers", t.Requester))
		return nil
	}
	if len(msgs) == 0 {
		r.skip("ticket", t.ExternalID, "no message with text")
		return nil
	}
	owner := int64(0)
	if t.Assignee != "" {
		if owner = r.agents[t.Assignee]; owner == 0 {
			r.skip("ticket", t.ExternalID, fmt.Sprintf("its assignee %q is not among the export's agents; imported unassigned", t.Assignee))
		}
	}
	tg, dropped := tags(t.Tags)
	if len(dropped) > 0 {
		r.skip("ticket", t.ExternalID, fmt.Sprintf("tags left out (over %d characters, or over %d tags): %s", ticket.MaxTag, ticket.MaxTags, strings.Join(dropped, ", ")))
	}
	lang := t.Language
	if lang == "" {
		lang = r.langs[t.Requester]
	}
	h := ticket.History{Source: r.ds.Source, ExternalID: t.ExternalID, Subject: subject(t), Channel: t.Channel, Language: lang,
		Status: t.Status, Priority: t.Priority, Kind: t.Kind, CustomerID: cust, OwnerID: owner, Tags: tg,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, SolvedAt: t.SolvedAt, ClosedAt: t.ClosedAt}
	if h.CreatedAt.IsZero() {
		h.CreatedAt = msgs[0].hist.CreatedAt
	}
	if h.Status == ticket.Solved || h.Status == ticket.Closed {
		if h.SolvedAt.IsZero() {
			h.SolvedAt = latest(t.UpdatedAt, msgs[len(msgs)-1].hist.CreatedAt)
		}
		if h.Status == ticket.Closed && h.ClosedAt.IsZero() {
			h.ClosedAt = h.SolvedAt
		}
	}
	for _, m := range msgs {
		h.Messages = append(h.Messages, m.hist)
	}
	id, ids, err := r.im.o.Tickets.ImportTx(ctx, tx, h)
	var ve valid.Fields
	if errors.As(err, &ve) {
		r.skip("ticket", t.ExternalID, fieldsText(ve))
		return nil
	}
	if err != nil {
		return err
	}
	r.rep.New.Tickets++
	if err := r.putLink(ctx, tx, "ticket", t.ExternalID, id); err != nil {
		return err
	}
	return r.finishTicket(ctx, tx, id, msgs, ids, files)
}

// finishTicket links the new messages, stores their files and counts the
// ticket in the metrics.
func (r *run) finishTicket(ctx context.Context, tx *sql.Tx, id int64, msgs []message, ids []int64, files map[int][]attachment.File) error {
	for i, m := range msgs {
		if err := r.putLink(ctx, tx, "message", m.ext, ids[i]); err != nil {
			return err
		}
		if m.hist.Kind == ticket.Note {
			r.rep.New.Notes++
		} else {
			r.rep.New.Messages++
		}
		if fs := files[i]; len(fs) > 0 {
			if err := r.im.o.Attachments.AddTx(ctx, tx, ids[i], fs); err != nil {
				return err
			}
			r.rep.New.Attachments += len(fs)
		}
	}
	_, _, err := r.im.o.Metrics.TicketChanged(ctx, tx, ticket.TimerTicket{ID: id}, nil)
	return err
}

// message is a Message ready to write.
type message struct {
	ext  string
	hist ticket.HistoryMessage
}

// messages are t's messages not imported before, with their authors
// found, and the files each brings (by index in the result).
func (r *run) messages(ctx context.Context, tx *sql.Tx, t Ticket) ([]message, map[int][]attachment.File, error) {
	var out []message
	files := map[int][]attachment.File{}
	for _, m := range t.Messages {
		if m.ExternalID != "" {
			id, err := r.link(ctx, tx, "message", m.ExternalID)
			if err != nil {
				return nil, nil, err
			}
			if id != 0 {
				if m.Kind == ticket.Note {
					r.rep.Existing.Notes++
				} else {
					r.rep.Existing.Messages++
				}
				continue
			}
		}
		h := ticket.HistoryMessage{Kind: m.Kind, Text: m.Text, HTML: m.HTML, CreatedAt: m.CreatedAt}
		switch m.Kind {
		case ticket.CustomerMessage:
			h.CustomerID = r.customers[m.Author]
		case ticket.Reply, ticket.Note:
			h.AgentID = r.agents[m.Author]
			if h.AgentID == 0 {
				if c, ok := r.customers[m.Author]; ok && m.Kind == ticket.Reply {
					h.Kind, h.CustomerID = ticket.CustomerMessage, c
				}
			}
		default:
			r.skip("message", m.ExternalID, fmt.Sprintf("unknown kind %q", m.Kind))
			continue
		}
		var fs []attachment.File
		var names []string
		for _, f := range m.Files {
			af, ok, err := r.file(ctx, tx, f)
			if err != nil {
				return nil, nil, err
			}
			if ok {
				fs = append(fs, af)
				names = append(names, af.Filename)
			}
		}
		if strings.TrimSpace(h.Text) == "" && strings.TrimSpace(h.HTML) == "" {
			if len(names) == 0 {
				r.skip("message", m.ExternalID, "no text and no file")
				continue
			}
			h.Text = "[" + strings.Join(names, "], [") + "]"
		}
		if len(fs) > 0 {
			files[len(out)] = fs
		}
		out = append(out, message{ext: m.ExternalID, hist: h})
	}
	return out, files, nil
}

// file reads attachment f from the export's folder; false (and a skip)
// when the export holds no usable copy.
func (r *run) file(ctx context.Context, tx *sql.Tx, f File) (attachment.File, bool, error) {
	if f.Path == "" {
		r.skip("attachment", f.ExternalID, fmt.Sprintf("%q is not in the export folder", f.Name))
		return attachment.File{}, false, nil
	}
	p := filepath.Join(r.ds.Dir, f.Path)
	st, err := os.Stat(p)
	switch {
	case err != nil:
		r.skip("attachment", f.ExternalID, fmt.Sprintf("%q: %v", f.Name, err))
		return attachment.File{}, false, nil
	case !st.Mode().IsRegular():
		r.skip("attachment", f.ExternalID, fmt.Sprintf("%q is not a file", f.Name))
		return attachment.File{}, false, nil
	case st.Size() > MaxFileSize:
		r.skip("attachment", f.ExternalID, fmt.Sprintf("%q is larger than %d MiB", f.Name, MaxFileSize>>20))
		return attachment.File{}, false, nil
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return attachment.File{}, false, fmt.Errorf("importer: %w", err)
	}
	name := f.Name
	if name == "" {
		name = filepath.Base(f.Path)
	}
	return attachment.File{Filename: name, ContentType: f.ContentType, Data: data}, true, nil
}

// tags are ts as Rapport keeps them (lower case, at most ticket.MaxTag
// characters, at most ticket.MaxTags), and the ones left out.
func tags(ts []string) (keep, dropped []string) {
	seen := map[string]bool{}
	for _, t := range ts {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		if utf8.RuneCountInString(t) > ticket.MaxTag || strings.ContainsAny(t, ",\n\t") || len(keep) == ticket.MaxTags {
			dropped = append(dropped, t)
			continue
		}
		keep = append(keep, t)
	}
	return keep, dropped
}

// subject is t's subject, or the start of its first message, cut to
// ticket.MaxSubject characters.
func subject(t Ticket) string {
	s := strings.TrimSpace(t.Subject)
	if s == "" && len(t.Messages) > 0 {
		s, _, _ = strings.Cut(strings.TrimSpace(t.Messages[0].Text), "\n")
	}
	if s == "" {
		s = "#" + t.ExternalID
	}
	if utf8.RuneCountInString(s) > ticket.MaxSubject {
		s = string([]rune(s)[:ticket.MaxSubject-1]) + "…"
	}
	return s
}

// language is the language of a locale such as en-US (en); "" when it
// does not look like one.
func language(locale string) string {
	lang, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(locale)), "-")
	lang, _, _ = strings.Cut(lang, "_")
	if len(lang) < 2 || len(lang) > 3 || strings.Trim(lang, "abcdefghijklmnopqrstuvwxyz") != "" {
		return ""
	}
	return lang
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// fieldsText spells validation errors in English, for the report.
func fieldsText(f valid.Fields) string {
	return f.Error()
}
