// Package smtpd is Rapport's inbound SMTP listener: it accepts mail for the
// configured mailboxes and answers 250 only after intake has committed the
// message to the database.
package smtpd

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
	"golang.org/x/sync/semaphore"

	"github.com/rapport/rapport/internal/intake"
)

// DefaultMaxMessageBytes is the largest message accepted when
// Opts.MaxMessageBytes is 0: 25 MiB, what common providers send.
const DefaultMaxMessageBytes = 25 << 20

// Defaults of the bounds on what intake holds at once.
const (
	DefaultMaxSessions = 100       // conversations at once
	DefaultMaxMemory   = 128 << 20 // bytes of messages being parsed and stored
	// SpoolAbove is the size past which a message is received into a
	// temporary file rather than memory, so that slow senders of large
	// messages hold disk, not memory, while they send.
	SpoolAbove = 256 << 10
	// MemoryFactor is how many times its size a message is counted
	// against MaxMemory while it is parsed and stored: the raw bytes,
	// the decoded parts, the database's copy of what it writes.
	MemoryFactor = 3
	// largeMessage is the size after which the heap is given back to the
	// system once no large message is in hand.
	largeMessage = 4 << 20
)

// Envelope is what the SMTP conversation says about a message, besides the
// message itself.
type Envelope struct {
	MailFrom   string
	Recipients []string // accepted RCPT TO addresses, lower-cased
	RemoteAddr string
}

// Parser turns a received message into an intake.Inbound. It never fails:
// a message it cannot read comes back with the class unreadable.
type Parser func(raw []byte, env Envelope) intake.Inbound

// Receiver stores an inbound message; intake.Service is one.
type Receiver interface {
	Receive(ctx context.Context, in intake.Inbound) (intake.Result, error)
}

// Opts configure a Server.
type Opts struct {
	Addr            string // host:port to listen on
	Domain          string // the name the server greets with
	Mailboxes       []string
	MaxMessageBytes int64
	TLS             *tls.Config // enables STARTTLS when set
	Parse           Parser
	Intake          Receiver
	Log             *slog.Logger
	// Timeout bounds each read and write on a connection; default 5 min.
	Timeout time.Duration
	// MaxSessions caps the conversations at once; a connection past it is
	// answered 421 and closed. Default DefaultMaxSessions.
	MaxSessions int
	// MaxMemory caps the bytes of messages parsed and stored at once, each
	// counted at MemoryFactor times its size (a message larger than the
	// whole cap is handled alone). A message waits its turn, on disk when
	// large, and is answered 452 when the wait passes MemoryWait. Default
	// DefaultMaxMemory.
	MaxMemory int64
	// MemoryWait bounds a message's wait for memory; default 4 min, so
	// that with the time to store it the answer comes within the sender's
	// wait for the reply to DATA (RFC 5321: 10 min).
	MemoryWait time.Duration
	// SpoolDir holds messages being received that are larger than
	// SpoolAbove; default the system's temporary folder.
	SpoolDir string
}

// Server is a running SMTP listener.
type Server struct {
	o      Opts
	srv    *smtp.Server
	ln     net.Listener
	memory *semaphore.Weighted
	large  atomic.Int64 // large messages in hand
}

// New listens on o.Addr. Serve starts accepting.
func New(o Opts) (*Server, error) {
	if o.Parse == nil || o.Intake == nil {
		return nil, errors.New("smtpd: a parser and a receiver are required")
	}
	if len(o.Mailboxes) == 0 {
		return nil, errors.New("smtpd: no mailboxes configured")
	}
	if o.MaxMessageBytes <= 0 {
		o.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Minute
	}
	if o.Domain == "" {
		o.Domain = "localhost"
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.MaxSessions <= 0 {
		o.MaxSessions = DefaultMaxSessions
	}
	if o.MaxMemory <= 0 {
		o.MaxMemory = DefaultMaxMemory
	}
	if o.MemoryWait <= 0 {
		o.MemoryWait = 4 * time.Minute
	}
	for i, m := range o.Mailboxes {
		o.Mailboxes[i] = strings.ToLower(strings.TrimSpace(m))
	}
	s := &Server{o: o, memory: semaphore.NewWeighted(o.MaxMemory)}
	s.srv = smtp.NewServer(smtp.BackendFunc(s.newSession))
	s.srv.Domain = o.Domain
	s.srv.MaxMessageBytes = o.MaxMessageBytes
	s.srv.MaxRecipients = 50
	// RFC 5321 allows 1,000 octets a line, but much real HTML mail has
	// longer ones; accept them rather than lose the message.
	s.srv.MaxLineLength = 64 << 10
	s.srv.ReadTimeout = o.Timeout
	s.srv.WriteTimeout = o.Timeout
	s.srv.TLSConfig = o.TLS
	s.srv.ErrorLog = slogLogger{o.Log}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return nil, fmt.Errorf("smtpd: listen %s: %w", o.Addr, err)
	}
	s.ln = &cappedListener{Listener: ln, slots: make(chan struct{}, o.MaxSessions), domain: o.Domain, log: o.Log}
	return s, nil
}

