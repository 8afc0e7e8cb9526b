package mailout

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
)

// The jobs this package runs. TicketChanged queues them in the
// transaction of the ticket change that calls for them. The names of
// JobDeliverReply and JobFollowUp are the ones the ticket package used when
// it queued them, kept so that jobs already queued still run.
const (
	// JobAck acknowledges a new ticket to the customer at once.
	// Payload: {"ticket_id": N}.
	JobAck = "mail.ack"
	// JobDeliverReply emails an agent's public reply to the customer.
	// Payload: {"ticket_id": N, "message_id": M}.
	JobDeliverReply = "ticket.deliver_reply"
	// JobFollowUp asks the customer, FollowUpDays after a ticket was
	// solved, whether the fix held. Payload: {"ticket_id": N}.
	JobFollowUp = "ticket.followup"
	// JobInternal emails a member of the team (an SLA warning, the weekly
	// digest). Payload: {"to", "name", "subject", "text"}.
	JobInternal = "mail.internal"
)

// Acknowledgement rate limit: at most AckLimit acknowledgements to one
// address per AckWindow, so that a loop with another robot dies out.
const (
	AckLimit  = 3
	AckWindow = time.Hour
)

//go:embed queries.sql
var queriesFS embed.FS

// Opts configure a Service.
type Opts struct {
	DB        *store.DB
	Jobs      *jobs.Queue
	Tickets   *ticket.Service
	I18n      *i18n.Catalog
	Transport Transport
	Clock     jobs.Clock
	Log       *slog.Logger
	// Mailbox is the support address mail comes from (support@example.com);
	// replies carry its +token form so that answers thread.
	Mailbox string
	// Profiles gives the business's profile (name, sender name, logo,
	// signature, register, and the time zone a customer whose own zone is
	// unknown is told times in), read per send; nil signs every mail with
	// Business and tells times in UTC.
	Profiles Profiles
	// Business names the sender ("Aurora Home & Garden") when Profiles is
	// nil or cannot be read.
	Business string
	// Promise, when set, tells when a person will have answered a ticket,
	// so that the acknowledgement promises a time honestly.
	Promise Promiser
	// FollowUpDays, when above 0, is how many days after a ticket is
	// solved the customer is asked whether the fix held.
	FollowUpDays int
	// BaseURL is the public base of links in mail to customers
	// (https://help.example.com); when set, the follow-up carries yes and
	// no buttons to its answer page (/followup/TOKEN).
	BaseURL string
	// Attachments holds the files agents attach to replies; nil sends
	// replies without them.
	Attachments *attachment.Service
}

// Promiser tells when a person will have answered ticket id: its
// first-response deadline, zero when it has none. *sla.Service is one.
type Promiser interface {
	FirstResponseDue(ctx context.Context, id int64) (time.Time, error)
}

// Service sends replies and acknowledgements.
type Service struct {
	o Opts
	q store.Queries
}

// New returns a Service and registers its job handlers on o.Jobs.
func New(o Opts) *Service {
	if o.Clock == nil {
		o.Clock = jobs.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Business == "" {
		o.Business = "Support"
	}
	s := &Service{o: o, q: store.MustLoadQueries(queriesFS, o.DB.Dialect)}
	o.Jobs.Handle(JobDeliverReply, s.deliverReply)
	o.Jobs.Handle(JobAck, s.ack)
	o.Jobs.Handle(JobFollowUp, s.followUp)
	o.Jobs.Handle(JobInternal, s.internal)
	return s
}

func (s *Service) domain() string {
	if _, d, ok := strings.Cut(s.o.Mailbox, "@"); ok {
		return d
	}
	return "localhost"
}

// language picks the language to write to the customer in: the ticket's,
// else the customer's, else the default.
func (s *Service) language(ctx context.Context, t ticket.Ticket) string {
	if t.Language != "" && s.o.I18n.Has(t.Language) {
		return t.Language
	}
	var lang string
	s.o.DB.R.QueryRowContext(ctx, s.q.Get("customer-language"), t.ID).Scan(&lang)
	if lang != "" && s.o.I18n.Has(lang) {
		return lang
	}
	return i18n.Default
}

// threadHeaders returns In-Reply-To and References for a new message on
// ticket id: the customer's last message, and the thread's ids (the last 20).
func (s *Service) threadHeaders(ctx context.Context, id int64) (string, []string, error) {
	var inReplyTo string
	err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("last-customer-message-id"), id).Scan(&inReplyTo)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", nil, err
	}
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("thread-ids"), id)
	if err != nil {
		return "", nil, err
	}
	defer rows.Close()
	var refs []string
	for rows.Next() {
		var mid string
		var at, rid int64
		if err := rows.Scan(&mid, &at, &rid); err != nil {
			return "", nil, err
		}
		refs = append(refs, mid)
	}
	if len(refs) > 20 {
		refs = refs[len(refs)-20:]
	}
	if inReplyTo == "" && len(refs) > 0 {
		inReplyTo = refs[len(refs)-1]
	}
	return inReplyTo, refs, rows.Err()
}

