package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/sso"
)

// ssoAdminView is the data of the sign-in settings page: the roles that
// must use two-factor authentication and the single sign-on providers,
// with one provider's form open for editing (Edit) or the form for a new one.
type ssoAdminView struct {
	Roles       []agent.Role
	Required    []agent.Role // the admins' setting
	Floor       []agent.Role // --require-2fa-roles: required whatever the setting
	Providers   []sso.Provider
	Teams       []agent.Team
	CallbackURL string
	Edit        *sso.Provider
}

// RoleRequired reports whether role must use two-factor authentication.
func (v ssoAdminView) RoleRequired(role agent.Role) bool {
	return slices.Contains(v.Required, role) || slices.Contains(v.Floor, role)
}

// RoleFloor reports whether the server's configuration requires role's
// two-factor authentication, so the setting cannot lower it.
func (v ssoAdminView) RoleFloor(role agent.Role) bool { return slices.Contains(v.Floor, role) }

// SSOOn reports whether the single sign-on page is there.
func (p *page) SSOOn() bool { return p.s.sso != nil }

func (s *server) ssoAdminData(r *http.Request) (ssoAdminView, error) {
	v := ssoAdminView{Roles: agent.Roles, CallbackURL: s.sso.CallbackURL()}
	var err error
	if v.Required, err = s.agents.TwoFactorRoles(r.Context()); err != nil {
		return v, err
	}
	for _, role := range agent.Roles {
		if s.require2FA[role] {
			v.Floor = append(v.Floor, role)
		}
	}
	if v.Providers, err = s.sso.List(r.Context()); err != nil {
		return v, err
	}
	v.Teams, err = s.agents.ListTeams(r.Context())
	return v, err
}

// adminSSO serves GET /admin/sso: two-factor authentication by role and
// the single sign-on providers.
func (s *server) adminSSO(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderSSO(w, r, rc, nil, nil)
}

func (s *server) renderSSO(w http.ResponseWriter, r *http.Request, rc *reqCtx, edit *sso.Provider, prob *problem) error {
	v, err := s.ssoAdminData(r)
	if err != nil {
		return err
	}
	v.Edit = edit
	p := s.newPage(w, r, rc, "sso.title")
	p.Nav = "sso"
	status := http.StatusOK
	if prob != nil {
		p.Problem, p.Form, status = prob, r.PostForm, prob.Status
	}
	p.Data = v
	s.render(w, r, status, "admin_sso", p)
	return nil
}

// ssoInput reads a provider's form.
func ssoInput(form url.Values) sso.Input {
	team, _ := strconv.ParseInt(form.Get("default_team_id"), 10, 64)
	return sso.Input{Name: form.Get("name"), Issuer: form.Get("issuer"), ClientID: form.Get("client_id"),
		ClientSecret: form.Get("client_secret"), Scopes: form.Get("scopes"), RoleClaim: form.Get("role_claim"),
		Rules: form.Get("role_rules"), JIT: form.Get("jit") == "1", DefaultRole: form.Get("default_role"),
		DefaultTeamID: team, AllowedDomains: form.Get("allowed_domains"), Active: form.Get("active") == "1"}
}

// adminSSOCreate serves POST /admin/sso: a new provider.
func (s *server) adminSSOCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if _, err := s.sso.Create(r.Context(), ssoInput(r.PostForm)); err != nil {
		prob, ok := s.asProblem(rc.lang, "sso-provider", err)
		if !ok {
			return err
		}
		return s.renderSSO(w, r, rc, nil, prob)
	}
	s.setFlash(w, "flash.sso_saved")
	redirect(w, r, "/admin/sso")
	return nil
}

// adminSSOPage serves GET /admin/sso/{id}: the page with provider id's form.
func (s *server) adminSSOPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.sso.Get(r.Context(), id)
	if err != nil {
		return err
	}
	return s.renderSSO(w, r, rc, &p, nil)
}

// adminSSOUpdate serves POST /admin/sso/{id}.
func (s *server) adminSSOUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.sso.Update(r.Context(), id, ssoInput(r.PostForm)); err != nil {
		prob, ok := s.asProblem(rc.lang, "sso-provider", err)
		if !ok {
			return err
		}
		p, gerr := s.sso.Get(r.Context(), id)
		if gerr != nil {
			return gerr
		}
		return s.renderSSO(w, r, rc, &p, prob)
	}
	s.setFlash(w, "flash.sso_saved")
	redirect(w, r, "/admin/sso")
	return nil
}

// adminSSODelete serves POST /admin/sso/{id}/delete.
func (s *server) adminSSODelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.sso.Delete(r.Context(), id); err != nil {
		return err
	}
	s.setFlash(w, "flash.sso_deleted")
	redirect(w, r, "/admin/sso")
	return nil
}

// adminTwoFactorRoles serves POST /admin/two-factor-roles: the roles that
// must use two-factor authentication.
func (s *server) adminTwoFactorRoles(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	roles := []agent.Role{}
	for _, v := range r.PostForm["roles"] {
		roles = append(roles, agent.Role(v))
	}
	if err := s.agents.SetTwoFactorRoles(r.Context(), roles); err != nil {
		prob, ok := s.asProblem(rc.lang, "two-factor-roles", err)
		if !ok {
			return err
		}
		return s.renderSSO(w, r, rc, nil, prob)
	}
	s.setFlash(w, "flash.twofactor_roles_saved")
	redirect(w, r, "/admin/sso")
	return nil
}
