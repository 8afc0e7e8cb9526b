// Package imappoll fetches support mail from IMAP mailboxes: one poller per
// configured account, all running at once. Each message is handed to intake
// and marked \Seen (or moved away) only after intake has committed it, so a
// crash or a database failure leaves it in place to be fetched again; intake
// drops the repeat by sender and Message-ID.
package imappoll

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/rapport/rapport/internal/intake"
)

// Defaults for the zero values in Opts.
const (
	DefaultPollInterval    = 60 * time.Second
	DefaultIdleRefresh     = 25 * time.Minute // RFC 2177: re-issue IDLE within 29 minutes
	DefaultRetryDelay      = 5 * time.Second
	DefaultMaxRetryDelay   = 5 * time.Minute
	DefaultMaxMessageBytes = 25 << 20 // as the SMTP listener
)

// Fetching is done in batches so that a full mailbox is not held in memory.
const (
	batchMessages = 25
	batchBytes    = 32 << 20
)

// TLSMode says how a connection to the IMAP server is secured.
type TLSMode string

// TLS modes.
const (
	TLSImplicit TLSMode = "tls"      // TLS from the first byte, usually port 993; the default
	TLSStartTLS TLSMode = "starttls" // plain connection upgraded with STARTTLS, usually port 143
	TLSNone     TLSMode = "plain"    // no encryption: for tests and local servers only
)

// After values: what is done to a message once intake has committed it.
const (
	AfterSeen       = "seen"  // flag it \Seen; only unseen messages are fetched
	AfterMovePrefix = "move:" // "move:FOLDER" moves it there; everything in Folder is fetched
)

// Account is one mailbox to poll.
type Account struct {
	Name     string  // names the account in logs; default Username
	Addr     string  // host:port; the port defaults to 993 for TLSImplicit, else 143
	TLS      TLSMode // default TLSImplicit
	Username string
	Password string // never logged
	// TLSConfig overrides the TLS settings (a private CA, say); nil uses
	// the system roots and the host name from Addr.
	TLSConfig *tls.Config
	Folder    string // default INBOX
	// After is AfterSeen (the default) or AfterMovePrefix+FOLDER. The
	// folder is created if the server says it does not exist.
	After string
	// Address is the support address this mailbox receives for; it becomes
	// the message's mailbox when the parser finds none among the recipients
	// (Bcc, forwarding from an alias).
	Address string
}

// LogValue keeps the password out of any log line an Account lands in.
func (a Account) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", a.Name), slog.String("addr", a.Addr),
		slog.String("username", a.Username), slog.String("folder", a.Folder))
}

// Parser turns a fetched message into an intake.Inbound. It never fails:
// a message it cannot read comes back with the class unreadable.
type Parser func(raw []byte) intake.Inbound

// Receiver stores an inbound message; intake.Service is one.
type Receiver interface {
	Receive(ctx context.Context, in intake.Inbound) (intake.Result, error)
}

// Opts configure a Poller.
type Opts struct {
	Accounts []Account
	Parse    Parser
	Intake   Receiver
	Log      *slog.Logger
	// PollInterval is how often a server without IDLE is asked for new
	// mail, and how soon a message that intake failed to store is tried
	// again; default DefaultPollInterval.
	PollInterval time.Duration
	// IdleRefresh is how long one IDLE lasts before the mailbox is searched
	// again and IDLE re-issued; default DefaultIdleRefresh.
	IdleRefresh time.Duration
	// RetryDelay is the wait before reconnecting after an error; it doubles
	// on each failure to connect up to MaxRetryDelay.
	RetryDelay    time.Duration
	MaxRetryDelay time.Duration
	// MaxMessageBytes is the largest message fetched; larger ones are left
	// in the mailbox with a warning. Default DefaultMaxMessageBytes.
	MaxMessageBytes int64
}

// Poller polls the configured accounts.
type Poller struct {
	o        Opts
	accounts []account
}

// account is an Account checked and completed.
type account struct {
	Account
	moveTo string // "" for AfterSeen
	log    *slog.Logger
}

