package mailout

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/ticket"
)

// TicketChanged is the mail subscriber to ticket changes (a
// ticket.AfterFunc): it queues the mail a change calls for, to go out
// after the change commits. A new ticket that asks for it is acknowledged;
// an agent's public reply is delivered; a solved ticket is followed up
// FollowUpDays later, and a reopen withdraws that follow-up.
func (s *Service) TicketChanged(_ context.Context, out ticket.Outbox, t ticket.TimerTicket, events []ticket.TimerEvent) error {
	for _, e := range events {
		switch e.Type {
		case ticket.EventCreated:
			if ack, _ := e.Data["acknowledge"].(bool); ack {
				if err := out.Enqueue(jobs.Job{Kind: JobAck, Payload: ticketPayload(t.ID, 0), UniqueKey: fmt.Sprintf("ack:%d", t.ID)}); err != nil {
					return err
				}
			}
		case ticket.EventReplied:
			mid := e.ID("message_id")
			if mid == 0 {
				return fmt.Errorf("mailout: reply event of ticket %d without a message id", t.ID)
			}
			if err := out.Enqueue(jobs.Job{Kind: JobDeliverReply, Payload: ticketPayload(t.ID, mid)}); err != nil {
				return err
			}
		case ticket.EventStatus:
			if fmt.Sprint(e.Data["to"]) != string(ticket.Solved) || s.o.FollowUpDays <= 0 {
				continue
			}
			err := out.Enqueue(jobs.Job{Kind: JobFollowUp, Payload: ticketPayload(t.ID, 0),
				RunAt: t.Now.Add(time.Duration(s.o.FollowUpDays) * 24 * time.Hour), UniqueKey: followUpKey(t.ID)})
			if err != nil {
				return err
			}
		case ticket.EventReopened:
			if err := out.Cancel(followUpKey(t.ID)); err != nil {
				return err
			}
		}
	}
	return nil
}

// followUpKey is the unique key of ticket id's follow-up job.
func followUpKey(id int64) string { return JobFollowUp + ":" + strconv.FormatInt(id, 10) }

// ticketPayload is the payload of this package's jobs.
func ticketPayload(ticketID, messageID int64) json.RawMessage {
	p := map[string]int64{"ticket_id": ticketID}
	if messageID != 0 {
		p["message_id"] = messageID
	}
	b, _ := json.Marshal(p)
	return b
}
