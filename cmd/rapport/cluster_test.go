package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/smtp"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// node is one `rapport serve` process of the cluster test.
type node struct {
	cmd        *exec.Cmd
	http, smtp string
	relay      *sinkRelay
}

// TestThreeNodesOnePostgres runs three `rapport serve` processes on one
// PostgreSQL database, as a deployment behind a load balancer would, and
// checks what a user would notice if the nodes were not truly stateless:
//
//   - a ticket created through the API of one node is seen on the others;
//   - every timer fires exactly once across the nodes (the greeting
//     target of chat tickets, set to a few seconds, breaches once per
//     ticket);
//   - every customer gets exactly one acknowledgement, whichever node ran
//     its job, even when a node is killed with SIGKILL in the middle of
//     sending one: its job is taken over by another node within seconds
//     (the lease, --job-lease 2s here, lapses without its heartbeat), and
//     nothing is lost.
//
// Each node sends its mail through its own SMTP relay (sinkRelay), so the
// test sees which node sent what. It runs in CI's PostgreSQL pass and is
// skipped without RAPPORT_TEST_POSTGRES_DSN.
func TestThreeNodesOnePostgres(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	agents := agent.New(db, jobs.SystemClock{})
	admin, err := agents.Create(ctx, agent.NewAgent{Email: "admin@shop.example", Name: "Admin", Role: agent.RoleAdmin,
		Password: "long enough password", Languages: []string{"en"}})
	if err != nil {
		t.Fatal(err)
	}
	token, err := agents.CreateToken(ctx, admin.ID, "cluster")
	if err != nil {
		t.Fatal(err)
	}
	// Chat tickets must be greeted within 3 s; no other target.
	now := time.Now().UnixMilli()
	if _, err := db.W.ExecContext(ctx, `INSERT INTO sla_policies (name, channel, greeting_seconds, pause_on_pending, active, created_at, updated_at)
		VALUES ('Chat', 'chat', 3, FALSE, TRUE, $1, $1)`, now); err != nil {
		t.Fatal(err)
	}

	gate := &killGate{chosen: make(chan int, 1)}
	nodes := make([]*node, 3)
	for i := range nodes {
		relay := startSinkRelay(t, i, gate)
		n := &node{http: freeAddr(t), smtp: freeAddr(t), relay: relay}
		dir := t.TempDir()
		n.cmd = startServer(t, "--db", dsn, "--addr", n.http, "--smtp-addr", n.smtp,
			// One worker per node: when a node is killed in the middle of a
			// send, that send is the only one it has open, so every other
			// acknowledgement is sent exactly once (a send cut after the
			// relay's 250 and before its commit would be sent again: SMTP
			// cannot be exactly once, only at least once).
			"--mailboxes", "support@shop.example", "--smtp-relay", relay.addr, "--workers", "1",
			"--job-lease", "2s", "--outbox-dir", filepath.Join(dir, "outbox"), "--attachments-dir", filepath.Join(dir, "att"))
		nodes[i] = n
	}
	for _, n := range nodes {
		waitUp(t, "http://"+n.http+"/readyz")
		waitSMTP(t, n.smtp)
	}
	api := func(n *node, method, path string, body any) (int, map[string]any) {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, "http://"+n.http+"/api/v1"+path, rd)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}

	// A ticket created on one node is seen on the others; six chat tickets,
	// two made on each node, start their greeting timers.
	var chats []int64
	for i := range 6 {
		code, got := api(nodes[i%3], "POST", "/tickets", map[string]any{"subject": fmt.Sprintf("Chat %d", i),
			"body": "Hello, anyone there?", "channel": "chat", "customer_email": fmt.Sprintf("chat%d@example.com", i)})
		if code != http.StatusCreated {
			t.Fatalf("create on node %d: %d %v", i%3, code, got)
		}
		id := int64(got["id"].(float64))
		chats = append(chats, id)
		for j, other := range nodes {
			if code, seen := api(other, "GET", fmt.Sprintf("/tickets/%d", id), nil); code != http.StatusOK || seen["subject"] != fmt.Sprintf("Chat %d", i) {
				t.Errorf("ticket %d made on node %d, on node %d: %d %v", id, i%3, j, code, seen)
			}
		}
	}

	// Every greeting timer breaches exactly once across the three nodes.
	waitFor(t, 60*time.Second, "every chat ticket's greeting breach", func() bool {
		var n int
		db.R.QueryRowContext(ctx, `SELECT count(DISTINCT ticket_id) FROM ticket_events WHERE type = 'sla_breached'`).Scan(&n)
		return n == len(chats)
	})
	waitFor(t, 30*time.Second, "the SLA jobs to finish", func() bool {
		var n int
		db.R.QueryRowContext(ctx, `SELECT count(*) FROM jobs WHERE kind LIKE 'sla.%' AND status IN ('pending', 'running')`).Scan(&n)
		return n == 0
	})
	for _, id := range chats {
		var breached, risk int
		db.R.QueryRowContext(ctx, `SELECT count(*) FROM ticket_events WHERE ticket_id = $1 AND type = 'sla_breached'`, id).Scan(&breached)
		db.R.QueryRowContext(ctx, `SELECT count(*) FROM ticket_events WHERE ticket_id = $1 AND type = 'sla_at_risk'`, id).Scan(&risk)
		if breached != 1 || risk > 1 {
			t.Errorf("ticket %d: breached %d times, warned %d times; want once each at most (breach exactly once)", id, breached, risk)
		}
	}

	// Mail arrives at every node; each new ticket is acknowledged once. The
	// first node to send an acknowledgement stalls in the middle of it
	// (its relay never answers the message) and is killed there.
	gate.arm()
	const mails = 9
	for i := range mails {
		msg := fmt.Sprintf("From: Customer %d <c%d@example.com>\r\nTo: support@shop.example\r\nSubject: Order %d\r\n"+
			"Message-ID: <cluster.%d@example.com>\r\n\r\nWhere is my order %d?\r\n", i, i, i, i, i)
		if err := smtp.SendMail(nodes[i%3].smtp, nil, fmt.Sprintf("c%d@example.com", i), []string{"support@shop.example"}, []byte(msg)); err != nil {
			t.Fatalf("mail %d to node %d: %v", i, i%3, err)
		}
	}
	var victim int
	select {
	case victim = <-gate.chosen:
	case <-time.After(30 * time.Second):
		t.Fatal("no node started an acknowledgement")
	}
	stalled := gate.stalledRcpt()
	if err := nodes[victim].cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	nodes[victim].cmd.Wait()
	killed := time.Now()
	t.Logf("node %d killed while sending the acknowledgement to %s", victim, stalled)

	// Its job is taken over: with a 2 s lease it is sent within seconds (the
	// old fixed lease was 5 minutes; the wait below is far shorter).
	delivered := func() map[string]int {
		all := map[string]int{}
		for _, n := range nodes {
			for rcpt, c := range n.relay.received() {
				all[rcpt] += c
			}
		}
		return all
	}
	waitFor(t, 30*time.Second, "the killed node's acknowledgement to be taken over", func() bool { return delivered()[stalled] > 0 })
	t.Logf("taken over and sent %s after the kill", time.Since(killed).Round(100*time.Millisecond))
	waitFor(t, 30*time.Second, "every acknowledgement", func() bool { return len(delivered()) >= mails })
	waitFor(t, 30*time.Second, "no job left running", func() bool {
		var n int
		db.R.QueryRowContext(ctx, `SELECT count(*) FROM jobs WHERE status = 'running'`).Scan(&n)
		return n == 0
	})
	got := delivered()
	for i := range mails {
		rcpt := fmt.Sprintf("c%d@example.com", i)
		if got[rcpt] != 1 {
			t.Errorf("%s got %d acknowledgements, want exactly 1", rcpt, got[rcpt])
		}
	}
	var tickets, acks int
	db.R.QueryRowContext(ctx, `SELECT count(*) FROM tickets WHERE channel = 'email'`).Scan(&tickets)
	db.R.QueryRowContext(ctx, `SELECT count(*) FROM outbound_mail WHERE kind = 'ack' AND status = 'sent'`).Scan(&acks)
	if tickets != mails || acks != mails {
		t.Errorf("%d mail tickets and %d acknowledgements recorded for %d mails", tickets, acks, mails)
	}

	// A file attached on one node downloads, byte for byte, from another:
	// files live in the database, not in a node's folder.
	var alive []*node
	for i, n := range nodes {
		if i != victim {
			alive = append(alive, n)
		}
	}
	file := bytes.Repeat([]byte("Rapport cluster attachment.\n"), 40000) // about 1.1 MB: several chunks
	code, reply := api(alive[0], "POST", fmt.Sprintf("/tickets/%d/reply", chats[0]), map[string]any{
		"body": "Here is the manual.", "attachments": []map[string]string{{"filename": "manual.txt",
			"content_type": "text/plain", "data": base64.StdEncoding.EncodeToString(file)}}})
	if code != http.StatusCreated {
		t.Fatalf("reply with a file on one node: %d %v", code, reply)
	}
	web := webLogin(t, "http://"+alive[1].http, "admin@shop.example", "long enough password")
	page := web.get(t, fmt.Sprintf("/tickets/%d", chats[0]))
	link := regexp.MustCompile(`/tickets/\d+/attachments/\d+`).FindString(page)
	if link == "" {
		t.Fatal("the other node's ticket page shows no attachment")
	}
	if got := web.get(t, link); got != string(file) {
		t.Fatalf("the file downloaded from the other node has %d bytes, want the %d attached", len(got), len(file))
	}
}

