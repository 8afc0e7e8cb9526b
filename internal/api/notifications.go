package api

import (
	"context"
	"net/http"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/valid"
)

// Notifications is the signed-in agent's notification list (sla.Service):
// the same list the web page shows and their mails are made from.
type Notifications interface {
	Unread(ctx context.Context, agentID int64, limit int) ([]sla.Notification, error)
	MarkRead(ctx context.Context, agentID, upTo int64) error
}

// errNoNotifications answers the notification routes on a server built
// without them.
var errNoNotifications = &apiError{status: http.StatusServiceUnavailable, code: "unavailable",
	message: "notifications are not enabled on this server"}

// notificationsListed is the most notifications GET /notifications returns.
const notificationsListed = 100

// notificationJSON is one notification as the API shows it.
type notificationJSON struct {
	ID            int64          `json:"id"`
	Kind          string         `json:"kind"`
	TicketID      int64          `json:"ticket_id,omitempty"`
	TicketSubject string         `json:"ticket_subject,omitempty"`
	Data          map[string]any `json:"data"`
	CreatedAt     *string        `json:"created_at"`
}

// listNotifications serves GET /notifications: the caller's unread
// notifications, newest first.
func (s *server) listNotifications(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	if s.notes == nil {
		return errNoNotifications
	}
	ns, err := s.notes.Unread(r.Context(), me.ID, notificationsListed)
	if err != nil {
		return err
	}
	out := struct {
		Data []notificationJSON `json:"data"`
	}{Data: []notificationJSON{}}
	for _, n := range ns {
		data := n.Data
		if data == nil {
			data = map[string]any{}
		}
		out.Data = append(out.Data, notificationJSON{ID: n.ID, Kind: n.Kind, TicketID: n.TicketID,
			TicketSubject: n.Subject, Data: data, CreatedAt: timeJSON(n.At)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// markReadRequest is the body of POST /notifications/read.
type markReadRequest struct {
	UpTo int64 `json:"up_to"`
}

// markNotificationsRead serves POST /notifications/read: the caller's
// notifications up to up_to (an id from the list) are read.
func (s *server) markNotificationsRead(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	if s.notes == nil {
		return errNoNotifications
	}
	var req markReadRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.UpTo <= 0 {
		return valid.Field("up_to", valid.Msg("valid.api_up_to", "give the id of the newest notification read"))
	}
	if err := s.notes.MarkRead(r.Context(), me.ID, req.UpTo); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
