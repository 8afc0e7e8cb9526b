package metrics

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
)

// Why rollups kept by the change hook rather than rebuilt by a job: the
// dashboard must show a change (a solve, a reopen) at once, and a job
// rebuilding "dirty" days would need the same per-ticket bookkeeping to
// know which days a ticket used to count in. Keeping each ticket's last
// contribution (metric_facts) makes the update exact and cheap: a change
// that moves no metric (a note, a tag) costs three indexed reads; one that
// does retracts the old contribution and adds the new one, inside the
// ticket's own transaction, as a few delta rows of its own that the fold
// adds to the shared rollup rows after the commit (fold.go). Rebuild
// recomputes everything, for a new calendar or after a bulk import.

// dims are the rollups' dimensions. Grain says which of them a rollup row
// keeps; the others are zero.
type dims struct {
	Grain             string
	Team, Agent       int64
	Channel, Language string
}

// Grains of the rollups. Every ticket counts once at each grain, so that a
// view without filters (or with one) reads a few rows a day instead of
// one per team × agent × channel × language.
const (
	GrainAll      = "all"
	GrainAgent    = "agent"
	GrainTeam     = "team"
	GrainChannel  = "channel"
	GrainLanguage = "language"
	GrainFull     = "full"
)

var grains = []string{GrainAll, GrainAgent, GrainTeam, GrainChannel, GrainLanguage, GrainFull}

// at is d as grain g keeps it.
func (d dims) at(g string) dims {
	out := dims{Grain: g}
	switch g {
	case GrainAgent:
		out.Agent = d.Agent
	case GrainTeam:
		out.Team = d.Team
	case GrainChannel:
		out.Channel = d.Channel
	case GrainLanguage:
		out.Language = d.Language
	case GrainFull:
		out = d
		out.Grain = g
	}
	return out
}

// fact is what one ticket adds to the rollups.
type fact struct {
	TicketID   int64
	D          dims
	CreatedDay int64
	Complaint  bool
	FRTDay     sql.NullInt64
	FRTms      int64
	FRTBiz     sql.NullInt64
	SolvedDay  sql.NullInt64
	Resms      int64
	ResBiz     sql.NullInt64
	Reopened   bool
	Transfers  int64
	FirstOwner bool
	SLADay     sql.NullInt64 // the day its SLA outcome counts on; see factOf
	SLATarget  bool
	SLAMet     bool
	Referral   bool // the first ticket of a customer someone referred (kept in the rollups; the referral metric reads the customers, see fillPeriod)
}

// ticketRow is what a fact is made from.
type ticketRow struct {
	ID, Team, Owner   int64
	Channel, Language string
	Kind              string
	Created           int64
	FirstResponse     sql.NullInt64
	Solved            sql.NullInt64
	Reopens           int64
	Transfers         int64
	SLA               int64
	FirstBreach       sql.NullInt64 // when its first SLA breach was recorded
	Referral          int64
}

func (r *ticketRow) scan(sc interface{ Scan(...any) error }) error {
	return sc.Scan(&r.ID, &r.Team, &r.Owner, &r.Channel, &r.Language, &r.Kind, &r.Created,
		&r.FirstResponse, &r.Solved, &r.Reopens, &r.Transfers, &r.SLA, &r.FirstBreach, &r.Referral)
}

// factOf computes a ticket's fact, its days those of loc; cal (nil for
// none) gives business time.
func factOf(r ticketRow, cal *sla.Calendar, loc *time.Location) fact {
	f := fact{
		TicketID:   r.ID,
		D:          dims{Grain: GrainFull, Team: r.Team, Agent: r.Owner, Channel: r.Channel, Language: r.Language},
		CreatedDay: dayOf(r.Created, loc),
		Complaint:  r.Kind == "complaint",
		Referral:   r.Referral > 0,
	}
	biz := func(from, to int64) sql.NullInt64 {
		if cal == nil {
			return sql.NullInt64{}
		}
		return sql.NullInt64{Int64: cal.Between(store.Time(from), store.Time(to)).Milliseconds(), Valid: true}
	}
	if r.FirstResponse.Valid {
		f.FRTDay = sql.NullInt64{Int64: dayOf(r.FirstResponse.Int64, loc), Valid: true}
		f.FRTms = max(r.FirstResponse.Int64-r.Created, 0)
		f.FRTBiz = biz(r.Created, r.FirstResponse.Int64)
	}
	if r.Solved.Valid {
		f.SolvedDay = sql.NullInt64{Int64: dayOf(r.Solved.Int64, loc), Valid: true}
		f.Resms = max(r.Solved.Int64-r.Created, 0)
		f.ResBiz = biz(r.Created, r.Solved.Int64)
		f.Reopened = r.Reopens > 0
		f.Transfers = r.Transfers
		f.FirstOwner = r.Transfers == 0 && r.Owner != 0
	}
	// SLA attainment counts every ticket whose target fell due: a breached
	// ticket on the day of its first breach, whether it is still open or
	// was solved since, so that open breaches weigh as much as solved ones;
	// a ticket that never breached on the day it was solved, when its
	// timers stopped without a miss. An open ticket that has not breached
	// does not count yet: a target of it may still be missed.
	switch {
	case r.FirstBreach.Valid:
		f.SLADay = sql.NullInt64{Int64: dayOf(r.FirstBreach.Int64, loc), Valid: true}
		f.SLATarget = true
	case r.SLA > 0 && r.Solved.Valid:
		f.SLADay = f.SolvedDay
		f.SLATarget, f.SLAMet = true, true
	}
	return f
}

