// Package chatbench measures live chat the way visitors and agents use it,
// against running servers: it opens many visitors' widget connections
// (WebSocket, each visitor from a loopback address of its own, as real
// visitors come from addresses of their own and the widget limits each
// address), keeps them idle and reads the server's memory before and
// after; then agents answer some of those chats through the REST API at a
// steady rate, and the time from each reply's request to its arrival on
// the visitor's connection is recorded. Visitors and agents may be on
// different nodes (two `rapport serve` processes on one PostgreSQL), so
// that every reply crosses between them.
package chatbench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/netip"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"
)

// Opts say which servers to measure and how.
type Opts struct {
	VisitorURL string // the node the visitors' widgets talk to, e.g. http://127.0.0.1:8080
	AgentURL   string // the node the agents reply on; VisitorURL when empty
	Token      string // an admin's API token: it creates the widget and replies

	Conns   int     // visitors' connections held open
	Active  int     // of those, chats the agents answer (at most Conns)
	Replies int     // replies to each active chat
	Rate    float64 // replies a second, all chats together

	// Sources are the local addresses the visitors connect from, one
	// each; the zero value leaves the choice to the system (one address,
	// which the widget's limits per address soon refuse).
	Sources netip.Prefix
	PID     int    // the visitors' node's process, for its resident memory; 0 for none
	Pprof   string // the visitors' node's --pprof-addr as a URL, for its Go heap and goroutines; "" for none

	Dialers int           // connections opened at once
	Settle  time.Duration // idle time before the memory is read
	Wait    time.Duration // how long a reply may take to arrive before it counts as lost

	Log io.Writer // progress lines; nil for none
}

// Mem is the visitors' node's memory at one moment; a figure it could not
// read is -1.
type Mem struct {
	RSS        int64 // resident set, bytes (/proc)
	Heap       int64 // Go heap in use plus goroutine stacks after a GC, bytes (pprof)
	Goroutines int64
}

// Report is what a run measured.
type Report struct {
	Conns, Active int
	Open          time.Duration // time to open every connection (the sessions started)
	Before, Idle  Mem           // with every session started but no connection, and with all of them open and idle
	After         Mem           // at the end, the replies delivered
	Dropped       int           // connections the server closed during the run

	Replies   int           // sent
	Failed    int           // refused or failed requests
	Arrived   int           // replies that reached their visitor
	Doubled   int           // replies that reached it more than once
	Lost      int           // sent, acknowledged, never arrived
	Elapsed   time.Duration // from the first reply sent to the last arrived
	P50, P99  time.Duration // reply request to arrival at the visitor
	Max       time.Duration
	API50     time.Duration // the reply request's own answer
	API99     time.Duration
	ErrorText []string // the first errors, for the reader
}

// Errors is every failure of the run: requests, lost replies, dropped connections.
func (r Report) Errors() int { return r.Failed + r.Lost + r.Dropped + r.Doubled }

// PerConn is the growth from Before to Idle per connection, in bytes, for
// each figure both ends could read (NaN otherwise).
func (r Report) PerConn() (rss, heap, goroutines float64) {
	per := func(a, b int64) float64 {
		if a < 0 || b < 0 || r.Conns == 0 {
			return math.NaN()
		}
		return float64(b-a) / float64(r.Conns)
	}
	return per(r.Before.RSS, r.Idle.RSS), per(r.Before.Heap, r.Idle.Heap), per(r.Before.Goroutines, r.Idle.Goroutines)
}

