package imappoll_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/rapport/rapport/internal/channel/imappoll"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/intake"
)

// waitFor is how long a test waits for the poller to do something; the
// poller is normally done in milliseconds.
const waitFor = 15 * time.Second

// recorder is a Receiver that keeps what it was given, or fails on demand.
type recorder struct {
	mu       sync.Mutex
	got      []intake.Inbound
	attempts int
	fail     func(in intake.Inbound) bool
}

func (r *recorder) Receive(_ context.Context, in intake.Inbound) (intake.Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts++
	if r.fail != nil && r.fail(in) {
		return intake.Result{}, errors.New("database is down")
	}
	r.got = append(r.got, in)
	return intake.Result{InboundID: int64(len(r.got)), Outcome: intake.OutcomeTicket}, nil
}

func (r *recorder) setFail(f func(intake.Inbound) bool) {
	r.mu.Lock()
	r.fail = f
	r.mu.Unlock()
}

// keys lists what was received as "mailbox message-id", in order.
func (r *recorder) keys() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, in := range r.got {
		out = append(out, in.Mailbox+" "+in.MessageKey)
	}
	return out
}

func (r *recorder) snapshot() []intake.Inbound {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]intake.Inbound(nil), r.got...)
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

func (r *recorder) attemptCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.attempts
}

// headerParser reads just the From, Subject and Message-ID, enough for the
// poller's own tests; the real parser has tests of its own.
func headerParser(raw []byte) intake.Inbound {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return intake.Inbound{Class: intake.ClassUnreadable, Reason: err.Error()}
	}
	if m.Header.Get("Subject") == "panic" {
		panic("parser bug")
	}
	from, _ := mail.ParseAddress(m.Header.Get("From"))
	in := intake.Inbound{Subject: m.Header.Get("Subject"), MessageKey: m.Header.Get("Message-ID")}
	if from != nil {
		in.From = intake.Sender{Kind: customer.Email, Value: from.Address, Name: from.Name}
	}
	return in
}

func message(id string) []byte {
	return []byte("From: Carla <carla@example.com>\r\nTo: support@shop.example\r\nSubject: " + id +
		"\r\nMessage-ID: <" + id + "@example.com>\r\n\r\nHello, about " + id + ".\r\n")
}

// literal is a message for imapmemserver's Append.
type literal struct {
	*bytes.Reader
	n int64
}

func (l literal) Size() int64 { return l.n }

// server is an in-memory IMAP server on 127.0.0.1.
type server struct {
	addr  string
	mem   *imapmemserver.Server
	users map[string]*imapmemserver.User
}

type serverOpts struct {
	caps     imap.CapSet // default IMAP4rev2
	tls      imappoll.TLSMode
	stripIdl bool // hide IDLE from the client, as a server without it would
}

// startServer runs an IMAP server whose users each have the folders named
// and the given password "secret-<user>".
func startServer(t *testing.T, so serverOpts, users map[string][]string) (*server, *tls.Config) {
	t.Helper()
	mem := imapmemserver.New()
	s := &server{mem: mem, users: map[string]*imapmemserver.User{}}
	for name, folders := range users {
		u := imapmemserver.NewUser(name, "secret-"+name)
		for _, f := range folders {
			if err := u.Create(f, nil); err != nil {
				t.Fatal(err)
			}
		}
		mem.AddUser(u)
		s.users[name] = u
	}
	caps := so.caps
	if caps == nil {
		caps = imap.CapSet{imap.CapIMAP4rev2: {}}
	}
	srvLog := &serverLog{}
	var serverTLS, clientTLS *tls.Config
	if so.tls == imappoll.TLSImplicit || so.tls == imappoll.TLSStartTLS {
		serverTLS, clientTLS = testTLS(t)
	}
	opts := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return promptIdle{mem.NewSession().(imapserver.SessionIMAP4rev2)}, nil, nil
		},
		Caps:         caps,
		InsecureAuth: so.tls == imappoll.TLSNone || so.tls == "",
		Logger:       srvLog,
	}
	if so.tls == imappoll.TLSStartTLS {
		opts.TLSConfig = serverTLS
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("IMAP server log:\n%s", srvLog)
		}
	})
	srv := imapserver.New(opts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if so.tls == imappoll.TLSImplicit {
		ln = tls.NewListener(ln, serverTLS)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	s.addr = ln.Addr().String()
	if so.stripIdl {
		s.addr = stripIdle(t, s.addr)
	}
	return s, clientTLS
}

// promptIdle makes imapmemserver also send, during IDLE, the updates
// queued just before IDLE began: its tracker sends only those that come
// later, so mail that lands between the poller's last command and its IDLE
// would wait for the next refresh (Dovecot and other real servers send
// them), and the tests would be flaky.
type promptIdle struct{ imapserver.SessionIMAP4rev2 }

func (s promptIdle) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	for {
		if err := s.Poll(w, true); err != nil {
			return err
		}
		inner := make(chan struct{})
		go func() {
			defer close(inner)
			select {
			case <-stop:
			case <-time.After(20 * time.Millisecond):
			}
		}()
		if err := s.SessionIMAP4rev2.Idle(w, inner); err != nil {
			return err
		}
		select {
		case <-stop:
			return nil
		default:
		}
	}
}