// cappedListener admits at most cap(slots) connections at once; one more
// is told 421 (RFC 5321 4.3.2: try again later) and closed at once,
// before it costs a session.
type cappedListener struct {
	net.Listener
	slots  chan struct{}
	domain string
	log    *slog.Logger
}

// Accept returns the next connection that has a slot.
func (l *cappedListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		select {
		case l.slots <- struct{}{}:
			return &slotConn{Conn: c, release: func() { <-l.slots }}, nil
		default:
			c.SetWriteDeadline(time.Now().Add(5 * time.Second))
			io.WriteString(c, "421 4.3.2 "+l.domain+" Too many connections, try again later\r\n")
			c.Close()
			l.log.Warn("smtp connection refused: too many at once", "remote", c.RemoteAddr().String(), "max", cap(l.slots))
		}
	}
}

// slotConn gives its slot back when closed.
type slotConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *slotConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Serve accepts connections until ctx ends, then stops listening and waits
// for the conversations in progress to end (each is bounded by Timeout).
func (s *Server) Serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(shCtx); err != nil {
		s.srv.Close()
	}
	<-errc
	return nil
}

// Close stops the server at once.
func (s *Server) Close() error { return s.srv.Close() }

// accepts reports whether rcpt is one of the mailboxes, or one of them with
// a +tag (support+TOKEN@example.com).
func (s *Server) accepts(rcpt string) bool {
	local, domain, ok := strings.Cut(strings.ToLower(rcpt), "@")
	if !ok {
		return false
	}
	base, _, _ := strings.Cut(local, "+")
	for _, m := range s.o.Mailboxes {
		if m == base+"@"+domain {
			return true
		}
	}
	return false
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	remote := ""
	if c.Conn() != nil {
		remote = c.Conn().RemoteAddr().String()
	}
	return &session{s: s, env: Envelope{RemoteAddr: remote}}, nil
}

// session is one SMTP conversation.
type session struct {
	s   *Server
	env Envelope
}

func (ss *session) Reset() {
	ss.env = Envelope{RemoteAddr: ss.env.RemoteAddr}
}

func (ss *session) Logout() error { return nil }

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.env.MailFrom = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if !ss.s.accepts(to) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
			Message: "No such mailbox here: " + to}
	}
	ss.env.Recipients = append(ss.env.Recipients, strings.ToLower(to))
	return nil
}

