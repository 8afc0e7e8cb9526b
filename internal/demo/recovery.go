package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/purchases"
	"github.com/rapport/rapport/internal/recovery"
	"github.com/rapport/rapport/internal/ticket"
)

// noNotices keeps the demo's compensation notices from its made-up
// customers' inboxes: they happened in the story.
type noNotices struct{}

func (noNotices) SendNotice(context.Context, mailout.Notice) error { return nil }

// seedRecovery makes it right on recent complaints: compensation granted
// within the agents' limits, a request a manager approved and one they
// declined; and root causes: late deliveries linked to several tickets,
// whose prevention was done before one more came in (a recurrence), and
// an open one whose prevention is still due.
func (r *runner) seedRecovery(ctx context.Context) error {
	rs, err := recovery.New(recovery.Opts{DB: r.o.DB, Clock: r.clock, Jobs: r.queue, Tickets: r.tickets,
		I18n: i18n.MustLoad(), Mail: noNotices{}, Log: r.o.Log})
	if err != nil {
		return err
	}
	bought, err := purchases.New(purchases.Opts{DB: r.o.DB, Clock: r.clock, Customers: r.custs})
	if err != nil {
		return err
	}
	defer r.clock.Set(r.p.now)
	kinds := map[string]int64{}
	ks, err := rs.Kinds(ctx, true)
	if err != nil {
		return err
	}
	for _, k := range ks {
		kinds[k.Kind] = k.ID
	}
	var manager, agentRole int64
	for i, s := range roster {
		switch {
		case s.Role == agent.RoleManager && manager == 0:
			manager = r.agentIDs[i]
		case s.Role == agent.RoleAgent && agentRole == 0:
			agentRole = r.agentIDs[i]
		}
	}
	// Recent tickets still open or solved, complaints first, newest first.
	var open, others []ticket.Ticket
	for i := len(r.p.tickets) - 1; i >= 0 && len(open) < 6; i-- {
		tp := r.p.tickets[i]
		if tp.id == 0 {
			continue
		}
		t, err := r.tickets.Get(ctx, tp.id)
		if err != nil {
			return err
		}
		if t.Status == ticket.Closed || t.OwnerID == 0 {
			continue
		}
		if tp.sc != nil && tp.sc.Kind == "complaint" {
			open = append(open, t)
		} else {
			others = append(others, t)
		}
	}
	open = append(open, others...)
	grants := []struct {
		kind, amount, reason string
		refund               bool
		decide               string // "", "approve" or "decline: reason"
	}{
		{recovery.KindRefund, "12.50", "The item arrived damaged; refunded part of the order.", true, ""},
		{recovery.KindVoucher, "15.00", "Delivery was a week late.", false, ""},
		{recovery.KindShipping, "9.90", "Free shipping on the replacement order.", false, ""},
		{recovery.KindReplacement, "", "Sent a new one at once.", false, ""},
		{recovery.KindVoucher, "35.00", "Third late delivery this year for a regular customer.", false, "approve"},
		{recovery.KindVoucher, "60.00", "Customer asked for a large voucher.", false, "decline: We replaced the item and refunded the shipping already."},
	}
	made := 0
	for i, g := range grants {
		if i >= len(open) {
			break
		}
		t := open[i]
		// Before now, so that the customers' notices are sent by the end.
		at := earliest(r.p.now.Add(-3*time.Hour), latest(t.UpdatedAt.Add(time.Minute), r.p.now.Add(-time.Duration(len(grants)-i)*4*time.Hour)))
		r.clock.Set(latest(at, t.CreatedAt.Add(time.Minute)))
		n := recovery.NewCompensation{KindID: kinds[g.kind], Amount: g.amount, Reason: g.reason}
		if g.refund {
			orders, _, err := bought.Purchases(ctx, t.CustomerID, nil, 1)
			if err != nil {
				return err
			}
			if len(orders) == 0 || orders[0].Amount.Minor < 1250 {
				n = recovery.NewCompensation{KindID: kinds[recovery.KindVoucher], Amount: "12.50", Reason: g.reason}
			} else {
				n.PurchaseID = orders[0].ID
			}
		}
		// Granted by an agent, whose limits apply (an owner who manages
		// would need no approval).
		actor := t.OwnerID
		if a, err := r.agents.Get(ctx, actor); err != nil || a.Role != agent.RoleAgent {
			actor = agentRole
		}
		c, err := rs.Grant(ctx, actor, t.ID, n)
		if err != nil {
			return fmt.Errorf("demo: compensation on %d: %w", t.ID, err)
		}
		switch {
		case g.decide == "approve":
			r.clock.Set(earliest(r.p.now, r.clock.Now().Add(90*time.Minute)))
			_, err = rs.Approve(ctx, manager, c.ID)
		case g.decide != "":
			r.clock.Set(earliest(r.p.now, r.clock.Now().Add(2*time.Hour)))
			_, err = rs.Decline(ctx, manager, c.ID, g.decide[len("decline: "):])
		}
		if err != nil {
			return fmt.Errorf("demo: decide compensation %d: %w", c.ID, err)
		}
		made++
	}
	if err := r.seedCauses(ctx, rs, agentRole); err != nil {
		return err
	}
	r.clock.Set(r.p.now)
	// The customers' notices are sent (to nobody) and timers due by now run.
	if _, err := r.queue.RunDue(ctx); err != nil {
		return fmt.Errorf("demo: run jobs: %w", err)
	}
	r.o.Log.Info("demo compensation", "compensations", made)
	return nil
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// seedCauses records the demo's root causes.
func (r *runner) seedCauses(ctx context.Context, rs *recovery.Service, owner int64) error {
	var late, invoice []ticket.Ticket
	for _, tp := range r.p.tickets {
		if tp.id == 0 || tp.sc == nil {
			continue
		}
		t, err := r.tickets.Get(ctx, tp.id)
		if err != nil {
			return err
		}
		switch tp.sc.Key {
		case "late":
			late = append(late, t)
		case "invoice":
			invoice = append(invoice, t)
		}
	}
	if len(late) >= 4 {
		// The last four late deliveries: three before the fix, one after.
		l := late[len(late)-4:]
		r.clock.Set(l[0].CreatedAt.Add(30 * time.Minute))
		c, err := rs.CreateCause(ctx, owner, l[0].ID, recovery.NewCause{Category: "delivery", Title: "Courier misses delivery dates on island addresses",
			WhatHappened: "The courier's island routes run twice a week, not daily as promised at checkout.",
			Prevention:   "Show island delivery days at checkout and switch island parcels to the postal service.",
			OwnerID:      owner, Due: r.clock.Now().AddDate(0, 0, 14)})
		if err != nil {
			return fmt.Errorf("demo: root cause: %w", err)
		}
		for _, t := range l[1:3] {
			r.clock.Set(latest(t.CreatedAt.Add(30*time.Minute), r.clock.Now().Add(time.Minute)))
			if err := rs.Link(ctx, owner, t.ID, c.ID); err != nil {
				return fmt.Errorf("demo: link %d: %w", t.ID, err)
			}
		}
		// Done between the third and the fourth.
		r.clock.Set(latest(r.clock.Now().Add(time.Minute), l[3].CreatedAt.Add(-time.Hour)))
		if _, err := rs.SetDone(ctx, c.ID, true); err != nil {
			return err
		}
		r.clock.Set(latest(l[3].CreatedAt.Add(30*time.Minute), r.clock.Now().Add(time.Minute)))
		if err := rs.Link(ctx, owner, l[3].ID, c.ID); err != nil {
			return fmt.Errorf("demo: link %d: %w", l[3].ID, err)
		}
	}
	if len(invoice) >= 2 {
		i := invoice[len(invoice)-2:]
		r.clock.Set(latest(i[0].CreatedAt.Add(time.Hour), r.p.now.Add(-48*time.Hour)))
		c, err := rs.CreateCause(ctx, owner, i[0].ID, recovery.NewCause{Category: "billing", Title: "Invoices for companies lack the VAT number",
			WhatHappened: "The shop's invoice template drops the customer's VAT number.",
			Prevention:   "Add the VAT number field to the invoice template and reissue open invoices.",
			OwnerID:      owner, Due: r.p.now.AddDate(0, 0, 5)})
		if err != nil {
			return fmt.Errorf("demo: root cause: %w", err)
		}
		r.clock.Set(latest(i[1].CreatedAt.Add(time.Hour), r.clock.Now().Add(time.Minute)))
		if err := rs.Link(ctx, owner, i[1].ID, c.ID); err != nil {
			return fmt.Errorf("demo: link %d: %w", i[1].ID, err)
		}
	}
	return nil
}
