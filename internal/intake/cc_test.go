package intake_test

import (
	"context"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// A reply copies who the customer copied: not the customer, not the
// support mailbox (with or without a +token); other channels copy nobody.
func TestCcOf(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		mailboxes := []string{"support@shop.example"}
		raw := "From: Dora <dora@example.com>\r\nTo: support@shop.example\r\n" +
			"Cc: Ed <ed@example.com>, support+abc@shop.example, DORA@example.com,\r\n ed@example.com, \"Fin, Team\" <fin@example.com>\r\n" +
			"Subject: Invoice\r\nMessage-ID: <cc-1@example.com>\r\n\r\nWrong address.\r\n" + strings.Repeat("x", 100<<10) + "\r\n"
		res := f.receive(t, intake.FromEmail([]byte(raw), mailboxes))
		cc, err := f.intake.CcOf(ctx, res.InboundID)
		if err != nil || strings.Join(cc, ", ") != "ed@example.com, fin@example.com" {
			t.Fatalf("CcOf = %q, %v", cc, err)
		}
		chat := f.receive(t, intake.Inbound{Channel: "chat", From: intake.Sender{Kind: "phone", Value: "+37120000000"}, Text: "Cc: a@b.example"})
		if cc, err := f.intake.CcOf(ctx, chat.InboundID); err != nil || len(cc) != 0 {
			t.Fatalf("a chat copies %q, %v", cc, err)
		}
		if cc, err := f.intake.CcOf(ctx, 999999); err != nil || len(cc) != 0 {
			t.Fatalf("no such message: %q, %v", cc, err)
		}
	})
}