// Print writes the report for a person.
func (r Report) Print(w io.Writer) {
	rss, heap, gor := r.PerConn()
	fmt.Fprintf(w, "connections: %d open in %.1f s, %d dropped\n", r.Conns, r.Open.Seconds(), r.Dropped)
	fmt.Fprintf(w, "server memory: before %s, idle %s, after replies %s\n", r.Before, r.Idle, r.After)
	fmt.Fprintf(w, "per idle connection: rss %s, heap+stacks %s, goroutines %s\n", kb(rss), kb(heap), num(gor))
	rate := 0.0
	if r.Elapsed > 0 {
		rate = float64(r.Arrived) / r.Elapsed.Seconds()
	}
	fmt.Fprintf(w, "replies: %d to %d chats, %d failed, %d arrived, %d lost, %d doubled, %.1f/s\n", r.Replies, r.Active, r.Failed, r.Arrived, r.Lost, r.Doubled, rate)
	fmt.Fprintf(w, "reply to arrival: p50 %s, p99 %s, max %s\n", ms(r.P50), ms(r.P99), ms(r.Max))
	fmt.Fprintf(w, "reply request: p50 %s, p99 %s\n", ms(r.API50), ms(r.API99))
	for _, e := range r.ErrorText {
		fmt.Fprintln(w, "error:", e)
	}
}

func (m Mem) String() string {
	f := func(b int64) string {
		if b < 0 {
			return "?"
		}
		return fmt.Sprintf("%.1f MB", float64(b)/1e6)
	}
	g := "?"
	if m.Goroutines >= 0 {
		g = strconv.FormatInt(m.Goroutines, 10)
	}
	return fmt.Sprintf("rss %s heap+stacks %s goroutines %s", f(m.RSS), f(m.Heap), g)
}

func kb(b float64) string {
	if math.IsNaN(b) {
		return "?"
	}
	return fmt.Sprintf("%.1f KB", b/1e3)
}

func num(x float64) string {
	if math.IsNaN(x) {
		return "?"
	}
	return fmt.Sprintf("%.2f", x)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// origin is the page the benchmark's visitors are on; the widget it makes
// allows it.
const origin = "https://bench.example"

// run is one benchmark's state.
type run struct {
	o      Opts
	id     string // in every text of this run, so runs on one database stay apart
	key    string // the widget's
	api    *http.Client
	closed atomic.Bool // the benchmark is closing the connections itself

	mu      sync.Mutex
	sent    map[int]time.Time // reply number → when its request left
	arrived map[int]time.Duration
	errs    []string
	dropped int
	doubled int
	want    int // replies acknowledged, to be awaited
}

// visitor is one open widget.
type visitor struct {
	n      int
	from   net.Addr // its own local address; nil for the system's choice
	token  string
	after  int64 // its own first message, which the connection need not send back
	ticket int64 // its chat, for the active ones
	conn   *websocket.Conn
}

// Run measures and reports. It returns an error when it could not set the
// run up; failures during the run are counted in the report.
func Run(ctx context.Context, o Opts) (Report, error) {
	if o.AgentURL == "" {
		o.AgentURL = o.VisitorURL
	}
	o.VisitorURL, o.AgentURL = strings.TrimRight(o.VisitorURL, "/"), strings.TrimRight(o.AgentURL, "/")
	if o.Active > o.Conns {
		o.Active = o.Conns
	}
	if o.Dialers <= 0 {
		o.Dialers = 32
	}
	if o.Wait <= 0 {
		o.Wait = 30 * time.Second
	}
	if o.Sources.IsValid() && o.Sources.Addr().Is4() && o.Conns > 1<<(32-o.Sources.Bits())-2 {
		return Report{}, fmt.Errorf("chatbench: %s has fewer than %d addresses", o.Sources, o.Conns)
	}
	if err := enoughFiles(o.Conns); err != nil {
		return Report{}, err
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	r := &run{o: o, id: hex.EncodeToString(b), sent: map[int]time.Time{}, arrived: map[int]time.Duration{},
		api: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}}
	rep := Report{Conns: o.Conns, Active: o.Active}

	var wd struct {
		Key string `json:"key"`
	}
	if err := r.call(ctx, http.MethodPost, "/widgets", map[string]any{"name": "Benchmark " + r.id, "origins": []string{origin}, "prechat": false}, http.StatusCreated, &wd); err != nil {
		return rep, fmt.Errorf("chatbench: create the widget: %w", err)
	}
	r.key = wd.Key

	visitors, err := r.open(ctx, &rep)
	defer func() {
		r.closed.Store(true)
		for _, v := range visitors {
			if v.conn != nil {
				v.conn.CloseNow()
			}
		}
	}()
	if err != nil {
		return rep, err
	}
	r.logf("%d connections open in %.1f s; idle for %s", o.Conns, rep.Open.Seconds(), o.Settle)
	select {
	case <-time.After(o.Settle):
	case <-ctx.Done():
		return rep, ctx.Err()
	}
	rep.Idle = r.memory(ctx)
	r.logf("server idle: %s", rep.Idle)

	if o.Active > 0 && o.Replies > 0 {
		if err := r.findChats(ctx, visitors[:o.Active]); err != nil {
			return rep, err
		}
		r.reply(ctx, visitors[:o.Active], &rep)
	}
	rep.After = r.memory(ctx)
	r.mu.Lock()
	defer r.mu.Unlock()
	rep.Dropped = r.dropped
	rep.Doubled = r.doubled
	rep.Arrived = len(r.arrived)
	rep.Lost = r.want - rep.Arrived
	lat := make([]time.Duration, 0, len(r.arrived))
	var last time.Time
	for n, d := range r.arrived {
		lat = append(lat, d)
		if at := r.sent[n].Add(d); at.After(last) {
			last = at
		}
	}
	if !last.IsZero() {
		rep.Elapsed = last.Sub(r.first())
	}
	rep.P50, rep.P99, rep.Max = percentiles(lat)
	rep.ErrorText = r.errs
	return rep, nil
}

// first is when the first reply left.
func (r *run) first() time.Time {
	var t time.Time
	for _, s := range r.sent {
		if t.IsZero() || s.Before(t) {
			t = s
		}
	}
	return t
}

func percentiles(xs []time.Duration) (p50, p99, max time.Duration) {
	if len(xs) == 0 {
		return 0, 0, 0
	}
	sort.Slice(xs, func(i, j int) bool { return xs[i] < xs[j] })
	at := func(q float64) time.Duration { return xs[int(q*float64(len(xs)-1)+0.5)] }
	return at(0.50), at(0.99), xs[len(xs)-1]
}

func (r *run) logf(format string, args ...any) {
	if r.o.Log != nil {
		fmt.Fprintf(r.o.Log, time.Now().Format("15:04:05 ")+format+"\n", args...)
	}
}

func (r *run) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.errs) < 10 {
		r.errs = append(r.errs, err.Error())
	}
}