// New checks the accounts and returns a Poller; Run starts it.
func New(o Opts) (*Poller, error) {
	if o.Parse == nil || o.Intake == nil {
		return nil, errors.New("imappoll: a parser and a receiver are required")
	}
	if len(o.Accounts) == 0 {
		return nil, errors.New("imappoll: no accounts configured")
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.IdleRefresh <= 0 {
		o.IdleRefresh = DefaultIdleRefresh
	}
	if o.RetryDelay <= 0 {
		o.RetryDelay = DefaultRetryDelay
	}
	if o.MaxRetryDelay < o.RetryDelay {
		o.MaxRetryDelay = max(DefaultMaxRetryDelay, o.RetryDelay)
	}
	if o.MaxMessageBytes <= 0 {
		o.MaxMessageBytes = DefaultMaxMessageBytes
	}
	p := &Poller{o: o}
	for _, a := range o.Accounts {
		acc, err := checkAccount(a)
		if err != nil {
			return nil, err
		}
		acc.log = o.Log.With("account", acc.Name)
		if acc.TLS == TLSNone {
			acc.log.Warn("imap account connects without encryption", "addr", acc.Addr)
		}
		p.accounts = append(p.accounts, acc)
	}
	return p, nil
}

func checkAccount(a Account) (account, error) {
	if a.Name == "" {
		a.Name = a.Username
	}
	if a.Addr == "" || a.Username == "" {
		return account{}, fmt.Errorf("imappoll: account %q: an address and a username are required", a.Name)
	}
	switch a.TLS {
	case "":
		a.TLS = TLSImplicit
	case TLSImplicit, TLSStartTLS, TLSNone:
	default:
		return account{}, fmt.Errorf("imappoll: account %q: unknown TLS mode %q (want %q, %q or %q)",
			a.Name, a.TLS, TLSImplicit, TLSStartTLS, TLSNone)
	}
	if _, _, err := net.SplitHostPort(a.Addr); err != nil {
		port := "143"
		if a.TLS == TLSImplicit {
			port = "993"
		}
		a.Addr = net.JoinHostPort(a.Addr, port)
	}
	if a.Folder == "" {
		a.Folder = "INBOX"
	}
	acc := account{Account: a}
	switch {
	case a.After == "" || a.After == AfterSeen:
		acc.After = AfterSeen
	case strings.HasPrefix(a.After, AfterMovePrefix):
		acc.moveTo = strings.TrimSpace(strings.TrimPrefix(a.After, AfterMovePrefix))
		if acc.moveTo == "" || strings.EqualFold(acc.moveTo, a.Folder) {
			return account{}, fmt.Errorf("imappoll: account %q: %q names no folder other than %q", a.Name, a.After, a.Folder)
		}
	default:
		return account{}, fmt.Errorf("imappoll: account %q: after %q: want %q or %q", a.Name, a.After, AfterSeen, AfterMovePrefix+"FOLDER")
	}
	return acc, nil
}

// Run polls every account concurrently until ctx ends, reconnecting with
// backoff after errors, and returns when all have stopped.
func (p *Poller) Run(ctx context.Context) error {
	done := make(chan struct{})
	for i := range p.accounts {
		go func() {
			defer func() { done <- struct{}{} }()
			p.runAccount(ctx, &p.accounts[i])
		}()
	}
	for range p.accounts {
		<-done
	}
	return nil
}

// runAccount keeps one account's session going until ctx ends.
func (p *Poller) runAccount(ctx context.Context, a *account) {
	delay := p.o.RetryDelay
	for {
		selected, err := p.session(ctx, a)
		if ctx.Err() != nil {
			return
		}
		if selected {
			// It worked for a while: the next failure starts afresh.
			delay = p.o.RetryDelay
		}
		// ±25% so that accounts on one server do not reconnect in step.
		wait := time.Duration(float64(delay) * (0.75 + rand.Float64()/2))
		a.log.Error("imap mailbox failed; reconnecting", slog.Any("error", err), "retry_in", wait.Round(time.Millisecond).String())
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		if !selected {
			delay = min(2*delay, p.o.MaxRetryDelay)
		}
	}
}

// conn is one connected, logged-in session on an account's folder.
type conn struct {
	p       *Poller
	a       *account
	c       *imapclient.Client
	skipped map[imap.UID]bool // too large; warned about once
}

// session connects, selects the folder and fetches until ctx ends or an
// error; selected reports whether it got as far as the folder.
func (p *Poller) session(ctx context.Context, a *account) (selected bool, err error) {
	newMail := make(chan struct{}, 1)
	opts := &imapclient.Options{
		TLSConfig: a.TLSConfig,
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			// Called on the client's reader goroutine: it must not block.
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select {
					case newMail <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	var c *imapclient.Client
	switch a.TLS {
	case TLSImplicit:
		c, err = imapclient.DialTLS(a.Addr, opts)
	case TLSStartTLS:
		c, err = imapclient.DialStartTLS(a.Addr, opts)
	default:
		c, err = imapclient.DialInsecure(a.Addr, opts)
	}
	if err != nil {
		return false, fmt.Errorf("imappoll: connect to %s: %w", a.Addr, err)
	}
	defer c.Close()
	// The client's commands take no context: closing the connection is
	// what interrupts them. A message half-handled stays unmarked.
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()

	if err := c.Login(a.Username, a.Password).Wait(); err != nil {
		return false, fmt.Errorf("imappoll: log in to %s as %s: %w", a.Addr, a.Username, err)
	}
	if _, err := c.Select(a.Folder, nil).Wait(); err != nil {
		return false, fmt.Errorf("imappoll: select %s: %w", a.Folder, err)
	}
	idle := c.Caps().Has(imap.CapIdle)
	a.log.Info("imap mailbox ready", "addr", a.Addr, "folder", a.Folder, "after", a.After, "idle", idle)

	s := &conn{p: p, a: a, c: c, skipped: map[imap.UID]bool{}}
	for {
		// Whatever arrives from now on is seen by the round's search.
		select {
		case <-newMail:
		default:
		}
		pending, err := s.round(ctx)
		if ctx.Err() != nil {
			return true, nil
		}
		if err != nil {
			return true, err
		}
		wait := p.o.IdleRefresh
		if pending || !idle {
			wait = p.o.PollInterval
		}
		if idle {
			err = s.idle(ctx, wait, newMail)
		} else {
			err = sleep(ctx, wait)
		}
		if ctx.Err() != nil {
			return true, nil
		}
		if err != nil {
			return true, err
		}
	}
}

// idle waits in IDLE for new mail, the end of wait, or ctx.
func (s *conn) idle(ctx context.Context, wait time.Duration, newMail <-chan struct{}) error {
	cmd, err := s.c.Idle()
	if err != nil {
		return fmt.Errorf("imappoll: idle: %w", err)
	}
	s.a.log.Debug("imap idle", "folder", s.a.Folder, "max_wait", wait.String())
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return nil // the connection is being closed
	case <-s.c.Closed():
		return errors.New("imappoll: idle: the server closed the connection")
	case <-newMail:
	case <-t.C:
	}
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("imappoll: end idle: %w", err)
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("imappoll: end idle: %w", err)
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// round fetches and hands on every message waiting in the folder. pending
// reports that some were left for a later round because intake failed.
func (s *conn) round(ctx context.Context) (pending bool, err error) {
	// Polling: lets the server tell of mail that arrived since the last command.
	if err := s.c.Noop().Wait(); err != nil {
		return false, fmt.Errorf("imappoll: noop: %w", err)
	}
	criteria := &imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagDeleted}}
	if s.a.moveTo == "" {
		criteria.NotFlag = append(criteria.NotFlag, imap.FlagSeen)
	}
	found, err := s.c.UIDSearch(criteria, nil).Wait()
	if err != nil {
		return false, fmt.Errorf("imappoll: search %s: %w", s.a.Folder, err)
	}
	uids := slices.DeleteFunc(found.AllUIDs(), func(u imap.UID) bool { return s.skipped[u] })
	if len(uids) == 0 {
		return false, nil
	}
	slices.Sort(uids) // oldest first, so replies thread in order

	sizes, err := s.c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return false, fmt.Errorf("imappoll: fetch sizes: %w", err)
	}
	size := make(map[imap.UID]int64, len(sizes))
	for _, m := range sizes {
		size[m.UID] = m.RFC822Size
	}

	var batch []imap.UID
	var batchSize int64
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		failed, err := s.handleBatch(ctx, batch)
		pending = pending || failed
		batch, batchSize = batch[:0], 0
		return err
	}
	for _, uid := range uids {
		n, ok := size[uid]
		if !ok {
			continue // expunged since the search
		}
		if n > s.p.o.MaxMessageBytes {
			s.skipped[uid] = true
			s.a.log.Warn("message too large; left in the mailbox", "uid", uint32(uid), "size", n,
				"max_size", s.p.o.MaxMessageBytes)
			continue
		}
		if len(batch) > 0 && (len(batch) == batchMessages || batchSize+n > batchBytes) {
			if err := flush(); err != nil {
				return pending, err
			}
		}
		batch = append(batch, uid)
		batchSize += n
	}
	return pending, flush()
}

