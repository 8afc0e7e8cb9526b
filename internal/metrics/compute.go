package metrics

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"time"
)

// Compute returns every metric of f's period and of the period of the same
// length just before it, the weekly trend and the agents of the period.
// The period's edges must be midnights in the business's zone (Zone).
//
// Whole weeks (Monday to Sunday) of a period are read from the week
// rollups and only the days around them from the day rollups, once the
// week rollups are complete (see metric_zone.weeks_after); before that,
// every day from the day rollups. Both give the same report: a week row
// is the sum of its seven days' rows, kept by the same change.
func (s *Service) Compute(ctx context.Context, f Filter) (Report, error) {
	return s.compute(ctx, f, true)
}

// compute is Compute, reading whole weeks from the week rollups only when
// weeks is set (and they are complete).
func (s *Service) compute(ctx context.Context, f Filter, weeks bool) (Report, error) {
	// One read transaction for every query of the report, so that on
	// PostgreSQL its settings (compute-settings) hold for all of them.
	tx, err := s.o.DB.R.BeginTx(ctx, nil)
	if err != nil {
		return Report{}, fmt.Errorf("metrics: compute: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, s.q.Get("compute-settings")); err != nil {
		return Report{}, fmt.Errorf("metrics: compute: %w", err)
	}
	db := tx
	st, err := s.state(ctx, db)
	if err != nil {
		return Report{}, err
	}
	loc := st.Loc
	weeks = weeks && st.weeksReady()
	if err := f.Validate(loc); err != nil {
		return Report{}, err
	}
	f.From, f.To = f.From.In(loc), f.To.In(loc)
	from := DayOf(f.From, loc)
	prev := Filter{From: DayStart(from-int64(f.Days()), loc), To: f.From, TeamID: f.TeamID, AgentID: f.AgentID, Channel: f.Channel, Language: f.Language}
	rep := Report{Filter: f, TimeZone: loc.String()}
	if st.RebuildAfter.Valid {
		rep.Rebuilding = &Progress{Done: st.RebuildAfter.Int64, Total: st.RebuildTo}
	}
	if st.WeeksAfter.Valid {
		rep.WeeksFilling = &Progress{Done: st.WeeksAfter.Int64, Total: st.RebuildTo}
	}
	if rep.Purchases, err = s.tableExists(ctx, db, "purchases"); err != nil {
		return Report{}, err
	}
	cal, err := s.calendar(ctx, db)
	if err != nil {
		return Report{}, err
	}
	rep.Business = cal != nil

	// The whole business's referrals read every referred customer's first
	// contact, once for both periods.
	var refPrev, refCur int64
	if !f.Segmented() {
		if err := db.QueryRowContext(ctx, s.q.Get("referrals-any"), prev.From.UnixMilli(), f.From.UnixMilli(), f.To.UnixMilli()).Scan(&refPrev, &refCur); err != nil {
			return Report{}, fmt.Errorf("metrics: referrals: %w", err)
		}
	}
	r := rollupRead{s: s, db: db, loc: loc, weeks: weeks}
	for _, p := range []struct {
		per  *Period
		flt  Filter
		refs int64
	}{{&rep.Current, f, refCur}, {&rep.Previous, prev, refPrev}} {
		c, err := r.counters(ctx, p.flt)
		if err != nil {
			return Report{}, err
		}
		*p.per = periodBase(p.flt, c)
		if err := s.fillPeriod(ctx, r, p.per, p.flt, rep.Purchases, p.refs); err != nil {
			return Report{}, err
		}
	}
	if rep.Weeks, err = s.weeks(ctx, r, f); err != nil {
		return Report{}, err
	}
	if rep.Agents, err = s.agents(ctx, r, f); err != nil {
		return Report{}, err
	}
	if rep.Greeting, err = s.greetings(ctx, db, f, !st.GreetAfter.Valid); err != nil {
		return Report{}, err
	}
	return rep, nil
}

// quarterMillis is the quarter of an hour survey answers are grouped by
// (survey-answers-by-quarter).
const quarterMillis = int64(15 * time.Minute / time.Millisecond)

// querier reads.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// rollupRead reads the rollups for one Compute.
type rollupRead struct {
	s     *Service
	db    querier
	loc   *time.Location
	weeks bool // whole weeks from the week rollups
}

// span is a part of a period read from one rollup: weeks [From, To) from
// the week rollups, or days [From, To) from the day rollups.
type span struct {
	Week     bool
	From, To int64
}

// spans splits days [from, to) into the whole weeks they hold and the
// days before and after them; into days only when weeks is false or no
// whole week fits.
func spans(from, to int64, weeks bool) []span {
	first := weekOfDay(from + 6) // the first week that starts on or after from
	end := weekOfDay(to)         // weeks before it end on or before to
	if !weeks || first >= end {
		return []span{{From: from, To: to}}
	}
	var out []span
	if d := weekStartDay(first); d > from {
		out = append(out, span{From: from, To: d})
	}
	out = append(out, span{Week: true, From: first, To: end})
	if d := weekStartDay(end); d < to {
		out = append(out, span{From: d, To: to})
	}
	return out
}

// each runs the named rollup read over f's period under f's filters, at
// the grain that answers f broken down by the dimension by ("" for none),
// and calls fn for every row. Whole weeks go to the query's week version
// (name + "-weeks"), which gives a week's rows as its Monday's.
func (r rollupRead) each(ctx context.Context, name string, f Filter, by string, fn func(*sql.Rows) error) error {
	for _, sp := range spans(DayOf(f.From, r.loc), DayOf(f.To, r.loc), r.weeks) {
		q := name
		if sp.Week {
			q += "-weeks"
		}
		args := []any{sp.From, sp.To, f.TeamID, f.AgentID, f.Channel, f.Language, grainFor(f, by)}
		if err := r.s.each(ctx, r.db, q, args, fn); err != nil {
			return err
		}
	}
	return nil
}

// grainFor is the coarsest rollup grain that keeps every dimension f
// filters on and by: none is GrainAll, one is its own grain, more is
// GrainFull.
func grainFor(f Filter, by string) string {
	var need []string
	for _, d := range []struct {
		on    bool
		grain string
	}{{f.TeamID != 0, GrainTeam}, {f.AgentID != 0, GrainAgent}, {f.Channel != "", GrainChannel}, {f.Language != "", GrainLanguage}} {
		if d.on {
			need = append(need, d.grain)
		}
	}
	if by != "" && !slices.Contains(need, by) {
		need = append(need, by)
	}
	switch len(need) {
	case 0:
		return GrainAll
	case 1:
		return need[0]
	}
	return GrainFull
}

// msArgs are the parameters of the queries over timestamps.
func msArgs(from, to time.Time, f Filter) []any {
	return []any{from.UnixMilli(), to.UnixMilli(), f.TeamID, f.AgentID, f.Channel, f.Language}
}

// counters sums the rollup counters of f's period under f's filters.
func (r rollupRead) counters(ctx context.Context, f Filter) (counters, error) {
	var sum counters
	err := r.each(ctx, "days-by-day", f, "", func(rows *sql.Rows) error {
		var day int64
		var c counters
		if err := rows.Scan(&day, &c.Created, &c.Complaints, &c.Responded, &c.FRTms, &c.FRTBizN, &c.FRTBizms,
			&c.Solved, &c.Resms, &c.ResBizN, &c.ResBizms, &c.Reopened, &c.Transfers, &c.FirstOwner,
			&c.SLATarget, &c.SLAMet, &c.Referrals); err != nil {
			return err
		}
		sum.plus(c)
		return nil
	})
	return sum, err
}

// periodBase fills the metrics of f's period that come from its counters.
func periodBase(f Filter, c counters) Period {
	p := Period{From: f.From, To: f.To}
	p.Created = Of(float64(c.Created))
	p.Solved = Of(float64(c.Solved))
	p.TransfersPerTicket = share(c.Transfers, c.Solved)
	p.FirstOwnerShare = share(c.FirstOwner, c.Solved)
	p.ReopenRate = share(c.Reopened, c.Solved)
	p.SLAAttainment = share(c.SLAMet, c.SLATarget)
	p.SLATickets = c.SLATarget
	// Complaints are counted among the tickets created in the selection;
	// none created is no data rather than "no complaints".
	p.Complaints = count(c.Complaints, c.Created > 0)
	return p
}

// fillPeriod adds the metrics read from histograms, complaints by channel,
// surveys, promises, referrals and purchases; anyReferrals are the whole
// business's referrals of the period (read by the caller), used when f
// selects the whole business.
func (s *Service) fillPeriod(ctx context.Context, r rollupRead, p *Period, f Filter, purchases bool, anyReferrals int64) error {
	db := r.db
	hists := map[string]histogram{"frt": {}, "frt_biz": {}, "res": {}, "res_biz": {}}
	if err := r.each(ctx, "hist-total", f, "", func(rows *sql.Rows) error {
		var m string
		var b, n int64
		if err := rows.Scan(&m, &b, &n); err != nil {
			return err
		}
		if h, ok := hists[m]; ok {
			h.add(b, n)
		}
		return nil
	}); err != nil {
		return err
	}
	p.FirstResponse, p.FirstResponseBiz = hists["frt"].durations(), hists["frt_biz"].durations()
	p.Resolution, p.ResolutionBiz = hists["res"].durations(), hists["res_biz"].durations()

	var written, oral int64
	if err := r.each(ctx, "complaints-by-day-channel", f, GrainChannel, func(rows *sql.Rows) error {
		var day, n int64
		var ch string
		if err := rows.Scan(&day, &ch, &n); err != nil {
			return err
		}
		if Oral(ch) {
			oral += n
		} else {
			written += n
		}
		return nil
	}); err != nil {
		return err
	}
	p.ComplaintsWritten, p.ComplaintsOral = count(written, p.Created.V > 0), count(oral, p.Created.V > 0)

	var sc scores
	if err := s.each(ctx, db, "survey-answers", msArgs(f.From, f.To, f), func(rows *sql.Rows) error {
		var n int64
		var csat, nps sql.NullInt64
		if err := rows.Scan(&csat, &nps, &n); err != nil {
			return err
		}
		sc.add(csat, nps, n)
		return nil
	}); err != nil {
		return err
	}
	p.CSAT, p.CSATMean, p.CSATAnswers, p.CSATDist = sc.csat(), sc.csatMean(), sc.csatN(), sc.CSAT
	p.NPS, p.NPSAnswers, p.NPSDist = sc.nps(), sc.npsN(), sc.NPS

	var sent, answered int64
	if err := db.QueryRowContext(ctx, s.q.Get("surveys-sent"), msArgs(f.From, f.To, f)...).Scan(&sent, &answered); err != nil {
		return fmt.Errorf("metrics: surveys sent: %w", err)
	}
	p.SurveysSent, p.ResponseRate = sent, share(answered, sent)

	var kept, broken int64
	// A promise has its own agent; team, channel and language are its
	// ticket's, read only when asked for.
	promiseQuery, promiseArgs := "promises", []any{f.From.UnixMilli(), f.To.UnixMilli(), f.AgentID}
	if f.TeamID != 0 || f.Channel != "" || f.Language != "" {
		promiseQuery, promiseArgs = "promises-by-ticket", msArgs(f.From, f.To, f)
	}
	if err := s.each(ctx, db, promiseQuery, promiseArgs, func(rows *sql.Rows) error {
		var st string
		var n int64
		if err := rows.Scan(&st, &n); err != nil {
			return err
		}
		if st == "kept" {
			kept += n
		} else {
			broken += n
		}
		return nil
	}); err != nil {
		return err
	}
	p.Promises, p.PromisesKept = kept+broken, share(kept, kept+broken)

	var confirmed int64
	if err := db.QueryRowContext(ctx, s.q.Get("confirmed-fixes"), msArgs(f.From, f.To, f)...).Scan(&confirmed); err != nil {
		return fmt.Errorf("metrics: confirmed fixes: %w", err)
	}
	p.ConfirmedFixes = count(confirmed, p.Solved.V > 0 || confirmed > 0)

	// Referrals are read from the customers, tickets and purchases
	// themselves, not the rollups: a referrer is often recorded after the
	// customer's first ticket (by an agent, or a purchase through a
	// referral link), which changes no ticket, so a rollup would miss it
	// until a rebuild. The whole business counts a referred customer when
	// their first contact, ticket or purchase, came in the period; a
	// selection by team, agent, channel or language (which purchases do not
	// carry) when their first ticket did, under it.
	referrals := anyReferrals
	if f.Segmented() {
		if err := db.QueryRowContext(ctx, s.q.Get("referrals"), msArgs(f.From, f.To, f)...).Scan(&referrals); err != nil {
			return fmt.Errorf("metrics: referrals: %w", err)
		}
	}
	p.Referrals = count(referrals, p.Created.V > 0 || referrals > 0)

	// Purchases carry no team, agent, channel or language: repeat business
	// is the whole business's, and no data for a narrower selection.
	if purchases && !f.Segmented() {
		var buyers, returning int64
		if err := db.QueryRowContext(ctx, s.q.Get("repeat-business"), f.From.UnixMilli(), f.To.UnixMilli()).Scan(&buyers, &returning); err != nil {
			return fmt.Errorf("metrics: repeat business: %w", err)
		}
		p.RepeatBusiness, p.Buyers = share(returning, buyers), buyers
	}
	// A selection without a single ticket or survey is no data throughout.
	if p.Created.V == 0 && p.Solved.V == 0 && p.FirstResponse.N == 0 {
		p.Created, p.Solved = Value{}, Value{}
	}
	return nil
}

// Oral reports whether a channel is spoken (phone) rather than written.
func Oral(channel string) bool { return channel == "phone" }

// each runs the named query and calls fn for every row.
func (s *Service) each(ctx context.Context, db querier, name string, args []any, fn func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, s.q.Get(name), args...)
	if err != nil {
		return fmt.Errorf("metrics: %s: %w", name, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return fmt.Errorf("metrics: %s: %w", name, err)
		}
	}
	return rows.Err()
}