// enoughFiles checks that this process may hold n connections, raising its
// soft limit on open files to the hard one when it must (Go does so at
// start on Linux already; this says so plainly when even that is short).
func enoughFiles(n int) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return nil // not a system that tells
	}
	need := uint64(n) + 512
	if lim.Cur < need && lim.Max > lim.Cur {
		lim.Cur = min(lim.Max, need)
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	if lim.Cur < need {
		return fmt.Errorf("chatbench: %d connections need about %d open files, the limit is %d (ulimit -n)", n, need, lim.Cur)
	}
	return nil
}

// source is visitor n's local address, in turn through Sources from a
// place chosen per run (so that runs soon after each other do not all
// start on the same addresses).
func (r *run) source(n int, offset uint32) net.Addr {
	p := r.o.Sources
	if !p.IsValid() || !p.Addr().Is4() {
		return nil
	}
	size := uint32(1)<<(32-p.Bits()) - 2
	a := p.Masked().Addr().As4()
	base := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	x := base + 1 + (offset+uint32(n))%size
	return &net.TCPAddr{IP: net.IPv4(byte(x>>24), byte(x>>16), byte(x>>8), byte(x))}
}

// open starts every visitor's session (the active ones send a first
// message, which opens their chat), reads the memory, then opens every
// visitor's live connection: Before is measured between the two, so that
// the growth to Idle is the connections' alone.
func (r *run) open(ctx context.Context, rep *Report) ([]*visitor, error) {
	visitors := make([]*visitor, r.o.Conns)
	var ob [4]byte
	_, _ = rand.Read(ob[:])
	offset := uint32(ob[0])<<24 | uint32(ob[1])<<16 | uint32(ob[2])<<8 | uint32(ob[3])
	for n := range visitors {
		visitors[n] = &visitor{n: n, from: r.source(n, offset)}
	}
	if err := r.each(ctx, visitors, "sessions started", r.start); err != nil {
		return visitors, err
	}
	rep.Before = r.memory(ctx)
	r.logf("server with %d sessions, before the connections: %s", r.o.Conns, rep.Before)
	start := time.Now()
	err := r.each(ctx, visitors, "connections open", r.connect)
	rep.Open = time.Since(start)
	return visitors, err
}

