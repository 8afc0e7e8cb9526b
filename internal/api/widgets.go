package api

import (
	"net/http"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/chat"
)

// errNoWidgets answers the widget routes on a server without live chat.
var errNoWidgets = &apiError{status: http.StatusServiceUnavailable, code: "unavailable",
	message: "live chat is not enabled on this server"}

// widgetJSON is one live-chat widget with the tag to paste.
type widgetJSON struct {
	ID         int64    `json:"id"`
	Key        string   `json:"key"`
	Name       string   `json:"name"`
	Origins    []string `json:"origins"`
	Secret     string   `json:"secret"`
	Color      string   `json:"color"`
	Position   string   `json:"position"`
	PreChat    bool     `json:"prechat"`
	Language   string   `json:"language"`
	CalendarID int64    `json:"calendar_id"`
	Snippet    string   `json:"snippet"`
	CreatedAt  *string  `json:"created_at"`
	UpdatedAt  *string  `json:"updated_at"`
}

func toWidgetJSON(r *http.Request, w chat.Widget) widgetJSON {
	scheme := "http://"
	if r.TLS != nil {
		scheme = "https://"
	}
	origins := w.Origins
	if origins == nil {
		origins = []string{}
	}
	return widgetJSON{ID: w.ID, Key: w.Key, Name: w.Name, Origins: origins, Secret: w.Secret, Color: w.Color,
		Position: w.Position, PreChat: w.PreChat, Language: w.Language, CalendarID: w.CalendarID,
		Snippet:   `<script src="` + scheme + r.Host + `/widget.js" data-widget="` + w.Key + `" async></script>`,
		CreatedAt: timeJSON(w.CreatedAt), UpdatedAt: timeJSON(w.UpdatedAt)}
}

// widgetRequest is the body of POST /widgets and PUT /widgets/{id}.
// PreChat defaults to true when it is left out.
type widgetRequest struct {
	Name       string   `json:"name"`
	Origins    []string `json:"origins"`
	Color      string   `json:"color"`
	Position   string   `json:"position"`
	PreChat    *bool    `json:"prechat"`
	Language   string   `json:"language"`
	CalendarID int64    `json:"calendar_id"`
}

func (q widgetRequest) widget(id int64) chat.Widget {
	return chat.Widget{ID: id, Name: q.Name, Origins: append([]string(nil), q.Origins...), Color: q.Color, Position: q.Position,
		PreChat: q.PreChat == nil || *q.PreChat, Language: q.Language, CalendarID: q.CalendarID}
}

// listWidgets serves GET /widgets.
func (s *server) listWidgets(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.chat == nil {
		return errNoWidgets
	}
	list, err := s.chat.Widgets(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(list, func(wd chat.Widget) widgetJSON { return toWidgetJSON(r, wd) }, ""))
	return nil
}

// createWidget serves POST /widgets.
func (s *server) createWidget(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.chat == nil {
		return errNoWidgets
	}
	var req widgetRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	wd, err := s.chat.CreateWidget(r.Context(), req.widget(0))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toWidgetJSON(r, wd))
	return nil
}

// updateWidget serves PUT /widgets/{id}.
func (s *server) updateWidget(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.chat == nil {
		return errNoWidgets
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req widgetRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	wd, err := s.chat.UpdateWidget(r.Context(), req.widget(id))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toWidgetJSON(r, wd))
	return nil
}

// deleteWidget serves DELETE /widgets/{id}.
func (s *server) deleteWidget(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.chat == nil {
		return errNoWidgets
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.chat.DeleteWidget(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// rotateWidgetSecret serves POST /widgets/{id}/rotate-secret.
func (s *server) rotateWidgetSecret(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.chat == nil {
		return errNoWidgets
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.chat.RotateSecret(r.Context(), id); err != nil {
		return err
	}
	wd, err := s.chat.WidgetByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toWidgetJSON(r, wd))
	return nil
}
