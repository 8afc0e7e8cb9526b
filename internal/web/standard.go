package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/rapport/rapport/internal/goals"
	"github.com/rapport/rapport/internal/valid"
)

// standardView is the data of the service standard page.
type standardView struct {
	Standard goals.Standard
	None     bool // no standard written yet
	Unread   bool // the agent has not acknowledged this version
	Next     string
}

// standardPage serves GET /standard: the business's service standard in
// the agent's language (else the business's default), with a button to
// acknowledge it while the agent has not yet done so for this version.
// After login, agents who have not read the current version come here
// first (?next= is where they were going).
func (s *server) standardPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	v := standardView{Next: localPath(r.URL.Query().Get("next"))}
	st, err := s.goals.Standard(r.Context(), rc.lang)
	switch {
	case errors.Is(err, goals.ErrNoStandard):
		v.None = true
	case err != nil:
		return err
	default:
		v.Standard = st
		if v.Unread, err = s.goals.StandardUnread(r.Context(), rc.me.ID); err != nil {
			return err
		}
	}
	p := s.newPage(w, r, rc, "standard.title")
	p.Nav = "standard"
	p.Data = v
	s.render(w, r, http.StatusOK, "standard", p)
	return nil
}

// standardAck serves POST /standard/ack: the agent read the version of
// the standard the form names, and goes on to where they were going.
func (s *server) standardAck(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	version, err := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	if err != nil || version <= 0 {
		return errBadForm
	}
	if err := s.goals.AcknowledgeStandard(r.Context(), rc.me.ID, version); err != nil {
		return err
	}
	s.setFlash(w, "flash.standard_acknowledged")
	redirect(w, r, localPath(r.PostForm.Get("next")))
	return nil
}

// standardFirst is where login sends an agent: to the service standard
// first when they have not acknowledged its current version, then on to
// next.
func (s *server) standardFirst(r *http.Request, agentID int64, next string) string {
	if s.goals == nil {
		return next
	}
	unread, err := s.goals.StandardUnread(r.Context(), agentID)
	if err != nil || !unread {
		return next
	}
	return "/standard?next=" + url.QueryEscape(next)
}

// adminStandardView is the data of the standard's admin page.
type adminStandardView struct {
	Languages []string
	Lang      string // the language being edited
	Body      string
	Written   map[string]bool // languages with a text
	Default   string          // the language shown when the reader's has none
}

// adminStandard serves GET /admin/standard?lang=: the standard's text in
// one language, to edit.
func (s *server) adminStandard(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderAdminStandard(w, r, rc, r.URL.Query().Get("lang"), nil, nil)
}

func (s *server) renderAdminStandard(w http.ResponseWriter, r *http.Request, rc *reqCtx, lang string, body *string, prob *problem) error {
	if !s.cat.Has(lang) {
		lang = rc.lang
	}
	all, err := s.goals.Standards(r.Context())
	if err != nil {
		return err
	}
	v := adminStandardView{Languages: s.cat.Languages(), Lang: lang, Written: map[string]bool{}, Default: s.goals.DefaultLanguage()}
	for _, st := range all {
		v.Written[st.Language] = true
		if st.Language == lang {
			v.Body = st.Body
		}
	}
	if body != nil {
		v.Body = *body
	}
	p := s.newPage(w, r, rc, "standard.admin_title")
	p.Nav = "standard"
	status := http.StatusOK
	if prob != nil {
		p.Problem, p.Form, status = prob, r.PostForm, prob.Status
	}
	p.Data = v
	s.render(w, r, status, "admin_standard", p)
	return nil
}

// adminStandardSave serves POST /admin/standard: saves the text of one
// language (empty removes it). Every save is a new version, shown again
// to every agent at their next login.
func (s *server) adminStandardSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	lang, body := r.PostForm.Get("lang"), r.PostForm.Get("body")
	if !s.cat.Has(lang) {
		prob, _ := s.asProblem(rc.lang, "standard", valid.Field("lang", valid.Msg("valid.language", "must be a language of the interface")))
		return s.renderAdminStandard(w, r, rc, rc.lang, &body, prob)
	}
	if _, err := s.goals.SaveStandard(r.Context(), lang, body, rc.me.ID); err != nil {
		prob, ok := s.asProblem(rc.lang, "standard", err)
		if !ok {
			return err
		}
		return s.renderAdminStandard(w, r, rc, lang, &body, prob)
	}
	s.setFlash(w, "flash.standard_saved")
	redirect(w, r, "/admin/standard?lang="+url.QueryEscape(lang))
	return nil
}
