package api

import (
	"net/http"
	"strconv"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/webhook"
)

// errNoWebhooks answers the webhook routes on a server without them.
var errNoWebhooks = &apiError{status: http.StatusServiceUnavailable, code: "unavailable",
	message: "webhooks are not enabled on this server"}

// webhookJSON is one webhook.
type webhookJSON struct {
	ID             int64    `json:"id"`
	URL            string   `json:"url"`
	Description    string   `json:"description"`
	Events         []string `json:"events"`
	Secret         string   `json:"secret"`
	Active         bool     `json:"active"`
	Failing        int      `json:"failing"`
	DisabledReason string   `json:"disabled_reason"`
	CreatedAt      *string  `json:"created_at"`
	UpdatedAt      *string  `json:"updated_at"`
}

func toWebhookJSON(w webhook.Webhook) webhookJSON {
	return webhookJSON{ID: w.ID, URL: w.URL, Description: w.Description, Events: w.Events, Secret: w.Secret,
		Active: w.Active, Failing: w.Failing, DisabledReason: w.DisabledReason,
		CreatedAt: timeJSON(w.CreatedAt), UpdatedAt: timeJSON(w.UpdatedAt)}
}

// deliveryJSON is one delivery of a webhook.
type deliveryJSON struct {
	ID            int64   `json:"id"`
	WebhookID     int64   `json:"webhook_id"`
	MessageID     string  `json:"message_id"`
	EventType     string  `json:"event_type"`
	Payload       string  `json:"payload"`
	Status        string  `json:"status"`
	Attempts      int     `json:"attempts"`
	ResponseCode  int     `json:"response_code"`
	Error         string  `json:"error"`
	CreatedAt     *string `json:"created_at"`
	LastAttemptAt *string `json:"last_attempt_at"`
	DeliveredAt   *string `json:"delivered_at"`
}

func toDeliveryJSON(d webhook.Delivery) deliveryJSON {
	return deliveryJSON{ID: d.ID, WebhookID: d.WebhookID, MessageID: d.MessageID, EventType: d.EventType, Payload: d.Payload,
		Status: d.Status, Attempts: d.Attempts, ResponseCode: d.ResponseCode, Error: d.Error,
		CreatedAt: timeJSON(d.CreatedAt), LastAttemptAt: timeJSON(d.LastAttemptAt), DeliveredAt: timeJSON(d.DeliveredAt)}
}

// webhookRequest is the body of POST /webhooks and PUT /webhooks/{id}.
// Active defaults to true when it is left out.
type webhookRequest struct {
	URL         string   `json:"url"`
	Description string   `json:"description"`
	Events      []string `json:"events"`
	Active      *bool    `json:"active"`
}

func (q webhookRequest) input() webhook.Input {
	return webhook.Input{URL: q.URL, Description: q.Description, Events: q.Events, Active: q.Active == nil || *q.Active}
}

// listWebhooks serves GET /webhooks.
func (s *server) listWebhooks(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.webhooks == nil {
		return errNoWebhooks
	}
	list, err := s.webhooks.List(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(list, toWebhookJSON, ""))
	return nil
}

// getWebhook serves GET /webhooks/{id}.
func (s *server) getWebhook(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.webhooks == nil {
		return errNoWebhooks
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	wh, err := s.webhooks.Get(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toWebhookJSON(wh))
	return nil
}

// createWebhook serves POST /webhooks.
func (s *server) createWebhook(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.webhooks == nil {
		return errNoWebhooks
	}
	var req webhookRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	wh, err := s.webhooks.Create(r.Context(), req.input())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toWebhookJSON(wh))
	return nil
}

// updateWebhook serves PUT /webhooks/{id}.
func (s *server) updateWebhook(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.webhooks == nil {
		return errNoWebhooks
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req webhookRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	wh, err := s.webhooks.Update(r.Context(), id, req.input())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toWebhookJSON(wh))
	return nil
}

// deleteWebhook serves DELETE /webhooks/{id}.
func (s *server) deleteWebhook(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.webhooks == nil {
		return errNoWebhooks
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.webhooks.Delete(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// rotateWebhookSecret serves POST /webhooks/{id}/rotate-secret.
func (s *server) rotateWebhookSecret(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.webhooks == nil {
		return errNoWebhooks
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	wh, err := s.webhooks.RotateSecret(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toWebhookJSON(wh))
	return nil
}

// pingWebhook serves POST /webhooks/{id}/ping: a test event.
func (s *server) pingWebhook(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.webhooks == nil {
		return errNoWebhooks
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := s.webhooks.Ping(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, toDeliveryJSON(d))
	return nil
}

// listWebhookDeliveries serves GET /webhooks/{id}/deliveries: newest
// first, 50 a page; ?before=ID pages on.
func (s *server) listWebhookDeliveries(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.webhooks == nil {
		return errNoWebhooks
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := s.webhooks.Get(r.Context(), id); err != nil {
		return err
	}
	var before int64
	if v := r.URL.Query().Get("before"); v != "" {
		if before, err = strconv.ParseInt(v, 10, 64); err != nil || before <= 0 {
			return &apiError{status: http.StatusBadRequest, code: "invalid_parameter", message: "before must be a delivery id"}
		}
	}
	list, err := s.webhooks.Deliveries(r.Context(), id, before, 50)
	if err != nil {
		return err
	}
	next := ""
	if len(list) == 50 {
		next = strconv.FormatInt(list[len(list)-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, newList(list, toDeliveryJSON, next))
	return nil
}

// replayWebhookDelivery serves POST /webhooks/{id}/deliveries/{delivery}/replay.
func (s *server) replayWebhookDelivery(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.webhooks == nil {
		return errNoWebhooks
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	did, err := strconv.ParseInt(r.PathValue("delivery"), 10, 64)
	if err != nil || did <= 0 {
		return errNotFound
	}
	d, err := s.webhooks.Replay(r.Context(), id, did)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, toDeliveryJSON(d))
	return nil
}