// Data receives the message (into a temporary file past SpoolAbove),
// waits until memory for it is free under MaxMemory, has it parsed and
// stored, and only then lets the server answer 250. A storage failure
// answers 451 and a wait for memory that lasts too long 452, so that the
// sender retries: nothing is answered 250 before it is committed.
func (ss *session) Data(r io.Reader) error {
	sp, err := ss.s.receive(r)
	if err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			return se // 552 for a message over the limit
		}
		if errors.Is(err, smtp.ErrTooLongLine) {
			return &smtp.SMTPError{Code: 500, EnhancedCode: smtp.EnhancedCode{5, 5, 2}, Message: "Line too long"}
		}
		if errors.Is(err, errSpool) {
			ss.s.o.Log.Error("inbound mail not spooled", "remote", ss.env.RemoteAddr, slog.Any("error", err))
			return &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 3, 1},
				Message: "Insufficient system storage; please try again later"}
		}
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 4, 2}, Message: "Connection broke during DATA"}
	}
	defer sp.discard()

	weight := min(sp.size*MemoryFactor, ss.s.o.MaxMemory)
	wait, cancelWait := context.WithTimeout(context.Background(), ss.s.o.MemoryWait)
	err = ss.s.memory.Acquire(wait, weight)
	cancelWait()
	if err != nil {
		ss.s.o.Log.Warn("inbound mail deferred: memory for intake is taken", "remote", ss.env.RemoteAddr,
			"size", sp.size, "max_memory", ss.s.o.MaxMemory)
		return &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 3, 1},
			Message: "Insufficient system resources now; please try again later"}
	}
	large := sp.size >= largeMessage
	if large {
		ss.s.large.Add(1)
	}
	defer func() {
		ss.s.memory.Release(weight)
		// Give a large message's memory back to the system once no other
		// large message is in hand, rather than when the runtime gets to it.
		if large && ss.s.large.Add(-1) == 0 {
			debug.FreeOSMemory()
		}
	}()
	raw, err := sp.bytes()
	if err != nil {
		ss.s.o.Log.Error("inbound mail not read back", "remote", ss.env.RemoteAddr, slog.Any("error", err))
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0},
			Message: "Could not store the message now; please try again later"}
	}
	sp.discard()
	in := ss.s.o.Parse(raw, ss.env)
	in.Channel = "email"
	if len(ss.env.Recipients) > 0 && in.Mailbox == "" {
		in.Mailbox = ss.env.Recipients[0]
	}
	in.Raw = raw
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := ss.s.o.Intake.Receive(ctx, in)
	if err != nil {
		ss.s.o.Log.Error("inbound mail not stored", "remote", ss.env.RemoteAddr, slog.Any("error", err))
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0},
			Message: "Could not store the message now; please try again later"}
	}
	ss.s.o.Log.Info("mail received", "inbound_id", res.InboundID, "ticket_id", res.TicketID,
		"outcome", res.Outcome, "duplicate", res.Duplicate, "size", len(raw))
	return nil
}

// errSpool marks a failure of the temporary file, not of the sender.
var errSpool = errors.New("smtpd: spool")

// spooled is a message received, in memory or in a temporary file.
type spooled struct {
	mem  []byte
	file *os.File // nil when in memory
	size int64
}

// receive reads a message from r: up to SpoolAbove in memory, the rest of
// a larger one into a temporary file.
func (s *Server) receive(r io.Reader) (*spooled, error) {
	var buf bytes.Buffer
	n, err := io.CopyN(&buf, r, SpoolAbove+1)
	if errors.Is(err, io.EOF) {
		return &spooled{mem: buf.Bytes(), size: n}, nil
	}
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(s.o.SpoolDir, "rapport-smtp-*")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errSpool, err)
	}
	// The file has no name from now on: it goes when closed, even if the
	// process dies.
	os.Remove(f.Name())
	sp := &spooled{file: f}
	if _, err := f.Write(buf.Bytes()); err != nil {
		sp.discard()
		return nil, fmt.Errorf("%w: %w", errSpool, err)
	}
	rest, err := io.Copy(f, r)
	if err != nil {
		sp.discard()
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%w: %w", errSpool, err)
		}
		return nil, err
	}
	sp.size = n + rest
	return sp, nil
}

// bytes returns the whole message, read back from the file in one
// allocation of its exact size.
func (sp *spooled) bytes() ([]byte, error) {
	if sp.file == nil {
		return sp.mem, nil
	}
	raw := make([]byte, sp.size)
	if _, err := sp.file.ReadAt(raw, 0); err != nil {
		return nil, fmt.Errorf("smtpd: read back: %w", err)
	}
	return raw, nil
}

// discard closes the temporary file, which removes it.
func (sp *spooled) discard() {
	if sp.file != nil {
		sp.file.Close()
		sp.file = nil
	}
}

// slogLogger adapts slog to go-smtp's Logger.
type slogLogger struct{ log *slog.Logger }

func (l slogLogger) Printf(format string, v ...any) { l.log.Warn(fmt.Sprintf(format, v...)) }
func (l slogLogger) Println(v ...any)               { l.log.Warn(fmt.Sprint(v...)) }
