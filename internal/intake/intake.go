// Package intake turns every channel's input into one normalised inbound
// message and decides what it is: a new ticket, a message on an existing
// one, an auto-reply or a bounce. The raw input is stored first, in the
// same transaction as everything it causes, so nothing accepted is lost and
// nothing is stored twice.
package intake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/blob"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// Classes of inbound message.
const (
	ClassCustomer       = "customer"        // a person wrote to us
	ClassAutoReply      = "auto_reply"      // a robot answered (vacation, list, auto-submitted)
	ClassDeliveryReport = "delivery_report" // a bounce or other DSN
	ClassUnreadable     = "unreadable"      // the parser could not read it
)

// Outcomes recorded on inbound_messages.
const (
	OutcomeTicket     = "ticket"     // it opened a new ticket
	OutcomeReply      = "reply"      // it joined an existing ticket
	OutcomeAutoReply  = "auto_reply" // stored, nothing else
	OutcomeBounce     = "bounce"     // recorded as a delivery failure
	OutcomeUnreadable = "unreadable" // stored raw, shown to agents as unreadable
)

// Sender is who a message comes from: an identity of the customer.
type Sender struct {
	Kind  string // customer.Email, customer.Phone or customer.External
	Value string
	Name  string
}

// ThreadKeys are the clues that tie a message to an existing ticket, in the
// order they are tried.
type ThreadKeys struct {
	MessageIDs    []string // In-Reply-To, then References, newest first
	ReplyTokens   []string // from support+TOKEN@ in To or Cc
	TicketNumbers []int64  // from the subject: [#123]
}

// Bounce is what a delivery report says about the message that failed.
type Bounce struct {
	MessageID string // the Message-ID of our message that bounced
	Recipient string
	Status    string
	Reason    string
}

// Inbound is one message from any channel, normalised.
type Inbound struct {
	Channel string // one of ticket.Channels
	Mailbox string // the address or endpoint it came in at
	From    Sender
	Subject string
	Text    string
	HTML    string // raw HTML; the ticket service sanitises it
	// MessageKey identifies the message for de-duplication together with
	// the sender: an email's Message-ID. Empty means a hash of Raw.
	MessageKey string
	// ThreadKey, when a channel has one, groups its messages into one
	// conversation (an SMS thread, a chat id); it is stored as the
	// messages' channel id and matched like a Message-ID.
	ThreadKey   string
	Tags        []string // tags for a new ticket
	Raw         []byte   // the message as received, kept whole
	Class       string   // a Class constant; "" means ClassCustomer
	Reason      string   // why it has that class
	Keys        ThreadKeys
	Bounce      *Bounce
	Language    string // when the channel knows it
	Kind        string // ticket kind, when the channel knows it (phone logs)
	NoAck       bool   // do not acknowledge (an agent logged it)
	Attachments []attachment.File
}

// Result says what Receive did.
type Result struct {
	InboundID int64
	TicketID  int64 // 0 when no ticket was touched
	MessageID int64
	Outcome   string
	Duplicate bool // the same message was received before; nothing changed
}

// Opts configure a Service.
type Opts struct {
	DB        *store.DB
	Jobs      *jobs.Queue
	Tickets   *ticket.Service
	Customers *customer.Service
	Clock     jobs.Clock
	Log       *slog.Logger
	// Attachments keeps the files that come with messages; nil drops them.
	Attachments *attachment.Service
	// Blobs keeps large received messages; nil: a store over DB.
	Blobs *blob.Store
	// Detect returns the language of a text among the candidates named in
	// among (all when empty) and whether it is sure of it
	// (text.Detector.DetectSureAmong). A guess it is not sure of is never
	// used: the customer's preferred language is, or else the default.
	// Nil leaves the language to the customer's preference.
	Detect func(text string, among []string) (lang string, sure bool)
	// Languages, when set, returns the languages the business serves
	// (detection picks only among them; empty is every language) and its
	// default language, which then replaces DefaultLanguage. It is asked
	// per message, so a change in the settings counts at once
	// (business.Service.Served).
	Languages func(ctx context.Context) (served []string, def string)
	// DefaultLanguage is a new ticket's language when it is neither told by
	// the channel, detected for sure, nor the customer's preference; ""
	// leaves it unknown (the mail then goes out in the default language).
	DefaultLanguage string
	// Committers is how many batches may be committed at once: 0 means
	// one on SQLite (it has one writer) and DefaultPostgresCommitters on
	// PostgreSQL, where a batch waits mostly for round trips and the
	// server runs several transactions side by side.
	Committers int
}

