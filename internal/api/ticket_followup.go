package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/text"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// followUpJSON is a ticket's follow-up as the API shows it.
type followUpJSON struct {
	TicketID   int64      `json:"ticket_id"`
	Sent       bool       `json:"sent"`
	SentAt     *time.Time `json:"sent_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	AnsweredAt *time.Time `json:"answered_at"`
	Answer     string     `json:"answer"`
	Via        string     `json:"via"`
}

// getFollowUp serves GET /tickets/{id}/followup: the ticket's last
// follow-up question and its answer; sent is false when none was sent.
func (s *server) getFollowUp(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := s.tickets.Get(r.Context(), id); err != nil {
		return err
	}
	out := followUpJSON{TicketID: id}
	f, err := s.tickets.LatestFollowUp(r.Context(), id)
	switch {
	case errors.Is(err, ticket.ErrNotFound):
	case err != nil:
		return err
	default:
		out.Sent, out.SentAt, out.ExpiresAt = true, &f.SentAt, &f.ExpiresAt
		out.AnsweredAt, out.Answer, out.Via = f.AnsweredAt, string(f.Answer), f.Via
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// decideFollowUpRequest is the body of POST /tickets/{id}/followup/decide.
type decideFollowUpRequest struct {
	Fixed *bool `json:"fixed"`
}

// decideFollowUp serves POST /tickets/{id}/followup/decide: the agent's
// decision on an unclear follow-up answer. fixed true closes the ticket as
// a confirmed fix; false counts the reopen as rework. It answers the
// ticket; a second decision is 409 followup_decided.
func (s *server) decideFollowUp(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req decideFollowUpRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Fixed == nil {
		return valid.Field("fixed", valid.Msg("valid.required", "is required"))
	}
	t, err := s.tickets.DecideFollowUp(r.Context(), ticket.AgentActor(me.ID), id, *req.Fixed)
	if err != nil {
		return err
	}
	out, err := s.ticketDetail(r.Context(), t)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// ticketFollowUpJSON is the follow-up as GET /tickets/{id} shows it: when
// it was asked, the answer, and whether an unclear answer waits for an
// agent's decision.
type ticketFollowUpJSON struct {
	SentAt           time.Time `json:"sent_at"`
	Answer           string    `json:"answer"`
	AwaitingDecision bool      `json:"awaiting_decision"`
}

// ticketDetailJSON is one ticket with its follow-up, null when none was
// sent.
type ticketDetailJSON struct {
	ticketJSON
	FollowUp *ticketFollowUpJSON `json:"followup"`
}

// ticketDetail is t with its last follow-up.
func (s *server) ticketDetail(ctx context.Context, t ticket.Ticket) (ticketDetailJSON, error) {
	out := ticketDetailJSON{ticketJSON: toTicketJSON(t)}
	f, err := s.tickets.LatestFollowUp(ctx, t.ID)
	if errors.Is(err, ticket.ErrNotFound) {
		return out, nil
	}
	if err != nil {
		return out, err
	}
	out.FollowUp = &ticketFollowUpJSON{SentAt: f.SentAt, Answer: string(f.Answer)}
	if f.Answer == text.AnswerUnclear {
		_, err := s.tickets.UndecidedFollowUp(ctx, t.ID)
		switch {
		case err == nil:
			out.FollowUp.AwaitingDecision = true
		case !errors.Is(err, ticket.ErrNotFound):
			return out, err
		}
	}
	return out, nil
}