type payload struct {
	TicketID  int64 `json:"ticket_id"`
	MessageID int64 `json:"message_id"`
}

func parsePayload(raw json.RawMessage) (payload, error) {
	var p payload
	if err := json.Unmarshal(raw, &p); err != nil || p.TicketID <= 0 {
		return p, fmt.Errorf("%w: bad payload %s", jobs.ErrPermanent, raw)
	}
	return p, nil
}

// deliverReply is the JobDeliverReply handler: it emails an agent's
// public reply to the customer, threaded into their conversation.
func (s *Service) deliverReply(ctx context.Context, raw json.RawMessage) error {
	p, err := parsePayload(raw)
	if err != nil {
		return err
	}
	var sent int
	if err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("reply-already-sent"), p.MessageID).Scan(&sent); err != nil {
		return err
	}
	if sent > 0 {
		return nil // a retry after the send was recorded
	}
	t, err := s.o.Tickets.Get(ctx, p.TicketID)
	if errors.Is(err, ticket.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var kind, text, author, toAddr, ccList string
	err = s.o.DB.R.QueryRowContext(ctx, s.q.Get("message-for-delivery"), p.MessageID, p.TicketID).Scan(&kind, &text, &author, &toAddr, &ccList)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if kind != ticket.Reply {
		return fmt.Errorf("%w: message %d is a %s, not a reply", jobs.ErrPermanent, p.MessageID, kind)
	}
	to := mail.Address{Name: t.CustomerName, Address: t.CustomerEmail}
	if toAddr != "" && !strings.EqualFold(toAddr, t.CustomerEmail) {
		to = mail.Address{Address: toAddr}
	}
	if to.Address == "" {
		return s.record(ctx, t.ID, p.MessageID, "reply", "", "", "skipped", "the customer has no email address")
	}
	// The Cc was checked when the reply was written; an entry that no
	// longer reads is dropped rather than holding the reply back.
	cc, _ := ticket.ParseAddresses(ccList)
	files, err := s.replyFiles(ctx, p.MessageID)
	if err != nil {
		return err
	}
	lang := s.language(ctx, t)
	tr := s.Voice(ctx, lang).T
	token, err := s.o.Tickets.ReplyToken(ctx, t.ID)
	if err != nil {
		return err
	}
	inReplyTo, refs, err := s.threadHeaders(ctx, t.ID)
	if err != nil {
		return err
	}
	biz := s.Identity(ctx)
	fromName := biz.From()
	if author != "" {
		fromName = author + " (" + biz.From() + ")"
	}
	plain, html := Layout(biz, lang, text, "", tr("mail.reply.footer", t.ID))
	d := Draft{
		From:       mail.Address{Name: fromName, Address: s.o.Mailbox},
		ReplyTo:    plusAddress(s.o.Mailbox, token),
		To:         to,
		Cc:         cc,
		Files:      files,
		Subject:    tr("mail.reply.subject", stripRe(t.Subject), t.ID),
		Text:       plain,
		HTML:       html,
		MessageID:  NewMessageID(s.domain()),
		InReplyTo:  inReplyTo,
		References: refs,
		Date:       s.o.Clock.Now(),
		Language:   lang,
	}
	return s.send(ctx, t.ID, p.MessageID, "reply", d)
}

