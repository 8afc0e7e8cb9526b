package api

import (
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// messageJSON is one message of a ticket's thread.
type messageJSON struct {
	ID               int64   `json:"id"`
	TicketID         int64   `json:"ticket_id"`
	Kind             string  `json:"kind"`
	AuthorAgentID    *int64  `json:"author_agent_id"`
	AuthorCustomerID *int64  `json:"author_customer_id"`
	AuthorName       string  `json:"author_name"`
	BodyText         string  `json:"body_text"`
	BodyHTML         string  `json:"body_html"`
	CreatedAt        *string `json:"created_at"`
	// To and Cc are who a reply went to: To empty for the customer's own
	// address, Cc the copied addresses.
	To string   `json:"to"`
	Cc []string `json:"cc"`
}

func toMessageJSON(m ticket.Message) messageJSON {
	return messageJSON{
		ID:               m.ID,
		TicketID:         m.TicketID,
		Kind:             m.Kind,
		AuthorAgentID:    idJSON(m.AuthorAgentID),
		AuthorCustomerID: idJSON(m.AuthorCustomerID),
		AuthorName:       m.AuthorName,
		BodyText:         m.BodyText,
		BodyHTML:         m.BodyHTML,
		CreatedAt:        timeJSON(m.CreatedAt),
		To:               m.To,
		Cc:               splitCc(m.Cc),
	}
}

// splitCc turns a stored Cc list into its addresses.
func splitCc(cc string) []string {
	out := []string{}
	for _, a := range strings.Split(cc, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// eventJSON is one entry of a ticket's history.
type eventJSON struct {
	ID           int64          `json:"id"`
	TicketID     int64          `json:"ticket_id"`
	Type         string         `json:"type"`
	ActorKind    string         `json:"actor_kind"`
	ActorAgentID *int64         `json:"actor_agent_id"`
	ActorName    string         `json:"actor_name"`
	Data         map[string]any `json:"data"`
	CreatedAt    *string        `json:"created_at"`
}

func toEventJSON(e ticket.Event) eventJSON {
	data := e.Data
	if data == nil {
		data = map[string]any{}
	}
	return eventJSON{
		ID:           e.ID,
		TicketID:     e.TicketID,
		Type:         e.Type,
		ActorKind:    e.ActorKind,
		ActorAgentID: idJSON(e.ActorAgentID),
		ActorName:    e.ActorName,
		Data:         data,
		CreatedAt:    timeJSON(e.CreatedAt),
	}
}

// listMessages serves GET /tickets/{id}/messages: the whole thread, oldest
// first, internal notes included.
func (s *server) listMessages(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	// Messages of an unknown ticket may be an empty list; the API says 404.
	if _, err := s.tickets.Get(r.Context(), id); err != nil {
		return err
	}
	ms, err := s.tickets.Messages(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(ms, toMessageJSON, ""))
	return nil
}

// listEvents serves GET /tickets/{id}/events, oldest first.
func (s *server) listEvents(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := s.tickets.Get(r.Context(), id); err != nil {
		return err
	}
	es, err := s.tickets.Events(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(es, toEventJSON, ""))
	return nil
}

// replyRequest is the body of POST /tickets/{id}/reply; status, when set,
// changes the ticket in the same step (reply and solve). to replaces the
// customer's address, cc copies others, attachments go with the mail.
type replyRequest struct {
	Body        string     `json:"body"`
	Status      string     `json:"status"`
	To          string     `json:"to"`
	Cc          []string   `json:"cc"`
	Attachments []fileJSON `json:"attachments"`
}

// fileJSON is a file sent with a reply, its bytes in standard base64.
type fileJSON struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Data        string `json:"data"`
}

// replyFiles decodes the files of a reply request.
func replyFiles(in []fileJSON) ([]attachment.File, error) {
	out := make([]attachment.File, 0, len(in))
	for i, f := range in {
		data, err := base64.StdEncoding.DecodeString(f.Data)
		if err != nil {
			return nil, valid.Field("attachments", valid.Msg("valid.base64", "file %d is not standard base64", i+1))
		}
		out = append(out, attachment.File{Filename: f.Filename, ContentType: f.ContentType, Data: data})
	}
	return out, nil
}

// replyTicket serves POST /tickets/{id}/reply.
func (s *server) replyTicket(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req replyRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Status != "" && !contains(statusNames(), req.Status) {
		return valid.Field("status", valid.Message{Key: "valid.choice", Text: "must be empty or one of " + strings.Join(statusNames(), ", ")})
	}
	files, err := replyFiles(req.Attachments)
	if err != nil {
		return err
	}
	m, err := s.tickets.ReplyWith(r.Context(), ticket.AgentActor(me.ID), id, ticket.ReplyDraft{
		Body: req.Body, SetStatus: ticket.Status(req.Status),
		To: req.To, Cc: strings.Join(req.Cc, ", "), Files: files,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toMessageJSON(m))
	return nil
}

// noteRequest is the body of POST /tickets/{id}/notes.
type noteRequest struct {
	Body string `json:"body"`
}

// addNote serves POST /tickets/{id}/notes.
func (s *server) addNote(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req noteRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	m, err := s.tickets.AddNote(r.Context(), ticket.AgentActor(me.ID), id, req.Body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toMessageJSON(m))
	return nil
}