// DefaultPostgresCommitters is Opts.Committers' default on PostgreSQL.
const DefaultPostgresCommitters = 4

// Service receives inbound messages.
type Service struct {
	o     Opts
	q     store.Queries
	blobs *blob.Store // large received messages

	mu      sync.Mutex
	pending []*request // waiting to be committed, oldest first
	running int        // callers committing a batch now
}

//go:embed queries.sql
var queriesFS embed.FS

// New returns a Service.
func New(o Opts) *Service {
	if o.Clock == nil {
		o.Clock = jobs.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Blobs == nil {
		o.Blobs = blob.New(o.DB, o.Clock)
	}
	if o.Committers <= 0 {
		o.Committers = 1
		if o.DB.Dialect == store.Postgres {
			o.Committers = DefaultPostgresCommitters
		}
	}
	return &Service{o: o, q: store.MustLoadQueries(queriesFS, o.DB.Dialect), blobs: o.Blobs}
}

// MaxSubject is the longest subject kept; longer ones are cut.
const MaxSubject = 250

// maxBatch is the most messages committed in one transaction.
const maxBatch = 64

// request is one message waiting to be committed.
type request struct {
	in   Inbound
	res  Result
	err  error
	done chan struct{} // closed when res and err are set
	lead chan struct{} // closed when this request's caller must commit the next batch
	// leading is set, under Service.mu, when lead is closed or the caller
	// committed from the start.
	leading bool
}

// Receive stores in and acts on it. When it returns nil the message is
// committed and will never be lost; when it returns an error nothing of it
// was written.
//
// Messages arriving together are committed together (group commit), all
// in one transaction, so that a burst costs one durable write instead of
// one per message; one bad message still fails alone (see commit).
// Whoever finds fewer than Opts.Committers commits running commits the
// next batch.
func (s *Service) Receive(ctx context.Context, in Inbound) (Result, error) {
	if in.Class == "" {
		in.Class = ClassCustomer
	}
	if in.Channel == "" {
		return Result{}, errors.New("intake: no channel")
	}
	r := &request{in: in, done: make(chan struct{}), lead: make(chan struct{})}
	s.mu.Lock()
	s.pending = append(s.pending, r)
	leader := s.running < s.o.Committers
	if leader {
		s.running++
		r.leading = true
	}
	s.mu.Unlock()
	if !leader {
		select {
		case <-r.done:
			// Another committer may have taken the message after this
			// caller was handed the lead: the lead must still be taken.
			select {
			case <-r.lead:
			default:
				return r.res, r.err
			}
		case <-r.lead:
		}
	}
	s.commitNext(ctx)
	<-r.done
	return r.res, r.err
}

// commitNext commits the next batch of pending requests, then hands the
// lead to the oldest request still waiting, if any.
func (s *Service) commitNext(ctx context.Context) {
	s.mu.Lock()
	n := min(len(s.pending), maxBatch)
	batch := slices.Clone(s.pending[:n])
	// The queue's array must not keep committed messages, and their raw
	// bytes (25 MB for a large one), alive until it is reused.
	clear(s.pending[:n])
	s.pending = s.pending[n:]
	if len(s.pending) == 0 {
		s.pending = nil
	}
	s.mu.Unlock()

	if n > 0 {
		// The batch carries other callers' messages: it must not end
		// with this caller's context.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		s.commit(cctx, batch)
		cancel()
	}

	s.mu.Lock()
	// The oldest waiting request whose caller is not already leading
	// takes over; with none, one committer fewer runs.
	if i := slices.IndexFunc(s.pending, func(r *request) bool { return !r.leading }); i >= 0 {
		s.pending[i].leading = true
		close(s.pending[i].lead)
	} else {
		s.running--
	}
	s.mu.Unlock()
}

// languages are the languages served and the default one, as the
// settings say now.
type languages struct {
	served []string
	def    string
}

func (s *Service) languages(ctx context.Context) languages {
	if s.o.Languages == nil {
		return languages{def: s.o.DefaultLanguage}
	}
	served, def := s.o.Languages(ctx)
	return languages{served: served, def: def}
}

// commit writes batch in one transaction and answers each request.
//
// The messages are first written one after another with nothing between
// them. When one of them fails, the transaction is rolled back and the
// batch written again with each message in a savepoint of its own, so
// that the bad message fails alone and the others are kept. The common
// case, a batch that is all good, thus costs no savepoints (three
// statements a message, and on SQLite the copies of every page each
// savepoint changes).
func (s *Service) commit(ctx context.Context, batch []*request) {
	// Asked before the transaction: the settings are read from the pool,
	// and a transaction that waits for a second connection while holding
	// locks stalls every writer behind it once the pool is taken (on
	// PostgreSQL, by the writers waiting for those very locks).
	lg := s.languages(ctx)
	enqueued, err := s.write(ctx, batch, lg, false)
	var failed *messageFailed
	if errors.As(err, &failed) && len(batch) > 1 {
		enqueued, err = s.write(ctx, batch, lg, true)
	}
	if errors.As(err, &failed) {
		// A batch of one: its message failed and nothing was written.
		err = nil
	}
	for _, r := range batch {
		switch {
		case err != nil:
			r.res, r.err = Result{}, fmt.Errorf("intake: %w", err)
		case r.err != nil:
			var ve valid.Fields
			if errors.As(r.err, &ve) {
				r.res, r.err = Result{}, ve
			} else {
				r.res, r.err = Result{}, fmt.Errorf("intake: %w", r.err)
			}
		default:
			s.o.Log.Debug("inbound received", "channel", r.in.Channel, "inbound_id", r.res.InboundID,
				"outcome", r.res.Outcome, "ticket_id", r.res.TicketID, "duplicate", r.res.Duplicate)
		}
		close(r.done)
	}
	if err == nil && (enqueued || s.o.Tickets.HasTimers()) {
		// Acknowledgements, and the timers the ticket service may have
		// started inside the transaction, are due now or soon.
		s.o.Jobs.Notify()
	}
}

// messageFailed stops a batch written without savepoints at its first
// failing message. It unwraps to the message's error, so that a
// transaction that lost a collision (a deadlock, a busy database) is
// still run again whole by store.DB.Tx.
type messageFailed struct{ err error }

func (e *messageFailed) Error() string { return e.err.Error() }
func (e *messageFailed) Unwrap() error { return e.err }

// write runs batch in one transaction: with savepoints, a message's
// failure is its own (r.err) and the others commit; without, the first
// failure rolls everything back and is returned as a *messageFailed. It
// reports whether a job was enqueued.
func (s *Service) write(ctx context.Context, batch []*request, lg languages, savepoints bool) (bool, error) {
	enqueued := false
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		enqueued = false
		for _, r := range batch {
			r.res, r.err = Result{}, nil
		}
		for i, r := range batch {
			sp := "intake_" + strconv.Itoa(i)
			if savepoints {
				if _, err := tx.ExecContext(ctx, "SAVEPOINT "+sp); err != nil {
					return err
				}
			}
			var queued bool
			r.res, queued, r.err = s.receiveIn(ctx, tx, r.in, lg)
			if !savepoints {
				if r.err != nil {
					return &messageFailed{r.err}
				}
				enqueued = enqueued || queued
				continue
			}
			if r.err != nil {
				if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+sp); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT "+sp); err != nil {
				return err
			}
			enqueued = enqueued || queued
		}
		return nil
	})
	return enqueued, err
}

