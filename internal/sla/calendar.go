// Package sla keeps the team's promises in time: business-hours calendars,
// SLA policies and the deadlines they give tickets.
package sla

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Span is one stretch of opening hours within a day, as offsets from the
// local midnight. End may pass 24h for hours that run overnight (22:00 to
// 06:00 is Start 22h, End 30h); the span belongs to the day it starts.
type Span struct {
	Start time.Duration
	End   time.Duration
}

// Calendar is when a team works: weekly hours in a time zone, and holidays
// on which no span starting that day opens.
type Calendar struct {
	Name     string
	Location *time.Location
	Week     [7][]Span       // by time.Weekday
	Holidays map[string]bool // local dates, "2025-12-25"
}

// AlwaysOpen is the calendar of calendar time: every hour of every day.
func AlwaysOpen() *Calendar {
	c := &Calendar{Name: "24/7", Location: time.UTC}
	for d := range c.Week {
		c.Week[d] = []Span{{0, 24 * time.Hour}}
	}
	return c
}

// ErrNeverOpen is returned when a calendar has no opening hours within the
// search horizon, so no deadline can be given.
var ErrNeverOpen = errors.New("sla: the calendar has no opening hours")

// horizonDays bounds every search, so that a calendar that is never open
// ends in an error instead of a loop.
const horizonDays = 3 * 366

// Errors of Validate (wrapped), for the form to say which field is wrong.
var (
	// ErrOverlap is a week whose opening hours overlap within a day.
	ErrOverlap = errors.New("spans overlap")
	// ErrHoliday is a holiday that is not a date.
	ErrHoliday = errors.New("is not a date like 2025-12-25")
)

// Validate checks the spans: within a day's start, positive length, at
// most 24 hours long, not overlapping within a day.
func (c *Calendar) Validate() error {
	if c.Location == nil {
		return errors.New("sla: calendar without a time zone")
	}
	for d, spans := range c.Week {
		s := append([]Span(nil), spans...)
		sort.Slice(s, func(i, j int) bool { return s[i].Start < s[j].Start })
		for i, sp := range s {
			if sp.Start < 0 || sp.Start >= 24*time.Hour {
				return fmt.Errorf("sla: %s: a span must start within the day", time.Weekday(d))
			}
			if sp.End <= sp.Start || sp.End-sp.Start > 24*time.Hour {
				return fmt.Errorf("sla: %s: a span must last more than nothing and at most 24 hours", time.Weekday(d))
			}
			if i > 0 && sp.Start < s[i-1].End {
				return fmt.Errorf("sla: %s: %w", time.Weekday(d), ErrOverlap)
			}
		}
	}
	for h := range c.Holidays {
		if _, err := time.Parse(time.DateOnly, h); err != nil {
			return fmt.Errorf("sla: holiday %q %w", h, ErrHoliday)
		}
	}
	return nil
}

// interval is a concrete stretch of opening, [from, to).
type interval struct{ from, to time.Time }

// at returns the instant offset d after the local midnight of the day
// y-m-day, counted in wall-clock hours and minutes, so that 09:00 is 09:00
// on the days the clocks change too.
func at(y int, m time.Month, day int, d time.Duration, loc *time.Location) time.Time {
	mins := int(d / time.Minute)
	secs := int((d % time.Minute) / time.Second)
	return time.Date(y, m, day, 0, mins, secs, 0, loc)
}

// day returns the opening intervals of the spans starting on the local
// date of t, in order.
func (c *Calendar) day(t time.Time) []interval {
	lt := t.In(c.Location)
	y, m, d := lt.Date()
	if c.Holidays[lt.Format(time.DateOnly)] {
		return nil
	}
	spans := c.Week[lt.Weekday()]
	out := make([]interval, 0, len(spans))
	for _, sp := range spans {
		from, to := at(y, m, d, sp.Start, c.Location), at(y, m, d, sp.End, c.Location)
		if to.After(from) {
			out = append(out, interval{from, to})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].from.Before(out[j].from) })
	return out
}