// replyFiles reads the files an agent attached to reply messageID.
func (s *Service) replyFiles(ctx context.Context, messageID int64) ([]File, error) {
	if s.o.Attachments == nil {
		return nil, nil
	}
	list, data, err := s.o.Attachments.ForMessage(ctx, messageID)
	if err != nil {
		return nil, err
	}
	files := make([]File, len(list))
	for i, a := range list {
		files[i] = File{Filename: a.Filename, ContentType: a.ContentType, Data: data[i]}
	}
	return files, nil
}

// ack is the JobAck handler: it tells the customer at once that their
// message arrived, with its reference, in their language.
func (s *Service) ack(ctx context.Context, raw json.RawMessage) error {
	p, err := parsePayload(raw)
	if err != nil {
		return err
	}
	var done int
	if err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("ack-already-sent"), p.TicketID).Scan(&done); err != nil {
		return err
	}
	if done > 0 {
		return nil
	}
	t, err := s.o.Tickets.Get(ctx, p.TicketID)
	if errors.Is(err, ticket.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if t.CustomerEmail == "" {
		return s.record(ctx, t.ID, 0, "ack", "", "", "skipped", "the customer has no email address")
	}
	var recent int
	since := store.Millis(s.o.Clock.Now().Add(-AckWindow))
	if err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("acks-to-since"), t.CustomerEmail, since).Scan(&recent); err != nil {
		return err
	}
	if recent >= AckLimit {
		s.o.Log.Info("acknowledgement rate-limited", "ticket_id", t.ID)
		return s.record(ctx, t.ID, 0, "ack", t.CustomerEmail, "", "skipped",
			fmt.Sprintf("already %d acknowledgements to this address within %s", recent, AckWindow))
	}
	lang := s.language(ctx, t)
	tr := s.Voice(ctx, lang).T
	token, err := s.o.Tickets.ReplyToken(ctx, t.ID)
	if err != nil {
		return err
	}
	inReplyTo, refs, err := s.threadHeaders(ctx, t.ID)
	if err != nil {
		return err
	}
	greeting := tr("mail.ack.greeting_anon")
	if name := strings.TrimSpace(t.CustomerName); name != "" {
		greeting = tr("mail.ack.greeting", firstName(name))
	}
	parts := []string{
		greeting, "",
		tr("mail.ack.body", t.ID), "",
		s.promise(ctx, t, lang), "",
		tr("mail.ack.more"),
	}
	if s.o.BaseURL != "" {
		// The customer portal (issue 16), where the customer signs in
		// with a link mailed to this address.
		parts = append(parts, "", tr("mail.ack.portal", strings.TrimRight(s.o.BaseURL, "/")+"/portal/signin?lang="+lang))
	}
	text := strings.Join(parts, "\n") + "\n"
	biz := s.Identity(ctx)
	plain, html := Layout(biz, lang, text, "", "")
	d := Draft{
		From:          mail.Address{Name: biz.From(), Address: s.o.Mailbox},
		ReplyTo:       plusAddress(s.o.Mailbox, token),
		To:            mail.Address{Name: t.CustomerName, Address: t.CustomerEmail},
		Subject:       tr("mail.ack.subject", stripRe(t.Subject), t.ID),
		Text:          plain,
		HTML:          html,
		MessageID:     NewMessageID(s.domain()),
		InReplyTo:     inReplyTo,
		References:    refs,
		Date:          s.o.Clock.Now(),
		AutoSubmitted: true,
		Language:      lang,
	}
	return s.send(ctx, t.ID, 0, "ack", d)
}

