// Package seed fills a database with many synthetic tickets straight in
// SQL, in big multi-row INSERTs inside long transactions, for the
// big-database tests and benchmarks and for `rapport bench seed`. The rows
// follow the schema of internal/store/migrations/*/0001_core.sql; the
// search index and the metrics rollups are left to the product's own
// paths (the search backfill, the metrics rebuild), as on an upgraded
// database.
//
// The data is clearly synthetic (example.com addresses, +000 phone
// numbers) and fixed by a seeded generator: the same Opts give the same
// database.
package seed

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/store"
)

// Now is the newest moment in a seeded database; a service working on it
// starts its clock here.
var Now = time.Date(2025, 6, 2, 12, 0, 0, 0, time.UTC)

// RareWord is in exactly one message body of a seeded database with
// messages beyond the first of each ticket: the last message of ticket
// Result.RareTicket. AbsentWord is in none.
const (
	RareWord   = "quetzalcoatl"
	AbsentWord = "xylophonist"
)

// Opts says how much to make.
type Opts struct {
	Tickets  int // tickets; customers are a quarter of them (at least 100)
	Messages int // messages in all, at least one per ticket; 0 for one per ticket
	// End is the newest moment of the data; zero for Now (the tests' fixed
	// moment). A database to be served ends at the present, so that the
	// dashboard's last 30 days hold the newest tickets.
	End time.Time
	// Progress, when set, is told what is done as it goes.
	Progress func(msg string)
}

// Result is what Run made.
type Result struct {
	Agents     []int64
	Teams      []int64
	Customers  []int64
	Live       []int64  // tickets that are open or pending, oldest first (at most 5000)
	Stages     []string // how long each step took
	Messages   int      // messages written
	RareTicket int64    // the ticket whose last message holds RareWord; 0 if none
}

// Run adds 20 agents, 4 teams, max(100, n/4) customers (each with an
// email, every third with a phone number) and o.Tickets tickets to db,
// with their messages, one "created" event each and tags on every 5th and
// every 17th. The tickets are spaced evenly over max(30, n/900) days
// ending at o.End (Now when zero); most old tickets are closed, recent ones new, open,
// pending or solved; almost every worked ticket has an owner, most new
// ones none. Each ticket's first message is the customer's "Hello,
// <subject>. Can you help me, please?"; the others, when o.Messages asks
// for more than one a ticket, alternate agent replies and customer
// messages of 4 to 40 words drawn with Zipf-like frequencies from the
// ticket's language (English, Italian, Russian, Latvian, Catalan) and a
// long tail of made-up words, so that some words are in most tickets and
// some in a handful.
func Run(ctx context.Context, db *store.DB, o Opts) (Result, error) {
	n := o.Tickets
	if n <= 0 {
		return Result{}, fmt.Errorf("seed: %d tickets: want at least one", n)
	}
	if o.Messages == 0 {
		o.Messages = n
	}
	if o.Messages < n {
		return Result{}, fmt.Errorf("seed: %d messages for %d tickets: want at least one a ticket", o.Messages, n)
	}
	say := o.Progress
	if say == nil {
		say = func(string) {}
	}
	rng := rand.New(rand.NewPCG(20250602, uint64(n)))
	end := o.End
	if end.IsZero() {
		end = Now
	}
	nowMS := end.UnixMilli()
	var r Result
	began := time.Now()
	stage := func(name string) {
		s := fmt.Sprintf("%s %v", name, time.Since(began).Round(time.Millisecond))
		r.Stages = append(r.Stages, s)
		say(s)
		began = time.Now()
	}

	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var agents, teams [][]any
		for i := range 20 {
			agents = append(agents, []any{fmt.Sprintf("agent%02d@rapport.test", i), agentNames[i%len(agentNames)], "agent", true, nowMS, nowMS})
		}
		for _, name := range []string{"billing", "tech", "returns", "sales"} {
			teams = append(teams, []any{name, nowMS})
		}
		var err error
		if r.Agents, err = InsertRows(ctx, tx, db.Dialect, "agents", "email, name, role, active, created_at, updated_at", agents, true); err != nil {
			return err
		}
		r.Teams, err = InsertRows(ctx, tx, db.Dialect, "teams", "name, created_at", teams, true)
		return err
	})
	if err != nil {
		return r, fmt.Errorf("seed agents: %w", err)
	}

	nc := max(100, n/4)
	custs := make([][]any, nc)
	for i := range custs {
		name := firstNames[rng.IntN(len(firstNames))] + " " + lastNames[rng.IntN(len(lastNames))]
		custs[i] = []any{name, nowMS, nowMS}
	}
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if r.Customers, err = InsertRows(ctx, tx, db.Dialect, "customers", "name, created_at, updated_at", custs, true); err != nil {
			return err
		}
		if _, err = tx.ExecContext(ctx, `INSERT INTO customer_identities (customer_id, kind, value, created_at)
			SELECT id, 'email', 'customer' || id || '@example.com', created_at FROM customers`); err != nil {
			return err
		}
		if o.Messages == n {
			return nil // the shape the inbox benchmarks were written for
		}
		// Phone numbers in the +000 range no real number uses.
		_, err = tx.ExecContext(ctx, `INSERT INTO customer_identities (customer_id, kind, value, created_at)
			SELECT id, 'phone', '+000' || (10000000 + id), created_at FROM customers WHERE id % 3 = 0`)
		return err
	})
	if err != nil {
		return r, fmt.Errorf("seed customers: %w", err)
	}
	stage(fmt.Sprintf("agents, teams, %d customers:", nc))

	const day = int64(24 * time.Hour / time.Millisecond)
	span := max(30, int64(n)/900) * day
	oldest := nowMS - span
	const chunk = 100_000 // tickets per transaction
	w := newWords(rng)
	perTicket := float64(o.Messages) / float64(n)
	var firstID int64
	for lo := 0; lo < n; lo += chunk {
		hi := min(n, lo+chunk)
		rows := make([][]any, 0, hi-lo)
		counts := make([]int, 0, hi-lo)
		for i := lo; i < hi; i++ {
			// Spread the messages so that the first i tickets hold
			// round(i*perTicket) of them.
			c := int(float64(i+1)*perTicket+0.5) - int(float64(i)*perTicket+0.5)
			rows = append(rows, ticketRow(rng, &r, oldest+int64(i)*span/int64(n), nowMS, c))
			counts = append(counts, c)
		}
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			ids, err := InsertRows(ctx, tx, db.Dialect, "tickets", "subject, channel, status, priority, kind, language, customer_id, "+
				"owner_id, team_id, created_at, updated_at, first_response_at, solved_at, closed_at, message_count", rows, true)
			if err != nil {
				return err
			}
			slices.Sort(ids)
			if firstID == 0 && len(ids) > 0 {
				firstID = ids[0]
			}
			var msgs, events, tags [][]any
			flush := func(force bool) error {
				if len(msgs) >= 50_000 || (force && len(msgs) > 0) {
					if _, err := InsertRows(ctx, tx, db.Dialect, "messages", "ticket_id, kind, author_agent_id, author_customer_id, body_text, created_at", msgs, false); err != nil {
						return err
					}
					r.Messages += len(msgs)
					msgs = msgs[:0]
				}
				return nil
			}
			for k, id := range ids {
				t := rows[k]
				msgs = append(msgs, ticketMessages(rng, w, id, t, counts[k], lo+k == n/2)...)
				if lo+k == n/2 && counts[k] > 1 {
					r.RareTicket = id
				}
				events = append(events, []any{id, "created", "customer", "{}", t[9]})
				if id%5 == 0 {
					tags = append(tags, []any{id, "billing"})
				}
				if id%17 == 0 {
					tags = append(tags, []any{id, "vip"})
				}
				if err := flush(false); err != nil {
					return err
				}
			}
			if err := flush(true); err != nil {
				return err
			}
			if _, err := InsertRows(ctx, tx, db.Dialect, "ticket_events", "ticket_id, type, actor_kind, data, created_at", events, false); err != nil {
				return err
			}
			_, err = InsertRows(ctx, tx, db.Dialect, "ticket_tags", "ticket_id, tag", tags, false)
			return err
		})
		if err != nil {
			return r, fmt.Errorf("seed tickets: %w", err)
		}
		say(fmt.Sprintf("tickets %d of %d, messages %d (%v)", hi, n, r.Messages, time.Since(began).Round(time.Second)))
	}
	stage(fmt.Sprintf("%d tickets, %d messages, events, tags:", n, r.Messages))

	rows, err := db.R.QueryContext(ctx, `SELECT id FROM tickets WHERE status IN ('open', 'pending') ORDER BY id LIMIT 5000`)
	if err != nil {
		return r, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return r, err
		}
		r.Live = append(r.Live, id)
	}
	return r, rows.Err()
}

// ticketRow is the column values of one ticket created at created with
// msgs messages. Its rng draws are those the inbox benchmarks were
// written against.
func ticketRow(rng *rand.Rand, r *Result, created, now int64, msgs int) []any {
	const hour = int64(time.Hour / time.Millisecond)
	const day = 24 * hour
	age := now - created
	var st string
	switch p := rng.IntN(1000); {
	case age < 4*day:
		st = Pick(p, []int{250, 350, 200, 200}, "new", "open", "pending", "solved")
	case age < 30*day:
		st = Pick(p, []int{20, 100, 100, 780}, "new", "open", "pending", "closed")
	default:
		st = Pick(p, []int{5, 15, 10, 970}, "new", "open", "pending", "closed")
	}
	var owner, team, firstResponse, solved, closed any
	ownedPct := map[string]int{"new": 10, "open": 90}[st]
	if ownedPct == 0 {
		ownedPct = 97
	}
	if rng.IntN(100) < ownedPct {
		owner = r.Agents[rng.IntN(len(r.Agents))]
	}
	if rng.IntN(100) < 70 {
		team = r.Teams[rng.IntN(len(r.Teams))]
	}
	updated := created
	if st != "new" {
		firstResponse = min(now, created+1+rng.Int64N(8*hour))
	}
	switch st {
	case "open", "pending":
		updated = created + rng.Int64N(age+1)
	case "solved":
		updated = min(now, created+rng.Int64N(3*day))
		solved = updated
	case "closed":
		s := created + rng.Int64N(5*day)
		updated = min(now, s+4*day)
		solved, closed = s, updated
	}
	if fr, ok := firstResponse.(int64); ok && fr > updated {
		firstResponse = updated
	}
	subject := subjects[rng.IntN(len(subjects))]
	if strings.Contains(subject, "%d") {
		subject = fmt.Sprintf(subject, 10000+rng.IntN(90000))
	}
	return []any{
		subject,
		Pick(rng.IntN(100), []int{50, 20, 15, 10, 3}, "email", "web", "chat", "phone", "api", "hook"),
		st,
		Pick(rng.IntN(100), []int{20, 60, 15}, "low", "normal", "high", "urgent"),
		Pick(rng.IntN(100), []int{50, 20, 20, 5}, "question", "complaint", "request", "praise", "other"),
		Pick(rng.IntN(100), []int{60, 15, 10, 5}, "en", "it", "ru", "lv", "ca"),
		r.Customers[rng.IntN(len(r.Customers))],
		owner, team, created, updated, firstResponse, solved, closed, msgs,
	}
}

// ticketMessages is the message rows of ticket id (whose column values are
// t): the customer's first message, then count-1 more, alternating the
// owner's (or a first agent's) replies and the customer's messages, spaced
// between its creation and its last update. With rare, the last holds
// RareWord.
func ticketMessages(rng *rand.Rand, w *words, id int64, t []any, count int, rare bool) [][]any {
	subject, lang, cust := t[0].(string), t[5].(string), t[6]
	created, updated := t[9].(int64), t[10].(int64)
	out := make([][]any, 0, count)
	out = append(out, []any{id, "customer", nil, cust, "Hello, " + subject + ". Can you help me, please?", created})
	agent := t[7]
	if agent == nil {
		agent = int64(1)
	}
	step := (updated - created) / int64(count)
	for i := 1; i < count; i++ {
		body := w.sentence(rng, lang, 4+rng.IntN(37))
		if rare && i == count-1 {
			body += " " + RareWord + "."
		}
		at := created + int64(i)*step
		if i%2 == 1 {
			out = append(out, []any{id, "reply", agent, nil, body, at})
		} else {
			out = append(out, []any{id, "customer", nil, cust, body, at})
		}
	}
	return out
}