// tableExists reports whether a table exists (purchases arrive with a
// later migration).
func (s *Service) tableExists(ctx context.Context, db querier, name string) (bool, error) {
	var n int
	if err := db.QueryRowContext(ctx, s.q.Get("table-exists"), name).Scan(&n); err != nil {
		return false, fmt.Errorf("metrics: table %s: %w", name, err)
	}
	return n > 0, nil
}

// scores are survey answers counted by score.
type scores struct {
	CSAT [5]int64  // answers 1…5
	NPS  [11]int64 // answers 0…10
}

func (sc *scores) add(csat, nps sql.NullInt64, n int64) {
	if csat.Valid && csat.Int64 >= 1 && csat.Int64 <= 5 {
		sc.CSAT[csat.Int64-1] += n
	}
	if nps.Valid && nps.Int64 >= 0 && nps.Int64 <= 10 {
		sc.NPS[nps.Int64] += n
	}
}

func (sc scores) csatN() int64 {
	var n int64
	for _, c := range sc.CSAT {
		n += c
	}
	return n
}

// csat is the share of 4 and 5 answers.
func (sc scores) csat() Value { return share(sc.CSAT[3]+sc.CSAT[4], sc.csatN()) }

// csatMean is the mean answer, 1–5.
func (sc scores) csatMean() Value {
	n := sc.csatN()
	if n == 0 {
		return Value{}
	}
	var sum int64
	for i, c := range sc.CSAT {
		sum += int64(i+1) * c
	}
	return Of(float64(sum) / float64(n))
}