// followUp is the JobFollowUp handler: a few days after a ticket was
// solved it asks the customer whether the fix held, with a yes and a no
// button (links to a page whose buttons POST, so that a mail scanner
// opening the links answers nothing). The ticket service acts on the
// answer (ticket.AnswerFollowUp, or a written reply it classifies): yes
// closes the ticket as a confirmed fix, no reopens it with its owner;
// silence lets it close.
func (s *Service) followUp(ctx context.Context, raw json.RawMessage) error {
	p, err := parsePayload(raw)
	if err != nil {
		return err
	}
	t, err := s.o.Tickets.Get(ctx, p.TicketID)
	if errors.Is(err, ticket.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if t.Status != ticket.Solved || t.CustomerEmail == "" {
		return nil
	}
	evs, err := s.o.Tickets.Events(ctx, t.ID)
	if err != nil {
		return err
	}
	for _, e := range evs {
		if e.Type == ticket.EventFollowUpSent && !e.CreatedAt.Before(t.SolvedAt) {
			return nil // a retry after it went out
		}
	}
	lang := s.language(ctx, t)
	tr := s.Voice(ctx, lang).T
	token, err := s.o.Tickets.ReplyToken(ctx, t.ID)
	if err != nil {
		return err
	}
	inReplyTo, refs, err := s.threadHeaders(ctx, t.ID)
	if err != nil {
		return err
	}
	greeting := tr("mail.ack.greeting_anon")
	if name := strings.TrimSpace(t.CustomerName); name != "" {
		greeting = tr("mail.ack.greeting", firstName(name))
	}
	answer, err := s.o.Tickets.NewFollowUp(ctx, t.ID)
	if err != nil {
		return err
	}
	biz := s.Identity(ctx)
	text, body := s.followUpBody(tr, greeting, t.ID, answer)
	plain, html := Layout(biz, lang, text, body, "")
	d := Draft{
		From:          mail.Address{Name: biz.From(), Address: s.o.Mailbox},
		ReplyTo:       plusAddress(s.o.Mailbox, token),
		To:            mail.Address{Name: t.CustomerName, Address: t.CustomerEmail},
		Subject:       tr("mail.followup.subject", stripRe(t.Subject), t.ID),
		Text:          plain,
		HTML:          html,
		MessageID:     NewMessageID(s.domain()),
		InReplyTo:     inReplyTo,
		References:    refs,
		Date:          s.o.Clock.Now(),
		AutoGenerated: true,
		Language:      lang,
	}
	if err := s.o.Transport.Send(ctx, s.o.Mailbox, []string{t.CustomerEmail}, d.Encode()); err != nil {
		if errors.Is(err, ErrRejected) {
			return fmt.Errorf("%w: %v", jobs.ErrPermanent, err)
		}
		return err
	}
	return s.o.Tickets.RecordSystemEvent(ctx, t.ID, ticket.EventFollowUpSent, map[string]any{"message_id": d.MessageID})
}

// promise is the acknowledgement's sentence about when a person answers:
// the first-response deadline in words, in the customer's language and
// zone, when a target runs; a general one, which names no time, otherwise.
func (s *Service) promise(ctx context.Context, t ticket.Ticket, lang string) string {
	v := s.Voice(ctx, lang)
	if s.o.Promise == nil {
		return v.T("mail.ack.promise")
	}
	due, err := s.o.Promise.FirstResponseDue(ctx, t.ID)
	if err != nil || due.IsZero() {
		return v.T("mail.ack.promise")
	}
	return v.T("mail.ack.promise_by", s.o.I18n.By(lang, due, s.o.Clock.Now(), s.CustomerZone(ctx, t.CustomerID)))
}

// CustomerZone is the zone customer id is told times in: their own when
// known, else the business's, else UTC (id 0, no customer: the business's).
func (s *Service) CustomerZone(ctx context.Context, id int64) *time.Location {
	zone := time.UTC
	if s.o.Profiles != nil {
		if p, err := s.o.Profiles.Profile(ctx); err == nil {
			zone = p.Location()
		} else {
			s.o.Log.Warn("business profile not read; times in UTC", slog.Any("error", err))
		}
	}
	var name string
	if err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("customer-time-zone"), id).Scan(&name); err != nil && !errors.Is(err, sql.ErrNoRows) {
		s.o.Log.Warn("customer time zone not read", "customer_id", id, slog.Any("error", err))
	}
	return i18n.ZoneOr(name, zone)
}

