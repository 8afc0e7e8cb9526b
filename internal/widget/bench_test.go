package widget

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/rapport/rapport/internal/chat"
	"github.com/rapport/rapport/internal/realtime"
	"github.com/rapport/rapport/internal/store/storetest"
)

// BenchmarkIdleWidgetConnections holds many idle visitors' WebSockets on
// one node and reports the memory (heap and stacks, both ends: client and
// server run in this process) and goroutines per connection. The figures
// are in docs/PERFORMANCE.md.
func BenchmarkIdleWidgetConnections(b *testing.B) {
	const conns = 2000
	db := storetest.SQLite(b)
	ctx := context.Background()
	cs := chat.New(chat.Opts{DB: db, Broker: realtime.New(realtime.Opts{})})
	wd, err := cs.CreateWidget(ctx, chat.Widget{Name: "Bench", Origins: []string{"https://shop.example"}})
	if err != nil {
		b.Fatal(err)
	}
	tokens := make([]string, conns)
	for i := range tokens {
		if tokens[i], _, err = cs.StartSession(ctx, wd, chat.Start{}); err != nil {
			b.Fatal(err)
		}
	}
	srv := httptest.NewServer(New(Opts{Chat: cs}))
	defer srv.Close()
	base := "ws" + strings.TrimPrefix(srv.URL, "http") + "/chat/v1/w/" + wd.Key + "/live?token="
	for b.Loop() {
		before := memory()
		open := make([]*websocket.Conn, 0, conns)
		for _, tok := range tokens {
			c, _, err := websocket.Dial(ctx, base+tok, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"https://shop.example"}}})
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := c.Read(ctx); err != nil { // hello
				b.Fatal(err)
			}
			open = append(open, c)
		}
		time.Sleep(200 * time.Millisecond)
		after := memory()
		b.ReportMetric(float64(after.bytes-before.bytes)/conns, "B/conn")
		b.ReportMetric(float64(after.goroutines-before.goroutines)/conns, "goroutines/conn")
		for _, c := range open {
			c.CloseNow()
		}
	}
}

// BenchmarkIdleLongPolls holds many visitors' long-polls waiting on one
// node (each a held HTTP request and a broker subscription) and reports
// the memory and goroutines per waiting poll, both ends in this process
// as above. The figures are in docs/PERFORMANCE.md.
func BenchmarkIdleLongPolls(b *testing.B) {
	const polls = 2000
	db := storetest.SQLite(b)
	ctx := context.Background()
	broker := realtime.New(realtime.Opts{})
	cs := chat.New(chat.Opts{DB: db, Broker: broker})
	wd, err := cs.CreateWidget(ctx, chat.Widget{Name: "Bench", Origins: []string{"https://shop.example"}})
	if err != nil {
		b.Fatal(err)
	}
	tokens := make([]string, polls)
	for i := range tokens {
		if tokens[i], _, err = cs.StartSession(ctx, wd, chat.Start{}); err != nil {
			b.Fatal(err)
		}
	}
	srv := httptest.NewServer(New(Opts{Chat: cs, PollWait: time.Hour}))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: polls, DisableCompression: true}}
	url := srv.URL + "/chat/v1/w/" + wd.Key + "/poll?after=0"
	for b.Loop() {
		before := memory()
		pctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{}, polls)
		for _, tok := range tokens {
			req, _ := http.NewRequestWithContext(pctx, "GET", url, nil)
			req.Header.Set("Origin", "https://shop.example")
			req.Header.Set("Authorization", "Bearer "+tok)
			go func() {
				if resp, err := client.Do(req); err == nil {
					resp.Body.Close()
				}
				done <- struct{}{}
			}()
		}
		for broker.Subscribers() < polls {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond)
		after := memory()
		b.ReportMetric(float64(after.bytes-before.bytes)/polls, "B/poll")
		b.ReportMetric(float64(after.goroutines-before.goroutines)/polls, "goroutines/poll")
		cancel()
		for range polls {
			<-done
		}
	}
}

type mem struct{ bytes, goroutines int64 }

func memory() mem {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return mem{bytes: int64(m.HeapInuse + m.StackInuse), goroutines: int64(runtime.NumGoroutine())}
}