// bodySection is BODY.PEEK[]: the whole message, without setting \Seen.
var bodySection = &imap.FetchItemBodySection{Peek: true}

// handleBatch fetches the messages, has each stored and marks those that
// were. failed reports that some were not.
func (s *conn) handleBatch(ctx context.Context, uids []imap.UID) (failed bool, err error) {
	msgs, err := s.c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{
		UID: true, BodySection: []*imap.FetchItemBodySection{bodySection},
	}).Collect()
	if err != nil {
		return false, fmt.Errorf("imappoll: fetch messages: %w", err)
	}
	slices.SortFunc(msgs, func(a, b *imapclient.FetchMessageBuffer) int { return cmp.Compare(a.UID, b.UID) })
	var done imap.UIDSet
	for _, m := range msgs {
		if ctx.Err() != nil {
			break
		}
		raw := m.FindBodySection(bodySection)
		if raw == nil {
			s.a.log.Warn("the server sent no body for a message", "uid", uint32(m.UID))
			failed = true
			continue
		}
		if s.deliver(ctx, m.UID, raw) {
			done.AddNum(m.UID)
		} else {
			failed = true
		}
	}
	if len(done) == 0 {
		return failed, nil
	}
	return failed, s.markDone(done)
}

// deliver parses raw and has intake store it; true means it is committed.
func (s *conn) deliver(ctx context.Context, uid imap.UID, raw []byte) bool {
	in := s.parse(uid, raw)
	in.Channel = "email"
	if in.Mailbox == "" {
		in.Mailbox = s.a.Address
	}
	in.Raw = raw
	rctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	res, err := s.p.o.Intake.Receive(rctx, in)
	if err != nil {
		if ctx.Err() == nil {
			s.a.log.Error("inbound mail not stored; left in the mailbox to retry", "uid", uint32(uid), slog.Any("error", err))
		}
		return false
	}
	s.a.log.Info("mail received", "uid", uint32(uid), "inbound_id", res.InboundID, "ticket_id", res.TicketID,
		"outcome", res.Outcome, "duplicate", res.Duplicate, "size", len(raw))
	return true
}

