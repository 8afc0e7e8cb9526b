package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/rapport/rapport/internal/webhook"
)

// webhooksView is the data of the webhooks page.
type webhooksView struct {
	Webhooks []webhook.Webhook
	Events   []string
}

// webhookView is the data of one webhook's page.
type webhookView struct {
	Webhook    webhook.Webhook
	Events     []string
	Deliveries []webhook.Delivery
	Older      int64 // the before= of the next page of the log, 0 for none
}

// Subscribed reports whether the webhook's form has event ev ticked.
func (v webhookView) Subscribed(ev string) bool {
	for _, e := range v.Webhook.Events {
		if e == ev {
			return true
		}
	}
	return false
}

// adminWebhooks serves GET /admin/webhooks: every webhook and a form for a
// new one.
func (s *server) adminWebhooks(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderWebhooks(w, r, rc, nil)
}

func (s *server) renderWebhooks(w http.ResponseWriter, r *http.Request, rc *reqCtx, prob *problem) error {
	list, err := s.webhooks.List(r.Context())
	if err != nil {
		return err
	}
	p := s.newPage(w, r, rc, "webhooks.title")
	p.Nav = "webhooks"
	status := http.StatusOK
	if prob != nil {
		p.Problem, p.Form, status = prob, r.PostForm, prob.Status
	}
	p.Data = webhooksView{Webhooks: list, Events: webhook.Events}
	s.render(w, r, status, "admin_webhooks", p)
	return nil
}

// webhookInput reads a webhook's form.
func webhookInput(form url.Values) webhook.Input {
	return webhook.Input{URL: form.Get("url"), Description: form.Get("description"), Events: form["events"],
		Active: form.Get("active") == "1"}
}

// adminWebhookCreate serves POST /admin/webhooks.
func (s *server) adminWebhookCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	wh, err := s.webhooks.Create(r.Context(), webhookInput(r.PostForm))
	if err != nil {
		prob, ok := s.asProblem(rc.lang, "webhook-new", err)
		if !ok {
			return err
		}
		return s.renderWebhooks(w, r, rc, prob)
	}
	s.setFlash(w, "flash.webhook_created")
	redirect(w, r, "/admin/webhooks/"+strconv.FormatInt(wh.ID, 10))
	return nil
}

// adminWebhookPage serves GET /admin/webhooks/{id}: the webhook's form,
// its secret, and its delivery log (?before=ID pages on).
func (s *server) adminWebhookPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderWebhook(w, r, rc, id, nil)
}

func (s *server) renderWebhook(w http.ResponseWriter, r *http.Request, rc *reqCtx, id int64, prob *problem) error {
	wh, err := s.webhooks.Get(r.Context(), id)
	if err != nil {
		return err
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	const shown = 50
	ds, err := s.webhooks.Deliveries(r.Context(), id, max(before, 0), shown)
	if err != nil {
		return err
	}
	v := webhookView{Webhook: wh, Events: webhook.Events, Deliveries: ds}
	if len(ds) == shown {
		v.Older = ds[len(ds)-1].ID
	}
	p := s.newPage(w, r, rc, "webhooks.title")
	p.Nav = "webhooks"
	status := http.StatusOK
	if prob != nil {
		p.Problem, p.Form, status = prob, r.PostForm, prob.Status
		v.Webhook.Events = r.PostForm["events"]
	}
	p.Data = v
	s.render(w, r, status, "admin_webhook", p)
	return nil
}

// adminWebhookUpdate serves POST /admin/webhooks/{id}.
func (s *server) adminWebhookUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.webhooks.Update(r.Context(), id, webhookInput(r.PostForm)); err != nil {
		prob, ok := s.asProblem(rc.lang, "webhook-edit", err)
		if !ok {
			return err
		}
		return s.renderWebhook(w, r, rc, id, prob)
	}
	s.setFlash(w, "flash.webhook_saved")
	redirect(w, r, "/admin/webhooks/"+strconv.FormatInt(id, 10))
	return nil
}

// adminWebhookRotate serves POST /admin/webhooks/{id}/rotate: a new secret.
func (s *server) adminWebhookRotate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.webhooks.RotateSecret(r.Context(), id); err != nil {
		return err
	}
	s.setFlash(w, "flash.webhook_rotated")
	redirect(w, r, "/admin/webhooks/"+strconv.FormatInt(id, 10))
	return nil
}

// adminWebhookPing serves POST /admin/webhooks/{id}/ping: a test event.
func (s *server) adminWebhookPing(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.webhooks.Ping(r.Context(), id); err != nil {
		return err
	}
	s.setFlash(w, "flash.webhook_pinged")
	redirect(w, r, "/admin/webhooks/"+strconv.FormatInt(id, 10))
	return nil
}

// adminWebhookDelete serves POST /admin/webhooks/{id}/delete.
func (s *server) adminWebhookDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.webhooks.Delete(r.Context(), id); err != nil {
		return err
	}
	s.setFlash(w, "flash.webhook_deleted")
	redirect(w, r, "/admin/webhooks")
	return nil
}

// adminWebhookReplay serves POST /admin/webhooks/{id}/deliveries/{delivery}/replay.
func (s *server) adminWebhookReplay(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	did, err := pathID(r, "delivery")
	if err != nil {
		return err
	}
	if _, err := s.webhooks.Replay(r.Context(), id, did); err != nil {
		return err
	}
	s.setFlash(w, "flash.webhook_replayed")
	redirect(w, r, "/admin/webhooks/"+strconv.FormatInt(id, 10))
	return nil
}

// WebhooksOn reports whether the webhooks pages are there.
func (p *page) WebhooksOn() bool { return p.s.webhooks != nil }

// WebhookEvent names a webhook event type in the page's language.
func (p *page) WebhookEvent(ev string) string { return p.T("webhooks.event." + ev) }

// DeliveryStatus names a delivery's status in the page's language.
func (p *page) DeliveryStatus(st string) string { return p.T("webhooks.status." + st) }