// dayKey is one metric_days row or, with Week set, one metric_weeks row
// (Day is then the week's number).
type dayKey struct {
	Week bool
	Day  int64
	D    dims
}

// counters are the columns of a metric_days row.
type counters struct {
	Created, Complaints, Responded, FRTms, FRTBizN, FRTBizms int64
	Solved, Resms, ResBizN, ResBizms, Reopened, Transfers    int64
	FirstOwner, SLATarget, SLAMet, Referrals                 int64
}

func (c *counters) plus(o counters) {
	c.Created += o.Created
	c.Complaints += o.Complaints
	c.Responded += o.Responded
	c.FRTms += o.FRTms
	c.FRTBizN += o.FRTBizN
	c.FRTBizms += o.FRTBizms
	c.Solved += o.Solved
	c.Resms += o.Resms
	c.ResBizN += o.ResBizN
	c.ResBizms += o.ResBizms
	c.Reopened += o.Reopened
	c.Transfers += o.Transfers
	c.FirstOwner += o.FirstOwner
	c.SLATarget += o.SLATarget
	c.SLAMet += o.SLAMet
	c.Referrals += o.Referrals
}

func (c counters) zero() bool { return c == counters{} }

// histKey is one metric_hist row or, with Week set, one metric_week_hist
// row (Day is then the week's number).
type histKey struct {
	Week    bool
	Measure string
	Day     int64
	D       dims
	Bucket  int64
}

// delta is a change to the rollups.
type delta struct {
	days map[dayKey]*counters
	hist map[histKey]int64
}

func newDelta() *delta {
	return &delta{days: map[dayKey]*counters{}, hist: map[histKey]int64{}}
}

