package app

import (
	"context"
	"net/url"

	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/realtime"
	"github.com/rapport/rapport/internal/ticket"
)

// liveTicketChanged is the realtime subscriber (kind After): it queues the
// change's events (kinds and ids) in the change's transaction, and the
// realtime.publish job publishes them to every node after the commit.
func liveTicketChanged(ctx context.Context, out ticket.Outbox, t ticket.TimerTicket, events []ticket.TimerEvent) error {
	types := make([]string, len(events))
	msgs := make([]int64, len(events))
	for i, ev := range events {
		types[i] = ev.Type
		msgs[i] = ev.ID("message_id")
	}
	return realtime.EnqueueTicket(ctx, out, t.ID, realtime.TicketEvents(t.ID, types, msgs))
}

// liveOrigins are the hosts besides a request's own whose pages may open a
// live connection: the public address's, when the server is reached
// through another name.
func liveOrigins(cfg config.Config) []string {
	u, err := url.Parse(cfg.PublicBaseURL())
	if err != nil || u.Host == "" {
		return nil
	}
	return []string{u.Host}
}