// serverLog keeps the server's complaints. It does not write to the test's
// log directly: connections may still be closing after the test has ended.
type serverLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *serverLog) Printf(format string, args ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

func (l *serverLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func (s *server) appendMessage(t *testing.T, user, folder string, raw []byte) {
	t.Helper()
	_, err := s.users[user].Append(folder, literal{bytes.NewReader(raw), int64(len(raw))}, &imap.AppendOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

// status returns how many messages a folder holds and how many are unseen.
func (s *server) status(t *testing.T, user, folder string) (total, unseen uint32) {
	t.Helper()
	st, err := s.users[user].Status(folder, &imap.StatusOptions{NumMessages: true, NumUnseen: true})
	if err != nil {
		t.Fatal(err)
	}
	return *st.NumMessages, *st.NumUnseen
}

// testTLS makes a self-signed certificate for 127.0.0.1 and the client
// configuration that trusts it.
func testTLS(t *testing.T) (serverConf, clientConf *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "imap.test"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool}
}

// stripIdle puts a proxy in front of addr that removes IDLE from the
// server's capability lists, and returns the proxy's address.
func stripIdle(t *testing.T, addr string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			upstream, err := net.Dial("tcp", addr)
			if err != nil {
				client.Close()
				continue
			}
			go func() {
				io.Copy(upstream, client)
				upstream.Close()
			}()
			go func() {
				defer client.Close()
				br := bufio.NewReader(upstream)
				for {
					line, err := br.ReadString('\n')
					if strings.Contains(line, "CAPABILITY") {
						line = strings.ReplaceAll(line, " IDLE", "")
					}
					if _, werr := io.WriteString(client, line); werr != nil || err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// logs is a slog handler that keeps the records for inspection.
type logs struct {
	mu      sync.Mutex
	records []string // message and attributes, as text
}

func (l *logs) Enabled(context.Context, slog.Level) bool { return true }
func (l *logs) WithGroup(string) slog.Handler            { return l }
func (l *logs) WithAttrs(as []slog.Attr) slog.Handler {
	return &attrLogs{l: l, attrs: as}
}
func (l *logs) Handle(_ context.Context, r slog.Record) error {
	return l.handle(r, nil)
}

func (l *logs) handle(r slog.Record, pre []slog.Attr) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", r.Level, r.Message)
	for _, a := range pre {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value.Resolve())
	}
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value.Resolve())
		return true
	})
	l.mu.Lock()
	l.records = append(l.records, b.String())
	l.mu.Unlock()
	return nil
}

type attrLogs struct {
	l     *logs
	attrs []slog.Attr
}

func (a *attrLogs) Enabled(context.Context, slog.Level) bool { return true }
func (a *attrLogs) WithGroup(string) slog.Handler            { return a }
func (a *attrLogs) WithAttrs(as []slog.Attr) slog.Handler {
	return &attrLogs{l: a.l, attrs: append(append([]slog.Attr{}, a.attrs...), as...)}
}
func (a *attrLogs) Handle(_ context.Context, r slog.Record) error { return a.l.handle(r, a.attrs) }

// matching returns the records that contain every one of parts.
func (l *logs) matching(parts ...string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
next:
	for _, r := range l.records {
		for _, p := range parts {
			if !strings.Contains(r, p) {
				continue next
			}
		}
		out = append(out, r)
	}
	return out
}

func (l *logs) all() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.records, "\n")
}

