package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/valid"
)

// tokensView is the API tokens card of the preferences page and the
// admins' list of everyone's tokens.
type tokensView struct {
	Tokens  []agent.Token
	Scopes  []agent.Scope // the scopes the reader may give a new token
	Secret  string        // a token just made, shown this once
	Admin   bool          // everyone's tokens, revoked through /admin/tokens
	AgentID int64         // the admin list filtered to one agent, 0 for all
}

// TokenScope names a scope in the reader's language.
func (p *page) TokenScope(sc agent.Scope) string { return p.label("tokens.scope.", string(sc)) }

// TokenRevoked says why a token ended, in the reader's language.
func (p *page) TokenRevoked(reason string) string { return p.label("tokens.revoked.", reason) }

// TokenLive reports whether t works now; templates show it beside each token.
func (p *page) TokenLive(t agent.Token) bool { return t.Live(p.Now) }

// ownTokens is the tokens card of the preferences page for rc's agent.
func (s *server) ownTokens(r *http.Request, rc *reqCtx, secret string) (tokensView, error) {
	ts, err := s.agents.Tokens(r.Context(), rc.me.ID)
	if err != nil {
		return tokensView{}, err
	}
	return tokensView{Tokens: ts, Scopes: rc.me.Role.AllowedScopes(), Secret: secret}, nil
}

// tokenCreate serves POST /preferences/tokens: a token for the signed-in
// agent, named, with the scopes ticked and an optional last day (in the
// agent's zone). The page shows the token once; it is not stored.
func (s *server) tokenCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	n := agent.NewToken{Name: r.PostForm.Get("name")}
	for _, v := range r.PostForm["scope"] {
		n.Scopes = append(n.Scopes, agent.Scope(v))
	}
	var err error
	if v := strings.TrimSpace(r.PostForm.Get("expires")); v != "" {
		day, perr := time.ParseInLocation("2006-01-02", v, s.agentZone(r.Context(), rc.me))
		if perr != nil {
			err = valid.Field("expires_at", valid.Msg("valid.date", "is not a date such as 2026-06-01"))
		}
		n.ExpiresAt = day.AddDate(0, 0, 1) // through the whole of that day
	}
	secret := ""
	if err == nil {
		secret, _, err = s.agents.MakeToken(r.Context(), rc.me.ID, n)
	}
	if err != nil {
		prob, ok := s.asProblem(rc.lang, "tokens", err)
		if !ok {
			return err
		}
		return s.renderPreferencesWith(w, r, rc, prob, "")
	}
	return s.renderPreferencesWith(w, r, rc, nil, secret)
}

// tokenRevokeOwn serves POST /preferences/tokens/{id}/revoke: the agent
// ends one of their own tokens (another's is not found).
func (s *server) tokenRevokeOwn(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	t, err := s.agents.GetToken(r.Context(), id)
	if err != nil {
		return err
	}
	if t.AgentID != rc.me.ID {
		return errNotFound
	}
	if _, err := s.agents.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	s.setFlash(w, "flash.token_revoked")
	redirect(w, r, "/preferences#tokens")
	return nil
}

// adminTokens serves GET /admin/tokens: everyone's API tokens (or one
// agent's, ?agent=ID), live first, for admins to revoke.
func (s *server) adminTokens(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var agentID int64
	if v := r.URL.Query().Get("agent"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return valid.Field("agent", valid.Msg("valid.choice", "is not one of the choices"))
		}
		agentID = id
	}
	ts, err := s.agents.Tokens(r.Context(), agentID)
	if err != nil {
		return err
	}
	p := s.newPage(w, r, rc, "tokens.admin_title")
	p.Nav = "agents"
	p.Data = tokensView{Tokens: ts, Admin: true, AgentID: agentID}
	s.render(w, r, http.StatusOK, "admin_tokens", p)
	return nil
}

// adminTokenRevoke serves POST /admin/tokens/{id}/revoke.
func (s *server) adminTokenRevoke(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	t, err := s.agents.RevokeToken(r.Context(), id)
	if err != nil {
		return err
	}
	s.setFlash(w, "flash.token_revoked")
	redirect(w, r, "/admin/tokens?agent="+strconv.FormatInt(t.AgentID, 10))
	return nil
}

// tokenTable is what the tokenRows template reads: the tokens and the page.
type tokenTable struct {
	Tok tokensView
	P   *page
}

// TokenTable pairs a list of tokens with the page, for tokenRows.
func (p *page) TokenTable(tv tokensView) tokenTable { return tokenTable{Tok: tv, P: p} }