func (sc scores) npsN() int64 {
	var n int64
	for _, c := range sc.NPS {
		n += c
	}
	return n
}

// nps is per cent promoters (9–10) minus per cent detractors (0–6), over
// every answer counted here together: pooled, never a mean of segments.
func (sc scores) nps() Value {
	n := sc.npsN()
	if n == 0 {
		return Value{}
	}
	var promoters, detractors int64
	for score, c := range sc.NPS {
		switch {
		case score >= 9:
			promoters += c
		case score <= 6:
			detractors += c
		}
	}
	return Of(100 * float64(promoters-detractors) / float64(n))
}

// weekOfDay is the number of the week (Monday to Sunday) of day number
// day: 1970-01-01 was a Thursday.
func weekOfDay(day int64) int64 { return (day + 3) / 7 }

// weekStartDay is the number of the first day (Monday) of week number w.
func weekStartDay(w int64) int64 { return w*7 - 3 }

// weekTime is the start of week number w in loc: Monday 00:00.
func weekTime(w int64, loc *time.Location) time.Time { return DayStart(weekStartDay(w), loc) }

// weeks is the weekly trend of f's period.
func (s *Service) weeks(ctx context.Context, r rollupRead, f Filter) ([]Week, error) {
	db, loc := r.db, r.loc
	from, to := DayOf(f.From, loc), DayOf(f.To, loc)
	first, last := weekOfDay(from), weekOfDay(to-1)
	out := make([]Week, 0, last-first+1)
	for w := first; w <= last; w++ {
		start := weekTime(w, loc)
		if start.Before(f.From) {
			start = f.From
		}
		out = append(out, Week{Start: start})
	}
	at := func(w int64) *Week {
		if w < first || w > last {
			return nil
		}
		return &out[w-first]
	}
	frt := map[int64]histogram{}
	if err := r.each(ctx, "frt-hist-by-week", f, "", func(rows *sql.Rows) error {
		var w, b, n int64
		if err := rows.Scan(&w, &b, &n); err != nil {
			return err
		}
		if frt[w] == nil {
			frt[w] = histogram{}
		}
		frt[w].add(b, n)
		return nil
	}); err != nil {
		return nil, err
	}
	for w, h := range frt {
		if wk := at(w); wk != nil {
			wk.FirstResponse = h.percentile(50)
		}
	}
	if err := r.each(ctx, "complaints-by-day-channel", f, GrainChannel, func(rows *sql.Rows) error {
		var day, n int64
		var ch string
		if err := rows.Scan(&day, &ch, &n); err != nil {
			return err
		}
		if wk := at(weekOfDay(day)); wk != nil {
			wk.Complaints += n
			if Oral(ch) {
				wk.ComplaintsOral += n
			} else {
				wk.ComplaintsWritten += n
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	csat := map[int64]*scores{}
	if err := s.each(ctx, db, "survey-answers-by-quarter", msArgs(f.From, f.To, f), func(rows *sql.Rows) error {
		var quarter, n int64
		var c, nps sql.NullInt64
		if err := rows.Scan(&quarter, &c, &nps, &n); err != nil {
			return err
		}
		w := weekOfDay(dayOf(quarter*quarterMillis, loc))
		if csat[w] == nil {
			csat[w] = &scores{}
		}
		csat[w].add(c, nps, n)
		return nil
	}); err != nil {
		return nil, err
	}
	for w, sc := range csat {
		if wk := at(w); wk != nil {
			wk.CSAT = sc.csat()
		}
	}
	return out, nil
}

// agents is the scorecard of every agent with tickets or answers in f's
// period, by name.
func (s *Service) agents(ctx context.Context, r rollupRead, f Filter) ([]AgentRow, error) {
	db := r.db
	byID := map[int64]*AgentRow{}
	row := func(id int64) *AgentRow {
		r := byID[id]
		if r == nil {
			r = &AgentRow{AgentID: id}
			byID[id] = r
		}
		return r
	}
	if err := r.each(ctx, "days-by-agent", f, GrainAgent, func(rows *sql.Rows) error {
		var id, solved, transfers, reopened int64
		if err := rows.Scan(&id, &solved, &transfers, &reopened); err != nil {
			return err
		}
		if solved == 0 && transfers == 0 && reopened == 0 {
			return nil
		}
		r := row(id)
		r.Solved += solved
		r.Transfers += transfers
		r.Reopens += reopened
		return nil
	}); err != nil {
		return nil, err
	}
	frt := map[int64]histogram{}
	if err := r.each(ctx, "frt-hist-by-agent", f, GrainAgent, func(rows *sql.Rows) error {
		var id, b, n int64
		if err := rows.Scan(&id, &b, &n); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		if frt[id] == nil {
			frt[id] = histogram{}
		}
		frt[id].add(b, n)
		return nil
	}); err != nil {
		return nil, err
	}
	for id, h := range frt {
		row(id).FirstResponse = h.percentile(50)
	}
	sc := map[int64]*scores{}
	if err := s.each(ctx, db, "survey-answers-by-agent", msArgs(f.From, f.To, f), func(rows *sql.Rows) error {
		var id, n int64
		var c, nps sql.NullInt64
		if err := rows.Scan(&id, &c, &nps, &n); err != nil {
			return err
		}
		if sc[id] == nil {
			sc[id] = &scores{}
		}
		sc[id].add(c, nps, n)
		return nil
	}); err != nil {
		return nil, err
	}
	for id, x := range sc {
		r := row(id)
		r.CSAT, r.CSATAnswers, r.NPS, r.NPSAnswers = x.csat(), x.csatN(), x.nps(), x.npsN()
	}
	delete(byID, 0) // unassigned work is in the totals, not an agent's line
	if len(byID) == 0 {
		return nil, nil
	}
	names := map[int64]string{}
	if err := s.each(ctx, db, "agent-names", nil, func(rows *sql.Rows) error {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return err
		}
		names[id] = name
		return nil
	}); err != nil {
		return nil, err
	}
	out := make([]AgentRow, 0, len(byID))
	for id, r := range byID {
		r.Name = names[id]
		if r.Name == "" {
			r.Name = fmt.Sprintf("#%d", id)
		}
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].AgentID < out[j].AgentID
	})
	return out, nil
}
