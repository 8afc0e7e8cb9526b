package ticket

import (
	"context"

	"github.com/rapport/rapport/internal/valid"
)

// ChatChannel is the channel of live chats.
const ChatChannel = "chat"

// EventChatEnded is written when a chat is ended (data: by, "agent" or
// "customer"); the same change solves the ticket, which the visitor's
// widget takes as its cue to ask for a rating.
const EventChatEnded = "chat_ended"

// EndChat ends chat ticket id: one change that records EventChatEnded and
// solves it (the usual solve: auto-close timer, survey, follow-up). Who
// may end it is who may solve it (mayChange); the visitor (an Actor of
// Kind "customer") may too. A ticket of another channel is a validation error; a chat
// already solved is left as it is.
func (s *Service) EndChat(ctx context.Context, a Actor, id int64) (Ticket, error) {
	err := s.run(ctx, a, func(c *change) error {
		r, err := c.lockOpen(id)
		if err != nil {
			return err
		}
		if r.Channel != ChatChannel {
			return valid.Field("chat", valid.Msg("chatagent.not_chat", "is not a live chat"))
		}
		if r.Status == Solved {
			return nil
		}
		if err := c.mayChange(r); err != nil {
			return err
		}
		if err := c.event(r.ID, EventChatEnded, map[string]any{"by": a.Kind}); err != nil {
			return err
		}
		if err := c.setStatus(&r, Solved); err != nil {
			return err
		}
		return c.save(&r)
	})
	if err != nil {
		return Ticket{}, changeErr("end chat", id, err)
	}
	return s.Get(ctx, id)
}