// walk calls fn with the opening intervals that end after t, in order of
// start, merged where they touch or overlap, until fn returns false or the
// horizon is reached.
func (c *Calendar) walk(t time.Time, fn func(iv interval) bool) {
	lt := t.In(c.Location)
	y, m, d := lt.Date()
	// Start a day early: yesterday's overnight hours may still be open.
	var pending *interval
	for i := -1; i <= horizonDays; i++ {
		for _, iv := range c.day(time.Date(y, m, d+i, 12, 0, 0, 0, c.Location)) {
			if !iv.to.After(t) {
				continue
			}
			if pending != nil && !iv.from.After(pending.to) {
				if iv.to.After(pending.to) {
					pending.to = iv.to
				}
				continue
			}
			if pending != nil && !fn(*pending) {
				return
			}
			cp := iv
			pending = &cp
		}
	}
	if pending != nil {
		fn(*pending)
	}
}

// Open reports whether the calendar is open at t.
func (c *Calendar) Open(t time.Time) bool {
	open := false
	c.walk(t, func(iv interval) bool {
		open = !iv.from.After(t)
		return false
	})
	return open
}

// Add returns the instant when d of open time has passed since start.
func (c *Calendar) Add(start time.Time, d time.Duration) (time.Time, error) {
	if d < 0 {
		return time.Time{}, errors.New("sla: negative duration")
	}
	var out time.Time
	left := d
	c.walk(start, func(iv interval) bool {
		from := iv.from
		if from.Before(start) {
			from = start
		}
		if avail := iv.to.Sub(from); avail >= left {
			out = from.Add(left)
			return false
		} else {
			left -= avail
		}
		return true
	})
	if out.IsZero() {
		return time.Time{}, ErrNeverOpen
	}
	return out.UTC(), nil
}

// Between returns how much open time lies between a and b (0 if b is not
// after a).
func (c *Calendar) Between(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	var total time.Duration
	c.walk(a, func(iv interval) bool {
		if !iv.from.Before(b) {
			return false
		}
		from, to := iv.from, iv.to
		if from.Before(a) {
			from = a
		}
		if to.After(b) {
			to = b
		}
		total += to.Sub(from)
		return true
	})
	return total
}

// ParseWeek reads weekly hours written as "mon-fri 09:00-17:30; sat
// 10:00-14:00; sun 22:00-06:00", a form people can type. Days are mon …
// sun (or ranges of them); a span ending at or before its start runs
// overnight into the next day.
func ParseWeek(s string) ([7][]Span, error) {
	var week [7][]Span
	days := map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
		"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(strings.ToLower(part))
		if part == "" {
			continue
		}
		fields := strings.Fields(part)
		if len(fields) < 2 {
			return week, fmt.Errorf("sla: %q: want days and hours, like mon-fri 09:00-17:00", part)
		}
		var which []time.Weekday
		for _, dr := range strings.Split(fields[0], ",") {
			a, b, isRange := strings.Cut(dr, "-")
			da, ok1 := days[a]
			db := da
			ok2 := true
			if isRange {
				db, ok2 = days[b]
			}
			if !ok1 || !ok2 {
				return week, fmt.Errorf("sla: %q: unknown day in %q", part, dr)
			}
			for d := da; ; d = (d + 1) % 7 {
				which = append(which, d)
				if d == db {
					break
				}
			}
		}
		for _, hr := range fields[1:] {
			hr = strings.TrimSuffix(hr, ",")
			a, b, ok := strings.Cut(hr, "-")
			start, err1 := clock(a)
			end, err2 := clock(b)
			if !ok || err1 != nil || err2 != nil {
				return week, fmt.Errorf("sla: %q: hours must look like 09:00-17:30", hr)
			}
			if end <= start {
				end += 24 * time.Hour
			}
			for _, d := range which {
				week[d] = append(week[d], Span{start, end})
			}
		}
	}
	return week, nil
}

func clock(s string) (time.Duration, error) {
	if s == "24:00" {
		return 24 * time.Hour, nil
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, err
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}
