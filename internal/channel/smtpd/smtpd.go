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
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/rapport/rapport/internal/intake"
)

// DefaultMaxMessageBytes is the largest message accepted when
// Opts.MaxMessageBytes is 0: 25 MiB, what common providers send.
const DefaultMaxMessageBytes = 25 << 20

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
}

// Server is a running SMTP listener.
type Server struct {
	o   Opts
	srv *smtp.Server
	ln  net.Listener
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
	for i, m := range o.Mailboxes {
		o.Mailboxes[i] = strings.ToLower(strings.TrimSpace(m))
	}
	s := &Server{o: o}
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
	s.ln = ln
	return s, nil
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

// Data reads the message, has it parsed and stored, and only then lets the
// server answer 250. A storage failure answers 451, so the sender retries.
func (ss *session) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			return se // 552 for a message over the limit
		}
		if errors.Is(err, smtp.ErrTooLongLine) {
			return &smtp.SMTPError{Code: 500, EnhancedCode: smtp.EnhancedCode{5, 5, 2}, Message: "Line too long"}
		}
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 4, 2}, Message: "Connection broke during DATA"}
	}
	raw := buf.Bytes()
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

// slogLogger adapts slog to go-smtp's Logger.
type slogLogger struct{ log *slog.Logger }

func (l slogLogger) Printf(format string, v ...any) { l.log.Warn(fmt.Sprintf(format, v...)) }
func (l slogLogger) Println(v ...any)               { l.log.Warn(fmt.Sprint(v...)) }
