package metrics

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/rapport/rapport/internal/business"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
)

// Business days. Every period the metrics report starts and ends at the
// business's midnights (business.Profile.TimeZone): a Tokyo business's
// "today" starts at 00:00 in Tokyo, not at 09:00. A day is kept as its
// number: the calendar date in the business's zone, counted in days since
// 1970-01-01. Numbering calendar dates rather than 24-hour spans makes a
// day with a DST change (23 or 25 hours) one day like any other, and
// keeps weeks (Monday to Sunday) a matter of (day + 3) / 7.
//
// Which zone the rollups are in is the one row of metric_zone. The ticket
// change hook reads it in the change's own transaction (a primary-key
// read, like the fact it reads beside it) and turns the name into a
// *time.Location through a cache by name (zones below): a change always
// computes in the zone the row holds at that moment, on every process of
// a deployment, with no invalidation to get wrong. When the business's
// zone changes, the row changes in the same transaction as the profile
// (ProfileSaved) and a background job brings the stored contributions
// over, a small batch per transaction (rebuild.go).

// civil is the day number of a calendar date.
func civil(y int, m time.Month, d int) int64 {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// dayOf is the number of the day in loc of a time in Unix milliseconds.
func dayOf(ms int64, loc *time.Location) int64 {
	y, m, d := time.UnixMilli(ms).In(loc).Date()
	return civil(y, m, d)
}

// DayOf is the number of t's day in loc: its calendar date there, as days
// since 1970-01-01.
func DayOf(t time.Time, loc *time.Location) int64 { return dayOf(t.UnixMilli(), loc) }

// DayStart is the first instant of day number day in loc: its midnight,
// or where a zone skips midnight (a DST change at 00:00) the first
// instant that has that date.
func DayStart(day int64, loc *time.Location) time.Time {
	t := time.Date(1970, 1, 1+int(day), 0, 0, 0, 0, loc)
	// time.Date may resolve a skipped midnight to the evening before.
	for i := 0; i < 16 && DayOf(t, loc) < day; i++ {
		t = t.Add(15 * time.Minute)
	}
	return t
}

// Midnight is the start, in loc, of the day that holds t there.
func Midnight(t time.Time, loc *time.Location) time.Time { return DayStart(DayOf(t, loc), loc) }

// zones caches locations by name: loading one reads the zone database.
var zones sync.Map

// zoneNamed is the location called name; UTC for a name that is not one
// (a zone is checked when it is saved).
func zoneNamed(name string) *time.Location {
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location)
	}
	loc := i18n.ZoneOr(name, time.UTC)
	zones.Store(name, loc)
	return loc
}

// zoneState is the row of metric_zone.
type zoneState struct {
	Loc          *time.Location
	RebuildAfter sql.NullInt64 // the last ticket id rebuilt; not Valid when no rebuild is running
	RebuildTo    int64
	WeeksAfter   sql.NullInt64 // the week rollups hold tickets up to this id; not Valid: every ticket
	RebucketDay  sql.NullInt64 // histogram rows from before the steps may be left from this day on (rebucket.go)
	GreetAfter   sql.NullInt64 // the greeting facts are filled up to this chat; not Valid: every chat (greeting.go)
}

// hasWeeks reports whether the week rollups hold ticket id's contribution.
func (st zoneState) hasWeeks(id int64) bool { return !st.WeeksAfter.Valid || id <= st.WeeksAfter.Int64 }

// weeksReady reports whether the week rollups are complete, so that a
// period may read its whole weeks from them.
func (st zoneState) weeksReady() bool { return !st.WeeksAfter.Valid }

// cursor is the last ticket id the running rebuild has done: the zone's
// rebuild or the week fill, whichever is behind; not Valid when neither
// runs.
func (st zoneState) cursor() sql.NullInt64 {
	c := st.RebuildAfter
	if st.WeeksAfter.Valid && (!c.Valid || st.WeeksAfter.Int64 < c.Int64) {
		c = st.WeeksAfter
	}
	return c
}

