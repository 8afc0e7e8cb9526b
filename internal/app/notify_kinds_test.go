package app

import (
	"testing"

	"github.com/rapport/rapport/internal/notify"
	"github.com/rapport/rapport/internal/recovery"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/ticket"
)

// The kinds notify mails are the ones the packages that write them use;
// a rename on one side would stop those notifications from being mailed.
func TestNotifyKindsAgree(t *testing.T) {
	tests := []struct {
		name         string
		notify, them string
	}{
		{"sla at risk", notify.KindAtRisk, sla.EventAtRisk},
		{"sla breached", notify.KindBreached, sla.EventBreached},
		{"promise due soon", notify.KindPromiseDueSoon, ticket.NotifyPromiseDueSoon},
		{"promise broken", notify.KindPromiseBroken, ticket.NotifyPromiseBroken},
		{"prevention due soon", notify.KindPreventionDueSoon, recovery.NotifyPreventionDueSoon},
		{"prevention overdue", notify.KindPreventionOverdue, recovery.NotifyPreventionOverdue},
		{"compensation waiting", notify.KindCompensationWaits, recovery.NotifyRequestWaiting},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.notify != tc.them || !notify.Mailed(tc.them) {
				t.Errorf("notify has %q, the writer %q (mailed: %v)", tc.notify, tc.them, notify.Mailed(tc.them))
			}
		})
	}
}