// webClient is a signed-in browser session on one node.
type webClient struct {
	base string
	c    *http.Client
}

// webLogin signs in on base's login form (with its CSRF token) and keeps
// the session cookie.
func webLogin(t *testing.T, base, email, password string) *webClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	w := &webClient{base: base, c: &http.Client{Jar: jar}}
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(w.get(t, "/login"))
	if m == nil {
		t.Fatal("no CSRF token on the login page")
	}
	resp, err := w.c.PostForm(base+"/login", url.Values{"csrf": {html.UnescapeString(m[1])}, "email": {email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path == "/login" {
		t.Fatalf("sign-in on %s failed: %s", base, resp.Status)
	}
	return w
}

func (w *webClient) get(t *testing.T, path string) string {
	t.Helper()
	resp, err := w.c.Get(w.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", path, resp.Status)
	}
	return string(b)
}

// waitFor polls cond until it holds or limit passes, then fails naming what.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", limit, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// killGate picks the node to kill: once armed, the first relay to receive
// a whole message holds it unanswered and names its node.
type killGate struct {
	mu     sync.Mutex
	armed  bool
	victim int // -1 none yet, when armed
	rcpt   string
	chosen chan int
}

func (g *killGate) arm() {
	g.mu.Lock()
	g.armed, g.victim = true, -1
	g.mu.Unlock()
}

// stall reports whether relay node should hold this message forever.
func (g *killGate) stall(node int, rcpt string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.armed || g.victim != -1 {
		return false
	}
	g.victim, g.rcpt = node, rcpt
	g.chosen <- node
	return true
}

func (g *killGate) stalledRcpt() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.rcpt
}

// sinkRelay is a minimal SMTP relay that accepts every message and counts
// what each recipient was sent; a message the gate stalls is never answered
// and so never counted (the sender did not get its 250).
type sinkRelay struct {
	addr string
	mu   sync.Mutex
	got  map[string]int
}

func (r *sinkRelay) received() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.got))
	for k, v := range r.got {
		out[k] = v
	}
	return out
}

func startSinkRelay(t *testing.T, node int, gate *killGate) *sinkRelay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	r := &sinkRelay{addr: ln.Addr().String(), got: map[string]int{}}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go r.serve(c, node, gate)
		}
	}()
	return r
}

func (r *sinkRelay) serve(c net.Conn, node int, gate *killGate) {
	defer c.Close()
	br := bufio.NewReader(c)
	say := func(s string) { fmt.Fprintf(c, "%s\r\n", s) }
	say("220 sink ESMTP")
	var rcpts []string
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 sink")
		case strings.HasPrefix(cmd, "MAIL FROM"):
			rcpts = nil
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO"):
			addr := strings.TrimSpace(line[len("RCPT TO:"):])
			rcpts = append(rcpts, strings.ToLower(strings.Trim(addr, "<> \r\n")))
			say("250 ok")
		case cmd == "DATA":
			say("354 go on")
			for {
				l, err := br.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
			}
			if len(rcpts) > 0 && gate.stall(node, rcpts[0]) {
				io.Copy(io.Discard, br) // until the sender dies
				return
			}
			r.mu.Lock()
			for _, a := range rcpts {
				r.got[a]++
			}
			r.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}
