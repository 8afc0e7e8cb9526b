package api

import (
	"net/http"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/savedreply"
)

// errNoSaved answers the saved-reply routes on a server without them.
var errNoSaved = &apiError{status: http.StatusServiceUnavailable, code: "unavailable",
	message: "saved replies are not enabled on this server"}

// savedReplyJSON is one saved reply.
type savedReplyJSON struct {
	ID        int64   `json:"id"`
	Title     string  `json:"title"`
	Body      string  `json:"body"`
	Language  string  `json:"language"`
	CreatedBy *int64  `json:"created_by"`
	CreatedAt *string `json:"created_at"`
	UpdatedAt *string `json:"updated_at"`
}

func toSavedReplyJSON(r savedreply.Reply) savedReplyJSON {
	return savedReplyJSON{ID: r.ID, Title: r.Title, Body: r.Body, Language: r.Language,
		CreatedBy: idJSON(r.CreatedBy), CreatedAt: timeJSON(r.CreatedAt), UpdatedAt: timeJSON(r.UpdatedAt)}
}

// savedReplyRequest is the body of POST and PUT /saved-replies.
type savedReplyRequest struct {
	Title    string `json:"title"`
	Body     string `json:"body"`
	Language string `json:"language"`
}

func (q savedReplyRequest) input() savedreply.Input {
	return savedreply.Input{Title: q.Title, Body: q.Body, Language: q.Language}
}

// listSavedReplies serves GET /saved-replies.
func (s *server) listSavedReplies(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.saved == nil {
		return errNoSaved
	}
	list, err := s.saved.List(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(list, toSavedReplyJSON, ""))
	return nil
}

// getSavedReply serves GET /saved-replies/{id}.
func (s *server) getSavedReply(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.saved == nil {
		return errNoSaved
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	sr, err := s.saved.Get(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toSavedReplyJSON(sr))
	return nil
}

// createSavedReply serves POST /saved-replies.
func (s *server) createSavedReply(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	if s.saved == nil {
		return errNoSaved
	}
	var req savedReplyRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	sr, err := s.saved.Create(r.Context(), me.ID, req.input())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toSavedReplyJSON(sr))
	return nil
}

// updateSavedReply serves PUT /saved-replies/{id}.
func (s *server) updateSavedReply(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.saved == nil {
		return errNoSaved
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req savedReplyRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	sr, err := s.saved.Update(r.Context(), id, req.input())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toSavedReplyJSON(sr))
	return nil
}

// deleteSavedReply serves DELETE /saved-replies/{id}.
func (s *server) deleteSavedReply(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.saved == nil {
		return errNoSaved
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.saved.Delete(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