// each runs f for every visitor, Dialers at once, and stops at the first error.
func (r *run) each(ctx context.Context, visitors []*visitor, what string, f func(context.Context, *visitor) error) error {
	next := make(chan *visitor)
	var wg sync.WaitGroup
	var firstErr error
	var errOnce sync.Once
	var done atomic.Int64
	ectx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range r.o.Dialers {
		wg.Go(func() {
			for v := range next {
				if err := f(ectx, v); err != nil {
					errOnce.Do(func() { firstErr = fmt.Errorf("chatbench: visitor %d: %w", v.n, err); cancel() })
					continue
				}
				if k := done.Add(1); k%1000 == 0 {
					r.logf("%d %s", k, what)
				}
			}
		})
	}
feed:
	for _, v := range visitors {
		select {
		case next <- v:
		case <-ectx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	return firstErr
}

// dialer connects from the visitor's own address.
func (v *visitor) dialer() *net.Dialer {
	return &net.Dialer{LocalAddr: v.from, Timeout: 10 * time.Second}
}

// start is a visitor arriving on the page and, for an active chat,
// writing a first message, which opens the chat.
func (r *run) start(ctx context.Context, v *visitor) error {
	tr := &http.Transport{DialContext: v.dialer().DialContext, MaxIdleConnsPerHost: 1}
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	defer tr.CloseIdleConnections()
	var sess struct {
		Token string `json:"token"`
	}
	if err := r.widgetCall(ctx, hc, http.MethodPost, "sessions", "", map[string]any{"language": "en"}, http.StatusCreated, &sess); err != nil {
		return fmt.Errorf("start a session: %w", err)
	}
	v.token = sess.Token
	if v.n >= r.o.Active {
		return nil
	}
	var sent struct {
		Message struct {
			ID int64 `json:"id"`
		} `json:"message"`
	}
	msg := map[string]any{"client_id": fmt.Sprintf("b%s-%d", r.id, v.n), "text": r.chatSubject(v.n)}
	if err := r.widgetCall(ctx, hc, http.MethodPost, "messages", v.token, msg, http.StatusCreated, &sent); err != nil {
		return fmt.Errorf("first message: %w", err)
	}
	v.after = sent.Message.ID
	return nil
}

// connect opens the visitor's live connection, read from then on by a
// goroutine of its own.
func (r *run) connect(ctx context.Context, v *visitor) error {
	u := "ws" + strings.TrimPrefix(r.o.VisitorURL, "http") + "/chat/v1/w/" + r.key + "/live?token=" + v.token + "&after=" + strconv.FormatInt(v.after, 10)
	tr := &http.Transport{DialContext: v.dialer().DialContext}
	c, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: &http.Client{Transport: tr},
		HTTPHeader: http.Header{"Origin": {origin}}, CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		if resp != nil {
			return fmt.Errorf("live connection: HTTP %d: %w", resp.StatusCode, err)
		}
		return fmt.Errorf("live connection: %w", err)
	}
	c.SetReadLimit(64 << 10)
	var hello struct {
		Kind string `json:"kind"`
	}
	_, data, err := c.Read(ctx)
	if err == nil {
		err = json.Unmarshal(data, &hello)
	}
	if err != nil || hello.Kind != "hello" {
		c.CloseNow()
		return fmt.Errorf("live connection: no hello (%q, %v)", data, err)
	}
	v.conn = c
	go r.listen(v)
	return nil
}

// chatSubject is the first message of active chat n, and so its ticket's subject.
func (r *run) chatSubject(n int) string { return fmt.Sprintf("bench %s chat %d", r.id, n) }

// replyPrefix starts every reply's text; the reply's number follows.
func (r *run) replyPrefix() string { return "bench " + r.id + " reply " }

// listen reads visitor v's connection until it closes, noting each
// reply's arrival.
func (r *run) listen(v *visitor) {
	prefix := r.replyPrefix()
	for {
		_, data, err := v.conn.Read(context.Background())
		at := time.Now()
		if err != nil {
			if !r.closed.Load() {
				r.mu.Lock()
				r.dropped++
				r.mu.Unlock()
				r.fail(fmt.Errorf("visitor %d: connection closed: %w", v.n, err))
			}
			return
		}
		var ev struct {
			Kind    string `json:"kind"`
			Message struct {
				From string `json:"from"`
				Text string `json:"text"`
			} `json:"message"`
		}
		if json.Unmarshal(data, &ev) != nil || ev.Kind != "message" || ev.Message.From != "agent" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimPrefix(ev.Message.Text, prefix))
		if err != nil || !strings.HasPrefix(ev.Message.Text, prefix) {
			continue
		}
		r.mu.Lock()
		if s, ok := r.sent[n]; ok {
			if _, dup := r.arrived[n]; dup {
				r.doubled++
			} else {
				r.arrived[n] = at.Sub(s)
			}
		}
		r.mu.Unlock()
	}
}