func (d *delta) day(week bool, day int64, dm dims) *counters {
	k := dayKey{week, day, dm}
	c := d.days[k]
	if c == nil {
		c = &counters{}
		d.days[k] = c
	}
	return c
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// add adds f's contribution times sign (1 or -1), at every grain, to the
// day rows and, when weeks is set, to the week rows as well (see
// metric_zone.weeks_after: the week rows of a ticket the week fill has not
// reached yet are left to it).
func (d *delta) add(f fact, sign int64, weeks bool) {
	for _, g := range grains {
		d.addAt(f, f.D.at(g), sign, false)
		if weeks {
			d.addAt(f, f.D.at(g), sign, true)
		}
	}
}

// addAt adds f's contribution to the day rows (week false) or the week
// rows (week true) of dimensions dm.
func (d *delta) addAt(f fact, dm dims, sign int64, week bool) {
	unit := func(day int64) int64 {
		if week {
			return weekOfDay(day)
		}
		return day
	}
	c := d.day(week, unit(f.CreatedDay), dm)
	c.Created += sign
	c.Complaints += sign * b2i(f.Complaint)
	c.Referrals += sign * b2i(f.Referral)
	if f.FRTDay.Valid {
		u := unit(f.FRTDay.Int64)
		c := d.day(week, u, dm)
		c.Responded += sign
		c.FRTms += sign * f.FRTms
		d.hist[histKey{week, "frt", u, dm, bucketOf(f.FRTms)}] += sign
		if f.FRTBiz.Valid {
			c.FRTBizN += sign
			c.FRTBizms += sign * f.FRTBiz.Int64
			d.hist[histKey{week, "frt_biz", u, dm, bucketOf(f.FRTBiz.Int64)}] += sign
		}
	}
	if f.SolvedDay.Valid {
		u := unit(f.SolvedDay.Int64)
		c := d.day(week, u, dm)
		c.Solved += sign
		c.Resms += sign * f.Resms
		d.hist[histKey{week, "res", u, dm, bucketOf(f.Resms)}] += sign
		if f.ResBiz.Valid {
			c.ResBizN += sign
			c.ResBizms += sign * f.ResBiz.Int64
			d.hist[histKey{week, "res_biz", u, dm, bucketOf(f.ResBiz.Int64)}] += sign
		}
		c.Reopened += sign * b2i(f.Reopened)
		c.Transfers += sign * f.Transfers
		c.FirstOwner += sign * b2i(f.FirstOwner)
	}
	if f.SLADay.Valid {
		c := d.day(week, unit(f.SLADay.Int64), dm)
		c.SLATarget += sign * b2i(f.SLATarget)
		c.SLAMet += sign * b2i(f.SLAMet)
	}
}

// execer is a transaction or a database.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// apply writes d to the rollups, adding to what is there.
//
// Lock order: the rows go to the database sorted by their primary keys,
// metric_days, metric_weeks, metric_hist, metric_week_hist in that order,
// and metric_facts after them. Two transactions that touch the same
// rollup rows (the "all" row of today, say: two folds on two nodes, a
// fold and a rebuild batch) then lock them in the same order, so that one
// waits for the other instead of deadlocking, as ticket changes did when
// they wrote these rows in map order. Ticket changes no longer write them
// (fold.go).
func (s *Service) apply(ctx context.Context, tx execer, d *delta) error {
	dayKeys := make([]dayKey, 0, len(d.days))
	for k, c := range d.days {
		if !c.zero() {
			dayKeys = append(dayKeys, k)
		}
	}
	slices.SortFunc(dayKeys, func(a, b dayKey) int {
		return cmp.Or(compareBool(a.Week, b.Week), cmp.Compare(a.D.Grain, b.D.Grain), cmp.Compare(a.Day, b.Day), compareDims(a.D, b.D))
	})
	histKeys := make([]histKey, 0, len(d.hist))
	for k, n := range d.hist {
		if n != 0 {
			histKeys = append(histKeys, k)
		}
	}
	slices.SortFunc(histKeys, func(a, b histKey) int {
		return cmp.Or(compareBool(a.Week, b.Week), cmp.Compare(a.D.Grain, b.D.Grain), cmp.Compare(a.Measure, b.Measure), cmp.Compare(a.Day, b.Day),
			compareDims(a.D, b.D), cmp.Compare(a.Bucket, b.Bucket))
	})
	var days, weeks, hist, weekHist [][]any
	for _, k := range dayKeys {
		c := d.days[k]
		row := []any{k.D.Grain, k.Day, k.D.Team, k.D.Agent, k.D.Channel, k.D.Language,
			c.Created, c.Complaints, c.Responded, c.FRTms, c.FRTBizN, c.FRTBizms, c.Solved, c.Resms, c.ResBizN,
			c.ResBizms, c.Reopened, c.Transfers, c.FirstOwner, c.SLATarget, c.SLAMet, c.Referrals}
		if k.Week {
			weeks = append(weeks, row)
		} else {
			days = append(days, row)
		}
	}
	for _, k := range histKeys {
		row := []any{k.D.Grain, k.Measure, k.Day, k.D.Team, k.D.Agent, k.D.Channel, k.D.Language, k.Bucket, d.hist[k]}
		if k.Week {
			weekHist = append(weekHist, row)
		} else {
			hist = append(hist, row)
		}
	}
	for _, w := range []struct {
		query string
		rows  [][]any
	}{{"add-days", days}, {"add-weeks", weeks}, {"add-hist", hist}, {"add-week-hist", weekHist}} {
		if err := s.execRows(ctx, tx, w.query, w.rows); err != nil {
			return err
		}
	}
	return nil
}

// compareBool orders false before true.
func compareBool(a, b bool) int { return cmp.Compare(b2i(a), b2i(b)) }

// compareDims orders dimensions as the rollup keys do after grain and day:
// team, agent, channel, language.
func compareDims(a, b dims) int {
	return cmp.Or(cmp.Compare(a.Team, b.Team), cmp.Compare(a.Agent, b.Agent),
		cmp.Compare(a.Channel, b.Channel), cmp.Compare(a.Language, b.Language))
}

// loadFact reads the stored fact of ticket id.
func (s *Service) loadFact(ctx context.Context, tx execer, id int64) (fact, bool, error) {
	f := fact{TicketID: id}
	err := scanFact(tx.QueryRowContext(ctx, s.q.Get("get-fact"), id), &f)
	if errors.Is(err, sql.ErrNoRows) {
		return fact{}, false, nil
	}
	if err != nil {
		return fact{}, false, fmt.Errorf("metrics: fact %d: %w", id, err)
	}
	return f, true, nil
}

// scanFact reads a metric_facts row, from team_id on, into f (whose
// TicketID the caller sets); lead are columns before team_id.
func scanFact(sc interface{ Scan(...any) error }, f *fact, lead ...any) error {
	f.D.Grain = GrainFull
	var complaint, reopened, firstOwner, slaTarget, slaMet, referral int64
	dst := append(lead, &f.D.Team, &f.D.Agent, &f.D.Channel, &f.D.Language,
		&f.CreatedDay, &complaint, &f.FRTDay, &f.FRTms, &f.FRTBiz, &f.SolvedDay, &f.Resms, &f.ResBiz,
		&reopened, &f.Transfers, &firstOwner, &slaTarget, &slaMet, &referral, &f.SLADay)
	if err := sc.Scan(dst...); err != nil {
		return err
	}
	f.Complaint, f.Reopened, f.FirstOwner, f.SLATarget, f.SLAMet = complaint != 0, reopened != 0, firstOwner != 0, slaTarget != 0, slaMet != 0
	f.Referral = referral != 0
	return nil
}

// factArgs are f's values in the column order of metric_facts.
func factArgs(f fact) []any {
	return []any{f.TicketID, f.D.Team, f.D.Agent, f.D.Channel, f.D.Language, f.CreatedDay, b2i(f.Complaint),
		f.FRTDay, f.FRTms, f.FRTBiz, f.SolvedDay, f.Resms, f.ResBiz, b2i(f.Reopened), f.Transfers,
		b2i(f.FirstOwner), b2i(f.SLATarget), b2i(f.SLAMet), b2i(f.Referral), f.SLADay}
}

// TicketChanged is the ticket service's change hook (ticket.Timers): it
// recomputes the ticket's contribution to the rollups and, when it moved,
// appends the difference as delta rows inside the change's transaction
// and wakes the fold for after its commit (fold.go). It runs after the
// SLA hook, so it sees the ticket's current SLA state. It sets no
// deadline; it enqueues a job only in a transaction that store.DB.Tx does
// not run (jobs.Queue.WakeAfterCommit).
func (s *Service) TicketChanged(ctx context.Context, tx *sql.Tx, t ticket.TimerTicket, _ []ticket.TimerEvent) (time.Time, bool, error) {
	moved, err := s.refresh(ctx, tx, t.ID)
	if err != nil || !moved {
		return time.Time{}, false, err
	}
	queued, err := s.wakeFold(ctx, tx)
	return time.Time{}, queued, err
}

// refresh brings ticket id's contribution up to date and reports whether
// it moved (and so appended deltas).
func (s *Service) refresh(ctx context.Context, tx execer, id int64) (bool, error) {
	var r ticketRow
	if err := r.scan(tx.QueryRowContext(ctx, s.q.Get("ticket-fact"), id)); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return false, fmt.Errorf("metrics: ticket %d: %w", id, err)
	}
	// The zone is read in this transaction: a change that commits after
	// the zone changed counts in the new one (see zone.go).
	st, err := s.state(ctx, tx)
	if err != nil {
		return false, err
	}
	var cal *sla.Calendar
	if r.FirstResponse.Valid || r.Solved.Valid {
		var err error
		if cal, err = s.calendar(ctx, tx); err != nil {
			return false, err
		}
	}
	nf := factOf(r, cal, st.Loc)
	old, ok, err := s.loadFact(ctx, tx, id)
	if err != nil {
		return false, err
	}
	// The greeting fact may move when the metric fact does not (a chat's
	// policy, its owner while unanswered); it needs no fold. A ticket
	// without a metric fact may have been a chat too.
	if err := s.refreshGreeting(ctx, tx, id, r.Channel, !ok || old.D.Channel == chatChannel); err != nil {
		return false, err
	}
	if ok && old == nf {
		return false, nil
	}
	// The delta at the full grain by day; the fold adds it at every grain
	// and, when weeks is set, to the week rows. The week rows hold this
	// ticket once the week fill has passed it; until then they are left to
	// the fill, which adds the fact stored then.
	d := newDelta()
	if ok {
		d.addAt(old, old.D, -1, false)
	}
	d.addAt(nf, nf.D, 1, false)
	if err := s.appendDelta(ctx, tx, d, st.hasWeeks(id)); err != nil {
		return false, err
	}
	if err := s.execRows(ctx, tx, "put-fact", [][]any{factArgs(nf)}); err != nil {
		return false, fmt.Errorf("metrics: save fact %d: %w", id, err)
	}
	return true, nil
}

