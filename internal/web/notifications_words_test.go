package web

import (
	"testing"

	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/notify"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/ticket"
)

// Promises and assignments read as sentences in the reader's language on
// the notifications page, as they do in the mail, not as "notif.other".
func TestNotificationWords(t *testing.T) {
	s := &server{cat: i18n.MustLoad()}
	tests := []struct {
		name string
		lang string
		n    sla.Notification
		want string
	}{
		{"promise due soon", "en", sla.Notification{TicketID: 7, Kind: ticket.NotifyPromiseDueSoon, Subject: "Lamp",
			Data: map[string]any{"what": "send a bulb"}}, "Your promise on ticket #7 “Lamp” is due soon: send a bulb"},
		{"promise broken", "it", sla.Notification{TicketID: 7, Kind: ticket.NotifyPromiseBroken, Subject: "Lampada",
			Data: map[string]any{"what": "spedire una lampadina"}}, "Promessa non mantenuta sul ticket #7 «Lampada»: spedire una lampadina"},
		{"assigned", "ru", sla.Notification{TicketID: 9, Kind: notify.KindAssigned, Subject: "Счёт"}, "Вам назначено обращение #9 «Счёт»"},
		{"assigned in Latvian", "lv", sla.Notification{TicketID: 9, Kind: notify.KindAssigned, Subject: "Rēķins"}, "Jums piešķirts pieteikums #9 „Rēķins”"},
		{"assigned in Catalan", "ca", sla.Notification{TicketID: 9, Kind: notify.KindAssigned, Subject: "Factura"}, "El tiquet #9 «Factura» t’ha estat assignat"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &page{s: s, Lang: tc.lang}
			if got := describeNotification(p, tc.n); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
