package web

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/rapport/rapport/internal/realtime"
	"github.com/rapport/rapport/internal/ticket"
)

// presenceLine is one colleague on the ticket, as the page script shows it.
type presenceLine struct {
	Name  string `json:"name"`
	State string `json:"state"`
	Text  string `json:"text"`
}

// ticketPresence serves POST /tickets/{id}/presence, the ticket page's
// heartbeat: it records that the agent is viewing the ticket or writing a
// reply ("state": viewing, replying, or left when the page closes) and
// answers with who else is on it, so two agents do not answer the same
// customer at once (the collision warning).
func (s *server) ticketPresence(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	state := r.PostForm.Get("state")
	switch state {
	case ticket.Viewing, ticket.Replying:
	case "left":
		state = ""
	default:
		http.Error(w, "state must be viewing, replying or left", http.StatusBadRequest)
		return nil
	}
	if err := s.tickets.SetPresence(r.Context(), id, rc.me.ID, state); err != nil {
		return err
	}
	// A change (the page opened, a reply begun, the page left; the script
	// says so with change=1, its heartbeats do not) is told to the
	// colleagues who have the ticket open, so their warning shows at once.
	if s.live != nil && (state == "" || r.PostForm.Get("change") == "1") {
		if err := s.live.Publish(r.Context(), realtime.Event{Kind: realtime.KindPresence, Ticket: id, Agent: rc.me.ID}); err != nil {
			s.log.Warn("presence not published", "ticket_id", id, slog.Any("error", err))
		}
	}
	others, err := s.tickets.Presence(r.Context(), id, rc.me.ID)
	if err != nil {
		return err
	}
	out := []presenceLine{}
	for _, p := range others {
		out = append(out, presenceLine{Name: p.Name, State: p.State, Text: s.cat.T(rc.lang, "presence."+p.State, p.Name)})
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(map[string]any{"others": out})
}
