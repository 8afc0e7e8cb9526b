package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/valid"
)

// tokenJSON is an API token as listed: never its secret.
type tokenJSON struct {
	ID            int64    `json:"id"`
	AgentID       int64    `json:"agent_id"`
	AgentName     string   `json:"agent_name"`
	Name          string   `json:"name"`
	Scopes        []string `json:"scopes"`
	CreatedAt     *string  `json:"created_at"`
	ExpiresAt     *string  `json:"expires_at"`
	LastUsedAt    *string  `json:"last_used_at"`
	LastUsedAddr  string   `json:"last_used_addr"`
	RevokedAt     *string  `json:"revoked_at"`
	RevokedReason string   `json:"revoked_reason"`
}

func toTokenJSON(t agent.Token) tokenJSON {
	sc := make([]string, len(t.Scopes))
	for i, s := range t.Scopes {
		sc[i] = string(s)
	}
	return tokenJSON{ID: t.ID, AgentID: t.AgentID, AgentName: t.AgentName, Name: t.Name, Scopes: sc,
		CreatedAt: timeJSON(t.CreatedAt), ExpiresAt: timeJSON(t.ExpiresAt), LastUsedAt: timeJSON(t.LastUsedAt),
		LastUsedAddr: t.LastUsedAddr, RevokedAt: timeJSON(t.RevokedAt), RevokedReason: t.RevokedReason}
}

// listTokens serves GET /tokens: the caller's own tokens, live first.
func (s *server) listTokens(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	ts, err := s.agents.Tokens(r.Context(), me.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(ts, toTokenJSON, ""))
	return nil
}

// createTokenRequest is the body of POST /tokens.
type createTokenRequest struct {
	Name      string   `json:"name"`
	Scopes    []string `json:"scopes"`
	ExpiresAt string   `json:"expires_at"` // RFC 3339; "" never
}

// createTokenResponse is a new token: the listing and, this once, the secret.
type createTokenResponse struct {
	tokenJSON
	Token string `json:"token"`
}

// createToken serves POST /tokens: a token for the caller, with scopes the
// calling token holds itself (a token cannot make a stronger one).
func (s *server) createToken(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	var req createTokenRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	errs := valid.Errors{}
	n := agent.NewToken{Name: req.Name}
	caller := requestToken(r)
	for _, sc := range req.Scopes {
		parsed, err := agent.ParseScopes(sc)
		if err != nil || len(parsed) != 1 {
			errs.Add("scopes", "each must be read, write or admin")
			continue
		}
		if !caller.Has(parsed[0]) {
			errs.Add("scopes", "may hold only the scopes of the token making it")
			continue
		}
		n.Scopes = append(n.Scopes, parsed[0])
	}
	if req.ExpiresAt != "" {
		t, err := time.Parse(time.RFC3339, strings.TrimSpace(req.ExpiresAt))
		if err != nil {
			errs.Add("expires_at", "is not a time such as 2026-06-01T00:00:00Z")
		}
		n.ExpiresAt = t
	}
	if err := errs.Err(); err != nil {
		return err
	}
	secret, t, err := s.agents.MakeToken(r.Context(), me.ID, n)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/tokens/"+strconv.FormatInt(t.ID, 10))
	writeJSON(w, http.StatusCreated, createTokenResponse{tokenJSON: toTokenJSON(t), Token: secret})
	return nil
}

// revokeToken serves DELETE /tokens/{id}: the caller ends one of their own
// tokens (another's is a 404, as if it did not exist).
func (s *server) revokeToken(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	t, err := s.agents.GetToken(r.Context(), id)
	if err != nil {
		return err
	}
	if t.AgentID != me.ID {
		return errNotFound
	}
	if t, err = s.agents.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toTokenJSON(t))
	return nil
}

// agentTokens serves GET /agents/{id}/tokens (admins): anyone's tokens.
func (s *server) agentTokens(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := s.agents.Get(r.Context(), id); err != nil {
		return err
	}
	ts, err := s.agents.Tokens(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(ts, toTokenJSON, ""))
	return nil
}

// revokeAgentToken serves DELETE /agents/{id}/tokens/{token} (admins).
func (s *server) revokeAgentToken(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	tid, err := strconv.ParseInt(r.PathValue("token"), 10, 64)
	if err != nil || tid <= 0 {
		return errNotFound
	}
	t, err := s.agents.GetToken(r.Context(), tid)
	if err != nil {
		return err
	}
	if t.AgentID != id {
		return errNotFound
	}
	if t, err = s.agents.RevokeToken(r.Context(), tid); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toTokenJSON(t))
	return nil
}