// parse runs the parser, turning a panic into an unreadable message: a
// message left unmarked would crash every poller that fetched it again.
func (s *conn) parse(uid imap.UID, raw []byte) (in intake.Inbound) {
	defer func() {
		if v := recover(); v != nil {
			s.a.log.Error("the mail parser panicked; storing the message as unreadable", "uid", uint32(uid),
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			in = intake.Inbound{Class: intake.ClassUnreadable, Reason: fmt.Sprintf("the parser failed: %v", v)}
		}
	}()
	return s.p.o.Parse(raw)
}

// markDone flags the committed messages \Seen or moves them away.
func (s *conn) markDone(uids imap.UIDSet) error {
	if s.a.moveTo == "" {
		err := s.c.Store(uids, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close()
		if err != nil {
			return fmt.Errorf("imappoll: flag %v seen: %w", uids, err)
		}
		return nil
	}
	err := s.move(uids)
	var ierr *imap.Error
	if errors.As(err, &ierr) && (ierr.Code == imap.ResponseCodeTryCreate || ierr.Code == imap.ResponseCodeNonExistent) {
		s.a.log.Info("creating the folder for processed mail", "folder", s.a.moveTo)
		if err := s.c.Create(s.a.moveTo, nil).Wait(); err != nil {
			return fmt.Errorf("imappoll: create %s: %w", s.a.moveTo, err)
		}
		err = s.move(uids)
	}
	if err != nil {
		return fmt.Errorf("imappoll: move %v to %s: %w", uids, s.a.moveTo, err)
	}
	return nil
}

// move uses MOVE where the server has it. The fallback is written out here
// rather than left to imapclient.Move, which sends the STORE \Deleted and
// EXPUNGE without waiting for the COPY to succeed.
func (s *conn) move(uids imap.UIDSet) error {
	caps := s.c.Caps()
	if caps.Has(imap.CapMove) {
		_, err := s.c.Move(uids, s.a.moveTo).Wait()
		return err
	}
	if _, err := s.c.Copy(uids, s.a.moveTo).Wait(); err != nil {
		return err
	}
	err := s.c.Store(uids, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close()
	if err != nil {
		return err
	}
	if caps.Has(imap.CapUIDPlus) {
		return s.c.UIDExpunge(uids).Close()
	}
	// Without UIDPLUS this also expunges whatever else was flagged
	// \Deleted in the folder, as any mail client's expunge would.
	return s.c.Expunge().Close()
}