// calendar is the default business-hours calendar: the one the first
// active SLA policy by position uses, else the first calendar made; nil
// when there is none (business times are then no data).
func (s *Service) calendar(ctx context.Context, q execer) (*sla.Calendar, error) {
	var r sla.CalendarRow
	err := q.QueryRowContext(ctx, s.q.Get("default-calendar")).Scan(&r.ID, &r.Name, &r.Timezone, &r.Week, &r.Holidays)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("metrics: default calendar: %w", err)
	}
	cal, err := r.Build()
	if err != nil {
		// A calendar that no longer builds gives no business time rather
		// than blocking every ticket change.
		s.log.Warn("default calendar does not build", "calendar", r.Name, "error", err.Error())
		return nil, nil
	}
	return cal, nil
}

// rebuildBatch is how many tickets Rebuild reads before it writes.
const rebuildBatch = 20000

// Rebuild recomputes every ticket's contribution and the rollups from the
// tickets, in one transaction, in the business's zone (the rollups' when
// the service has no business profile): a fresh computation, which holds
// the writer while it runs. A server rebuilds in the background instead
// (rebuild.go); tests and the demo's seeding use this.
func (s *Service) Rebuild(ctx context.Context) (int, error) {
	n := 0
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		st, err := s.state(ctx, tx)
		if err != nil {
			return err
		}
		loc := st.Loc
		if s.o.Business != nil {
			p, err := s.o.Business.Profile(ctx)
			if err != nil {
				return fmt.Errorf("metrics: rebuild: %w", err)
			}
			loc = p.Location()
		}
		if _, err := tx.ExecContext(ctx, s.q.Get("set-zone"), loc.String(), store.Millis(s.o.Clock.Now())); err != nil {
			return fmt.Errorf("metrics: rebuild: %w", err)
		}
		// Deltas first, as the fold takes them before it writes the
		// rollups; rollups before facts, the order of the change hook.
		for _, q := range []string{"clear-day-deltas", "clear-hist-deltas", "clear-days", "clear-weeks", "clear-hist", "clear-week-hist", "clear-facts"} {
			if _, err := tx.ExecContext(ctx, s.q.Get(q)); err != nil {
				return fmt.Errorf("metrics: rebuild: %w", err)
			}
		}
		if err := s.rebucketNone(ctx, tx); err != nil {
			return err
		}
		if err := s.rebuildGreetings(ctx, tx); err != nil {
			return err
		}
		cal, err := s.calendar(ctx, tx)
		if err != nil {
			return err
		}
		after := int64(0)
		for {
			rows, err := tx.QueryContext(ctx, s.q.Get("ticket-facts-after"), after, rebuildBatch)
			if err != nil {
				return fmt.Errorf("metrics: rebuild: %w", err)
			}
			var facts []fact
			for rows.Next() {
				var r ticketRow
				if err := r.scan(rows); err != nil {
					rows.Close()
					return err
				}
				facts = append(facts, factOf(r, cal, loc))
				after = r.ID
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if len(facts) == 0 {
				return nil
			}
			if err := s.writeFacts(ctx, tx, facts); err != nil {
				return err
			}
			n += len(facts)
		}
	})
	return n, err
}

