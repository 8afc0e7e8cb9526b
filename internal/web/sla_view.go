package web

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/ticket"
)

// slaTimers are the SLA timers in the order the ticket page lists them.
var slaTimers = []string{sla.TimerGreeting, sla.TimerFirstResponse, sla.TimerNextResponse, sla.TimerResolution}

// slaSoon is how close a deadline is when lists show it amber; a deadline
// that has passed shows red.
const slaSoon = time.Hour

// dueLabel is a deadline as the inbox and the ticket page show it.
type dueLabel struct {
	At    time.Time // zero when no deadline runs
	Text  string    // "in 2h 10m", "overdue 35m", "paused"; "" for nothing to show
	Class string    // sla-ok, sla-soon, sla-over or sla-paused
}

// slaActive reports whether deadlines are worth a column: the SLA service
// is there and at least one policy is active. A failure to tell hides the
// column rather than the page.
func (s *server) slaActive(ctx context.Context) bool {
	if s.sla == nil {
		return false
	}
	ps, err := s.sla.Policies(ctx)
	if err != nil {
		s.log.Warn("sla policies unavailable", slog.Any("error", err))
		return false
	}
	for _, p := range ps {
		if p.Active {
			return true
		}
	}
	return false
}

// SLAEnabled reports whether the UI has the SLA service (notifications and
// the SLA admin pages).
func (p *page) SLAEnabled() bool { return p.s.sla != nil }

// CallsEnabled reports whether agents can log phone calls.
func (p *page) CallsEnabled() bool { return p.s.intake != nil }

// Due describes ticket t's earliest running deadline relative to now. A
// pending ticket without one is shown paused: its timers stand still while
// the team waits for the customer (under a policy that pauses on pending,
// and nothing is due from the team otherwise either).
func (p *page) Due(t ticket.Ticket) dueLabel {
	switch {
	case t.Status == ticket.Solved || t.Status == ticket.Closed:
		return dueLabel{}
	case t.SLADueAt.IsZero():
		if t.Status == ticket.Pending {
			return dueLabel{Text: p.T("sla.paused"), Class: "sla-paused"}
		}
		return dueLabel{}
	}
	return p.deadline(t.SLADueAt)
}

// deadline describes a running deadline at relative to now.
func (p *page) deadline(at time.Time) dueLabel {
	left := at.Sub(p.Now)
	l := dueLabel{At: at}
	switch {
	case left <= 0:
		l.Text, l.Class = p.T("sla.overdue", p.Span(-left)), "sla-over"
	case left < slaSoon:
		l.Text, l.Class = p.T("sla.in", p.Span(left)), "sla-soon"
	default:
		l.Text, l.Class = p.T("sla.in", p.Span(left)), "sla-ok"
	}
	return l
}

// Span puts a length of time in words, to the minute, in its two largest
// units: "3d 4h", "2h 10m", "35m"; never less than a minute.
func (p *page) Span(d time.Duration) string {
	m := int64(d.Round(time.Minute) / time.Minute)
	if m < 1 {
		m = 1
	}
	days, hours, mins := m/(24*60), m/60%24, m%60
	var parts []string
	switch {
	case days > 0:
		parts = append(parts, p.T("duration.days", days))
		if hours > 0 {
			parts = append(parts, p.T("duration.hours", hours))
		}
	case hours > 0:
		parts = append(parts, p.T("duration.hours", hours))
		if mins > 0 {
			parts = append(parts, p.T("duration.minutes", mins))
		}
	default:
		parts = append(parts, p.T("duration.minutes", mins))
	}
	return strings.Join(parts, " ")
}

// Timer names an SLA timer.
func (p *page) Timer(name string) string { return p.label("timer.", name) }

// eventDue is the "due" time of SLA event or notification data as a date,
// "" when it has none.
func (p *page) eventDue(d map[string]any) string {
	due, err := time.Parse(time.RFC3339, dataStr(d, "due"))
	if err != nil {
		return ""
	}
	return p.Date(due)
}

// slaPanel is the SLA card of the ticket page.
type slaPanel struct {
	Timers []slaTimerView
	Paused bool // pending, with no deadline running
}

// slaTimerView is one timer on the SLA card.
type slaTimerView struct {
	Name     string
	Due      dueLabel // At is zero when the timer does not run
	AtRisk   bool     // a warning was given
	Breached bool     // the target was missed (now or before)
}

// ticketSLA builds the SLA card of ticket t from its timers' deadlines and
// its history; nil (no card) without the SLA service, or when no policy is
// active and the ticket never had a deadline.
func (s *server) ticketSLA(ctx context.Context, p *page, t ticket.Ticket, events []ticket.Event) (*slaPanel, error) {
	if s.sla == nil {
		return nil, nil
	}
	panel := &slaPanel{}
	seen := false
	for _, name := range slaTimers {
		if name == sla.TimerGreeting && !slices.Contains(sla.LiveChannels, t.Channel) {
			continue // only live contact has a greeting target
		}
		due, err := s.sla.Due(ctx, t.ID, name)
		if err != nil {
			return nil, err
		}
		tv := slaTimerView{Name: name}
		if !due.IsZero() {
			tv.Due, seen = p.deadline(due), true
			tv.Breached = !due.After(p.Now)
		}
		for _, e := range events {
			if dataStr(e.Data, "timer") != name {
				continue
			}
			switch e.Type {
			case sla.EventBreached:
				tv.Breached, seen = true, true
			case sla.EventAtRisk:
				tv.AtRisk, seen = true, true
			}
		}
		panel.Timers = append(panel.Timers, tv)
	}
	if !seen && !s.slaActive(ctx) {
		return nil, nil
	}
	panel.Paused = t.Status == ticket.Pending && t.SLADueAt.IsZero()
	return panel, nil
}
