package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// snoozePresets are the snooze form's quick choices, by form value.
var snoozePresets = map[string]time.Duration{
	"1h": time.Hour,
	"4h": 4 * time.Hour,
	"1d": 24 * time.Hour,
	"3d": 72 * time.Hour,
	"7d": 7 * 24 * time.Hour,
}

// SnoozeChoices are the presets in display order.
var snoozeChoices = []string{"1h", "4h", "1d", "3d", "7d"}

// snoozeUntil reads the snooze form: a preset ("for") or a date and time
// ("until", as a datetime-local field sends it) in the agent's time zone,
// given by the browser as minutes behind UTC ("tz", JavaScript's
// getTimezoneOffset); without it the time is UTC, as the pages show.
func snoozeUntil(f url.Values, now time.Time) (time.Time, error) {
	if d, ok := snoozePresets[f.Get("for")]; ok {
		return now.Add(d), nil
	}
	return localTime(f, "until")
}

// localTime reads form field as a date and time from a datetime-local
// input, in the agent's time zone given by the browser as minutes behind
// UTC ("tz", JavaScript's getTimezoneOffset); without it the time is UTC,
// as the pages show.
func localTime(f url.Values, field string) (time.Time, error) {
	raw := strings.TrimSpace(f.Get(field))
	if raw == "" {
		return time.Time{}, valid.Field(field, valid.Msg("valid.required", "is required"))
	}
	var t time.Time
	var err error
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err = time.Parse(layout, raw); err == nil {
			break
		}
	}
	if err != nil {
		return time.Time{}, valid.Field(field, valid.Msg("valid.datetime", "is not a date and time such as 2026-03-01T09:00"))
	}
	if off, ok, err := tzOffset(f); err != nil {
		return time.Time{}, valid.Field(field, valid.Msg("valid.datetime", "is not a date and time such as 2026-03-01T09:00"))
	} else if ok {
		t = t.Add(off)
	}
	return t, nil
}

// tzOffset reads the browser's "tz" field: how far behind UTC the agent's
// clock is; ok is false without one.
func tzOffset(f url.Values) (time.Duration, bool, error) {
	tz := strings.TrimSpace(f.Get("tz"))
	if tz == "" {
		return 0, false, nil
	}
	off, err := strconv.Atoi(tz)
	if err != nil || off < -14*60 || off > 14*60 {
		return 0, false, errors.New("bad time zone offset")
	}
	return time.Duration(off) * time.Minute, true, nil
}

// ticketSnooze serves POST /tickets/{id}/snooze: the ticket leaves the
// inbox until the chosen time, when its owner is told.
func (s *server) ticketSnooze(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.ticketAction(w, r, rc, "snooze", "flash.snoozed", func(id int64) error {
		until, err := snoozeUntil(r.PostForm, s.clock.Now())
		if err != nil {
			return err
		}
		_, err = s.tickets.Snooze(r.Context(), ticket.AgentActor(rc.me.ID), id, until)
		return err
	})
}

// ticketUnsnooze serves POST /tickets/{id}/unsnooze: back into the inbox now.
func (s *server) ticketUnsnooze(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.ticketAction(w, r, rc, "snooze", "flash.unsnoozed", func(id int64) error {
		_, err := s.tickets.Unsnooze(r.Context(), ticket.AgentActor(rc.me.ID), id)
		return err
	})
}