// findChats looks the active visitors' chat tickets up through the API,
// by their subjects.
func (r *run) findChats(ctx context.Context, vs []*visitor) error {
	bySubject := make(map[string]*visitor, len(vs))
	for _, v := range vs {
		bySubject[r.chatSubject(v.n)] = v
	}
	found, cursor := 0, ""
	for {
		var page struct {
			Data []struct {
				ID      int64  `json:"id"`
				Subject string `json:"subject"`
			} `json:"data"`
			Next string `json:"next_cursor"`
		}
		path := "/tickets?channel=chat&view=all&sort=created&limit=100"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		if err := r.call(ctx, http.MethodGet, path, nil, http.StatusOK, &page); err != nil {
			return fmt.Errorf("chatbench: list the chats: %w", err)
		}
		for _, t := range page.Data {
			if v := bySubject[t.Subject]; v != nil && v.ticket == 0 {
				v.ticket = t.ID
				found++
			}
		}
		if found == len(vs) || page.Next == "" {
			break
		}
		cursor = page.Next
	}
	if found != len(vs) {
		return fmt.Errorf("chatbench: %d of %d chats found through the API", found, len(vs))
	}
	return nil
}

// reply sends Active × Replies replies at Rate a second, open loop (each
// at its time, whether the earlier ones were answered or not), round the
// chats in turn, and waits for them to arrive.
func (r *run) reply(ctx context.Context, vs []*visitor, rep *Report) {
	total := len(vs) * r.o.Replies
	interval := time.Duration(float64(time.Second) / r.o.Rate)
	r.logf("%d replies to %d chats at %.0f a second", total, len(vs), r.o.Rate)
	var wg sync.WaitGroup
	var apiMu sync.Mutex
	apiLat := make([]time.Duration, 0, total)
	start := time.Now()
	for k := range total {
		if d := time.Until(start.Add(time.Duration(k) * interval)); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return
			}
		}
		v := vs[k%len(vs)]
		wg.Go(func() {
			body := map[string]any{"body": r.replyPrefix() + strconv.Itoa(k)}
			r.mu.Lock()
			r.sent[k] = time.Now()
			r.mu.Unlock()
			t0 := time.Now()
			err := r.callOn(ctx, r.o.AgentURL, http.MethodPost, "/tickets/"+strconv.FormatInt(v.ticket, 10)+"/reply", body, http.StatusCreated, nil)
			d := time.Since(t0)
			r.mu.Lock()
			rep.Replies++
			if err != nil {
				rep.Failed++
				delete(r.sent, k)
				delete(r.arrived, k)
			} else {
				r.want++
			}
			r.mu.Unlock()
			if err != nil {
				r.fail(fmt.Errorf("reply %d: %w", k, err))
				return
			}
			apiMu.Lock()
			apiLat = append(apiLat, d)
			apiMu.Unlock()
		})
		if k > 0 && k%1000 == 0 {
			r.logf("%d replies sent", k)
		}
	}
	wg.Wait()
	rep.API50, rep.API99, _ = percentiles(apiLat)
	// The arrival times are taken by the readers; this only waits for them.
	deadline := time.Now().Add(r.o.Wait)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		r.mu.Lock()
		all := len(r.arrived) >= r.want
		r.mu.Unlock()
		if all {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// call is an API request to the agents' node.
func (r *run) call(ctx context.Context, method, path string, body any, want int, out any) error {
	return r.callOn(ctx, r.o.AgentURL, method, path, body, want, out)
}

func (r *run) callOn(ctx context.Context, base, method, path string, body any, want int, out any) error {
	return do(ctx, r.api, method, base+"/api/v1"+path, map[string]string{"Authorization": "Bearer " + r.o.Token}, body, want, out)
}

// widgetCall is a visitor's request to the widget's API.
func (r *run) widgetCall(ctx context.Context, hc *http.Client, method, path, token string, body any, want int, out any) error {
	h := map[string]string{"Origin": origin}
	if token != "" {
		h["Authorization"] = "Bearer " + token
	}
	return do(ctx, hc, method, r.o.VisitorURL+"/chat/v1/w/"+r.key+"/"+path, h, body, want, out)
}

func do(ctx context.Context, hc *http.Client, method, url string, headers map[string]string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: HTTP %d: %.200s", method, req.URL.Path, resp.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: %w", method, req.URL.Path, err)
		}
	}
	return nil
}

