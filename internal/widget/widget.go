// Package widget is the visitor's surface of live chat: the widget script
// a business pastes on its site (GET /widget.js), the demo page, and the
// visitor API under /chat/v1/w/{key}/ that the script calls from the
// business's site: sessions, messages, files, typing, read state, the live
// connection (WebSocket, else Server-Sent Events, else long-poll), the
// rating and the transcript, and the help center's articles offered while
// the visitor types, before the chat starts.
//
// Everything here is public and authorised by two things, checked in wrap:
// the page's Origin must be one of the widget's allowed origins (or this
// server's own, for the demo page), and every call after the session's
// start carries the session's token (Authorization: Bearer, or ?token= on
// the live connection, which a browser opens without headers). No cookie
// is read or set. Limits per visitor and per address (internal/ratelimit,
// the address from internal/clientaddr) and on sizes keep it from being
// used to flood the agents.
package widget

import (
	"bytes"
	"compress/gzip"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/chat"
	"github.com/rapport/rapport/internal/clientaddr"
	"github.com/rapport/rapport/internal/kb"
	"github.com/rapport/rapport/internal/ratelimit"
	"github.com/rapport/rapport/internal/valid"
)

// Opts configure the Handler.
type Opts struct {
	Chat    *chat.Service
	Limits  *ratelimit.Limiter
	Proxies clientaddr.Proxies
	Log     *slog.Logger
	// KB offers help-center articles while the visitor types, before the
	// chat starts; nil: none.
	KB *kb.Service
	// Languages are the business's languages and its default (the help
	// center's); nil: English only.
	Languages interface {
		Served(ctx context.Context) (served []string, def string)
	}
	// PollWait is how long a long-poll waits for something to send;
	// 25 s when zero.
	PollWait time.Duration
}

//go:embed static
var staticFS embed.FS

// Handler serves the widget's script, demo page and visitor API.
type Handler struct {
	o      Opts
	mux    *http.ServeMux
	script []byte // widget.js
	gz     []byte // widget.js, gzipped once
}

// Script is the widget's script, as served.
func Script() []byte {
	b, _ := staticFS.ReadFile("static/widget.js")
	return b
}

// Gzipped is the size of the widget's script as it travels gzipped.
func Gzipped() int {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(Script())
	zw.Close()
	return buf.Len()
}

// New returns the Handler.
func New(o Opts) *Handler {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.PollWait <= 0 {
		o.PollWait = DefaultPollWait
	}
	h := &Handler{o: o, mux: http.NewServeMux(), script: Script()}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(h.script)
	zw.Close()
	h.gz = buf.Bytes()
	for _, rt := range h.routes() {
		h.mux.Handle(rt.pattern, h.wrap(rt))
	}
	return h
}

// ServeHTTP serves r.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// route is one call of the visitor API. session: the call needs the
// session's token. limit: hits per minute of one address on this route.
type route struct {
	pattern string
	session bool
	handle  func(w http.ResponseWriter, r *http.Request, c *call) error
}

// call is what wrap found out about a request.
type call struct {
	widget chat.Widget
	sess   chat.Session
	token  string
	addr   string
}

// routes lists the widget's surface. The visitor API's calls are each
// authorised by the widget's origins and, but for the start, the token.
func (h *Handler) routes() []route {
	return []route{
		{"GET /widget.js", false, h.serveScript},
		{"GET /widget/demo", false, h.demoPage},

		{"GET /chat/v1/w/{key}/config", false, h.config},
		{"POST /chat/v1/w/{key}/sessions", false, h.startSession},
		{"GET /chat/v1/w/{key}/messages", true, h.messages},
		{"POST /chat/v1/w/{key}/messages", true, h.send},
		{"POST /chat/v1/w/{key}/files", true, h.upload},
		{"GET /chat/v1/w/{key}/files/{id}", true, h.download},
		{"POST /chat/v1/w/{key}/typing", true, h.typing},
		{"POST /chat/v1/w/{key}/read", true, h.read},
		{"GET /chat/v1/w/{key}/live", true, h.live},
		{"GET /chat/v1/w/{key}/poll", true, h.poll},
		{"GET /chat/v1/w/{key}/articles", false, h.articles},
		{"POST /chat/v1/w/{key}/articles/opened", false, h.opened},
		{"POST /chat/v1/w/{key}/rating", true, h.rate},
		{"POST /chat/v1/w/{key}/transcript", true, h.transcript},
		{"POST /chat/v1/w/{key}/offline", true, h.offline},
		{"OPTIONS /chat/v1/w/{key}/", false, nil},
	}
}

// problem is an error the visitor sees, as JSON {"error": code, ...}.
type problem struct {
	status int
	code   string
	fields valid.Errors
}

func (p *problem) Error() string { return p.code }

