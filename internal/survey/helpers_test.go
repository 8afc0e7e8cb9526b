package survey

import (
	"context"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
)

// env is the survey service over a real database, job queue, ticket
// service and mailout writing to an outbox folder.
type env struct {
	t       testing.TB
	ctx     context.Context
	db      *store.DB
	clock   *jobs.FakeClock
	jobs    *jobs.Queue
	agents  *agent.Service
	tickets *ticket.Service
	svc     *Service
	outbox  string
	agentID int64
}

const baseURL = "https://help.example.com"

func newEnv(t testing.TB, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	clock := jobs.NewFakeClock(time.Date(2025, 5, 5, 9, 0, 0, 0, time.UTC))
	q := jobs.New(db, clock, nil)
	var tickets *ticket.Service
	cat := i18n.MustLoad()
	tickets = ticket.NewService(ticket.Opts{DB: db, Clock: clock, Jobs: q, Customers: customer.New(db, clock)})
	dir := filepath.Join(t.TempDir(), "outbox")
	mail := mailout.New(mailout.Opts{DB: db, Jobs: q, Tickets: tickets, I18n: cat, Transport: mailout.Outbox{Dir: dir},
		Clock: clock, Mailbox: "support@shop.example", Business: "Aurora"})
	svc := New(Opts{DB: db, Jobs: q, Clock: clock, I18n: cat, BaseURL: baseURL, Business: "Aurora",
		Tickets: tickets, Mail: mail})
	if err := tickets.Subscribe(ticket.Subscriber{Name: "survey", After: svc.TicketChanged}); err != nil {
		t.Fatal(err)
	}
	agents := agent.New(db, clock)
	a, err := agents.Create(ctx, agent.NewAgent{Email: "al@shop.example", Name: "Al Agent", Role: agent.RoleAgent, Password: "long enough"})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, ctx: ctx, db: db, clock: clock, jobs: q, agents: agents, tickets: tickets, svc: svc, outbox: dir, agentID: a.ID}
}

// open creates a ticket from email address from, in language lang, owned
// by the test agent.
func (e *env) open(from, lang string) int64 {
	e.t.Helper()
	tk, err := e.tickets.Create(e.ctx, ticket.AgentActor(e.agentID), ticket.NewTicket{Subject: "Broken lamp", Body: "It flickers.",
		Channel: "email", Language: lang, CustomerEmail: from, CustomerName: "Carla Client", OwnerID: e.agentID})
	if err != nil {
		e.t.Fatal(err)
	}
	return tk.ID
}

// setStatus changes ticket id's status as the agent and runs due jobs.
func (e *env) setStatus(id int64, st ticket.Status) {
	e.t.Helper()
	if _, err := e.tickets.Update(e.ctx, ticket.AgentActor(e.agentID), id, ticket.Update{Status: &st}); err != nil {
		e.t.Fatal(err)
	}
	e.run()
}

// solve opens and solves a ticket and runs the due jobs.
func (e *env) solve(from, lang string) int64 {
	e.t.Helper()
	id := e.open(from, lang)
	e.setStatus(id, ticket.Solved)
	return id
}

func (e *env) run() {
	e.t.Helper()
	if _, err := e.jobs.RunDue(e.ctx); err != nil {
		e.t.Fatal(err)
	}
}

// sent is one email in the outbox, decoded.
type sent struct {
	Header mail.Header
	Text   string
	HTML   string
}

// mails returns the outbox's messages, oldest first.
func (e *env) mails() []sent {
	e.t.Helper()
	entries, _ := os.ReadDir(e.outbox)
	var names []string
	for _, en := range entries {
		if !strings.HasPrefix(en.Name(), ".") {
			names = append(names, en.Name())
		}
	}
	sort.Strings(names)
	var out []sent
	for _, n := range names {
		f, err := os.Open(filepath.Join(e.outbox, n))
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, decodeMail(e.t, f))
		f.Close()
	}
	return out
}

func decodeMail(t testing.TB, r io.Reader) sent {
	t.Helper()
	m, err := mail.ReadMessage(r)
	if err != nil {
		t.Fatal(err)
	}
	s := sent{Header: m.Header}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		b, _ := io.ReadAll(quotedprintable.NewReader(m.Body))
		s.Text = string(b)
		return s
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p) // multipart.Reader decodes quoted-printable
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
			s.HTML = string(b)
		} else {
			s.Text = string(b)
		}
	}
	return s
}

// subject is the decoded Subject of m.
func (m sent) subject() string {
	s, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	return s
}

var linkRE = regexp.MustCompile(regexp.QuoteMeta(baseURL) + `/survey/([A-Za-z0-9_-]+)(\?[^\s"<]*)?`)

// links are the survey links of m's text, in order.
func (m sent) links() []string { return linkRE.FindAllString(m.Text, -1) }

// token is the token of m's survey links.
func (m sent) token() string {
	if sm := linkRE.FindStringSubmatch(m.Text); sm != nil {
		return sm[1]
	}
	return ""
}

// surveys counts the survey rows of ticket id.
func (e *env) surveys(id int64) int {
	e.t.Helper()
	var n int
	if err := e.db.R.QueryRowContext(e.ctx, "SELECT count(*) FROM surveys WHERE ticket_id = $1", id).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func intp(v int) *int { return &v }

func strp(s string) *string { return &s }
