package smtpd_test

import (
	"bufio"
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/channel/smtpd"
	"github.com/rapport/rapport/internal/intake"
)

func serve(t *testing.T, o smtpd.Opts) string {
	t.Helper()
	o.Addr, o.Mailboxes = "127.0.0.1:0", []string{"support@shop.example"}
	if o.Parse == nil {
		o.Parse = headerParser
	}
	s, err := smtpd.New(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return s.Addr()
}

// greeting connects and returns the server's first line.
func greeting(t *testing.T, addr string) (net.Conn, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		c.Close()
		t.Fatalf("no greeting: %v", err)
	}
	return c, line
}

// One connection past --smtp-max-sessions is told 421 and closed; once a
// conversation ends its place is free again.
func TestSessionCapAnswers421(t *testing.T) {
	addr := serve(t, smtpd.Opts{Intake: &recorder{}, MaxSessions: 2})
	var open []net.Conn
	for range 2 {
		c, line := greeting(t, addr)
		if !strings.HasPrefix(line, "220 ") {
			t.Fatalf("within the cap: %q", line)
		}
		open = append(open, c)
	}
	c, line := greeting(t, addr)
	if !strings.HasPrefix(line, "421 4.3.2 ") {
		t.Fatalf("past the cap: %q, want 421", line)
	}
	if _, err := bufio.NewReader(c).ReadString('\n'); err == nil {
		t.Fatal("the connection past the cap stays open")
	}
	c.Close()
	open[0].Close()
	// The freed place is taken by the next connection (the server learns
	// of the close when its read fails, so try a few times).
	for i := 0; ; i++ {
		c, line := greeting(t, addr)
		c.Close()
		if strings.HasPrefix(line, "220 ") {
			break
		}
		if i == 100 {
			t.Fatalf("the place of a closed connection is never freed: %q", line)
		}
		time.Sleep(10 * time.Millisecond)
	}
	open[1].Close()
}

// blocking is a Receiver that holds each message until released.
type blocking struct {
	recorder
	entered chan struct{}
	release chan struct{}
}

func (b *blocking) Receive(ctx context.Context, in intake.Inbound) (intake.Result, error) {
	b.entered <- struct{}{}
	<-b.release
	return b.recorder.Receive(ctx, in)
}

// While one large message holds all the memory intake may use, a second
// waits its turn and, when the wait is too long, is answered 452 (the
// sender keeps it and retries); the first is stored and answered 250.
func TestMemoryCapDefersWith452(t *testing.T) {
	rec := &blocking{entered: make(chan struct{}, 2), release: make(chan struct{})}
	addr := serve(t, smtpd.Opts{Intake: rec, MaxMemory: 1 << 20, MemoryWait: 50 * time.Millisecond})
	large := message("large", strings.Repeat(strings.Repeat("y", 76)+"\r\n", 6000)) // ~470 KB, spooled to disk
	var wg sync.WaitGroup
	var first int
	wg.Add(1)
	go func() { defer wg.Done(); first = send(t, addr, []string{"support@shop.example"}, large) }()
	<-rec.entered // the first holds its memory now
	if got := send(t, addr, []string{"support@shop.example"}, message("second", "small but late")); got != 452 {
		t.Fatalf("second message while the memory is taken: %d, want 452", got)
	}
	close(rec.release)
	wg.Wait()
	if first != 250 {
		t.Fatalf("the large message: %d, want 250", first)
	}
	rec.mu.Lock()
	got := rec.got
	rec.mu.Unlock()
	if len(got) != 1 || got[0].Subject != "large" || len(got[0].Raw) != len(large) {
		t.Fatalf("stored %d messages", len(got))
	}
	if got := send(t, addr, []string{"support@shop.example"}, message("third", "after")); got != 250 {
		t.Fatalf("a message once the memory is free: %d", got)
	}
}