var (
	errNotFound  = &problem{status: http.StatusNotFound, code: "not_found"}
	errOrigin    = &problem{status: http.StatusForbidden, code: "origin_not_allowed"}
	errToken     = &problem{status: http.StatusUnauthorized, code: "bad_token"}
	errLimited   = &problem{status: http.StatusTooManyRequests, code: "rate_limited"}
	errTooLarge  = &problem{status: http.StatusRequestEntityTooLarge, code: "too_large"}
	errBadInput  = &problem{status: http.StatusBadRequest, code: "invalid_input"}
	errFileType  = &problem{status: http.StatusUnsupportedMediaType, code: "file_type"}
	errNoChat    = &problem{status: http.StatusConflict, code: "no_chat"}
	errRated     = &problem{status: http.StatusConflict, code: "already_rated"}
	errBadHash   = &problem{status: http.StatusForbidden, code: "bad_user_hash"}
	errNoService = &problem{status: http.StatusServiceUnavailable, code: "unavailable"}
)

// Limits of the visitor API, per address and per session.
const (
	startsPerAddr   = 20  // sessions an address opens in 10 minutes
	callsPerAddr    = 600 // calls of an address in a minute
	messagesPerSess = 30  // messages (and files) of a session in a minute
	typingPerSess   = 60  // typing and read calls of a session in a minute
)

// wrap checks the origin, the token and the address's limit, and answers
// CORS: the widget's API is called from the business's pages.
func (h *Handler) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &call{addr: h.o.Proxies.Of(r)}
		err := h.authorise(w, r, rt, c)
		if err == nil && rt.handle != nil {
			err = rt.handle(w, r, c)
		}
		if err != nil {
			h.fail(w, r, err)
		}
	})
}

func (h *Handler) authorise(w http.ResponseWriter, r *http.Request, rt route, c *call) error {
	key := r.PathValue("key")
	if key == "" {
		return nil // the script and the demo page
	}
	wd, err := h.o.Chat.WidgetByKey(r.Context(), key)
	if err != nil {
		return errNotFound
	}
	c.widget = wd
	origin := r.Header.Get("Origin")
	if origin != "" {
		if !wd.Allows(origin) && !ownOrigin(r, origin) {
			return errOrigin
		}
		hd := w.Header()
		hd.Set("Access-Control-Allow-Origin", origin)
		hd.Add("Vary", "Origin")
		hd.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
		hd.Set("Access-Control-Allow-Methods", "GET, POST")
		hd.Set("Access-Control-Max-Age", "600")
	} else if rt.pattern == "POST /chat/v1/w/{key}/sessions" {
		// A session starts from a page: a browser always names its origin.
		return errOrigin
	}
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if !h.allow(r.Context(), "chat-addr:"+c.addr, callsPerAddr, time.Minute) {
		return errLimited
	}
	if !rt.session {
		return nil
	}
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if token == "" {
		token = r.URL.Query().Get("token")
	}
	sess, err := h.o.Chat.SessionByToken(r.Context(), wd, token)
	if err != nil {
		return errToken
	}
	c.sess, c.token = sess, token
	return nil
}

// ownOrigin reports whether origin is this server's (the demo page).
func ownOrigin(r *http.Request, origin string) bool {
	o, ok := chat.NormalizeOrigin(origin)
	return ok && strings.EqualFold(strings.TrimPrefix(strings.TrimPrefix(o, "https://"), "http://"), r.Host)
}

// allow counts a hit of key; a database failure lets it through, logged.
func (h *Handler) allow(ctx context.Context, key string, max int, window time.Duration) bool {
	if h.o.Limits == nil {
		return true
	}
	ok, err := h.o.Limits.Allow(ctx, key, max, window)
	if err != nil {
		h.o.Log.Warn("chat rate limit", slog.Any("error", err))
		return true
	}
	return ok
}

// fail answers err as JSON.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var p *problem
	var fields valid.Fields
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &p):
	case errors.As(err, &fields):
		p = &problem{status: http.StatusBadRequest, code: "invalid_input", fields: fields.Errors()}
	case errors.As(err, &tooBig):
		p = errTooLarge
	case errors.Is(err, chat.ErrBadMessage):
		p = errBadInput
	case errors.Is(err, chat.ErrNotFound):
		p = errNotFound
	case errors.Is(err, chat.ErrNoChat):
		p = errNoChat
	case errors.Is(err, chat.ErrRated):
		p = errRated
	case errors.Is(err, chat.ErrBadHash):
		p = errBadHash
	default:
		h.o.Log.Error("chat request", "method", r.Method, "path", r.URL.Path, slog.Any("error", err))
		p = &problem{status: http.StatusInternalServerError, code: "internal"}
	}
	if p.status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "60")
	}
	body := map[string]any{"error": p.code}
	if len(p.fields) > 0 {
		body["fields"] = p.fields
	}
	writeJSON(w, p.status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// readJSON reads a small JSON body into v.
func readJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errBadInput
	}
	return nil
}

// serveScript serves widget.js, gzipped when the browser takes it.
func (h *Handler) serveScript(w http.ResponseWriter, r *http.Request, _ *call) error {
	hd := w.Header()
	hd.Set("Content-Type", "text/javascript; charset=utf-8")
	hd.Set("Cache-Control", "public, max-age=300")
	hd.Set("Access-Control-Allow-Origin", "*")
	hd.Add("Vary", "Accept-Encoding")
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		hd.Set("Content-Encoding", "gzip")
		_, _ = w.Write(h.gz)
		return nil
	}
	_, _ = w.Write(h.script)
	return nil
}