// run starts a poller and stops it when the test ends, checking that Run
// returns promptly.
func run(t *testing.T, o imappoll.Opts) *logs {
	t.Helper()
	lg := &logs{}
	o.Log = slog.New(lg)
	if o.Parse == nil {
		o.Parse = headerParser
	}
	if o.RetryDelay == 0 {
		o.RetryDelay = 20 * time.Millisecond
	}
	p, err := imappoll.New(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(waitFor):
			t.Errorf("Run did not return after the context was cancelled")
		}
		if t.Failed() {
			t.Logf("poller log:\n%s", lg.all())
		}
	})
	return lg
}

// eventually waits for cond, failing the test with what after waitFor.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestDeliversEachMessageOnceAndMarksSeen(t *testing.T) {
	tests := []struct {
		name string
		so   serverOpts
	}{
		{name: "plain IMAP4rev2", so: serverOpts{tls: imappoll.TLSNone}},
		{name: "plain IMAP4rev1", so: serverOpts{tls: imappoll.TLSNone, caps: imap.CapSet{imap.CapIMAP4rev1: {}}}},
		{name: "implicit TLS", so: serverOpts{tls: imappoll.TLSImplicit}},
		{name: "STARTTLS", so: serverOpts{tls: imappoll.TLSStartTLS}},
		{name: "no IDLE, polling", so: serverOpts{tls: imappoll.TLSNone, caps: imap.CapSet{imap.CapIMAP4rev1: {}}, stripIdl: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, clientTLS := startServer(t, tc.so, map[string][]string{"alice": {"INBOX"}, "bob": {"INBOX", "Support"}})
			for _, id := range []string{"a1", "a2", "a3"} {
				srv.appendMessage(t, "alice", "INBOX", message(id))
			}
			for _, id := range []string{"b1", "b2"} {
				srv.appendMessage(t, "bob", "Support", message(id))
			}
			srv.appendMessage(t, "bob", "INBOX", message("not-polled"))
			rec := &recorder{}
			lg := run(t, imappoll.Opts{
				Accounts: []imappoll.Account{
					{Name: "alice", Addr: srv.addr, TLS: tc.so.tls, TLSConfig: clientTLS, Username: "alice",
						Password: "secret-alice", Address: "alice@shop.example"},
					{Name: "bob", Addr: srv.addr, TLS: tc.so.tls, TLSConfig: clientTLS, Username: "bob",
						Password: "secret-bob", Folder: "Support", After: imappoll.AfterSeen, Address: "bob@shop.example"},
				},
				Intake:       rec,
				PollInterval: 50 * time.Millisecond,
			})
			eventually(t, "five messages delivered", func() bool { return rec.count() >= 5 })
			// Mail that arrives later comes in on a later round, after the
			// first messages were marked: they must not come again.
			srv.appendMessage(t, "alice", "INBOX", message("a4"))
			srv.appendMessage(t, "bob", "Support", message("b3"))
			eventually(t, "the later messages delivered", func() bool { return rec.count() >= 7 })

			seen := map[string]int{}
			for _, k := range rec.keys() {
				seen[k]++
			}
			for _, want := range []string{"alice@shop.example <a1@example.com>", "alice@shop.example <a2@example.com>",
				"alice@shop.example <a3@example.com>", "alice@shop.example <a4@example.com>",
				"bob@shop.example <b1@example.com>", "bob@shop.example <b2@example.com>", "bob@shop.example <b3@example.com>"} {
				if seen[want] != 1 {
					t.Errorf("%s delivered %d times, want once; got %v", want, seen[want], rec.keys())
				}
			}
			if len(seen) != 7 {
				t.Errorf("delivered %v, want exactly the seven messages", rec.keys())
			}
			eventually(t, "all marked seen", func() bool {
				_, ua := srv.status(t, "alice", "INBOX")
				_, ub := srv.status(t, "bob", "Support")
				return ua == 0 && ub == 0
			})
			if total, unseen := srv.status(t, "bob", "INBOX"); total != 1 || unseen != 1 {
				t.Errorf("bob's INBOX has %d messages, %d unseen; want the one untouched", total, unseen)
			}
			for _, in := range rec.snapshot() {
				if in.Channel != "email" || len(in.Raw) == 0 || in.From.Value != "carla@example.com" {
					t.Errorf("delivered %+v, want channel email, the raw message and the sender", in)
				}
			}
			wantIdle := fmt.Sprintf("idle=%v", !tc.so.stripIdl)
			if got := lg.matching("imap mailbox ready", "account=alice", wantIdle); len(got) == 0 {
				t.Errorf("no \"imap mailbox ready\" record with %s", wantIdle)
			}
		})
	}
}

