package demo

import (
	"context"

	"github.com/rapport/rapport/internal/webhook"
)

// seedWebhooks adds the shop's one webhook, to the CRM it would connect
// Rapport to. Its address is an example one that answers nothing, so it is
// left switched off: an admin points it at a real receiver and switches it
// on, or sends it a test event to see the delivery log at work.
func (r *runner) seedWebhooks(ctx context.Context) error {
	hooks := webhook.New(webhook.Opts{DB: r.o.DB, Clock: r.clock})
	_, err := hooks.Create(ctx, webhook.Input{
		URL:         "https://crm.aurora-demo.example/hooks/rapport",
		Description: "Demo: the shop's CRM (an example address; point it at a real receiver to try it)",
		Events:      []string{webhook.TicketCreated, webhook.TicketStatus, webhook.SLABreached, webhook.RecommitConfirmed},
		Active:      false,
	})
	return err
}
