package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
)

// item is a pending notification as its mail tells it.
type item struct {
	id, ticketID      int64
	kind              string
	data              map[string]any
	moment            time.Time
	subject, customer string
}

// recipient is who a batch is for, with the language and zone to write in.
type recipient struct {
	email, name string
	lang        string
	zone        *time.Location
}

// flush is the JobFlush handler: it takes every pending notification of
// the agent off the list and queues one mail that tells them, in the same
// transaction. Notifications whose moment is older than StaleAfter are
// counted, not listed; a batch of only those sends nothing (they stay in
// the agent's list in the app).
func (s *Service) flush(ctx context.Context, raw json.RawMessage) error {
	var p flushPayload
	if err := json.Unmarshal(raw, &p); err != nil || p.AgentID <= 0 {
		return fmt.Errorf("%w: notify payload %s", jobs.ErrPermanent, raw)
	}
	zone := time.UTC
	if s.o.Business != nil {
		prof, err := s.o.Business.Profile(ctx)
		if err != nil {
			return err
		}
		zone = prof.Location()
	}
	var sent, old int
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		sent, old = 0, 0
		now := s.o.Clock.Now()
		var id int64
		if err := tx.QueryRowContext(ctx, s.q.Get("lock-agent"), p.AgentID).Scan(&id); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return nil // the agent is gone, and their rows with them
			}
			return err
		}
		items, err := s.pending(ctx, tx, p.AgentID)
		if err != nil || len(items) == 0 {
			return err
		}
		for _, it := range items {
			if _, err := tx.ExecContext(ctx, s.q.Get("delete-pending"), it.id); err != nil {
				return err
			}
		}
		var to recipient
		var tz string
		var active bool
		if err := tx.QueryRowContext(ctx, s.q.Get("recipient"), p.AgentID).Scan(&to.email, &to.name, &to.lang, &tz, &active); err != nil {
			return err
		}
		if !active || to.email == "" {
			return nil
		}
		if !s.o.I18n.Has(to.lang) {
			to.lang = i18n.Default
		}
		to.zone = i18n.ZoneOr(tz, zone)
		var fresh []item
		for _, it := range items {
			if s.stale(now, it) {
				old++
				continue
			}
			fresh = append(fresh, it)
		}
		if len(fresh) == 0 {
			return nil
		}
		sent = len(fresh)
		subject, text := s.write(to, now, fresh, old)
		return s.o.Send(ctx, tx, to.email, to.name, subject, text, to.lang)
	})
	if err != nil {
		return fmt.Errorf("notify: flush for agent %d: %w", p.AgentID, err)
	}
	if sent > 0 {
		s.o.Jobs.Notify()
	}
	s.o.Log.Info("notifications mailed", "agent_id", p.AgentID, "listed", sent, "old", old)
	return nil
}

// stale reports whether it is too old at now to be listed: its moment, or
// its deadline (a reminder that ran after the time it reminds of), passed
// more than StaleAfter ago.
func (s *Service) stale(now time.Time, it item) bool {
	if now.Sub(it.moment) > s.o.StaleAfter {
		return true
	}
	due, ok := it.due()
	return ok && now.Sub(due) > s.o.StaleAfter
}

// due is the deadline the item tells of, when it has one.
func (it item) due() (time.Time, bool) {
	raw, _ := it.data["due"].(string)
	due, err := time.Parse(time.RFC3339, raw)
	return due, err == nil
}

