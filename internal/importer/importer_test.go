package importer_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/importer"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

var now = time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)

// fixture is an Importer over db with the services a server has, and a
// ticket subscriber that counts every ticket change it is told of.
type fixture struct {
	db      *store.DB
	im      *importer.Importer
	tickets *ticket.Service
	files   *attachment.Service
	metrics *metrics.Service
	told    *int
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	clock := jobs.NewFakeClock(now)
	q := jobs.New(db, clock, log)
	customers := customer.New(db, clock)
	tickets := ticket.NewService(ticket.Opts{DB: db, Clock: clock, Jobs: q, Customers: customers, Log: log})
	told := 0
	err := tickets.Subscribe(ticket.Subscriber{Name: "spy", InTx: func(context.Context, *sql.Tx, ticket.TimerTicket, []ticket.TimerEvent) (time.Time, bool, error) {
		told++
		return time.Time{}, false, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	files := attachment.New(db, nil, clock)
	m := metrics.New(metrics.Opts{DB: db, Clock: clock, Log: log})
	im, err := importer.New(importer.Opts{DB: db, Clock: clock, Agents: agent.New(db, clock), Customers: customers,
		Tickets: tickets, Attachments: files, Metrics: m, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{db: db, im: im, tickets: tickets, files: files, metrics: m, told: &told}
}

func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.R.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// tableCounts counts the rows of the tables an import writes.
func tableCounts(t *testing.T, db *store.DB) map[string]int {
	out := map[string]int{}
	for _, tb := range []string{"agents", "customers", "customer_identities", "customer_tags", "tickets", "messages", "ticket_events",
		"ticket_tags", "attachments", "blobs", "import_links", "jobs", "metric_facts", "audit_log"} {
		out[tb] = count(t, db, "SELECT count(*) FROM "+tb)
	}
	return out
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// wantMessage is a message as the test export has it.
type wantMessage struct {
	kind, author, text string
	at                 string
}

// TestZendeskImport imports the Zendesk export in testdata (written from
// Zendesk's documented ticket, comment, user and organization objects) on
// both databases: every ticket with every message, its author, kind and
// time, statuses, tags and the downloaded file in place; no mail, timer or
// subscriber; the metrics count the tickets on their original days; a
// second run writes nothing; what could not be used is reported.
func TestZendeskImport(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ds, err := importer.ReadZendesk("testdata/zendesk")
		if err != nil {
			t.Fatal(err)
		}
		before := tableCounts(t, db)

		// A dry run reports what would come in and writes nothing.
		var calls int
		dry, err := f.im.Run(ctx, ds, importer.RunOpts{DryRun: true, Progress: func(done, total int) { calls++ }})
		if err != nil {
			t.Fatal(err)
		}
		want := importer.Counts{Agents: 2, Customers: 3, Tickets: 4, Messages: 8, Notes: 2, Attachments: 1}
		if dry.New != want {
			t.Errorf("dry run: new %+v, want %+v", dry.New, want)
		}
		if calls != len(ds.Tickets) {
			t.Errorf("progress called %d times for %d tickets", calls, len(ds.Tickets))
		}
		if after := tableCounts(t, db); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("the dry run wrote:\nbefore %v\nafter  %v", before, after)
		}
		if n := count(t, db, "SELECT count(*) FROM import_runs"); n != 0 {
			t.Errorf("the dry run recorded %d runs", n)
		}

		rep, err := f.im.Run(ctx, ds, importer.RunOpts{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.New != want || rep.Existing != (importer.Counts{}) {
			t.Errorf("import: new %+v existing %+v, want new %+v", rep.New, rep.Existing, want)
		}
		if rep.RunID == 0 {
			t.Error("no run recorded")
		}
		for _, s := range []string{"ticket 104: its requester", "ticket 105: deleted", "attachment 7002: \"not-downloaded.png\" is not in the export",
			"customer 2003: email", "ticket 103: tags left out"} {
			if !slices.ContainsFunc(rep.Skipped, func(k importer.Skip) bool {
				return strings.HasPrefix(k.Kind+" "+k.ExternalID+": "+k.Reason, s)
			}) {
				t.Errorf("the report does not say %q: %+v", s, rep.Skipped)
			}
		}
		if *f.told != 0 {
			t.Errorf("subscribers were told of %d imported tickets", *f.told)
		}
		if n := count(t, db, "SELECT count(*) FROM jobs"); n != 0 {
			t.Errorf("the import queued %d jobs (acknowledgements, timers, assignments)", n)
		}
		if n := count(t, db, "SELECT count(*) FROM tickets WHERE sla_due_at IS NOT NULL"); n != 0 {
			t.Errorf("%d imported tickets have an SLA deadline", n)
		}

		// Every ticket and message, with its times.
		link := func(kind, ext string) int64 {
			var id int64
			if err := db.R.QueryRowContext(ctx, `SELECT local_id FROM import_links WHERE source = 'zendesk' AND kind = $1 AND external_id = $2`,
				kind, ext).Scan(&id); err != nil {
				t.Fatalf("no link for %s %s: %v", kind, ext, err)
			}
			return id
		}
		cases := []struct {
			name, ext, subject, status, channel, priority, kind, created, solved, firstResponse string
			owner                                                                               string
			tags                                                                                []string
			messages                                                                            []wantMessage
		}{
			{name: "solved with a note and a file", ext: "101", subject: "Invoice 2023-114 is charged twice", status: "solved", channel: "email",
				priority: "high", kind: "question", created: "2023-03-01T09:15:00Z", solved: "2023-03-02T16:30:00Z",
				firstResponse: "2023-03-01T11:30:00Z", owner: "1002", tags: []string{"billing", "refund"},
				messages: []wantMessage{
					{"customer", "2001", "Hello, my card was charged twice for invoice 2023-114.", "2023-03-01T09:15:00Z"},
					{"note", "1002", "Checked with the bank: the second charge is a pre-authorisation.", "2023-03-01T11:02:00Z"},
					{"reply", "1002", "Dear Carla, the second charge is only a hold and disappears within 3 days.", "2023-03-01T11:30:00Z"},
					{"customer", "2001", "Thank you, it is gone now.", "2023-03-02T16:20:00Z"},
				}},
			{name: "open in Cyrillic, no assignee", ext: "102", subject: "Заказ не пришёл", status: "open", channel: "web",
				priority: "normal", kind: "other", created: "2023-03-05T14:00:00Z",
				messages: []wantMessage{
					{"customer", "2002", "Мой заказ 5531 не пришёл.", "2023-03-05T14:00:00Z"},
					{"note", "1001", "Escalated to the courier.", "2023-03-05T15:00:00Z"},
				}},
			{name: "closed, comments from their own file", ext: "103", subject: "Call back about the warranty", status: "closed",
				channel: "phone", priority: "low", kind: "request", created: "2023-04-11T07:45:00Z", solved: "2023-04-12T09:00:00Z",
				firstResponse: "2023-04-12T08:55:00Z", owner: "1001", tags: []string{"warranty"},
				messages: []wantMessage{
					{"customer", "2001", "Customer called about the warranty of the coffee machine.", "2023-04-11T07:45:00Z"},
					{"reply", "1001", "Called back: the warranty covers the pump, a courier collects it on Friday.", "2023-04-12T08:55:00Z"},
				}},
			{name: "on hold is pending", ext: "106", subject: "Waiting for the supplier", status: "pending", channel: "chat",
				priority: "urgent", kind: "question", created: "2023-05-02T08:30:00Z", firstResponse: "2023-05-02T09:10:00Z",
				owner: "1002", tags: []string{"stock"},
				messages: []wantMessage{
					{"customer", "2002", "Is the blue model back in stock?", "2023-05-02T08:30:00Z"},
					{"reply", "1002", "We asked the supplier and will write as soon as they answer.", "2023-05-02T09:10:00Z"},
				}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				tk, err := f.tickets.Get(ctx, link("ticket", tc.ext))
				if err != nil {
					t.Fatal(err)
				}
				got := fmt.Sprint(tk.Subject, "|", tk.Status, "|", tk.Channel, "|", tk.Priority, "|", tk.Kind, "|", tk.CreatedAt.UTC().Format(time.RFC3339))
				wantT := fmt.Sprint(tc.subject, "|", tc.status, "|", tc.channel, "|", tc.priority, "|", tc.kind, "|", tc.created)
				if got != wantT {
					t.Errorf("ticket %s\n got %s\nwant %s", tc.ext, got, wantT)
				}
				check := func(what string, at time.Time, want string) {
					g := ""
					if !at.IsZero() {
						g = at.UTC().Format(time.RFC3339)
					}
					if g != want {
						t.Errorf("%s %q, want %q", what, g, want)
					}
				}
				check("solved at", tk.SolvedAt, tc.solved)
				check("first response at", tk.FirstResponseAt, tc.firstResponse)
				if tk.UpdatedAt.After(now.Add(-time.Hour)) {
					t.Errorf("updated at %v: the import made an old ticket new", tk.UpdatedAt)
				}
				var owner int64
				if tc.owner != "" {
					owner = link("agent", tc.owner)
				}
				if tk.OwnerID != owner {
					t.Errorf("owner %d, want %d", tk.OwnerID, owner)
				}
				if !slices.Equal(tk.Tags, tc.tags) && len(tk.Tags)+len(tc.tags) > 0 {
					t.Errorf("tags %v, want %v", tk.Tags, tc.tags)
				}
				msgs, err := f.tickets.Messages(ctx, tk.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(msgs) != len(tc.messages) || tk.MessageCount != len(tc.messages) {
					t.Fatalf("%d messages (count %d), want %d", len(msgs), tk.MessageCount, len(tc.messages))
				}
				for i, m := range msgs {
					w := tc.messages[i]
					author := m.AuthorCustomerID
					wantAuthor := int64(0)
					if w.kind == "customer" {
						wantAuthor = link("customer", w.author)
					} else {
						author, wantAuthor = m.AuthorAgentID, link("agent", w.author)
					}
					if m.Kind != w.kind || m.BodyText != w.text || author != wantAuthor || !m.CreatedAt.Equal(ts(w.at)) {
						t.Errorf("message %d: %s by %d at %v: %q\nwant %s by %d at %s: %q", i, m.Kind, author, m.CreatedAt.UTC(), m.BodyText,
							w.kind, wantAuthor, w.at, w.text)
					}
				}
			})
		}

		// The downloaded file, byte for byte.
		msg := link("message", "5001")
		atts, blobs, err := f.files.ForMessage(ctx, msg)
		if err != nil {
			t.Fatal(err)
		}
		if len(atts) != 1 || atts[0].Filename != "statement.pdf" || atts[0].ContentType != "application/pdf" {
			t.Fatalf("attachments of the first message: %+v", atts)
		}
		data, _ := os.ReadFile("testdata/zendesk/attachments/7001/statement.pdf")
		if atts[0].Size != int64(len(data)) || len(blobs) != 1 || string(blobs[0]) != string(data) {
			t.Errorf("file of %d bytes, want %d", atts[0].Size, len(data))
		}

		// People: agents deactivated without a password, customers with
		// their identities, organization and original number.
		var active bool
		var hash string
		if err := db.R.QueryRowContext(ctx, `SELECT active, password_hash FROM agents WHERE id = $1`, link("agent", "1001")).Scan(&active, &hash); err != nil {
			t.Fatal(err)
		}
		if active || hash != "" {
			t.Errorf("imported agent active=%v with a password hash %q", active, hash)
		}
		carla := link("customer", "2001")
		for _, q := range []string{
			`SELECT count(*) FROM customer_identities WHERE customer_id = $1 AND kind = 'email' AND value = 'carla@acme.example'`,
			`SELECT count(*) FROM customer_identities WHERE customer_id = $1 AND kind = 'phone' AND value = '+390212345678'`,
			`SELECT count(*) FROM customer_identities WHERE customer_id = $1 AND kind = 'external' AND value = 'zendesk:2001'`,
			`SELECT count(*) FROM customer_tags WHERE customer_id = $1 AND tag = 'acme trading'`,
			`SELECT count(*) FROM customers WHERE id = $1 AND created_at = 1673344800000`,
		} {
			if count(t, db, q, carla) != 1 {
				t.Errorf("customer 2001: %s finds nothing", q)
			}
		}

		// The metrics count each ticket on the day it was made.
		rep2, err := f.metrics.Compute(ctx, metrics.Filter{From: ts("2023-03-01T00:00:00Z"), To: ts("2023-03-08T00:00:00Z")})
		if err != nil {
			t.Fatal(err)
		}
		if rep2.Current.Created.V != 2 || rep2.Current.Solved.V != 1 {
			t.Errorf("first week of March 2023: %v created, %v solved; want 2 and 1", rep2.Current.Created.V, rep2.Current.Solved.V)
		}

		// A second run brings in nothing and changes nothing.
		full := tableCounts(t, db)
		var updated []int64
		rows, err := db.R.QueryContext(ctx, `SELECT updated_at FROM tickets ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		updated, err = int64s(rows)
		if err != nil {
			t.Fatal(err)
		}
		again, err := f.im.Run(ctx, ds, importer.RunOpts{})
		if err != nil {
			t.Fatal(err)
		}
		if again.New != (importer.Counts{}) {
			t.Errorf("second run: new %+v", again.New)
		}
		if want := (importer.Counts{Agents: 2, Customers: 3, Tickets: 4, Messages: 8, Notes: 2}); again.Existing != want {
			t.Errorf("second run: existing %+v, want %+v", again.Existing, want)
		}
		if after := tableCounts(t, db); fmt.Sprint(after) != fmt.Sprint(full) {
			t.Errorf("the second run wrote:\nbefore %v\nafter  %v", full, after)
		}
		rows, err = db.R.QueryContext(ctx, `SELECT updated_at FROM tickets ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		if u, _ := int64s(rows); !slices.Equal(u, updated) {
			t.Errorf("the second run touched tickets: %v, then %v", updated, u)
		}

		// A later export with a new comment on ticket 102 adds that one only.
		later := ds
		later.Tickets = slices.Clone(ds.Tickets)
		for i, tk := range later.Tickets {
			if tk.ExternalID == "102" {
				tk.Messages = append(slices.Clone(tk.Messages), importer.Message{ExternalID: "5013", Kind: ticket.Reply, Author: "1001",
					Text: "The courier found it; it arrives tomorrow.", CreatedAt: ts("2023-03-06T10:00:00Z")})
				later.Tickets[i] = tk
			}
		}
		third, err := f.im.Run(ctx, later, importer.RunOpts{})
		if err != nil {
			t.Fatal(err)
		}
		if third.New != (importer.Counts{Messages: 1}) {
			t.Errorf("later export: new %+v, want one message", third.New)
		}
		tk, err := f.tickets.Get(ctx, link("ticket", "102"))
		if err != nil {
			t.Fatal(err)
		}
		if tk.MessageCount != 3 || !tk.FirstResponseAt.Equal(ts("2023-03-06T10:00:00Z")) || !tk.UpdatedAt.Equal(ts("2023-03-06T10:00:00Z")) {
			t.Errorf("ticket 102 after the later export: %d messages, first response %v, updated %v", tk.MessageCount, tk.FirstResponseAt, tk.UpdatedAt)
		}
		if n := count(t, db, "SELECT count(*) FROM import_runs WHERE status = 'done'"); n != 3 {
			t.Errorf("%d finished runs recorded, want 3", n)
		}
	})
}

func int64s(rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// TestReadZendeskRefusesBadInput: a folder that is not an export, or a
// file that is not JSON, is an error naming the file, before anything is
// written.
func TestReadZendeskRefusesBadInput(t *testing.T) {
	cases := []struct {
		name, file, content, want string
	}{
		{"no tickets file", "users.json", `{"id":1}`, "has no tickets.json"},
		{"broken JSON", "tickets.json", `{"id":1,"subject":`, "tickets.json: value 1"},
		{"a string, not a record", "tickets.json", `"hello"`, "want an object or an array"},
		{"an id that is an object", "tickets.json", `{"id":{"x":1}}`, "tickets.json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, tc.file), []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := importer.ReadZendesk(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
