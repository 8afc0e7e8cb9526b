package web

import (
	"net/http"
)

// adminBusiness serves GET /admin/business: who the business is, as
// customers meet it: name, sender, logo, signature, time zone, the
// languages served and the register of each.
func (s *server) adminBusiness(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	biz, err := s.business.Profile(r.Context())
	if err != nil {
		return err
	}
	served := biz.Languages
	if len(served) == 0 {
		served = s.cat.Languages()
	}
	p := s.newPage(w, r, rc, "business_form.title")
	p.Nav = "business"
	p.Form = profileValues(biz)
	p.Data = newBusinessForm(served)
	s.render(w, r, http.StatusOK, "admin_business", p)
	return nil
}

// adminBusinessSave serves POST /admin/business: the whole profile at
// once; mail sent from now on uses it.
func (s *server) adminBusinessSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	old, err := s.business.Profile(r.Context())
	if err != nil {
		return err
	}
	in := profileForm(r.PostForm)
	in.SetUp = old.SetUp
	if _, err := s.business.Save(r.Context(), in); err != nil {
		prob, ok := s.asProblem(rc.lang, "business", err)
		if !ok {
			return err
		}
		p := s.newPage(w, r, rc, "business_form.title")
		p.Nav = "business"
		p.Problem, p.Form = prob, r.PostForm
		p.Data = newBusinessForm(in.Languages)
		s.render(w, r, prob.Status, "admin_business", p)
		return nil
	}
	s.setFlash(w, "flash.business_saved")
	redirect(w, r, "/admin/business")
	return nil
}

// BusinessOn reports whether the business settings page is there.
func (p *page) BusinessOn() bool { return p.s.business != nil }