func (s *Service) pending(ctx context.Context, tx *sql.Tx, agentID int64) ([]item, error) {
	rows, err := tx.QueryContext(ctx, s.q.Get("pending"), agentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []item
	for rows.Next() {
		var it item
		var data string
		var moment int64
		if err := rows.Scan(&it.id, &it.ticketID, &it.kind, &data, &moment, &it.subject, &it.customer); err != nil {
			return nil, err
		}
		it.moment = store.Time(moment)
		if err := json.Unmarshal([]byte(data), &it.data); err != nil {
			it.data = map[string]any{}
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// write is the subject and text of a mail that lists items (at least one)
// and counts old others, in to's language and zone, as of now.
func (s *Service) write(to recipient, now time.Time, items []item, old int) (subject, text string) {
	c, lang := s.o.I18n, to.lang
	var b strings.Builder
	b.WriteString(c.T(lang, "notify.greeting", to.name) + "\n\n")
	if len(items) == 1 {
		b.WriteString(c.T(lang, "notify.intro") + "\n\n")
	} else {
		b.WriteString(c.T(lang, "notify.intro_many") + "\n\n")
	}
	for _, it := range items {
		b.WriteString("- " + s.headline(lang, it) + "\n")
		if it.ticketID > 0 {
			who := it.customer
			if strings.TrimSpace(who) == "" {
				who = c.T(lang, "notify.customer_unknown")
			}
			b.WriteString("  " + c.T(lang, "notify.ticket", it.ticketID, it.subject, who) + "\n")
		}
		if w := s.when(lang, to.zone, now, it); w != "" {
			b.WriteString("  " + w + "\n")
		}
		if link := s.link(it); link != "" {
			b.WriteString("  " + c.T(lang, "notify.open") + " " + link + "\n")
		}
		b.WriteString("\n")
	}
	if old > 0 {
		b.WriteString(c.N(lang, "notify.older", old, s.url("/notifications")) + "\n")
	}
	b.WriteString(c.T(lang, "notify.zone", to.zone.String()) + "\n")
	if len(items) == 1 {
		it := items[0]
		if it.ticketID > 0 {
			subject = c.T(lang, "notify.subject_one", it.ticketID, s.headline(lang, it), it.subject)
		} else {
			subject = s.headline(lang, it)
		}
		return subject, b.String()
	}
	counts := map[string]int{}
	for _, it := range items {
		counts[group(it.kind)]++
	}
	var parts []string
	for _, g := range []string{"overdue", "soon", "new"} {
		if counts[g] > 0 {
			parts = append(parts, c.N(lang, "notify.part."+g, counts[g]))
		}
	}
	return c.N(lang, "notify.subject_many", len(items), strings.Join(parts, ", ")), b.String()
}

// group is what a kind says of its ticket in a batch's subject: overdue,
// due soon (at risk), or new.
func group(kind string) string {
	switch kind {
	case KindBreached, KindPromiseBroken, KindPreventionOverdue:
		return "overdue"
	case KindAtRisk, KindPromiseDueSoon, KindPreventionDueSoon:
		return "soon"
	}
	return "new"
}

// timers are the SLA timers a warning may name; each has its own phrase.
var timers = map[string]bool{"first_response": true, "next_response": true, "resolution": true, "greeting": true}

// headline is what happened, in lang, without internal names.
func (s *Service) headline(lang string, it item) string {
	c := s.o.I18n
	str := func(k string) string { v, _ := it.data[k].(string); return v }
	switch it.kind {
	case KindAtRisk, KindBreached:
		if timers[str("timer")] {
			return c.T(lang, "notify.kind."+it.kind+"."+str("timer"))
		}
	case KindPromiseDueSoon, KindPromiseBroken:
		return c.T(lang, "notify.kind."+it.kind, str("what"))
	case KindPreventionDueSoon, KindPreventionOverdue:
		return c.T(lang, "notify.kind."+it.kind, str("title"))
	case KindCompensationWaits:
		return c.T(lang, "notify.kind."+it.kind, strings.TrimSpace(str("name")+" "+str("amount")), str("agent"))
	case KindAssigned:
		return c.T(lang, "notify.kind.assigned")
	}
	return c.T(lang, "notify.kind.other")
}

// when tells how the item's deadline stands at now: "due in 45 min (today
// at 15:00)", "overdue by 2 h 10 min (was due today at 12:50)"; "" when it
// has none.
func (s *Service) when(lang string, zone *time.Location, now time.Time, it item) string {
	due, ok := it.due()
	if !ok {
		return ""
	}
	c := s.o.I18n
	if due.After(now) {
		return c.T(lang, "notify.due_in", c.Duration(lang, due.Sub(now)), s.Day(lang, zone, now, due))
	}
	return c.T(lang, "notify.overdue_by", c.Duration(lang, now.Sub(due)), s.Day(lang, zone, now, due))
}

// Day writes t as a reader in zone says it at now: "today at 15:00",
// "tomorrow at 09:00", "yesterday at 18:30", "on 12 December at 09:00".
func (s *Service) Day(lang string, zone *time.Location, now, t time.Time) string {
	c := s.o.I18n
	t, now = t.In(zone), now.In(zone)
	hm := t.Format("15:04")
	day := func(x time.Time) time.Time { return time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, zone) }
	switch days := int(day(t).Sub(day(now)).Round(24*time.Hour) / (24 * time.Hour)); days {
	case 0:
		return c.T(lang, "notify.day.today", hm)
	case 1:
		return c.T(lang, "notify.day.tomorrow", hm)
	case -1:
		return c.T(lang, "notify.day.yesterday", hm)
	}
	date := strings.NewReplacer("{d}", strconv.Itoa(t.Day()),
		"{month}", c.T(lang, "notify.month."+strconv.Itoa(int(t.Month())))).Replace(c.T(lang, "notify.date"))
	return c.T(lang, "notify.day.other", date, hm)
}

// link is the page an item opens: its ticket, else the notifications list.
func (s *Service) link(it item) string {
	if it.ticketID > 0 {
		return s.url("/tickets/" + strconv.FormatInt(it.ticketID, 10))
	}
	return s.url("/notifications")
}

func (s *Service) url(path string) string {
	if s.o.BaseURL == "" {
		return ""
	}
	return strings.TrimRight(s.o.BaseURL, "/") + path
}
