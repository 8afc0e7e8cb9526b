package widget

import (
	"html/template"
	"net/http"
)

// demoTmpl is a plain page of a made-up shop that embeds the widget, as a
// business's own page would: only the one <script> tag.
var demoTmpl = template.Must(template.New("demo").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Live chat demo</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222}
code{background:#f3f3f3;padding:.1rem .3rem}</style></head>
<body><h1>A shop's page with Rapport's live chat</h1>
<p>This page stands for a business's own site. The chat button in the corner is the widget
<strong>{{.Name}}</strong>, added with one tag:</p>
<p><code>&lt;script src="/widget.js" data-widget="{{.Key}}" async&gt;&lt;/script&gt;</code></p>
<p>Write a message: it arrives in Rapport's inbox as a chat ticket, and the agent's reply comes back here.
Add <code>?lang=it</code> (or ru, lv, ca) to this address to see the widget in another language.</p>
<script src="/widget.js" data-widget="{{.Key}}"{{if .Lang}} data-lang="{{.Lang}}"{{end}} async></script>
</body></html>`))

// demoPage shows the first widget (or ?widget=KEY) on a page of its own,
// so that a person can try the chat without a site of their own.
func (h *Handler) demoPage(w http.ResponseWriter, r *http.Request, _ *call) error {
	ctx := r.Context()
	key := r.URL.Query().Get("widget")
	var data struct{ Name, Key, Lang string }
	if key != "" {
		wd, err := h.o.Chat.WidgetByKey(ctx, key)
		if err != nil {
			return errNotFound
		}
		data.Name, data.Key = wd.Name, wd.Key
	} else {
		ws, err := h.o.Chat.Widgets(ctx)
		if err != nil {
			return err
		}
		if len(ws) == 0 {
			return errNotFound
		}
		data.Name, data.Key = ws[0].Name, ws[0].Key
	}
	if l := r.URL.Query().Get("lang"); h.o.Chat.Catalog() != nil && h.o.Chat.Catalog().Has(l) {
		data.Lang = l
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	return demoTmpl.Execute(w, data)
}
