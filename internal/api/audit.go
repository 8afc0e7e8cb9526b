package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/valid"
)

// auditJSON is one row of the audit log.
type auditJSON struct {
	ID         int64           `json:"id"`
	At         *string         `json:"at"`
	AgentID    *int64          `json:"agent_id"` // null: the system
	AgentName  string          `json:"agent_name"`
	TokenID    *int64          `json:"token_id"` // null: a browser session or the system
	TokenName  string          `json:"token_name"`
	Action     string          `json:"action"`
	TargetKind string          `json:"target_kind"`
	TargetID   string          `json:"target_id"`
	Before     json.RawMessage `json:"before"`
	After      json.RawMessage `json:"after"`
	Addr       string          `json:"addr"`
}

func rawOrNull(s string) json.RawMessage {
	if s == "" {
		return json.RawMessage("null")
	}
	return json.RawMessage(s)
}

func toAuditJSON(r audit.Row) auditJSON {
	return auditJSON{ID: r.ID, At: timeJSON(r.At), AgentID: idJSON(r.AgentID), AgentName: r.AgentName,
		TokenID: idJSON(r.TokenID), TokenName: r.TokenName, Action: r.Action, TargetKind: r.TargetKind,
		TargetID: r.TargetID, Before: rawOrNull(r.Before), After: rawOrNull(r.After), Addr: r.Addr}
}

var errNoAudit = &apiError{status: http.StatusServiceUnavailable, code: "unavailable",
	message: "the audit log is not enabled on this server"}

// auditMaxLimit is the most rows one page of GET /audit holds.
const auditMaxLimit = 500

// listAudit serves GET /audit (admins), newest first, filtered by
// agent_id, action (or its area: "token"), target_kind, target_id, from and
// to (RFC 3339; to exclusive); paged by limit and the next_cursor offset.
func (s *server) listAudit(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.audit == nil {
		return errNoAudit
	}
	q := newQuery(r)
	f := audit.Filter{AgentID: q.id("agent_id"), Action: q.str("action"), TargetKind: q.str("target_kind"),
		TargetID: q.str("target_id"), Limit: q.limit(auditMaxLimit)}
	if f.Limit == 0 {
		f.Limit = 50
	}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.Until} {
		if v := q.str(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				q.errs.Add(name, valid.Msg("valid.api_time", "is not a time such as 2026-06-01T00:00:00Z"))
				continue
			}
			*dst = t
		}
	}
	if c := q.str("cursor"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 {
			q.errs.Add("cursor", valid.Msg("valid.cursor", "is not a cursor from a previous page"))
		}
		f.Offset = n
	}
	if err := q.err(); err != nil {
		return err
	}
	rows, err := s.audit.List(r.Context(), f)
	if err != nil {
		return err
	}
	next := ""
	if len(rows) == f.Limit {
		next = strconv.Itoa(f.Offset + len(rows))
	}
	writeJSON(w, http.StatusOK, newList(rows, toAuditJSON, next))
	return nil
}
