package demo

import (
	"context"
	"fmt"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/portal"
)

// seedPortal shows the customer portal (issue 16) filled in: one customer
// with tickets, a promise and a survey answer has asked for a sign-in link,
// which the server mails to the outbox folder when it starts (the job is
// left pending; its handler is the server's), so that the demo's visitor
// opens the portal as that customer; another customer has asked for
// erasure, waiting on /admin/erasure for an admin.
func (r *runner) seedPortal(ctx context.Context) error {
	// A queue of its own, never run here: the link is made and mailed by
	// the server's workers, with the server's mail settings.
	p := portal.New(portal.Opts{DB: r.o.DB, Jobs: jobs.New(r.o.DB, r.clock, r.o.Log), Clock: r.clock, Log: r.o.Log,
		Customers: r.custs, Tickets: r.tickets, I18n: r.cat})
	var email, lang string
	err := r.o.DB.R.QueryRowContext(ctx, `
SELECT ci.value, c.language FROM customers c
JOIN customer_identities ci ON ci.customer_id = c.id AND ci.kind = 'email'
JOIN tickets t ON t.customer_id = c.id
JOIN promises p ON p.ticket_id = t.id
JOIN surveys s ON s.customer_id = c.id AND s.answered_at IS NOT NULL
WHERE c.language = 'en'
ORDER BY c.id LIMIT 1`).Scan(&email, &lang)
	if err != nil {
		return fmt.Errorf("demo: portal customer: %w", err)
	}
	if err := p.RequestLink(ctx, email, lang); err != nil {
		return err
	}
	r.res.PortalEmail = email
	var other int64
	err = r.o.DB.R.QueryRowContext(ctx, `
SELECT c.id FROM customers c JOIN customer_identities ci ON ci.customer_id = c.id AND ci.kind = 'email'
WHERE ci.value <> $1 AND c.language = 'it' ORDER BY c.id DESC LIMIT 1`, email).Scan(&other)
	if err != nil {
		return fmt.Errorf("demo: erasure customer: %w", err)
	}
	_, err = p.RequestErasure(ctx, other, "Non sono più cliente, per favore cancellate i miei dati.")
	return err
}
