package web

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/i18n"
)

// businessZone is the business's time zone: the one an agent or customer
// who set none reads times in. UTC without a business service, or when
// its profile cannot be read (logged: times still show, in UTC).
func (s *server) businessZone(ctx context.Context) *time.Location {
	if s.business == nil {
		return time.UTC
	}
	p, err := s.business.Profile(ctx)
	if err != nil {
		s.log.Warn("business profile not read; times in UTC", slog.Any("error", err))
		return time.UTC
	}
	return p.Location()
}

// agentZone is the zone agent a reads times in: their own, else the
// business's.
func (s *server) agentZone(ctx context.Context, a agent.Agent) *time.Location {
	if a.TimeZone != "" {
		return i18n.ZoneOr(a.TimeZone, time.UTC)
	}
	return s.businessZone(ctx)
}

// customerZone is the zone customer c is told times in: their own when
// known, else the business's.
func (s *server) customerZone(ctx context.Context, c customer.Customer) *time.Location {
	if c.TimeZone != "" {
		return i18n.ZoneOr(c.TimeZone, time.UTC)
	}
	return s.businessZone(ctx)
}

// preferencesZone serves POST /preferences/time-zone: the page's script
// sends the browser's IANA zone once, for an agent who has none, so that
// times show in it from the next page on. An agent who has chosen a zone
// keeps it (the script sends nothing then; a stale page that still does
// changes nothing). Answers 204; a name that is not a zone is a 422.
func (s *server) preferencesZone(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if rc.me.TimeZone != "" {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	zone := strings.TrimSpace(r.PostForm.Get("time_zone"))
	if _, err := s.agents.Update(r.Context(), rc.me.ID, agent.AgentUpdate{TimeZone: &zone}); err != nil {
		if prob, ok := s.asProblem(rc.lang, "time_zone", err); ok {
			http.Error(w, prob.Message, http.StatusUnprocessableEntity)
			return nil
		}
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
