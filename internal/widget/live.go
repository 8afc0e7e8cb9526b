package widget

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/rapport/rapport/internal/chat"
	"github.com/rapport/rapport/internal/realtime"
)

// heartbeat and writeTimeout as the agents' connections have them.
const (
	heartbeat    = realtime.DefaultHeartbeat
	writeTimeout = 10 * time.Second
)

// out is one message to the visitor's widget. Unlike the agents' events,
// it carries the chat's content: the visitor's token allows exactly this
// one chat's public messages, fetched here, on the server.
type out struct {
	Kind    string        `json:"kind"` // hello, message, typing, read, ended, reconnect
	Message *chat.Message `json:"message,omitempty"`
	Typing  bool          `json:"typing,omitempty"`
	Read    int64         `json:"read,omitempty"`
	Retry   int           `json:"retry,omitempty"`
}

// forChat is the filter of a visitor's connection: its own chat's public
// messages, status, the agents' typing and read state; nothing of any
// other ticket, no notes, no presence.
func forChat(ticketID int64) realtime.Filter {
	return func(ev realtime.Event) bool {
		if ev.Kind == realtime.KindResync {
			return true
		}
		if ticketID == 0 || ev.Ticket != ticketID {
			return false
		}
		switch ev.Kind {
		case realtime.KindMessage, realtime.KindStatus:
			return true
		case realtime.KindTyping, realtime.KindRead:
			return ev.Agent != 0
		}
		return false
	}
}

// live holds the visitor's connection: a WebSocket, else Server-Sent
// Events. It first sends the messages after ?after= (the resume), then each
// new one as it comes. A session without a chat yet hears nothing; the
// widget reconnects once its first message opened the chat.
func (h *Handler) live(w http.ResponseWriter, r *http.Request, c *call) error {
	b := h.o.Chat.Broker()
	if b == nil {
		return errNoService
	}
	after, err := afterParam(r)
	if err != nil {
		return err
	}
	ws := strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
	if !ws && !strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
		return errBadInput
	}
	sub, err := b.Subscribe(forChat(c.sess.TicketID))
	if err != nil {
		w.Header().Set("Retry-After", "1")
		return errNoService
	}
	defer sub.Close()
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	var t transport
	if ws {
		// The Origin was checked against the widget's origins in wrap.
		conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true, CompressionMode: websocket.CompressionDisabled})
		if err != nil {
			return nil // Accept answered
		}
		defer conn.CloseNow()
		conn.SetReadLimit(1024)
		t = &wsTransport{c: conn, ctx: conn.CloseRead(r.Context())}
	} else {
		hd := w.Header()
		hd.Set("Content-Type", "text/event-stream")
		hd.Set("Cache-Control", "no-store")
		hd.Set("X-Accel-Buffering", "no")
		w.WriteHeader(http.StatusOK)
		t = &sseTransport{w: w, rc: rc, ctx: r.Context()}
	}
	h.follow(t, c, sub, after)
	return nil
}

// follow sends the chat to t until the connection or the subscription ends.
func (h *Handler) follow(t transport, c *call, sub *realtime.Sub, after int64) {
	ctx := t.context()
	if t.send(out{Kind: "hello", Retry: 1000}) != nil {
		return
	}
	// push sends every message after the last sent, then the state.
	push := func() error {
		msgs, err := h.o.Chat.Messages(ctx, c.sess, after)
		if err != nil {
			return err
		}
		for i := range msgs {
			if err := t.send(out{Kind: "message", Message: &msgs[i]}); err != nil {
				return err
			}
			after = msgs[i].ID
		}
		return nil
	}
	ended := func() error {
		st, err := h.o.Chat.TicketStatus(ctx, c.sess)
		if err != nil || !chat.Ended(st) {
			return err
		}
		return t.send(out{Kind: "ended"})
	}
	if push() != nil || ended() != nil {
		return
	}
	if c.sess.AgentRead > 0 && t.send(out{Kind: "read", Read: c.sess.AgentRead}) != nil {
		return
	}
	beat := time.NewTicker(heartbeat)
	defer beat.Stop()
	for {
		var err error
		select {
		case ev := <-sub.Events():
			switch ev.Kind {
			case realtime.KindMessage:
				err = push()
			case realtime.KindStatus:
				err = ended()
			case realtime.KindTyping:
				err = t.send(out{Kind: "typing", Typing: ev.Typing})
			case realtime.KindRead:
				err = t.send(out{Kind: "read", Read: ev.Message})
			case realtime.KindResync:
				if err = push(); err == nil {
					err = ended()
				}
			}
		case <-sub.Done():
			_ = t.send(out{Kind: "reconnect", Retry: 1000})
			t.close(errors.Is(sub.Err(), realtime.ErrDraining))
			return
		case <-beat.C:
			err = t.ping()
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

// transport is a visitor's connection of either kind.
type transport interface {
	context() context.Context
	send(v out) error
	ping() error
	close(draining bool)
}

type wsTransport struct {
	c   *websocket.Conn
	ctx context.Context
}

func (t *wsTransport) context() context.Context { return t.ctx }

func (t *wsTransport) send(v out) error {
	msg, err := json.Marshal(v)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(t.ctx, writeTimeout)
	defer cancel()
	return t.c.Write(ctx, websocket.MessageText, msg)
}

func (t *wsTransport) ping() error {
	ctx, cancel := context.WithTimeout(t.ctx, writeTimeout)
	defer cancel()
	return t.c.Ping(ctx)
}

func (t *wsTransport) close(draining bool) {
	if draining {
		t.c.Close(websocket.StatusServiceRestart, "draining")
		return
	}
	t.c.Close(websocket.StatusTryAgainLater, "too slow")
}

type sseTransport struct {
	w   http.ResponseWriter
	rc  *http.ResponseController
	ctx context.Context
}

func (t *sseTransport) context() context.Context { return t.ctx }

func (t *sseTransport) send(v out) error {
	msg, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_ = t.rc.SetWriteDeadline(time.Now().Add(writeTimeout))
	if _, err := fmt.Fprintf(t.w, "data: %s\n\n", msg); err != nil {
		return err
	}
	return t.rc.Flush()
}

func (t *sseTransport) ping() error {
	_ = t.rc.SetWriteDeadline(time.Now().Add(writeTimeout))
	if _, err := fmt.Fprint(t.w, ": ping\n\n"); err != nil {
		return err
	}
	return t.rc.Flush()
}

func (t *sseTransport) close(bool) {}