// receiveIn stores and handles one message inside tx; it reports whether
// it enqueued a job.
func (s *Service) receiveIn(ctx context.Context, tx *sql.Tx, in Inbound, lg languages) (Result, bool, error) {
	sender := senderKey(in.From)
	key := strings.TrimSpace(in.MessageKey)
	if key == "" {
		sum := sha256.Sum256(in.Raw)
		key = "sha256:" + hex.EncodeToString(sum[:])
	}
	var res Result
	enqueued := false
	now := store.Millis(s.o.Clock.Now())
	// A large message goes into the blob store in chunks, not through one
	// query that would copy it whole once more.
	inline, rawBlob := in.Raw, ""
	if len(in.Raw) > RawInline {
		inline, rawBlob = []byte{}, blob.Sum(in.Raw)
	}
	err := tx.QueryRowContext(ctx, s.q.Get("insert-inbound"), in.Channel, in.Mailbox, sender, key,
		inline, len(in.Raw), now, rawBlob).Scan(&res.InboundID)
	if errors.Is(err, sql.ErrNoRows) {
		res.Duplicate = true
		err := tx.QueryRowContext(ctx, s.q.Get("existing-inbound"), sender, key).Scan(&res.InboundID, &res.Outcome, &res.TicketID)
		return res, false, err
	}
	if err == nil && rawBlob != "" {
		_, err = s.blobs.PutBytesTx(ctx, tx, in.Raw)
	}
	if err != nil {
		return res, false, fmt.Errorf("store inbound: %w", err)
	}
	reason := in.Reason
	switch in.Class {
	case ClassAutoReply:
		res.Outcome = OutcomeAutoReply
	case ClassDeliveryReport:
		res.Outcome = OutcomeBounce
		if err := s.bounce(ctx, tx, in, &res); err != nil {
			return res, false, err
		}
	case ClassUnreadable:
		res.Outcome = OutcomeUnreadable
		if err := s.unreadable(ctx, tx, in, &res); err != nil {
			return res, false, err
		}
	default:
		if _, msg := customer.NormalizeIdentity(in.From.Kind, in.From.Value); msg != "" {
			// Nobody to answer: kept and shown to agents, not dropped.
			res.Outcome = OutcomeUnreadable
			in.Reason = fmt.Sprintf("the sender %q %s", in.From.Value, msg)
			reason = in.Reason
			if err := s.unreadable(ctx, tx, in, &res); err != nil {
				return res, false, err
			}
			break
		}
		if enqueued, err = s.customerMessage(ctx, tx, in, lg, &res); err != nil {
			return res, false, err
		}
	}
	_, err = tx.ExecContext(ctx, s.q.Get("set-outcome"), res.InboundID, res.Outcome, reason, nullID(res.TicketID))
	return res, enqueued, err
}

