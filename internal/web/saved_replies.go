package web

import (
	"net/http"

	"github.com/rapport/rapport/internal/savedreply"
)

// savedRepliesView is the data of the saved-replies page.
type savedRepliesView struct {
	Replies   []savedreply.Reply
	Languages []string
	// Failed is the reply whose edit failed (its form opens with the
	// problem), 0 when it is the new one or none.
	Failed int64
}

// savedReplies serves GET /replies: every saved reply, each editable, and
// a form for a new one.
func (s *server) savedReplies(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderSavedReplies(w, r, rc, nil, 0)
}

func (s *server) renderSavedReplies(w http.ResponseWriter, r *http.Request, rc *reqCtx, prob *problem, failed int64) error {
	list, err := s.saved.List(r.Context())
	if err != nil {
		return err
	}
	p := s.newPage(w, r, rc, "saved.title")
	p.Nav = "replies"
	status := http.StatusOK
	if prob != nil {
		p.Problem, p.Form, status = prob, r.PostForm, prob.Status
	}
	p.Data = savedRepliesView{Replies: list, Languages: s.cat.Languages(), Failed: failed}
	s.render(w, r, status, "saved_replies", p)
	return nil
}

// savedInput reads a saved reply's form.
func savedInput(r *http.Request) savedreply.Input {
	return savedreply.Input{Title: r.PostForm.Get("title"), Body: r.PostForm.Get("body"), Language: r.PostForm.Get("language")}
}

// savedReplyCreate serves POST /replies.
func (s *server) savedReplyCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if _, err := s.saved.Create(r.Context(), rc.me.ID, savedInput(r)); err != nil {
		prob, ok := s.asProblem(rc.lang, "saved-new", err)
		if !ok {
			return err
		}
		return s.renderSavedReplies(w, r, rc, prob, 0)
	}
	s.setFlash(w, "flash.saved_created")
	redirect(w, r, "/replies")
	return nil
}

// savedReplyUpdate serves POST /replies/{id}.
func (s *server) savedReplyUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.saved.Update(r.Context(), id, savedInput(r)); err != nil {
		prob, ok := s.asProblem(rc.lang, "saved-edit", err)
		if !ok {
			return err
		}
		return s.renderSavedReplies(w, r, rc, prob, id)
	}
	s.setFlash(w, "flash.saved_updated")
	redirect(w, r, "/replies")
	return nil
}

// savedReplyDelete serves POST /replies/{id}/delete.
func (s *server) savedReplyDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.saved.Delete(r.Context(), id); err != nil {
		return err
	}
	s.setFlash(w, "flash.saved_deleted")
	redirect(w, r, "/replies")
	return nil
}
