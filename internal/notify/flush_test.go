package notify

import (
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/i18n"
)

// A deadline is told as its reader says it in their zone: today,
// tomorrow, yesterday, or a date in their language.
func TestDay(t *testing.T) {
	s := &Service{o: Opts{I18n: i18n.MustLoad()}}
	riga, err := i18n.Zone("Europe/Riga")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 7, 21, 30, 0, 0, time.UTC) // 23:30 in Riga
	tests := []struct {
		name string
		lang string
		zone *time.Location
		t    time.Time
		want string
	}{
		{"today in UTC", "en", time.UTC, time.Date(2026, 12, 7, 23, 0, 0, 0, time.UTC), "today at 23:00"},
		{"the same instant is tomorrow in Riga", "en", riga, time.Date(2026, 12, 7, 23, 0, 0, 0, time.UTC), "tomorrow at 01:00"},
		{"yesterday", "it", time.UTC, time.Date(2026, 12, 6, 9, 5, 0, 0, time.UTC), "ieri alle 09:05"},
		{"a date in Russian", "ru", time.UTC, time.Date(2026, 12, 12, 9, 0, 0, 0, time.UTC), "12 декабря в 09:00"},
		{"a date in Latvian", "lv", riga, time.Date(2026, 12, 12, 9, 0, 0, 0, time.UTC), "12. decembrī plkst. 11:00"},
		{"a date in Catalan", "ca", time.UTC, time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC), "el 3 de desembre a les 09:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.Day(tc.lang, tc.zone, now, tc.t); got != tc.want {
				t.Errorf("Day = %q, want %q", got, tc.want)
			}
		})
	}
}

// A batch's subject counts what is overdue, at risk and new; a single
// item gets a focused subject; every language has its words and no
// internal name shows.
func TestWrite(t *testing.T) {
	s := &Service{o: Opts{I18n: i18n.MustLoad(), BaseURL: "https://help.example.com/", StaleAfter: time.Hour}}
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	due := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	items := []item{
		{id: 1, ticketID: 7, kind: KindBreached, data: map[string]any{"timer": "first_response", "due": due(-130 * time.Minute)},
			subject: "Broken lamp", customer: "Carla Client"},
		{id: 2, ticketID: 8, kind: KindAtRisk, data: map[string]any{"timer": "next_response", "due": due(45 * time.Minute)},
			subject: "Late parcel", customer: ""},
		{id: 3, ticketID: 9, kind: KindPromiseBroken, data: map[string]any{"what": "call back", "due": due(-5 * time.Minute)},
			subject: "Refund", customer: "Dan"},
		{id: 4, ticketID: 10, kind: KindAssigned, data: map[string]any{"by": 2}, subject: "New one", customer: "Eve"},
	}
	tests := []struct {
		name    string
		lang    string
		items   []item
		old     int
		subject string
		text    []string
	}{
		{"english batch", "en", items, 2, "4 notifications need you: 2 overdue, 1 at risk, 1 new", []string{
			"Hello Al,", "- First reply overdue", "Ticket #7 “Broken lamp” from Carla Client", "overdue by 2 h 10 min (was due today at 09:50)",
			"- Next reply at risk", "from an unknown customer", "due in 45 min (today at 12:45)", "Promise broken: call back",
			"Open: https://help.example.com/tickets/10", "2 older notifications are in your list: https://help.example.com/notifications",
			"Times are in your time zone, UTC."}},
		{"one item in italian", "it", items[:1], 0, "[#7] Prima risposta in ritardo: Broken lamp", []string{
			"in ritardo di 2 h 10 min (scadeva oggi alle 09:50)", "Ticket #7 «Broken lamp» di Carla Client"}},
		{"russian batch", "ru", items[:3], 1, "3 уведомления для вас: 2 просрочено, 1 под угрозой", []string{
			"Просрочен первый ответ", "просрочено на 2 ч 10 мин", "Ещё 1 более раннее уведомление"}},
		{"latvian batch", "lv", items[1:], 0, "3 paziņojumi jums: 1 nokavēts, 1 apdraudēts, 1 jauns", []string{
			"termiņš pēc 45 min (šodien plkst. 12:45)", "Jums piešķirts pieteikums"}},
		{"catalan batch", "ca", items[:2], 0, "2 notificacions per a tu: 1 endarrerida, 1 en risc", []string{
			"endarrerit 2 h 10 min (vencia avui a les 09:50)", "Propera resposta en risc"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			subject, text := s.write(recipient{name: "Al", lang: tc.lang, zone: time.UTC}, now, tc.items, tc.old)
			if subject != tc.subject {
				t.Errorf("subject %q, want %q", subject, tc.subject)
			}
			for _, w := range tc.text {
				if !strings.Contains(text, w) {
					t.Errorf("text lacks %q:\n%s", w, text)
				}
			}
			for _, internal := range []string{"first_response", "next_response", "sla_", "promise_", "notify.", "%!"} {
				if strings.Contains(subject+text, internal) {
					t.Errorf("shows %q:\n%s\n%s", internal, subject, text)
				}
			}
		})
	}
}

// Old news is counted, not listed: by its moment, or by a deadline long
// past even when the notice itself is new.
func TestStale(t *testing.T) {
	s := &Service{o: Opts{StaleAfter: time.Hour}}
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		it   item
		want bool
	}{
		{"new", item{moment: now}, false},
		{"moment two hours ago", item{moment: now.Add(-2 * time.Hour)}, true},
		{"a reminder run after its deadline", item{moment: now, data: map[string]any{"due": now.Add(-3 * time.Hour).Format(time.RFC3339)}}, true},
		{"a deadline just passed", item{moment: now, data: map[string]any{"due": now.Add(-10 * time.Minute).Format(time.RFC3339)}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.stale(now, tc.it); got != tc.want {
				t.Errorf("stale = %v, want %v", got, tc.want)
			}
		})
	}
}