// senderKey is the sender as stored for de-duplication: kind:value.
func senderKey(f Sender) string {
	v := strings.TrimSpace(f.Value)
	if norm, msg := customer.NormalizeIdentity(f.Kind, v); msg == "" {
		v = norm
	}
	if f.Kind == "" && v == "" {
		return ""
	}
	return f.Kind + ":" + v
}

// customerMessage threads a person's message into its ticket or opens a
// new one; it reports whether it enqueued a job.
func (s *Service) customerMessage(ctx context.Context, tx *sql.Tx, in Inbound, lg languages, res *Result) (bool, error) {
	cu, err := s.o.Customers.EnsureByIdentityTx(ctx, tx, in.From.Kind, in.From.Value, strings.TrimSpace(in.From.Name))
	if err != nil {
		return false, err
	}
	text := strings.TrimSpace(in.Text)
	if text == "" && strings.TrimSpace(in.HTML) == "" {
		text = "(no text)"
	}
	channelID := in.MessageKey
	keys := in.Keys
	if in.ThreadKey != "" {
		channelID = in.ThreadKey
		keys.MessageIDs = append([]string{in.ThreadKey}, keys.MessageIDs...)
	}
	incoming := ticket.Incoming{Body: text, BodyHTML: in.HTML, ChannelMessageID: channelID, InboundID: res.InboundID}
	if id, err := s.thread(ctx, tx, keys, cu.ID); err != nil {
		return false, err
	} else if id != 0 {
		m, err := s.o.Tickets.AppendCustomerTx(ctx, tx, id, incoming)
		switch {
		case err == nil:
			res.TicketID, res.MessageID, res.Outcome = id, m.ID, OutcomeReply
			return false, s.attach(ctx, tx, m.ID, in.Attachments)
		case errors.Is(err, ticket.ErrClosed):
			// A closed ticket stays closed: the customer's new message
			// opens a new ticket below.
		default:
			return false, err
		}
	}
	served, def := lg.served, lg.def
	lang := in.Language
	if lang == "" && s.o.Detect != nil {
		// The customer's words only: not the "(no text)" put in for an
		// empty message.
		if l, sure := s.o.Detect(in.Subject+"\n"+strings.TrimSpace(in.Text), served); sure {
			lang = l
		}
	}
	if lang == "" && (len(served) == 0 || slices.Contains(served, cu.Language)) {
		lang = cu.Language
	}
	if lang == "" {
		lang = def
	}
	subject := strings.TrimSpace(in.Subject)
	if subject == "" {
		subject = firstLine(text)
	}
	if utf8.RuneCountInString(subject) > MaxSubject {
		subject = string([]rune(subject)[:MaxSubject])
	}
	id, messageID, err := s.o.Tickets.CreateTxWithMessage(ctx, tx, ticket.SystemActor, ticket.NewTicket{
		Subject: subject, Body: text, BodyHTML: in.HTML, Channel: in.Channel, Kind: in.Kind,
		Language: lang, CustomerID: cu.ID, ChannelMessageID: channelID, InboundID: res.InboundID, Tags: in.Tags,
		Acknowledge: !in.NoAck,
	})
	if err != nil {
		return false, err
	}
	res.TicketID, res.MessageID, res.Outcome = id, messageID, OutcomeTicket
	if err := s.attach(ctx, tx, res.MessageID, in.Attachments); err != nil {
		return false, err
	}
	// The acknowledgement, when asked for, was queued by the mail
	// subscriber to the ticket's creation.
	return !in.NoAck, nil
}