func TestFailedReceiveLeavesMessageForNextRound(t *testing.T) {
	srv, _ := startServer(t, serverOpts{tls: imappoll.TLSNone}, map[string][]string{"alice": {"INBOX"}})
	srv.appendMessage(t, "alice", "INBOX", message("ok"))
	srv.appendMessage(t, "alice", "INBOX", message("troubled"))
	rec := &recorder{fail: func(in intake.Inbound) bool { return in.Subject == "troubled" }}
	lg := run(t, imappoll.Opts{
		Accounts: []imappoll.Account{{Addr: srv.addr, TLS: imappoll.TLSNone, Username: "alice", Password: "secret-alice"}},
		Intake:   rec, PollInterval: 20 * time.Millisecond,
	})
	// Two failed attempts: the message was tried again on a later round.
	eventually(t, "the failing message tried twice", func() bool { return rec.attemptCount() >= 3 })
	if total, unseen := srv.status(t, "alice", "INBOX"); total != 2 || unseen != 1 {
		t.Errorf("INBOX has %d messages, %d unseen; want 2 with the failed one unseen", total, unseen)
	}
	if got := lg.matching("ERROR", "inbound mail not stored", "database is down"); len(got) == 0 {
		t.Errorf("the failure was not logged")
	}

	rec.setFail(nil)
	eventually(t, "the message delivered once intake works", func() bool { return rec.count() == 2 })
	eventually(t, "the message marked seen", func() bool {
		_, unseen := srv.status(t, "alice", "INBOX")
		return unseen == 0
	})
	if got, want := strings.Join(rec.keys(), ","), " <ok@example.com>, <troubled@example.com>"; got != want {
		t.Errorf("delivered %q, want %q", got, want)
	}
}

func TestIdleDeliversNewMailPromptly(t *testing.T) {
	srv, _ := startServer(t, serverOpts{tls: imappoll.TLSNone}, map[string][]string{"alice": {"INBOX"}})
	srv.appendMessage(t, "alice", "INBOX", message("first"))
	rec := &recorder{}
	lg := run(t, imappoll.Opts{
		Accounts: []imappoll.Account{{Addr: srv.addr, TLS: imappoll.TLSNone, Username: "alice", Password: "secret-alice"}},
		Intake:   rec,
		// Far beyond the test's deadline: only IDLE can bring the second
		// message in time.
		PollInterval: time.Hour, IdleRefresh: time.Hour,
	})
	eventually(t, "the first message delivered", func() bool { return rec.count() == 1 })
	eventually(t, "the poller idling", func() bool { return len(lg.matching("imap idle")) > 0 })
	srv.appendMessage(t, "alice", "INBOX", message("second"))
	eventually(t, "the message appended during IDLE delivered", func() bool { return rec.count() == 2 })
	if got := rec.keys()[1]; got != " <second@example.com>" {
		t.Errorf("second delivery is %q", got)
	}
}

