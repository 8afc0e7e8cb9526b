// Package mailout sends Rapport's email: agents' replies and the
// acknowledgements of new tickets, from jobs with retries, through an SMTP
// relay or, when none is configured, into an outbox folder of .eml files.
package mailout

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"os"
	"path/filepath"
	"time"
)

// Transport hands a finished message to the next hop.
type Transport interface {
	Send(ctx context.Context, from string, to []string, msg []byte) error
}

// Outbox is a Transport that writes each message as an .eml file into Dir,
// so that a demo or a test sends mail without any network.
type Outbox struct {
	Dir string
}

// Send writes msg to a new file in o.Dir, atomically: a reader never sees
// half a message.
func (o Outbox) Send(_ context.Context, _ string, _ []string, msg []byte) error {
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return fmt.Errorf("mailout: outbox: %w", err)
	}
	var b [6]byte
	rand.Read(b[:])
	name := time.Now().UTC().Format("20060102T150405.000000000") + "-" + hex.EncodeToString(b[:]) + ".eml"
	tmp := filepath.Join(o.Dir, "."+name+".tmp")
	if err := os.WriteFile(tmp, msg, 0o644); err != nil {
		return fmt.Errorf("mailout: outbox: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(o.Dir, name)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("mailout: outbox: %w", err)
	}
	return nil
}

// ErrNoRelay is NoRelay's answer: the message waits (its job retries)
// until a relay is configured or stored.
var ErrNoRelay = errors.New("mailout: no SMTP relay: with several nodes on one database mail is not left in one node's outbox folder; set --smtp-relay, store a relay at the first run, or run with --single-node")

// NoRelay is the fallback of a deployment that may have several nodes
// (PostgreSQL without --single-node): it sends nothing and fails, so that
// mail is never written into the folder of whichever node ran the job.
type NoRelay struct{}

// Send answers ErrNoRelay.
func (NoRelay) Send(context.Context, string, []string, []byte) error { return ErrNoRelay }

// Relay is a Transport that submits messages to an SMTP server, with
// STARTTLS when the server offers it and AUTH PLAIN when a user is set.
type Relay struct {
	Addr     string // host:port
	Username string
	Password string
	// InsecureSkipVerify accepts any TLS certificate; only for tests and
	// relays on the same host.
	InsecureSkipVerify bool
	Timeout            time.Duration // per message; default 30 s
}

// Send submits msg to r.Addr.
func (r Relay) Send(ctx context.Context, from string, to []string, msg []byte) error {
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", r.Addr)
	if err != nil {
		return fmt.Errorf("mailout: relay %s: %w", r.Addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	host, _, _ := net.SplitHostPort(r.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("mailout: relay %s: %w", r.Addr, err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host, InsecureSkipVerify: r.InsecureSkipVerify}); err != nil {
			return fmt.Errorf("mailout: relay %s: starttls: %w", r.Addr, err)
		}
	}
	if r.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", r.Username, r.Password, host)); err != nil {
			// The password is never part of the error.
			return fmt.Errorf("mailout: relay %s: authentication as %s failed: %w", r.Addr, r.Username, err)
		}
	}
	if err := c.Mail(from); err != nil {
		return relayErr(r.Addr, "MAIL FROM", err)
	}
	for _, rcpt := range to {
		if err := c.Rcpt(rcpt); err != nil {
			return relayErr(r.Addr, "RCPT TO "+rcpt, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return relayErr(r.Addr, "DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return relayErr(r.Addr, "DATA", err)
	}
	if err := w.Close(); err != nil {
		return relayErr(r.Addr, "end of DATA", err)
	}
	return c.Quit()
}

// ErrRejected marks a permanent (5xx) refusal by the relay: retrying will
// not help.
var ErrRejected = errors.New("rejected by the relay")

func relayErr(addr, step string, err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return fmt.Errorf("mailout: relay %s: %s: %w: %v", addr, step, ErrRejected, err)
	}
	return fmt.Errorf("mailout: relay %s: %s: %w", addr, step, err)
}
