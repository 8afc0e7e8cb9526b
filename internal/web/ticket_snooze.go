package web

import (
	"net/http"
	"net/url"
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
// ("until", as a datetime-local field sends it) in the agent's zone.
func snoozeUntil(f url.Values, now time.Time, zone *time.Location) (time.Time, error) {
	if d, ok := snoozePresets[f.Get("for")]; ok {
		return now.Add(d), nil
	}
	return localTime(f, "until", zone)
}

// localTime reads form field as a date and time from a datetime-local
// input, in zone: the agent's, the one every page shows times in, so the
// server needs nothing from the browser's script.
func localTime(f url.Values, field string, zone *time.Location) (time.Time, error) {
	raw := strings.TrimSpace(f.Get(field))
	if raw == "" {
		return time.Time{}, valid.Field(field, valid.Msg("valid.required", "is required"))
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, raw, zone); err == nil {
			return t, nil
		}
	}
	return time.Time{}, valid.Field(field, valid.Msg("valid.datetime", "is not a date and time such as 2026-03-01T09:00"))
}

// ticketSnooze serves POST /tickets/{id}/snooze: the ticket leaves the
// inbox until the chosen time, when its owner is told.
func (s *server) ticketSnooze(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.ticketAction(w, r, rc, "snooze", "flash.snoozed", func(id int64) error {
		until, err := snoozeUntil(r.PostForm, s.clock.Now(), s.agentZone(r.Context(), rc.me))
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
