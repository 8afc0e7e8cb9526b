package api

import (
	"net/http"
	"strings"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/sso"
)

// errNoSSO answers the single sign-on routes on a server without them.
var errNoSSO = &apiError{status: http.StatusServiceUnavailable, code: "unavailable",
	message: "single sign-on is not enabled on this server"}

// ssoProviderJSON is one OpenID provider. The client secret is never
// returned: client_secret_set says whether one is stored, and
// client_secret_masked shows its last characters.
type ssoProviderJSON struct {
	ID                 int64         `json:"id"`
	Name               string        `json:"name"`
	Issuer             string        `json:"issuer"`
	ClientID           string        `json:"client_id"`
	ClientSecretSet    bool          `json:"client_secret_set"`
	ClientSecretMasked string        `json:"client_secret_masked"`
	Scopes             []string      `json:"scopes"`
	RoleClaim          string        `json:"role_claim"`
	RoleRules          []ssoRuleJSON `json:"role_rules"`
	JIT                bool          `json:"jit"`
	DefaultRole        string        `json:"default_role"`
	DefaultTeamID      *int64        `json:"default_team_id"`
	AllowedDomains     []string      `json:"allowed_domains"`
	Active             bool          `json:"active"`
	CallbackURL        string        `json:"callback_url"`
	CreatedAt          *string       `json:"created_at"`
	UpdatedAt          *string       `json:"updated_at"`
}

// ssoRuleJSON is one role rule: a value of the role claim and the role it gives.
type ssoRuleJSON struct {
	Value string `json:"value"`
	Role  string `json:"role"`
}

func (s *server) toSSOProviderJSON(p sso.Provider) ssoProviderJSON {
	out := ssoProviderJSON{ID: p.ID, Name: p.Name, Issuer: p.Issuer, ClientID: p.ClientID,
		ClientSecretSet: p.ClientSecret != "", ClientSecretMasked: p.SecretMasked(), Scopes: p.Scopes,
		RoleClaim: p.RoleClaim, RoleRules: []ssoRuleJSON{}, JIT: p.JIT, DefaultRole: string(p.DefaultRole),
		AllowedDomains: p.AllowedDomains, Active: p.Active, CallbackURL: s.sso.CallbackURL(),
		CreatedAt: timeJSON(p.CreatedAt), UpdatedAt: timeJSON(p.UpdatedAt)}
	if out.AllowedDomains == nil {
		out.AllowedDomains = []string{}
	}
	for _, r := range p.Rules {
		out.RoleRules = append(out.RoleRules, ssoRuleJSON{Value: r.Value, Role: string(r.Role)})
	}
	if p.DefaultTeamID != 0 {
		id := p.DefaultTeamID
		out.DefaultTeamID = &id
	}
	return out
}

// ssoProviderRequest is the body of POST /sso/providers and PUT
// /sso/providers/{id}. An empty or absent client_secret keeps the stored
// one on PUT; active defaults to true.
type ssoProviderRequest struct {
	Name           string        `json:"name"`
	Issuer         string        `json:"issuer"`
	ClientID       string        `json:"client_id"`
	ClientSecret   string        `json:"client_secret"`
	Scopes         []string      `json:"scopes"`
	RoleClaim      string        `json:"role_claim"`
	RoleRules      []ssoRuleJSON `json:"role_rules"`
	JIT            bool          `json:"jit"`
	DefaultRole    string        `json:"default_role"`
	DefaultTeamID  int64         `json:"default_team_id"`
	AllowedDomains []string      `json:"allowed_domains"`
	Active         *bool         `json:"active"`
}

func (q ssoProviderRequest) input() sso.Input {
	rules := make([]sso.Rule, 0, len(q.RoleRules))
	for _, r := range q.RoleRules {
		rules = append(rules, sso.Rule{Value: r.Value, Role: agent.Role(r.Role)})
	}
	return sso.Input{Name: q.Name, Issuer: q.Issuer, ClientID: q.ClientID, ClientSecret: q.ClientSecret,
		Scopes: strings.Join(q.Scopes, " "), RoleClaim: q.RoleClaim, Rules: sso.FormatRules(rules), JIT: q.JIT,
		DefaultRole: q.DefaultRole, DefaultTeamID: q.DefaultTeamID, AllowedDomains: strings.Join(q.AllowedDomains, " "),
		Active: q.Active == nil || *q.Active}
}

// listSSOProviders serves GET /sso/providers.
func (s *server) listSSOProviders(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.sso == nil {
		return errNoSSO
	}
	list, err := s.sso.List(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(list, s.toSSOProviderJSON, ""))
	return nil
}

// getSSOProvider serves GET /sso/providers/{id}.
func (s *server) getSSOProvider(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.sso == nil {
		return errNoSSO
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := s.sso.Get(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.toSSOProviderJSON(p))
	return nil
}

// createSSOProvider serves POST /sso/providers.
func (s *server) createSSOProvider(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.sso == nil {
		return errNoSSO
	}
	var req ssoProviderRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	p, err := s.sso.Create(r.Context(), req.input())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, s.toSSOProviderJSON(p))
	return nil
}

// updateSSOProvider serves PUT /sso/providers/{id}.
func (s *server) updateSSOProvider(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.sso == nil {
		return errNoSSO
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req ssoProviderRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	p, err := s.sso.Update(r.Context(), id, req.input())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.toSSOProviderJSON(p))
	return nil
}

// deleteSSOProvider serves DELETE /sso/providers/{id}.
func (s *server) deleteSSOProvider(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.sso == nil {
		return errNoSSO
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.sso.Delete(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// twoFactorRolesJSON is the body of GET and PUT /settings/two-factor: the
// roles whose agents must use two-factor authentication, as admins set
// them (the server's --require-2fa-roles come on top).
type twoFactorRolesJSON struct {
	Roles []string `json:"roles"`
}

// getTwoFactorRoles serves GET /settings/two-factor.
func (s *server) getTwoFactorRoles(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	roles, err := s.agents.TwoFactorRoles(r.Context())
	if err != nil {
		return err
	}
	out := twoFactorRolesJSON{Roles: []string{}}
	for _, role := range roles {
		out.Roles = append(out.Roles, string(role))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// putTwoFactorRoles serves PUT /settings/two-factor.
func (s *server) putTwoFactorRoles(w http.ResponseWriter, r *http.Request, a agent.Agent) error {
	var req twoFactorRolesJSON
	if err := decode(r, &req); err != nil {
		return err
	}
	roles := []agent.Role{}
	for _, role := range req.Roles {
		roles = append(roles, agent.Role(role))
	}
	if err := s.agents.SetTwoFactorRoles(r.Context(), roles); err != nil {
		return err
	}
	return s.getTwoFactorRoles(w, r, a)
}