// attach keeps files on message id.
func (s *Service) attach(ctx context.Context, tx *sql.Tx, id int64, files []attachment.File) error {
	if len(files) == 0 || s.o.Attachments == nil {
		return nil
	}
	return s.o.Attachments.AddTx(ctx, tx, id, files)
}

// thread finds the customer's ticket a message belongs to, trying the keys
// in order; 0 means none.
func (s *Service) thread(ctx context.Context, tx *sql.Tx, k ThreadKeys, customerID int64) (int64, error) {
	try := func(query string, arg any) (int64, error) {
		var id int64
		err := tx.QueryRowContext(ctx, s.q.Get(query), arg, customerID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, nil
		}
		return id, err
	}
	for _, mid := range k.MessageIDs {
		for _, q := range []string{"ticket-by-our-message-id", "ticket-by-their-message-id"} {
			if id, err := try(q, mid); id != 0 || err != nil {
				return id, err
			}
		}
	}
	for _, tok := range k.ReplyTokens {
		if id, err := try("ticket-by-reply-token", strings.ToLower(tok)); id != 0 || err != nil {
			return id, err
		}
	}
	for _, n := range k.TicketNumbers {
		if id, err := try("ticket-by-number", n); id != 0 || err != nil {
			return id, err
		}
	}
	return 0, nil
}

// bounce attaches a delivery report to the ticket whose mail bounced.
func (s *Service) bounce(ctx context.Context, tx *sql.Tx, in Inbound, res *Result) error {
	if in.Bounce == nil || in.Bounce.MessageID == "" {
		return nil
	}
	var ticketID, messageID int64
	var to string
	err := tx.QueryRowContext(ctx, s.q.Get("ticket-of-bounced-mail"), strings.Trim(in.Bounce.MessageID, "<> ")).Scan(&ticketID, &messageID, &to)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // not ours: stored, nothing more
	}
	if err != nil {
		return err
	}
	recipient := in.Bounce.Recipient
	if recipient == "" {
		recipient = to
	}
	res.TicketID = ticketID
	return s.o.Tickets.RecordDeliveryFailureTx(ctx, tx, ticketID, ticket.DeliveryFailure{
		Recipient: recipient, Status: in.Bounce.Status, Reason: in.Bounce.Reason, MessageID: messageID,
	})
}

