package realtime

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// dialEnv makes the test binary a client process that holds idle
// WebSockets (BenchmarkIdleConnections): a process has at most 20,000
// files here, and 10,000 connections need 10,000 on each side.
const dialEnv = "RAPPORT_BENCH_DIAL"

func TestMain(m *testing.M) {
	if v := os.Getenv(dialEnv); v != "" {
		holdClients(v)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// holdClients opens "addr,n" WebSockets with bare handshakes (a socket
// each, no goroutine), says "ready", and holds them until stdin closes.
func holdClients(spec string) {
	addr, nStr, _ := strings.Cut(spec, ",")
	n, _ := strconv.Atoi(nStr)
	conns := make([]net.Conn, 0, n)
	for range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			fmt.Println("error", err)
			return
		}
		fmt.Fprintf(c, "GET /live HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
			"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", addr)
		r := bufio.NewReader(c)
		status, err := r.ReadString('\n')
		if err != nil || !strings.Contains(status, "101") {
			fmt.Println("error handshake", status, err)
			return
		}
		conns = append(conns, c)
	}
	fmt.Println("ready")
	bufio.NewReader(os.Stdin).ReadString('\n')
	for _, c := range conns {
		c.Close()
	}
}

// inUse is the memory the Go runtime holds for heap objects and stacks.
func inUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// BenchmarkIdleConnections holds 1,000 to 10,000 idle WebSockets on one
// node (the clients in a second process) and reports the node's memory
// per connection: heap and stacks, after a GC.
func BenchmarkIdleConnections(b *testing.B) {
	for _, n := range []int{1000, 5000, 10000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			for range b.N {
				br := New(Opts{Heartbeat: time.Hour})
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					br.Stream(w, r, ForAgent(1))
				}))
				before := inUse()
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), dialEnv+"="+strings.TrimPrefix(srv.URL, "http://")+","+strconv.Itoa(n))
				stdin, _ := cmd.StdinPipe()
				stdout, _ := cmd.StdoutPipe()
				if err := cmd.Start(); err != nil {
					b.Fatal(err)
				}
				line, _ := bufio.NewReader(stdout).ReadString('\n')
				if strings.TrimSpace(line) != "ready" {
					b.Fatalf("clients: %q", line)
				}
				for br.Subscribers() < n {
					time.Sleep(10 * time.Millisecond)
				}
				after := inUse()
				b.ReportMetric(float64(after-before)/float64(n), "B/conn")
				b.ReportMetric(float64(runtime.NumGoroutine())/float64(n), "goroutines/conn")
				stdin.Close()
				cmd.Wait()
				srv.CloseClientConnections()
				srv.Close()
			}
		})
	}
}

// BenchmarkLatency publishes events to 1,000 WebSocket subscribers and
// reports the time from Publish to each client's receipt: p50 and p99.
// On one node (in-process) and, with PostgreSQL, from one broker to 1,000
// subscribers of another on the same database (NOTIFY, LISTEN, fan-out).
func BenchmarkLatency(b *testing.B) {
	b.Run("one-node", func(b *testing.B) {
		br := New(Opts{})
		latency(b, br, br)
	})
	b.Run("two-nodes-postgres", func(b *testing.B) {
		dsn := storetest.PostgresDSN(b)
		ctx, cancel := context.WithCancel(context.Background())
		var nodes [2]*Broker
		var wg sync.WaitGroup
		for i := range nodes {
			db, err := store.Open(ctx, dsn)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			nodes[i] = New(Opts{DB: db})
			wg.Add(1)
			go func() { defer wg.Done(); nodes[i].Run(ctx) }()
			<-nodes[i].Ready()
		}
		latency(b, nodes[0], nodes[1])
		cancel()
		wg.Wait()
	})
}

// latency publishes b.N events on from, each after the last reached all
// 1,000 WebSocket clients of to, and reports the percentiles.
func latency(b *testing.B, from, to *Broker) {
	const subscribers = 1000
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		to.Stream(w, r, ForAgent(1))
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan time.Time, subscribers*4)
	var wg sync.WaitGroup
	for range subscribers {
		c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
		if err != nil {
			b.Fatal(err)
		}
		defer c.CloseNow()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				_, msg, err := c.Read(ctx)
				if err != nil {
					return
				}
				var ev Event
				if json.Unmarshal(msg, &ev) == nil && ev.Kind == KindTicketCreated {
					got <- time.Now()
				}
			}
		}()
	}
	for to.Subscribers() < subscribers {
		time.Sleep(10 * time.Millisecond)
	}
	var all []time.Duration
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		if err := from.Publish(ctx, Event{Kind: KindTicketCreated, Ticket: int64(i + 1)}); err != nil {
			b.Fatal(err)
		}
		for range subscribers {
			all = append(all, (<-got).Sub(start))
		}
	}
	b.StopTimer()
	slices.Sort(all)
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	cancel()
	srv.CloseClientConnections()
	wg.Wait()
}
