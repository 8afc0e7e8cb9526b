package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// DefaultHeartbeat is how often an idle connection is pinged: well under
// the minute after which proxies commonly close an idle connection.
const DefaultHeartbeat = 25 * time.Second

// writeTimeout bounds one write to a client; a client that takes longer is
// gone or too slow, and its connection is closed.
const writeTimeout = 10 * time.Second

// Control messages of the transport, sent as events with these kinds.
const (
	// KindHello opens every connection; Retry is the suggested wait before
	// a reconnection in milliseconds.
	KindHello = "hello"
	// KindReconnect asks the client to reconnect after Retry milliseconds
	// (with its own backoff), to another node when there is one: this one
	// is draining, or dropped the connection as too slow.
	KindReconnect = "reconnect"
)

// control is a transport message to the client.
type control struct {
	Kind  string `json:"kind"`
	Retry int    `json:"retry,omitempty"` // milliseconds
}

// reconnectAfter is the wait a draining node suggests; the clients add
// their own random share so that they do not all come back at once.
const reconnectAfter = time.Second

// ErrNotStream is the error of a request that is neither a WebSocket
// upgrade nor asks for text/event-stream.
var ErrNotStream = errors.New("realtime: not a WebSocket or event-stream request")

// Stream serves one client's connection until it ends: a WebSocket when
// the request upgrades, else Server-Sent Events (where a proxy or network
// blocks WebSocket). The caller has authenticated the request and chosen
// f by what its client may see. Each connection has its own queue; one
// that falls behind is dropped with a "reconnect" (it is not allowed to
// stall the others), and a draining node sends every client "reconnect"
// before closing.
//
// A WebSocket from a page of another origin than the request's host or
// the configured OriginPatterns is refused (403); so is an event stream
// whose Origin header names another origin.
func (b *Broker) Stream(w http.ResponseWriter, r *http.Request, f Filter) error {
	ws := strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
	if !ws && !strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
		http.Error(w, "open this address with a WebSocket or an EventSource", http.StatusBadRequest)
		return ErrNotStream
	}
	if !ws && !b.originAllowed(r) {
		http.Error(w, "origin not allowed", http.StatusForbidden)
		return errors.New("realtime: origin not allowed")
	}
	sub, err := b.open(f)
	if err != nil {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "this node is shutting down; reconnect", http.StatusServiceUnavailable)
		return err
	}
	defer b.streams.Done()
	defer sub.Close()
	// A stream outlives the server's read and write timeouts, which are
	// for ordinary requests; its own heartbeat and write timeout keep it.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	if ws {
		return b.serveWebSocket(w, r, sub)
	}
	return b.serveEvents(w, r, rc, sub)
}

// open subscribes a new connection, counted for Drain.
func (b *Broker) open(f Filter) (*Sub, error) {
	b.mu.Lock()
	if b.draining {
		b.mu.Unlock()
		return nil, ErrDraining
	}
	b.streams.Add(1)
	b.mu.Unlock()
	sub, err := b.Subscribe(f)
	if err != nil {
		b.streams.Done()
		return nil, err
	}
	return sub, nil
}

// originAllowed reports whether an event-stream request comes from a page
// of its own host (or sends no Origin: same-origin GETs may not).
func (b *Broker) originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	host := origin
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	if strings.EqualFold(host, r.Host) {
		return true
	}
	for _, p := range b.o.OriginPatterns {
		if strings.EqualFold(p, host) {
			return true
		}
	}
	return false
}

// reconnect is the control message that ends a connection the node
// dropped, draining or too slow.
var reconnect = control{Kind: KindReconnect, Retry: int(reconnectAfter / time.Millisecond)}

func (b *Broker) serveWebSocket(w http.ResponseWriter, r *http.Request, sub *Sub) error {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		OriginPatterns: b.o.OriginPatterns, CompressionMode: websocket.CompressionDisabled,
	})
	if err != nil {
		return fmt.Errorf("realtime: accept: %w", err) // Accept wrote the response
	}
	defer c.CloseNow()
	c.SetReadLimit(1024)
	// The client sends nothing but control frames; CloseRead answers them
	// (pongs, close) and ends ctx when the client goes.
	ctx := c.CloseRead(r.Context())
	send := func(v any) error {
		msg, err := json.Marshal(v)
		if err != nil {
			return err
		}
		wctx, cancel := context.WithTimeout(ctx, writeTimeout)
		defer cancel()
		return c.Write(wctx, websocket.MessageText, msg)
	}
	if err := send(control{Kind: KindHello, Retry: int(reconnectAfter / time.Millisecond)}); err != nil {
		return nil
	}
	beat := time.NewTicker(b.o.Heartbeat)
	defer beat.Stop()
	for {
		select {
		case ev := <-sub.Events():
			if err := send(ev); err != nil {
				return nil
			}
		case <-sub.Done():
			_ = send(reconnect)
			status, text := websocket.StatusTryAgainLater, "too slow"
			if errors.Is(sub.Err(), ErrDraining) {
				status, text = websocket.StatusServiceRestart, "draining"
			}
			c.Close(status, text)
			return nil
		case <-beat.C:
			pctx, cancel := context.WithTimeout(ctx, writeTimeout)
			err := c.Ping(pctx)
			cancel()
			if err != nil {
				return nil
			}
		case <-ctx.Done():
			return nil
		}
	}
}

func (b *Broker) serveEvents(w http.ResponseWriter, r *http.Request, rc *http.ResponseController, sub *Sub) error {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	ctx := r.Context()
	send := func(v any) error {
		msg, err := json.Marshal(v)
		if err != nil {
			return err
		}
		_ = rc.SetWriteDeadline(time.Now().Add(writeTimeout))
		if _, err := fmt.Fprintf(w, "data: %s\n\n", msg); err != nil {
			return err
		}
		return rc.Flush()
	}
	// retry: the browser's own wait before it reconnects a lost stream.
	if _, err := fmt.Fprintf(w, "retry: %s\n", strconv.Itoa(int(reconnectAfter/time.Millisecond))); err != nil {
		return nil
	}
	if err := send(control{Kind: KindHello, Retry: int(reconnectAfter / time.Millisecond)}); err != nil {
		return nil
	}
	beat := time.NewTicker(b.o.Heartbeat)
	defer beat.Stop()
	for {
		select {
		case ev := <-sub.Events():
			if err := send(ev); err != nil {
				return nil
			}
		case <-sub.Done():
			_ = send(reconnect)
			return nil
		case <-beat.C:
			// A comment line: keeps proxies from closing an idle stream,
			// and fails the write when the client is gone.
			_ = rc.SetWriteDeadline(time.Now().Add(writeTimeout))
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return nil
			}
			if err := rc.Flush(); err != nil {
				return nil
			}
		case <-ctx.Done():
			return nil
		}
	}
}