// state reads the zone the rollups count days in and the rebuild's
// progress.
func (s *Service) state(ctx context.Context, q querier) (zoneState, error) {
	var name string
	var st zoneState
	err := q.QueryRowContext(ctx, s.q.Get("zone-state")).Scan(&name, &st.RebuildAfter, &st.RebuildTo, &st.WeeksAfter, &st.RebucketDay, &st.GreetAfter)
	if errors.Is(err, sql.ErrNoRows) {
		return zoneState{Loc: time.UTC}, nil
	}
	if err != nil {
		return zoneState{}, fmt.Errorf("metrics: zone: %w", err)
	}
	st.Loc = zoneNamed(name)
	return st, nil
}

// Zone is the time zone whose days the metrics count: the business's.
// Periods given to Compute must start and end at its midnights.
func (s *Service) Zone(ctx context.Context) (*time.Location, error) {
	st, err := s.state(ctx, s.o.DB.R)
	if err != nil {
		return nil, err
	}
	return st.Loc, nil
}

// Progress is how far a rebuild of the rollups has come: the highest
// ticket id done of the highest there was when it started.
type Progress struct {
	Done  int64 `json:"done"`
	Total int64 `json:"total"`
}

// Percent is Done over Total, 0–100, rounded down.
func (p Progress) Percent() int {
	if p.Total <= 0 {
		return 0
	}
	return int(min(100, 100*p.Done/p.Total))
}

// Rebuilding reports whether the rollups are being rebuilt (after the
// business's zone changed) and how far it has come: while it runs, the
// numbers mix the old days and the new.
func (s *Service) Rebuilding(ctx context.Context) (Progress, bool, error) {
	st, err := s.state(ctx, s.o.DB.R)
	if err != nil {
		return Progress{}, false, err
	}
	if !st.RebuildAfter.Valid {
		return Progress{}, false, nil
	}
	return Progress{Done: st.RebuildAfter.Int64, Total: st.RebuildTo}, true, nil
}

// ProfileSaved is business.Watcher: when the saved profile names another
// zone than the rollups', it switches them to it, in the profile's
// transaction, and queues the rebuild.
func (s *Service) ProfileSaved(ctx context.Context, tx *sql.Tx, p business.Profile) error {
	_, err := s.switchZone(ctx, tx, p.Location().String())
	return err
}

// SwitchZone makes the rollups count days in the zone called name and,
// when that is a change, starts the rebuild in the background. It reports
// whether the zone changed.
func (s *Service) SwitchZone(ctx context.Context, name string) (bool, error) {
	var changed bool
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		changed, err = s.switchZone(ctx, tx, name)
		return err
	})
	if err == nil && changed && s.o.Jobs != nil {
		s.o.Jobs.Notify()
	}
	return changed, err
}

func (s *Service) switchZone(ctx context.Context, tx *sql.Tx, name string) (bool, error) {
	name = zoneNamed(name).String()
	res, err := tx.ExecContext(ctx, s.q.Get("switch-zone"), name, store.Millis(s.o.Clock.Now()))
	if err != nil {
		return false, fmt.Errorf("metrics: switch zone to %s: %w", name, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	s.log.Info("metrics zone changed, rebuilding the rollups", "zone", name)
	return true, s.queueRebuild(ctx, tx, 0)
}

// queueRebuild queues the rebuild job to go on after ticket id after. The
// key names where it goes on, so that a run queueing its continuation
// does not replace itself.
func (s *Service) queueRebuild(ctx context.Context, tx *sql.Tx, after int64) error {
	return s.queueRebuildAt(ctx, tx, strconv.FormatInt(after, 10))
}

// queueRebuildAt is queueRebuild with where it goes on named by at.
func (s *Service) queueRebuildAt(ctx context.Context, tx *sql.Tx, at string) error {
	if s.o.Jobs == nil {
		return nil
	}
	return s.o.Jobs.Enqueue(ctx, tx, jobs.Job{Kind: JobRebuild, UniqueKey: JobRebuild + ":" + at})
}

// reconcile brings the rollups' zone to the business's when they differ
// (a zone saved by an older version, or straight into the database).
func (s *Service) reconcile(ctx context.Context) error {
	if s.o.Business == nil {
		return nil
	}
	p, err := s.o.Business.Profile(ctx)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	_, err = s.SwitchZone(ctx, p.Location().String())
	return err
}
