package app

import (
	"context"
	"log/slog"
	"net/url"
	"time"

	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/realtime"
	"github.com/rapport/rapport/internal/ticket"
)

// liveSubscriber is the realtime subscriber (kind After): once the change
// has committed it publishes the change's events (kinds and ids) to every
// node, without a job row. An event is a hint (a page that missed one
// fetches the ticket again), so one lost when the process stops right
// after the commit costs nothing, while a realtime.publish row per change
// cost the single SQLite writer three writes (insert, claim, done) and
// left the workers thousands behind under load (docs/PERFORMANCE.md,
// "Fewer job rows per write"). Pushes from different changes may arrive
// out of order; each says what to fetch, never the state. With
// PostgreSQL they leave through the broker's sender (PublishSoon), one
// NOTIFY for the events of many changes, not one per change. In a
// transaction that store.DB.Tx does not run it queues realtime.publish as
// before.
func liveSubscriber(live *realtime.Broker, log *slog.Logger) ticket.AfterFunc {
	return func(ctx context.Context, out ticket.Outbox, t ticket.TimerTicket, events []ticket.TimerEvent) error {
		types := make([]string, len(events))
		msgs := make([]int64, len(events))
		for i, ev := range events {
			types[i] = ev.Type
			msgs[i] = ev.ID("message_id")
		}
		evs := realtime.TicketEvents(t.ID, types, msgs)
		if len(evs) == 0 {
			return nil
		}
		published := out.AfterCommit(func() {
			pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			defer cancel()
			if err := live.PublishSoon(pctx, evs...); err != nil {
				log.Warn("live events not published", "ticket_id", t.ID, slog.Any("error", err))
			}
		})
		if published {
			return nil
		}
		return realtime.EnqueueTicket(ctx, out, t.ID, evs)
	}
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
