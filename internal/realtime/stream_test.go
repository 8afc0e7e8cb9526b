package realtime

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// streamServer serves b's stream to agent 1 on a loopback test server.
func streamServer(t *testing.T, b *Broker) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.Stream(w, r, ForAgent(1))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// wsRead reads one JSON message of c.
func wsRead(t *testing.T, ctx context.Context, c *websocket.Conn) Event {
	t.Helper()
	_, msg, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	var ev Event
	if err := json.Unmarshal(msg, &ev); err != nil {
		t.Fatalf("message %q: %v", msg, err)
	}
	return ev
}

// sseRead reads the next data line of an event stream.
func sseRead(t *testing.T, r *bufio.Reader) Event {
	t.Helper()
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if data, ok := strings.CutPrefix(line, "data: "); ok {
			var ev Event
			if err := json.Unmarshal([]byte(data), &ev); err != nil {
				t.Fatalf("data %q: %v", data, err)
			}
			return ev
		}
	}
}

// waitSubscribers waits until b has n subscriptions.
func waitSubscribers(t *testing.T, b *Broker, n int) {
	t.Helper()
	for range 2000 {
		if b.Subscribers() == n {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%d subscribers, want %d", b.Subscribers(), n)
}

// A WebSocket and an event stream both get what is published, and a
// drain sends both "reconnect" and closes them (the WebSocket with 1012,
// service restart), after which the node refuses new connections.
func TestStreamsAndDrain(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b := New(Opts{})
	srv := streamServer(t, b)

	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	if ev := wsRead(t, ctx, ws); ev.Kind != KindHello {
		t.Fatalf("first WebSocket message %+v, want hello", ev)
	}

	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	sse := bufio.NewReader(resp.Body)
	if ev := sseRead(t, sse); ev.Kind != KindHello {
		t.Fatalf("first event-stream message %+v, want hello", ev)
	}
	waitSubscribers(t, b, 2)

	ev := Event{Kind: KindTicketCreated, Ticket: 31}
	if err := b.Publish(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if got := wsRead(t, ctx, ws); got != ev {
		t.Errorf("WebSocket got %+v, want %+v", got, ev)
	}
	if got := sseRead(t, sse); got != ev {
		t.Errorf("event stream got %+v, want %+v", got, ev)
	}

	drained := make(chan error, 1)
	go func() { drained <- b.Drain(ctx) }()
	if got := wsRead(t, ctx, ws); got.Kind != KindReconnect {
		t.Errorf("WebSocket got %+v on drain, want reconnect", got)
	}
	if _, _, err := ws.Read(ctx); websocket.CloseStatus(err) != websocket.StatusServiceRestart {
		t.Errorf("WebSocket closed with %v, want 1012 service restart", err)
	}
	if got := sseRead(t, sse); got.Kind != KindReconnect {
		t.Errorf("event stream got %+v on drain, want reconnect", got)
	}
	if rest, err := io.ReadAll(sse); err != nil || strings.Contains(string(rest), "data:") {
		t.Errorf("after the reconnect the stream sent %q (%v), want its end", rest, err)
	}
	if err := <-drained; err != nil {
		t.Fatalf("drain: %v", err)
	}
	// A draining node sends newcomers elsewhere.
	req, _ = http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	req.Header.Set("Accept", "text/event-stream")
	resp2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusServiceUnavailable || resp2.Header.Get("Retry-After") == "" {
		t.Errorf("connection while draining: %d, Retry-After %q; want 503 with Retry-After", resp2.StatusCode, resp2.Header.Get("Retry-After"))
	}
}

// Pages of other origins may not open a stream; plain requests are told
// what the address is for.
func TestStreamRefusals(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b := New(Opts{OriginPatterns: []string{"help.shop.example"}})
	srv := streamServer(t, b)
	wsURL := "ws" + strings.TrimPrefix(srv.URL, "http")

	cases := []struct {
		name   string
		ws     bool
		origin string
		accept string
		want   int
	}{
		{"websocket from another site", true, "http://evil.example", "", http.StatusForbidden},
		{"event stream from another site", false, "http://evil.example", "text/event-stream", http.StatusForbidden},
		{"plain request", false, "", "text/html", http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.ws {
				_, resp, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {tc.origin}}})
				if err == nil || resp == nil || resp.StatusCode != tc.want {
					t.Fatalf("dial: %v, %v; want status %d", err, resp, tc.want)
				}
				return
			}
			req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
			req.Header.Set("Accept", tc.accept)
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
	// The configured public host is let in.
	c, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"https://help.shop.example"}}})
	if err != nil {
		t.Fatalf("dial from the public host: %v", err)
	}
	c.CloseNow()
	if n := b.Subscribers(); n > 1 {
		t.Errorf("%d subscribers after refusals", n)
	}
}

// A WebSocket client that stops reading is dropped once its queue is
// full; the node's other clients keep receiving.
func TestSlowWebSocketDropped(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	b := New(Opts{Queue: 8})
	srv := streamServer(t, b)
	wsURL := "ws" + strings.TrimPrefix(srv.URL, "http")
	slow, _, err := websocket.Dial(ctx, wsURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.CloseNow()
	fast, _, err := websocket.Dial(ctx, wsURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fast.CloseNow()
	wsRead(t, ctx, fast)
	waitSubscribers(t, b, 2)
	// The slow client never reads: its writer falls behind (at the latest
	// when the socket's buffers are full), its queue fills, and the
	// broker drops it.
	sent := 0
	for b.Subscribers() == 2 && sent < 1_000_000 {
		sent++
		if err := b.Publish(ctx, Event{Kind: KindChanged, Ticket: int64(sent)}); err != nil {
			t.Fatal(err)
		}
		if got := wsRead(t, ctx, fast); got.Ticket != int64(sent) {
			t.Fatalf("fast client got %+v, want ticket %d", got, sent)
		}
	}
	if b.Subscribers() != 1 {
		t.Fatalf("the slow client was never dropped after %d events", sent)
	}
	for {
		_, _, err := slow.Read(ctx)
		if err == nil {
			continue
		}
		if s := websocket.CloseStatus(err); s != websocket.StatusTryAgainLater && !errors.Is(err, context.DeadlineExceeded) {
			t.Logf("slow client closed with %v", err)
		}
		break
	}
}

// A stream outlives the server's read and write timeouts, which are for
// ordinary requests: after twice their length idle, both kinds of
// connection still receive what is published.
func TestStreamOutlivesServerTimeouts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b := New(Opts{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.Stream(w, r, ForAgent(1))
	}))
	const timeout = 300 * time.Millisecond
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = timeout, timeout
	srv.Start()
	defer srv.Close()

	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	wsRead(t, ctx, ws)
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sse := bufio.NewReader(resp.Body)
	sseRead(t, sse)
	waitSubscribers(t, b, 2)

	time.Sleep(2 * timeout)
	ev := Event{Kind: KindStatus, Ticket: 8}
	if err := b.Publish(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if got := wsRead(t, ctx, ws); got != ev {
		t.Errorf("WebSocket got %+v, want %+v", got, ev)
	}
	if got := sseRead(t, sse); got != ev {
		t.Errorf("event stream got %+v, want %+v", got, ev)
	}
}