// memory reads the visitors' node's memory: the resident set from /proc,
// the Go heap and stacks after a GC and the goroutines from its profiles.
func (r *run) memory(ctx context.Context) Mem {
	m := Mem{RSS: -1, Heap: -1, Goroutines: -1}
	if r.o.PID > 0 {
		if rss, err := procRSS(r.o.PID); err == nil {
			m.RSS = rss
		} else {
			r.fail(fmt.Errorf("memory of process %d: %w", r.o.PID, err))
		}
	}
	if r.o.Pprof == "" {
		return m
	}
	base := strings.TrimRight(r.o.Pprof, "/")
	get := func(path string) (string, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if err != nil {
			return "", err
		}
		resp, err := r.api.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("%s: HTTP %d", path, resp.StatusCode)
		}
		// The goroutine profile lists every stack after its first line;
		// a heap profile's figures come at its end.
		b, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
		return string(b), err
	}
	if text, err := get("/debug/pprof/heap?gc=1&debug=1"); err == nil {
		inuse, stack := memStat(text, "# HeapInuse = "), memStat(text, "# Stack = ")
		if inuse >= 0 && stack >= 0 {
			m.Heap = inuse + stack
		}
	} else {
		r.fail(fmt.Errorf("heap profile: %w", err))
	}
	if text, err := get("/debug/pprof/goroutine?debug=1"); err == nil {
		line, _, _ := strings.Cut(text, "\n")
		if n, err := strconv.ParseInt(strings.TrimPrefix(line, "goroutine profile: total "), 10, 64); err == nil {
			m.Goroutines = n
		}
	} else {
		r.fail(fmt.Errorf("goroutine profile: %w", err))
	}
	return m
}

// memStat reads the number after prefix on its line of a heap profile
// ("# Stack = 1234 / 5678" gives 1234); -1 when absent.
func memStat(text, prefix string) int64 {
	i := strings.Index(text, prefix)
	if i < 0 {
		return -1
	}
	f := strings.Fields(text[i+len(prefix):])
	if len(f) == 0 {
		return -1
	}
	n, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// procRSS is a process's resident memory, from /proc.
func procRSS(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS")
}