// Notice is a machine-made message to a customer outside a ticket's
// conversation, such as a survey invitation: from the business, not
// threaded, marked auto-generated so that robots do not answer it.
type Notice struct {
	To      mail.Address
	Subject string
	// Text is the body without a sign-off: SendNotice adds the business's
	// signature and logo (Layout).
	Text string
	// HTML is the body's HTML when it has more than paragraphs (buttons);
	// "" makes it from Text.
	HTML     string
	Language string // Content-Language
}

// SendNotice sends n through the configured transport (the relay, or the
// outbox folder), in the business's identity. A relay's permanent refusal
// is returned wrapping ErrRejected.
func (s *Service) SendNotice(ctx context.Context, n Notice) error {
	biz := s.Identity(ctx)
	plain, html := Layout(biz, n.Language, n.Text, template.HTML(n.HTML), "")
	d := Draft{
		From:          mail.Address{Name: biz.From(), Address: s.o.Mailbox},
		To:            n.To,
		Subject:       n.Subject,
		Text:          plain,
		HTML:          html,
		MessageID:     NewMessageID(s.domain()),
		Date:          s.o.Clock.Now(),
		AutoGenerated: true,
		Language:      n.Language,
	}
	return s.o.Transport.Send(ctx, s.o.Mailbox, []string{n.To.Address}, d.Encode())
}

// send hands d to the transport and records the outcome. A permanent
// refusal is recorded as failed and not retried; other errors retry.
func (s *Service) send(ctx context.Context, ticketID, messageID int64, kind string, d Draft) error {
	err := s.o.Transport.Send(ctx, s.o.Mailbox, d.Recipients(), d.Encode())
	if errors.Is(err, ErrRejected) {
		s.o.Log.Warn("mail rejected", "ticket_id", ticketID, "kind", kind, slog.Any("error", err))
		if rerr := s.record(ctx, ticketID, messageID, kind, d.To.Address, d.MessageID, "failed", err.Error()); rerr != nil {
			return rerr
		}
		return fmt.Errorf("%w: %v", jobs.ErrPermanent, err)
	}
	if err != nil {
		return err
	}
	s.o.Log.Info("mail sent", "ticket_id", ticketID, "kind", kind, "message_id", d.MessageID)
	return s.record(ctx, ticketID, messageID, kind, d.To.Address, d.MessageID, "sent", "")
}

func (s *Service) record(ctx context.Context, ticketID, messageID int64, kind, to, headerID, status, errText string) error {
	if headerID == "" {
		headerID = "none." + NewMessageID(s.domain())
	}
	var mid any
	if messageID != 0 {
		mid = messageID
	}
	args := []any{ticketID, mid, kind, to, headerID, status, errText, store.Millis(s.o.Clock.Now())}
	// Recorded with the job's outcome, in its transaction: one writing
	// transaction a mail instead of two.
	if jobs.WithOutcome(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.Get("insert-outbound"), args...); err != nil {
			return fmt.Errorf("mailout: record %s for ticket %d: %w", kind, ticketID, err)
		}
		return nil
	}) {
		return nil
	}
	if _, err := s.o.DB.W.ExecContext(ctx, s.q.Get("insert-outbound"), args...); err != nil {
		return fmt.Errorf("mailout: record %s for ticket %d: %w", kind, ticketID, err)
	}
	return nil
}

// stripRe removes reply prefixes and an earlier [#N] marker, so subjects do
// not grow with every round.
func stripRe(subject string) string {
	s := strings.TrimSpace(subject)
	for {
		lower := strings.ToLower(s)
		cut := false
		for _, p := range []string{"re:", "aw:", "fw:", "fwd:", "r:", "rif:", "sv:", "ответ:"} {
			if strings.HasPrefix(lower, p) {
				s = strings.TrimSpace(s[len(p):])
				cut = true
				break
			}
		}
		if !cut {
			break
		}
	}
	if i := strings.LastIndex(s, "[#"); i >= 0 && strings.HasSuffix(s, "]") {
		s = strings.TrimSpace(s[:i])
	}
	return s
}

// firstName is the part of a name used in a greeting.
func firstName(name string) string {
	f := strings.Fields(name)
	if len(f) == 0 {
		return name
	}
	return f[0]
}