// unreadable opens a ticket saying a message could not be read, so that an
// agent sees it and can download the original.
func (s *Service) unreadable(ctx context.Context, tx *sql.Tx, in Inbound, res *Result) error {
	kind, value, name := in.From.Kind, in.From.Value, in.From.Name
	if _, msg := customer.NormalizeIdentity(kind, value); msg != "" {
		kind, value = customer.External, fmt.Sprintf("unreadable-inbound-%d", res.InboundID)
		if name == "" {
			name = "Unknown sender"
		}
	}
	cu, err := s.o.Customers.EnsureByIdentityTx(ctx, tx, kind, value, name)
	if err != nil {
		return err
	}
	body := fmt.Sprintf("This message could not be read (%s). Its original is kept as inbound message %d.",
		strings.TrimSpace(in.Reason), res.InboundID)
	if t := strings.TrimSpace(in.Text); t != "" {
		body += "\n\nWhat could be read:\n" + t
	}
	subject := strings.TrimSpace(in.Subject)
	if subject == "" || !utf8.ValidString(subject) {
		subject = "Unreadable message"
	}
	if utf8.RuneCountInString(subject) > MaxSubject {
		subject = string([]rune(subject)[:MaxSubject])
	}
	id, err := s.o.Tickets.CreateTx(ctx, tx, ticket.SystemActor, ticket.NewTicket{
		Subject: subject, Body: strings.ToValidUTF8(body, "?"), Channel: in.Channel, CustomerID: cu.ID,
		InboundID: res.InboundID, Tags: []string{"unreadable"},
	})
	if err != nil {
		return err
	}
	res.TicketID = id
	return nil
}

// RawInline is the size up to which a received message is kept in its
// inbound_messages row; a larger one is a blob (internal/blob).
const RawInline = 256 << 10

// Raw is a stored inbound message.
type Raw struct {
	ID       int64
	Channel  string
	Sender   string
	Data     []byte
	Outcome  string
	Reason   string
	TicketID int64
}

// GetRaw returns inbound message id as it was received, whole.
func (s *Service) GetRaw(ctx context.Context, id int64) (Raw, error) {
	r, rc, err := s.OpenRaw(ctx, id)
	if err != nil {
		return Raw{}, err
	}
	defer rc.Close()
	if r.Data, err = io.ReadAll(rc); err != nil {
		return Raw{}, fmt.Errorf("intake: inbound %d: %w", id, err)
	}
	return r, nil
}

// OpenRaw returns inbound message id, its bytes as a reader (Data stays
// empty) that holds at most one chunk of a large message at a time.
func (s *Service) OpenRaw(ctx context.Context, id int64) (Raw, io.ReadSeekCloser, error) {
	r := Raw{ID: id}
	var at, size int64
	var inline []byte
	var rawBlob string
	err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("inbound-raw"), id).Scan(&r.Channel, &r.Sender, &inline, &r.Outcome,
		&r.Reason, &r.TicketID, &at, &rawBlob, &size)
	if errors.Is(err, sql.ErrNoRows) {
		return Raw{}, nil, fmt.Errorf("intake: inbound %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return Raw{}, nil, fmt.Errorf("intake: inbound %d: %w", id, err)
	}
	if rawBlob == "" {
		return r, nopCloser{bytes.NewReader(inline)}, nil
	}
	rc, err := s.blobs.Open(ctx, rawBlob)
	if err != nil {
		return Raw{}, nil, fmt.Errorf("intake: inbound %d: %w", id, err)
	}
	return r, rc, nil
}

// nopCloser is a ReadSeeker with nothing to close.
type nopCloser struct{ io.ReadSeeker }

func (nopCloser) Close() error { return nil }

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	line = strings.TrimSpace(line)
	if utf8.RuneCountInString(line) > 80 {
		line = string([]rune(line)[:80]) + "…"
	}
	return line
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }
