package metricstest

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/store"
)

// GenOpts size a generated dataset.
type GenOpts struct {
	Tickets   int       // default 1,000,000
	Days      int       // spread over this many days before End; default 365
	End       time.Time // default 2026-11-23 00:00 UTC
	Agents    int       // default 40, in 4 teams
	Customers int       // default 300,000
	Seed      uint64
	// Progress, when set, hears what is being written.
	Progress func(what string, done, total int)
}

// Generated tells what Generate wrote.
type Generated struct {
	Tickets, Events, Surveys, Promises, Customers int
	AgentIDs, TeamIDs                             []int64
}

func (o *GenOpts) defaults() {
	if o.Tickets <= 0 {
		o.Tickets = 1_000_000
	}
	if o.Days <= 0 {
		o.Days = 365
	}
	if o.End.IsZero() {
		o.End = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	}
	if o.Agents <= 0 {
		o.Agents = 40
	}
	if o.Customers <= 0 {
		o.Customers = 300_000
	}
}

// batch writes rows to one table. On PostgreSQL it collects them for
// multi-row INSERTs (one statement per row takes many minutes over a
// socket); on SQLite, whose driver binds many parameters slowly, it runs
// one prepared single-row INSERT per row, which is faster there.
type batch struct {
	ctx  context.Context
	tx   *sql.Tx
	head string // INSERT INTO t (cols) VALUES
	cols int
	rows int
	args []any
	max  int
	stmt *sql.Stmt // SQLite
}

func newBatch(ctx context.Context, tx *sql.Tx, d store.Dialect, table string, cols ...string) (*batch, error) {
	b := &batch{ctx: ctx, tx: tx, head: "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ",
		cols: len(cols), max: max(1, 30000/len(cols))}
	if d == store.SQLite {
		ph := make([]string, len(cols))
		for i := range ph {
			ph[i] = "$" + strconv.Itoa(i+1)
		}
		st, err := tx.PrepareContext(ctx, b.head+"("+strings.Join(ph, ", ")+")")
		if err != nil {
			return nil, err
		}
		b.stmt = st
	}
	return b, nil
}

func (b *batch) add(vals ...any) error {
	if b.stmt != nil {
		if _, err := b.stmt.ExecContext(b.ctx, vals...); err != nil {
			return fmt.Errorf("generate: %s: %w", b.head[:30], err)
		}
		return nil
	}
	b.args = append(b.args, vals...)
	b.rows++
	return nil
}

// flush writes what add collected, in statements of at most max rows.
func (b *batch) flush() error {
	for b.rows > 0 {
		n := min(b.rows, b.max)
		var s strings.Builder
		s.WriteString(b.head)
		for r := 0; r < n; r++ {
			if r > 0 {
				s.WriteString(", ")
			}
			s.WriteByte('(')
			for c := 0; c < b.cols; c++ {
				if c > 0 {
					s.WriteString(", ")
				}
				s.WriteString("$" + strconv.Itoa(r*b.cols+c+1))
			}
			s.WriteByte(')')
		}
		if _, err := b.tx.ExecContext(b.ctx, s.String(), b.args[:n*b.cols]...); err != nil {
			return fmt.Errorf("generate: %s: %w", b.head[:30], err)
		}
		b.args = b.args[n*b.cols:]
		b.rows -= n
	}
	b.args = b.args[:0]
	return nil
}

// weighted picks an index by weight.
func weighted(r *rand.Rand, w []int) int {
	sum := 0
	for _, x := range w {
		sum += x
	}
	n := r.IntN(sum)
	for i, x := range w {
		if n < x {
			return i
		}
		n -= x
	}
	return len(w) - 1
}

// logNormal is a duration whose logarithm is normal around median.
func logNormal(r *rand.Rand, median time.Duration, sigma float64) time.Duration {
	return time.Duration(float64(median) * math.Exp(r.NormFloat64()*sigma))
}

// Generate fills an empty, migrated database with a service's year: teams,
// agents, customers (some referred), tickets with their events (five per
// ticket on average), SLA state and breaches, promises and survey
// answers, all by SQL. The caller builds the rollups
// (metrics.Service.Rebuild), as after any import.
func Generate(ctx context.Context, db *store.DB, o GenOpts) (Generated, error) {
	o.defaults()
	r := rand.New(rand.NewPCG(o.Seed, 7))
	var g Generated
	start := o.End.AddDate(0, 0, -o.Days)
	startMs := start.UnixMilli()
	span := o.End.UnixMilli() - startMs
	progress := func(what string, done, total int) {
		if o.Progress != nil {
			o.Progress(what, done, total)
		}
	}
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		now := startMs
		for i := 0; i < 4; i++ {
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO teams (name, created_at) VALUES ($1, $2) RETURNING id`,
				"Team "+strconv.Itoa(i+1), now).Scan(&id); err != nil {
				return err
			}
			g.TeamIDs = append(g.TeamIDs, id)
		}
		for i := 0; i < o.Agents; i++ {
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO agents (email, name, role, created_at, updated_at)
				VALUES ($1, $2, 'agent', $3, $3) RETURNING id`, fmt.Sprintf("agent%03d@bench.test", i), fmt.Sprintf("Agent %03d", i), now).Scan(&id); err != nil {
				return err
			}
			g.AgentIDs = append(g.AgentIDs, id)
		}
		var calID, policyID int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO calendars (name, timezone, week, created_at, updated_at)
			VALUES ('Office', 'Europe/Rome', 'mon-fri 09:00-18:00', $1, $1) RETURNING id`, now).Scan(&calID); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO sla_policies (name, calendar_id, first_response_minutes, resolution_minutes, created_at, updated_at)
			VALUES ('Standard', $1, 240, 2880, $2, $2) RETURNING id`, calID, now).Scan(&policyID); err != nil {
			return err
		}

		// Customers: ids 1…n in order, so tickets can name them without a lookup.
		var first int64
		cb, err := newBatch(ctx, tx, db.Dialect, "customers", "name", "language", "created_at", "updated_at")
		if err != nil {
			return err
		}
		for i := 0; i < o.Customers; i++ {
			if err := cb.add(fmt.Sprintf("Customer %06d", i), "en", now, now); err != nil {
				return err
			}
		}
		if err := cb.flush(); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT MIN(id) FROM customers`).Scan(&first); err != nil {
			return err
		}
		// One customer in twenty came on another's word.
		if _, err := tx.ExecContext(ctx, `UPDATE customers SET referred_by = id - 1 WHERE id > $1 AND id % 20 = 0`, first); err != nil {
			return err
		}
		g.Customers = o.Customers
		progress("customers", o.Customers, o.Customers)

		channels := []string{"email", "web", "chat", "phone", "api", "hook"}
		chW := []int{45, 20, 15, 12, 5, 3}
		langs := []string{"en", "it", "ru", "lv", "ca"}
		langW := []int{50, 15, 15, 10, 10}
		kinds := []string{"question", "complaint", "request", "praise", "other"}
		kindW := []int{60, 8, 25, 3, 4}

		var tb, eb, sb, vb, pb *batch
		for _, x := range []struct {
			b     **batch
			table string
			cols  []string
		}{
			{&tb, "tickets", []string{"subject", "channel", "status", "priority", "kind", "language", "customer_id",
				"owner_id", "team_id", "created_at", "updated_at", "first_response_at", "solved_at", "reopen_count", "transfer_count", "message_count"}},
			{&eb, "ticket_events", []string{"ticket_id", "type", "actor_kind", "actor_agent_id", "data", "created_at"}},
			{&sb, "ticket_sla", []string{"ticket_id", "policy_id", "updated_at"}},
			{&vb, "surveys", []string{"ticket_id", "customer_id", "agent_id", "team_id", "channel", "language", "token_hash",
				"sent_at", "expires_at", "answered_at", "updated_at", "csat", "nps", "comment"}},
			{&pb, "promises", []string{"ticket_id", "agent_id", "what", "due_at", "status", "created_at", "resolved_at"}},
		} {
			if *x.b, err = newBatch(ctx, tx, db.Dialect, x.table, x.cols...); err != nil {
				return err
			}
		}
		// flushAll writes the tickets before the rows that refer to them.
		flushAll := func() error {
			for _, b := range []*batch{tb, eb, sb, vb, pb} {
				if err := b.flush(); err != nil {
					return err
				}
			}
			return nil
		}

		// Ticket ids are assigned in insertion order from the first one.
		var nextID int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM tickets`).Scan(&nextID); err != nil {
			return err
		}
		// Creation times in ascending order, like a real log.
		times := make([]int64, o.Tickets)
		for i := range times {
			times[i] = startMs + r.Int64N(span)
		}
		slices.Sort(times)
		for i := 0; i < o.Tickets; i++ {
			id := nextID + int64(i)
			created := times[i]
			ch, lang, kind := channels[weighted(r, chW)], langs[weighted(r, langW)], kinds[weighted(r, kindW)]
			ai := r.IntN(o.Agents)
			owner, team := g.AgentIDs[ai], g.TeamIDs[ai%4]
			cust := first + int64(r.IntN(o.Customers))
			status := "new"
			var frt, solved any
			var frtMs, solvedMs int64
			reopens, transfers := 0, 0
			if r.IntN(100) < 8 {
				transfers = 1 + r.IntN(2)
			}
			events := []struct {
				typ  string
				at   int64
				data string
			}{{"created", created, "{}"}, {"assigned", created + 1000, fmt.Sprintf(`{"to":%d,"from":0}`, owner)}}
			if r.IntN(100) < 92 {
				frtMs = created + max(int64(logNormal(r, 50*time.Minute, 1.3)/time.Millisecond), 20_000)
				frt = frtMs
				status = "open"
				events = append(events, struct {
					typ  string
					at   int64
					data string
				}{"replied", frtMs, "{}"})
				if r.IntN(100) < 85 {
					solvedMs = frtMs + max(int64(logNormal(r, 16*time.Hour, 1.1)/time.Millisecond), 60_000)
					if r.IntN(100) < 7 {
						reopens = 1
					}
					if solvedMs < o.End.UnixMilli() {
						solved, status = solvedMs, "solved"
						if solvedMs < o.End.UnixMilli()-4*86_400_000 {
							status = "closed"
						}
						events = append(events, struct {
							typ  string
							at   int64
							data string
						}{"status_changed", solvedMs, `{"from":"open","to":"solved"}`})
					}
				}
			}
			// The fifth event: what else happened, by weight.
			extra := "noted"
			switch n := r.IntN(100); {
			case reopens > 0:
				extra = "reopened"
			case transfers > 0:
				extra = "transferred"
			case n < 15:
				extra = "sla_breached"
			case n < 55:
				extra = "customer_message"
			}
			for len(events) < 5 {
				events = append(events, struct {
					typ  string
					at   int64
					data string
				}{extra, created + int64(len(events))*60_000, "{}"})
				extra = "noted"
			}
			updated := created
			for _, e := range events {
				updated = max(updated, e.at)
			}
			if err := tb.add("Ticket "+strconv.FormatInt(id, 10), ch, status, "normal", kind, lang, cust, owner, team,
				created, updated, frt, solved, reopens, transfers, len(events)); err != nil {
				return err
			}
			for _, e := range events {
				var actor any
				kindA := "system"
				if e.typ == "replied" || e.typ == "noted" || e.typ == "transferred" || e.typ == "status_changed" {
					actor, kindA = owner, "agent"
				}
				if e.typ == "customer_message" {
					kindA = "customer"
				}
				if err := eb.add(id, e.typ, kindA, actor, e.data, e.at); err != nil {
					return err
				}
				g.Events++
			}
			if r.IntN(100) < 70 {
				if err := sb.add(id, policyID, updated); err != nil {
					return err
				}
			}
			if solved != nil && r.IntN(100) < 25 {
				sent := solvedMs + 60_000
				var answered, csat, nps any
				comment := ""
				if r.IntN(100) < 40 {
					a := sent + int64(r.IntN(86_400_000))
					answered = a
					c := 1 + weighted(r, []int{5, 7, 13, 35, 40})
					csat = c
					nps = min(10, max(0, c*2+r.IntN(3)-1))
					if r.IntN(4) == 0 {
						comment = "Generated comment " + strconv.Itoa(c)
					}
				}
				if err := vb.add(id, cust, owner, team, ch, lang, "bench-"+strconv.FormatInt(id, 10), sent, sent+30*86_400_000,
					answered, answered, csat, nps, comment); err != nil {
					return err
				}
				g.Surveys++
			}
			if frt != nil && r.IntN(100) < 2 {
				due := frtMs + 86_400_000
				st, resolved := "kept", any(due-3_600_000)
				if r.IntN(100) < 15 {
					st, resolved = "broken", any(due)
				}
				if due > o.End.UnixMilli() {
					st, resolved = "open", nil
				}
				if err := pb.add(id, owner, "Call back", due, st, frtMs, resolved); err != nil {
					return err
				}
				g.Promises++
			}
			g.Tickets++
			if (i+1)%1000 == 0 {
				if err := flushAll(); err != nil {
					return err
				}
			}
			if (i+1)%100_000 == 0 {
				progress("tickets", i+1, o.Tickets)
			}
		}
		return flushAll()
	})
	return g, err
}