func TestMoveAfterCommit(t *testing.T) {
	tests := []struct {
		name    string
		caps    imap.CapSet
		folders []string
	}{
		{name: "MOVE into an existing folder", caps: imap.CapSet{imap.CapIMAP4rev2: {}}, folders: []string{"INBOX", "Done"}},
		{name: "MOVE, folder created", caps: imap.CapSet{imap.CapIMAP4rev2: {}}, folders: []string{"INBOX"}},
		{name: "COPY and EXPUNGE without MOVE", caps: imap.CapSet{imap.CapIMAP4rev1: {}}, folders: []string{"INBOX", "Done"}},
		{name: "COPY and UID EXPUNGE, folder created", caps: imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}}, folders: []string{"INBOX"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := startServer(t, serverOpts{tls: imappoll.TLSNone, caps: tc.caps}, map[string][]string{"alice": tc.folders})
			srv.appendMessage(t, "alice", "INBOX", message("m1"))
			srv.appendMessage(t, "alice", "INBOX", message("m2"))
			srv.appendMessage(t, "alice", "INBOX", message("stuck"))
			rec := &recorder{fail: func(in intake.Inbound) bool { return in.Subject == "stuck" }}
			run(t, imappoll.Opts{
				Accounts: []imappoll.Account{{Addr: srv.addr, TLS: imappoll.TLSNone, Username: "alice",
					Password: "secret-alice", After: "move:Done"}},
				Intake: rec, PollInterval: 20 * time.Millisecond,
			})
			eventually(t, "two messages delivered and the third tried twice", func() bool {
				return rec.count() == 2 && rec.attemptCount() >= 4
			})
			eventually(t, "the delivered messages moved", func() bool {
				inbox, _ := srv.status(t, "alice", "INBOX")
				return inbox == 1
			})
			if done, _ := srv.status(t, "alice", "Done"); done != 2 {
				t.Errorf("Done holds %d messages, want 2", done)
			}
			rec.setFail(nil)
			eventually(t, "the last message moved once stored", func() bool {
				inbox, _ := srv.status(t, "alice", "INBOX")
				done, _ := srv.status(t, "alice", "Done")
				return inbox == 0 && done == 3
			})
			if rec.count() != 3 {
				t.Errorf("delivered %v, want each of the three once", rec.keys())
			}
		})
	}
}

func TestWrongPasswordIsLoggedAndRetried(t *testing.T) {
	srv, _ := startServer(t, serverOpts{tls: imappoll.TLSNone}, map[string][]string{"alice": {"INBOX"}, "bob": {"INBOX"}})
	srv.appendMessage(t, "alice", "INBOX", message("fine"))
	rec := &recorder{}
	const wrong = "hunter2-not-it"
	lg := run(t, imappoll.Opts{
		Accounts: []imappoll.Account{
			{Name: "good", Addr: srv.addr, TLS: imappoll.TLSNone, Username: "alice", Password: "secret-alice"},
			{Name: "bad", Addr: srv.addr, TLS: imappoll.TLSNone, Username: "bob", Password: wrong},
		},
		Intake: rec, RetryDelay: 10 * time.Millisecond, MaxRetryDelay: 40 * time.Millisecond,
	})
	eventually(t, "the login failure logged and retried", func() bool {
		return len(lg.matching("ERROR", "account=bad", "log in", "AUTHENTICATIONFAILED")) >= 3
	})
	eventually(t, "the other account still working", func() bool { return rec.count() == 1 })
	if strings.Contains(lg.all(), wrong) {
		t.Errorf("the password appears in the log:\n%s", lg.all())
	}
}

func TestRunReturnsWhenCancelled(t *testing.T) {
	srv, _ := startServer(t, serverOpts{tls: imappoll.TLSNone}, map[string][]string{"alice": {"INBOX"}})
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := closed.Addr().String()
	closed.Close()

	tests := []struct {
		name    string
		account imappoll.Account
		ready   string // the log record that shows the poller got there
	}{
		{name: "while idling", ready: "imap idle",
			account: imappoll.Account{Addr: srv.addr, TLS: imappoll.TLSNone, Username: "alice", Password: "secret-alice"}},
		{name: "while waiting to reconnect", ready: "reconnecting",
			account: imappoll.Account{Addr: deadAddr, TLS: imappoll.TLSNone, Username: "alice", Password: "x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lg := &logs{}
			p, err := imappoll.New(imappoll.Opts{Accounts: []imappoll.Account{tc.account}, Parse: headerParser,
				Intake: &recorder{}, Log: slog.New(lg), RetryDelay: time.Hour, IdleRefresh: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- p.Run(ctx) }()
			eventually(t, tc.ready, func() bool { return len(lg.matching(tc.ready)) > 0 })
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(waitFor):
				t.Fatalf("Run did not return after the context was cancelled")
			}
		})
	}
}

