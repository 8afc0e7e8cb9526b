package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/ticket"
)

// seedChat gives live chats their SLA policy: greeted within 30 seconds,
// answered in full within 5 minutes, around the clock. It goes first, so
// chats take it before the others; the open chats get its timers now, and
// the chats of the history (greeted within seconds on working hours, see
// planner.agentAt) fill the dashboard's greeting figures against it.
func (r *runner) seedChat(ctx context.Context) error {
	tickets := ticket.NewService(ticket.Opts{DB: r.o.DB, Clock: r.clock, Jobs: r.queue, Customers: r.custs,
		Log: r.o.Log, AutoCloseDays: autoCloseDays})
	slas := sla.New(sla.Opts{DB: r.o.DB, Jobs: r.queue, Clock: r.clock, Log: r.o.Log, Tickets: tickets})
	if err := tickets.Subscribe(ticket.Subscriber{Name: "sla", InTx: slas.TicketChanged}); err != nil {
		return err
	}
	if _, err := slas.CreatePolicy(ctx, sla.Policy{Name: "Live chat", Position: 0, Channel: ticket.ChatChannel,
		Greeting: sla.DefaultGreeting, FirstResponse: 5 * time.Minute, Resolution: 2 * time.Hour, Active: true}); err != nil {
		return fmt.Errorf("demo: chat policy: %w", err)
	}
	rows, err := r.o.DB.R.QueryContext(ctx, `SELECT id FROM tickets WHERE channel = 'chat' AND status IN ('new', 'open', 'pending') ORDER BY id`)
	if err != nil {
		return err
	}
	var open []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		open = append(open, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range open {
		if err := tickets.RefreshTimers(ctx, id); err != nil {
			return fmt.Errorf("demo: chat timers: %w", err)
		}
	}
	return nil
}