// writeFacts stores new facts (of tickets without one) and adds them to
// the rollups. Facts come in ticket id order (Rebuild reads them so).
func (s *Service) writeFacts(ctx context.Context, tx execer, facts []fact) error {
	d := newDelta()
	var args [][]any
	for _, f := range facts {
		d.add(f, 1, true)
		args = append(args, factArgs(f))
	}
	if err := s.apply(ctx, tx, d); err != nil {
		return err
	}
	return s.execRows(ctx, tx, "add-facts", args)
}

// execRows writes rows with the named INSERT. On SQLite the query writes
// one row and runs once a row, prepared: SQLite's driver binds many
// parameters slowly, and a statement costs no round trip in process. On
// PostgreSQL the query (queries_postgres.sql) takes one array a column
// and writes every row in one statement: with 40–100 rows a statement a
// rebuild batch of 25 tickets was about 30 round trips, and the rebuild
// ran 3.5–5 times slower (docs/PERFORMANCE.md). No two rows may
// share a conflict key (callers pass rows from maps), and rows are
// written in the order given: callers sort them by key so that
// concurrent transactions lock them in the same order.
func (s *Service) execRows(ctx context.Context, tx execer, name string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	stmt := s.q.Get(name)
	if s.o.DB.Dialect == store.Postgres {
		cols, err := columns(rows)
		if err != nil {
			return fmt.Errorf("metrics: %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, stmt, cols...); err != nil {
			return fmt.Errorf("metrics: %s: %w", name, err)
		}
		return nil
	}
	if len(rows) == 1 {
		if _, err := tx.ExecContext(ctx, stmt, rows[0]...); err != nil {
			return fmt.Errorf("metrics: %s: %w", name, err)
		}
		return nil
	}
	st, err := tx.PrepareContext(ctx, stmt)
	if err != nil {
		return fmt.Errorf("metrics: %s: %w", name, err)
	}
	defer st.Close()
	for _, r := range rows {
		if _, err := st.ExecContext(ctx, r...); err != nil {
			return fmt.Errorf("metrics: %s: %w", name, err)
		}
	}
	return nil
}

// columns turns rows (every one with the same column types) into one
// slice a column, the arrays a PostgreSQL query of execRows takes:
// []int64 for int64, []string for string, and []*int64 for
// sql.NullInt64, nil where it is not Valid (NULL in the array).
func columns(rows [][]any) ([]any, error) {
	cols := make([]any, len(rows[0]))
	for j := range rows[0] {
		switch rows[0][j].(type) {
		case int64:
			c := make([]int64, len(rows))
			for i, r := range rows {
				v, ok := r[j].(int64)
				if !ok {
					return nil, fmt.Errorf("row %d column %d: %T among int64", i, j+1, r[j])
				}
				c[i] = v
			}
			cols[j] = c
		case string:
			c := make([]string, len(rows))
			for i, r := range rows {
				v, ok := r[j].(string)
				if !ok {
					return nil, fmt.Errorf("row %d column %d: %T among string", i, j+1, r[j])
				}
				c[i] = v
			}
			cols[j] = c
		case sql.NullInt64:
			c := make([]*int64, len(rows))
			for i, r := range rows {
				v, ok := r[j].(sql.NullInt64)
				if !ok {
					return nil, fmt.Errorf("row %d column %d: %T among sql.NullInt64", i, j+1, r[j])
				}
				if v.Valid {
					c[i] = &v.Int64
				}
			}
			cols[j] = c
		default:
			return nil, fmt.Errorf("column %d: no array for %T", j+1, rows[0][j])
		}
	}
	return cols, nil
}

// Start readies the service when a server starts, without waiting for
// any rebuild: it brings the rollups' zone to the business's (rebuilding
// in the background when they differ), starts a background build when
// tickets exist without rollups (a database from before them, or an
// import), queues again a rebuild that a stop interrupted or the week
// fill that migration 0048 asked for, and queues the periodic fold (which
// folds at once what a stopped node left) and the next weekly digest.
func (s *Service) Start(ctx context.Context) error {
	if err := s.reconcile(ctx); err != nil {
		return err
	}
	var facts, tickets int
	if err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("rollups-missing")).Scan(&facts, &tickets); err != nil {
		return fmt.Errorf("metrics: start: %w", err)
	}
	st, err := s.state(ctx, s.o.DB.R)
	if err != nil {
		return err
	}
	switch {
	case facts == 0 && tickets > 0 && !st.cursor().Valid:
		if err := s.StartRebuild(ctx); err != nil {
			return err
		}
		s.log.Info("metrics rollups missing, building them in the background")
	case (st.cursor().Valid || st.RebucketDay.Valid || st.GreetAfter.Valid) && s.o.Jobs != nil:
		// A rebuild that a stop interrupted goes on from where it was, and
		// so do the merging of histogram rows into their steps and the
		// fill of the greeting facts (which migration 0057 starts).
		if err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error { return s.queueRebuild(ctx, tx, st.cursor().Int64) }); err != nil {
			return fmt.Errorf("metrics: start: %w", err)
		}
		s.o.Jobs.Notify()
	}
	if err := s.scheduleFold(ctx); err != nil {
		return fmt.Errorf("metrics: start: %w", err)
	}
	return s.ScheduleDigest(ctx)
}