func TestOversizedAndUnparseableMessages(t *testing.T) {
	srv, _ := startServer(t, serverOpts{tls: imappoll.TLSNone}, map[string][]string{"alice": {"INBOX"}})
	big := append(message("big"), bytes.Repeat([]byte("0123456789abcdef\r\n"), 200)...)
	srv.appendMessage(t, "alice", "INBOX", big)
	srv.appendMessage(t, "alice", "INBOX", message("panic"))
	srv.appendMessage(t, "alice", "INBOX", message("small"))
	rec := &recorder{}
	lg := run(t, imappoll.Opts{
		Accounts: []imappoll.Account{{Addr: srv.addr, TLS: imappoll.TLSNone, Username: "alice", Password: "secret-alice"}},
		Intake:   rec, MaxMessageBytes: 1000, PollInterval: 20 * time.Millisecond,
	})
	eventually(t, "two messages delivered", func() bool { return rec.count() == 2 })
	eventually(t, "both marked seen", func() bool {
		_, unseen := srv.status(t, "alice", "INBOX")
		return unseen == 1
	})
	got := rec.snapshot()
	unreadable, small := got[0], got[1]
	if unreadable.Class != intake.ClassUnreadable || !strings.Contains(unreadable.Reason, "parser bug") || len(unreadable.Raw) == 0 {
		t.Errorf("the message that panicked the parser came as %+v, want unreadable with its raw bytes", unreadable)
	}
	if small.Subject != "small" {
		t.Errorf("second delivery is %q, want the small message", small.Subject)
	}
	// A later round must not warn again about the message left behind.
	srv.appendMessage(t, "alice", "INBOX", message("later"))
	eventually(t, "a later message delivered", func() bool { return rec.count() == 3 })
	if got := lg.matching("WARN", "message too large"); len(got) != 1 {
		t.Errorf("got %d warnings about the large message, want 1 (once, not every round)", len(got))
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	good := imappoll.Account{Addr: "imap.example.com", Username: "u", Password: "p"}
	with := func(f func(*imappoll.Account)) []imappoll.Account {
		a := good
		f(&a)
		return []imappoll.Account{a}
	}
	tests := []struct {
		name     string
		opts     imappoll.Opts
		contains string // in the error; "" means no error
	}{
		{name: "good", opts: imappoll.Opts{Accounts: []imappoll.Account{good}}},
		{name: "no accounts", opts: imappoll.Opts{}, contains: "no accounts"},
		{name: "no username", opts: imappoll.Opts{Accounts: with(func(a *imappoll.Account) { a.Username = "" })}, contains: "username"},
		{name: "unknown TLS", opts: imappoll.Opts{Accounts: with(func(a *imappoll.Account) { a.TLS = "ssl" })}, contains: "TLS mode"},
		{name: "unknown after", opts: imappoll.Opts{Accounts: with(func(a *imappoll.Account) { a.After = "delete" })}, contains: "after"},
		{name: "move to nowhere", opts: imappoll.Opts{Accounts: with(func(a *imappoll.Account) { a.After = "move:" })}, contains: "no folder"},
		{name: "move onto itself", opts: imappoll.Opts{Accounts: with(func(a *imappoll.Account) { a.After = "move:inbox" })}, contains: "no folder"},
		{name: "move", opts: imappoll.Opts{Accounts: with(func(a *imappoll.Account) { a.After = "move:Done" })}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Parse, tc.opts.Intake = headerParser, &recorder{}
			_, err := imappoll.New(tc.opts)
			switch {
			case tc.contains == "" && err != nil:
				t.Errorf("New: %v", err)
			case tc.contains != "" && (err == nil || !strings.Contains(err.Error(), tc.contains)):
				t.Errorf("New: %v, want an error about %q", err, tc.contains)
			}
		})
	}
	if _, err := imappoll.New(imappoll.Opts{Accounts: []imappoll.Account{good}}); err == nil {
		t.Errorf("New without parser and receiver: no error")
	}
}

func TestAccountLogValueHidesPassword(t *testing.T) {
	var buf bytes.Buffer
	a := imappoll.Account{Name: "support", Addr: "imap.example.com:993", Username: "support@shop.example", Password: "s3cr3t-pw"}
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("configured", "account", a)
	if strings.Contains(buf.String(), "s3cr3t-pw") {
		t.Errorf("the password is in the log line: %s", buf.String())
	}
	if !strings.Contains(buf.String(), `"username":"support@shop.example"`) {
		t.Errorf("the log line does not name the account: %s", buf.String())
	}
}
