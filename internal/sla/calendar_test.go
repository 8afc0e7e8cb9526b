package sla_test

import (
	"errors"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/sla"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func cal(t *testing.T, tz, week string, holidays ...string) *sla.Calendar {
	t.Helper()
	w, err := sla.ParseWeek(week)
	if err != nil {
		t.Fatal(err)
	}
	c := &sla.Calendar{Location: mustLoc(t, tz), Week: w, Holidays: map[string]bool{}}
	for _, h := range holidays {
		c.Holidays[h] = true
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAdd(t *testing.T) {
	rome := cal(t, "Europe/Rome", "mon-fri 09:00-18:00", "2025-04-21", "2025-12-25")
	ny := cal(t, "America/New_York", "mon-fri 08:00-16:00")
	night := cal(t, "Europe/Riga", "mon-fri 22:00-06:00")
	split := cal(t, "Asia/Tokyo", "mon-fri 09:00-12:00 13:00-17:00")
	lt := func(c *sla.Calendar, s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, c.Location)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name  string
		c     *sla.Calendar
		start string
		d     time.Duration
		want  string // local time in the calendar's zone
	}{
		{"within the day", rome, "2025-03-10 10:00", 2 * time.Hour, "2025-03-10 12:00"},
		{"before opening starts at opening", rome, "2025-03-10 07:00", time.Hour, "2025-03-10 10:00"},
		{"runs into the next day", rome, "2025-03-10 17:00", 2 * time.Hour, "2025-03-11 10:00"},
		{"friday evening to monday", rome, "2025-03-14 17:30", time.Hour, "2025-03-17 09:30"},
		{"weekend start", rome, "2025-03-15 11:00", 30 * time.Minute, "2025-03-17 09:30"},
		{"over the spring clock change", rome, "2025-03-28 17:00", 2 * time.Hour, "2025-03-31 10:00"},
		{"over the autumn clock change", rome, "2025-10-24 17:00", 2 * time.Hour, "2025-10-27 10:00"},
		{"easter monday holiday", rome, "2025-04-18 17:00", 2 * time.Hour, "2025-04-22 10:00"},
		{"christmas", rome, "2025-12-24 17:00", 2 * time.Hour, "2025-12-26 10:00"},
		{"new york spring change", ny, "2025-03-07 15:00", 3 * time.Hour, "2025-03-10 10:00"},
		{"overnight shift", night, "2025-03-10 23:00", 2 * time.Hour, "2025-03-11 01:00"},
		{"overnight shift ends in the morning", night, "2025-03-11 05:00", 2 * time.Hour, "2025-03-11 23:00"},
		{"friday night shift runs into saturday", night, "2025-03-14 23:00", 5 * time.Hour, "2025-03-15 04:00"},
		{"saturday night is closed", night, "2025-03-15 23:00", time.Hour, "2025-03-17 23:00"},
		{"lunch break", split, "2025-03-10 11:30", time.Hour, "2025-03-10 13:30"},
		{"zero duration when closed moves to the opening", rome, "2025-03-15 11:00", 0, "2025-03-17 09:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.c.Add(lt(tc.c, tc.start), tc.d)
			if err != nil {
				t.Fatal(err)
			}
			if want := lt(tc.c, tc.want); !got.Equal(want) {
				t.Errorf("Add(%s, %v) = %s, want %s", tc.start, tc.d, got.In(tc.c.Location).Format("2006-01-02 15:04 MST"), tc.want)
			}
			// Between is the inverse of Add.
			if back := tc.c.Between(lt(tc.c, tc.start), got); back != tc.d {
				t.Errorf("Between = %v, want %v", back, tc.d)
			}
		})
	}
}

func TestSpringDayIsShorterInCalendarTime(t *testing.T) {
	c := sla.AlwaysOpen()
	c.Location = mustLoc(t, "Europe/Rome")
	a := time.Date(2025, 3, 30, 0, 0, 0, 0, c.Location)
	b := time.Date(2025, 3, 31, 0, 0, 0, 0, c.Location)
	if got := c.Between(a, b); got != 23*time.Hour {
		t.Fatalf("the spring-forward day has %v of calendar time, want 23h", got)
	}
	end, _ := c.Add(a, 24*time.Hour)
	if !end.Equal(b.Add(time.Hour)) {
		t.Fatalf("24h after midnight = %s", end.In(c.Location))
	}
}

func TestOpen(t *testing.T) {
	c := cal(t, "Europe/Riga", "mon-fri 22:00-06:00; sat 10:00-14:00")
	tests := []struct {
		name string
		at   string
		want bool
	}{
		{"monday night", "2025-03-10 23:30", true},
		{"tuesday early morning (monday's shift)", "2025-03-11 05:59", true},
		{"tuesday at six", "2025-03-11 06:00", false},
		{"saturday noon", "2025-03-15 12:00", true},
		{"saturday early morning (friday's shift)", "2025-03-15 03:00", true},
		{"sunday", "2025-03-16 12:00", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			at, _ := time.ParseInLocation("2006-01-02 15:04", tc.at, c.Location)
			if got := c.Open(at); got != tc.want {
				t.Errorf("Open(%s) = %v", tc.at, got)
			}
		})
	}
}

func TestBadCalendars(t *testing.T) {
	if _, err := (&sla.Calendar{Location: time.UTC}).Add(time.Now(), time.Hour); !errors.Is(err, sla.ErrNeverOpen) {
		t.Fatalf("a calendar without hours: %v", err)
	}
	tests := []struct {
		name, week string
	}{
		{"unknown day", "mon-fry 09:00-17:00"},
		{"bad hours", "mon 9-17"},
		{"no hours", "mon"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := sla.ParseWeek(tc.week); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	w, _ := sla.ParseWeek("mon 09:00-12:00 11:00-13:00")
	if err := (&sla.Calendar{Location: time.UTC, Week: w}).Validate(); err == nil {
		t.Fatal("overlapping spans accepted")
	}
}

func FuzzParseWeek(f *testing.F) {
	for _, s := range []string{"mon-fri 09:00-17:00", "sat 22:00-06:00; sun 10:00-14:00", "mon,wed 00:00-24:00", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := sla.ParseWeek(s)
		if err != nil {
			return
		}
		c := &sla.Calendar{Location: time.UTC, Week: w}
		if c.Validate() != nil {
			return
		}
		start := time.Date(2025, 3, 10, 8, 0, 0, 0, time.UTC)
		end, err := c.Add(start, 90*time.Minute)
		if err != nil {
			return
		}
		if got := c.Between(start, end); got != 90*time.Minute {
			t.Fatalf("%q: Between(Add(90m)) = %v", s, got)
		}
	})
}

func BenchmarkAdd(b *testing.B) {
	w, _ := sla.ParseWeek("mon-fri 09:00-18:00")
	loc, _ := time.LoadLocation("Europe/Rome")
	c := &sla.Calendar{Location: loc, Week: w}
	start := time.Date(2025, 3, 14, 17, 0, 0, 0, loc)
	for b.Loop() {
		c.Add(start, 16*time.Hour)
	}
}