// Pick returns the value whose share of [0, total) holds p: the first
// len(weights) values take weights[i] each, the last value the rest.
func Pick[T any](p int, weights []int, values ...T) T {
	for i, w := range weights {
		if p < w {
			return values[i]
		}
		p -= w
	}
	return values[len(weights)]
}

// InsertRows inserts rows into table with multi-row INSERTs inside tx and
// returns the new ids (in no promised order) when returning is set. On
// SQLite it writes anonymous "?" parameters: SQLite looks numbered ones up
// by name, which grows with the square of their number.
func InsertRows(ctx context.Context, tx *sql.Tx, d store.Dialect, table, cols string, rows [][]any, returning bool) ([]int64, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	width := len(rows[0])
	per := 30000 / width // under SQLite's 32766 and PostgreSQL's 65535 parameters
	var ids []int64
	var b strings.Builder
	args := make([]any, 0, per*width)
	for lo := 0; lo < len(rows); lo += per {
		part := rows[lo:min(len(rows), lo+per)]
		b.Reset()
		args = args[:0]
		fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", table, cols)
		for i, r := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for j, v := range r {
				if j > 0 {
					b.WriteString(", ")
				}
				args = append(args, v)
				if d == store.SQLite {
					b.WriteByte('?')
				} else {
					b.WriteByte('$')
					b.WriteString(strconv.Itoa(len(args)))
				}
			}
			b.WriteByte(')')
		}
		if !returning {
			if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
				return nil, fmt.Errorf("insert %s: %w", table, err)
			}
			continue
		}
		b.WriteString(" RETURNING id")
		res, err := tx.QueryContext(ctx, b.String(), args...)
		if err != nil {
			return nil, fmt.Errorf("insert %s: %w", table, err)
		}
		for res.Next() {
			var id int64
			if err := res.Scan(&id); err != nil {
				res.Close()
				return nil, err
			}
			ids = append(ids, id)
		}
		res.Close()
		if err := res.Err(); err != nil {
			return nil, fmt.Errorf("insert %s: %w", table, err)
		}
	}
	return ids, nil
}

var (
	agentNames = []string{"Al Agent", "Bo Agent", "Chiara Neri", "Dmitri Orlov", "Elza Ozola", "Ferran Puig", "Greta Lind"}
	firstNames = []string{"Anna", "Marco", "Giulia", "Luca", "Olga", "Ivan", "Līga", "Jānis", "Núria", "Jordi",
		"Emma", "James", "Sofia", "Pavel", "Marta", "Pere", "Laura", "Ilze", "Noah", "Chloe"}
	lastNames = []string{"Rossi", "Bianchi", "Ivanova", "Petrov", "Bērziņa", "Kalniņš", "Puig", "Vidal",
		"Smith", "Jones", "Brown", "Ferrari", "Sokolov", "Ozols", "Serra", "Taylor"}
	subjects = []string{
		"Refund for order %d", "Cannot log in", "Invoice %d is wrong", "Order %d arrived late",
		"Password reset email never arrives", "Please change my delivery address", "Question about pricing",
		"Cancel my subscription", "Damaged item in order %d", "Thank you for the quick help",
		"App crashes on start", "Where is my parcel?", "Wrong size received", "Discount code not accepted",
		"Update my payment card", "Charged twice for order %d", "How do I export my data?",
		"Rimborso per l'ordine %d", "Non riesco ad accedere", "Не могу войти в аккаунт",
		"Возврат заказа %d", "Rēķins %d ir nepareizs", "La comanda %d no ha arribat", "Feature request: dark mode",
	}
)
