package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/rapport/rapport/internal/chat"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/widget"
)

// widgetsView is the data of the live-chat widgets page.
type widgetsView struct {
	Widgets   []widgetRow
	Base      string // this server's address, as the snippet names it
	Calendars []sla.CalendarRow
	Languages []string
	Size      string // the script's size, gzipped
}

// widgetRow is one widget with its snippet.
type widgetRow struct {
	chat.Widget
	Snippet string
}

// widgetForm is what the fields of one widget's form need.
type widgetForm struct {
	P         *page
	Form      string
	W         widgetRow
	Languages []string
	Calendars []sla.CalendarRow
}

// Fields is the data of form's fields for widget w.
func (v widgetsView) Fields(p *page, form string, w widgetRow) widgetForm {
	return widgetForm{P: p, Form: form, W: w, Languages: v.Languages, Calendars: v.Calendars}
}

// New is a new widget's defaults: pre-chat form on.
func (v widgetsView) New() widgetRow { return widgetRow{Widget: chat.Widget{PreChat: true}} }

// OriginsText is the widget's origins, one per line, for its form.
func (w widgetRow) OriginsText() string { return strings.Join(w.Origins, "\n") }

// adminWidgets serves GET /admin/widget: every chat widget with the one
// <script> tag to paste and its options, and a form for a new one.
func (s *server) adminWidgets(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderWidgets(w, r, rc, nil)
}

func (s *server) renderWidgets(w http.ResponseWriter, r *http.Request, rc *reqCtx, prob *problem) error {
	ctx := r.Context()
	list, err := s.chat.Widgets(ctx)
	if err != nil {
		return err
	}
	scheme := "http://"
	if s.secure || r.TLS != nil {
		scheme = "https://"
	}
	v := widgetsView{Base: scheme + r.Host, Languages: s.cat.Languages(), Size: fmt.Sprintf("%.1f kB", float64(widgetSize())/1000)}
	for _, wd := range list {
		v.Widgets = append(v.Widgets, widgetRow{Widget: wd,
			Snippet: `<script src="` + v.Base + `/widget.js" data-widget="` + wd.Key + `" async></script>`})
	}
	if s.sla != nil {
		if v.Calendars, err = s.sla.Calendars(ctx); err != nil {
			return err
		}
	}
	p := s.newPage(w, r, rc, "widget.title")
	p.Nav = "widget"
	status := http.StatusOK
	if prob != nil {
		p.Problem, p.Form, status = prob, r.PostForm, prob.Status
	}
	p.Data = v
	s.render(w, r, status, "admin_widget", p)
	return nil
}

// widgetInput reads a widget's form.
func widgetInput(form url.Values) (chat.Widget, string) {
	origins, bad := chat.ParseOrigins(form.Get("origins"))
	cal, _ := strconv.ParseInt(form.Get("calendar_id"), 10, 64)
	return chat.Widget{Name: form.Get("name"), Origins: origins, Color: form.Get("color"), Position: form.Get("position"),
		PreChat: form.Get("prechat") == "1", Language: form.Get("language"), CalendarID: cal}, bad
}

// widgetSave validates and saves one widget's form (id 0: a new one).
func (s *server) widgetSave(w http.ResponseWriter, r *http.Request, rc *reqCtx, id int64) error {
	form := "widget-new"
	if id != 0 {
		form = "widget-" + strconv.FormatInt(id, 10)
	}
	wd, bad := widgetInput(r.PostForm)
	wd.ID = id
	var err error
	if bad != "" {
		wd.Origins = append(wd.Origins, bad) // refused by the service, by name
	}
	if id == 0 {
		_, err = s.chat.CreateWidget(r.Context(), wd)
	} else {
		_, err = s.chat.UpdateWidget(r.Context(), wd)
	}
	if err != nil {
		prob, ok := s.asProblem(rc.lang, form, err)
		if !ok {
			return err
		}
		return s.renderWidgets(w, r, rc, prob)
	}
	s.setFlash(w, "flash.widget_saved")
	redirect(w, r, "/admin/widget")
	return nil
}

// adminWidgetCreate serves POST /admin/widget.
func (s *server) adminWidgetCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.widgetSave(w, r, rc, 0)
}

// adminWidgetSave serves POST /admin/widget/{id}.
func (s *server) adminWidgetSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.widgetSave(w, r, rc, id)
}

// adminWidgetSecret serves POST /admin/widget/{id}/secret: a new secret
// for user hashes; the old one stops working at once.
func (s *server) adminWidgetSecret(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.chat.RotateSecret(r.Context(), id); err != nil {
		return err
	}
	s.setFlash(w, "flash.widget_secret")
	redirect(w, r, "/admin/widget")
	return nil
}

// adminWidgetDelete serves POST /admin/widget/{id}/delete.
func (s *server) adminWidgetDelete(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.chat.DeleteWidget(r.Context(), id); err != nil {
		return err
	}
	s.setFlash(w, "flash.widget_deleted")
	redirect(w, r, "/admin/widget")
	return nil
}

// WidgetOn reports whether the live-chat widget pages are there.
func (p *page) WidgetOn() bool { return p.s.chat != nil }

// chatTyping serves POST /tickets/{id}/chat/typing (typing=1 or 0): the
// agent's typing state, told to the chat's visitor; never the text.
func (s *server) chatTyping(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.chat.Typing(r.Context(), id, rc.me.ID, r.PostForm.Get("typing") == "1"); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// chatRead serves POST /tickets/{id}/chat/read (message=ID): the agent has
// seen the chat up to that message, which the visitor sees as read.
func (s *server) chatRead(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	msg, err := strconv.ParseInt(r.PostForm.Get("message"), 10, 64)
	if err != nil || msg <= 0 {
		return errBadForm
	}
	if err := s.chat.AgentRead(r.Context(), id, rc.me.ID, msg); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// widgetSize is the widget script's gzipped size, measured once.
var widgetSize = sync.OnceValue(widget.Gzipped)
