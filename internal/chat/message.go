package chat

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/realtime"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// Limits of what a visitor sends.
const (
	MaxText     = 4000            // characters of one message
	MaxBody     = 64 << 10        // bytes of one message's request
	MaxFile     = 5 << 20         // bytes of one file
	MaxClientID = 64              // characters of a client message id
	keyPrefix   = "chat:"         // inbound message_key of a visitor's message
	threadKey   = "chat-session:" // intake's ThreadKey of a session
)

// Outgoing is one message a visitor sends: ClientID is made by the widget,
// so that the same message sent again after a reconnection is stored once.
type Outgoing struct {
	ClientID string `json:"client_id"`
	Text     string `json:"text"`
}

// ErrBadMessage is the error of a message ParseOutgoing refuses.
var ErrBadMessage = errors.New("chat: bad message")

// ParseOutgoing reads a visitor's message (JSON, at most MaxBody bytes):
// a client id of 1 to MaxClientID letters, digits, '-' or '_', and text of
// at most MaxText characters of valid UTF-8 without NUL. Empty text is
// allowed here (a message with a file), trimmed.
func ParseOutgoing(b []byte) (Outgoing, error) {
	if len(b) > MaxBody {
		return Outgoing{}, fmt.Errorf("%w: %d bytes, at most %d", ErrBadMessage, len(b), MaxBody)
	}
	if !utf8.Valid(b) {
		return Outgoing{}, fmt.Errorf("%w: not UTF-8", ErrBadMessage)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var o Outgoing
	if err := dec.Decode(&o); err != nil {
		return Outgoing{}, fmt.Errorf("%w: %v", ErrBadMessage, err)
	}
	if dec.More() {
		return Outgoing{}, fmt.Errorf("%w: more than one value", ErrBadMessage)
	}
	if err := o.check(); err != nil {
		return Outgoing{}, err
	}
	o.Text = strings.TrimSpace(o.Text)
	return o, nil
}

func (o Outgoing) check() error {
	if !ValidClientID(o.ClientID) {
		return fmt.Errorf("%w: client_id must be 1 to %d letters, digits, - or _", ErrBadMessage, MaxClientID)
	}
	if !utf8.ValidString(o.Text) || strings.ContainsRune(o.Text, 0) || strings.ContainsRune(o.Text, utf8.RuneError) {
		return fmt.Errorf("%w: text is not clean UTF-8", ErrBadMessage)
	}
	if utf8.RuneCountInString(o.Text) > MaxText {
		return fmt.Errorf("%w: text longer than %d characters", ErrBadMessage, MaxText)
	}
	return nil
}

// ValidClientID reports whether id can be a client message id.
func ValidClientID(id string) bool {
	if id == "" || len(id) > MaxClientID {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// Message is one message of a chat as the visitor sees it.
type Message struct {
	ID       int64     `json:"id"`
	ClientID string    `json:"client_id,omitempty"` // the visitor's own messages
	From     string    `json:"from"`                // "visitor" or "agent"
	Name     string    `json:"name,omitempty"`      // the agent's name
	Initials string    `json:"initials,omitempty"`  // the agent's initials
	Text     string    `json:"text"`
	At       time.Time `json:"at"`
	Files    []File    `json:"files,omitempty"`
}

// File is a file of a message, downloaded through the widget's session.
type File struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
	Size int64  `json:"size"`
}

// Initials are up to two initials of name.
func Initials(name string) string {
	var out []rune
	for _, f := range strings.Fields(name) {
		r, _ := utf8.DecodeRuneInString(f)
		out = append(out, []rune(strings.ToUpper(string(r)))...)
		if len(out) == 2 {
			break
		}
	}
	return string(out)
}

// Send stores a visitor's message (with files) as a customer message of the
// session's chat ticket, opening the ticket with the first message. The
// same ClientID sent again (a resend after a reconnection) returns the
// message stored the first time and changes nothing.
func (s *Service) Send(ctx context.Context, w Widget, sess Session, o Outgoing, files []attachment.File) (Message, Session, error) {
	if err := o.check(); err != nil {
		return Message{}, sess, err
	}
	o.Text = strings.TrimSpace(o.Text)
	if o.Text == "" && len(files) == 0 {
		return Message{}, sess, valid.Field("text", valid.Msg("valid.required", "is required"))
	}
	text := o.Text
	if text == "" {
		names := make([]string, len(files))
		for i, f := range files {
			names[i] = f.Filename
		}
		text = strings.Join(names, ", ")
	}
	kind, value := sess.sender()
	subject := firstLine(text)
	res, err := s.o.Intake.Receive(ctx, intake.Inbound{
		Channel: "chat", Mailbox: "widget:" + w.Key,
		From:       intake.Sender{Kind: kind, Value: value, Name: sess.Name},
		Subject:    subject,
		Text:       text,
		MessageKey: keyPrefix + o.ClientID,
		ThreadKey:  fmt.Sprintf("%s%d", threadKey, sess.ID),
		Raw:        []byte(text),
		Language:   sess.Language,
		NoAck:      true, Attachments: files,
	})
	if err != nil {
		return Message{}, sess, fmt.Errorf("chat: send: %w", err)
	}
	if res.TicketID == 0 {
		return Message{}, sess, fmt.Errorf("chat: send: message not taken (%s)", res.Outcome)
	}
	msgID := res.MessageID
	if msgID == 0 {
		if err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("message-of-inbound"), res.InboundID).Scan(&msgID); err != nil {
			return Message{}, sess, fmt.Errorf("chat: send: the message of inbound %d: %w", res.InboundID, err)
		}
	}
	if res.TicketID != sess.TicketID {
		t, err := s.o.Tickets.Get(ctx, res.TicketID)
		if err != nil {
			return Message{}, sess, err
		}
		if _, err := s.o.DB.W.ExecContext(ctx, s.q.Get("set-session-ticket"), sess.ID, res.TicketID, t.CustomerID, store.Millis(s.o.Clock.Now())); err != nil {
			return Message{}, sess, fmt.Errorf("chat: send: %w", err)
		}
		sess.TicketID, sess.CustomerID = res.TicketID, t.CustomerID
	}
	msgs, err := s.messages(ctx, sess.TicketID, msgID-1)
	if err != nil {
		return Message{}, sess, err
	}
	for _, m := range msgs {
		if m.ID == msgID {
			return m, sess, nil
		}
	}
	return Message{}, sess, fmt.Errorf("chat: send: message %d not found", msgID)
}

// Messages returns the public messages of the session's chat after id
// after, oldest first (at most 200: ask again after the last).
func (s *Service) Messages(ctx context.Context, sess Session, after int64) ([]Message, error) {
	if sess.TicketID == 0 {
		return nil, nil
	}
	return s.messages(ctx, sess.TicketID, after)
}

func (s *Service) messages(ctx context.Context, ticketID, after int64) ([]Message, error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("visitor-messages"), ticketID, after)
	if err != nil {
		return nil, fmt.Errorf("chat: messages: %w", err)
	}
	defer rows.Close()
	var out []Message
	byID := map[int64]int{}
	for rows.Next() {
		var m Message
		var kind, key string
		var at int64
		if err := rows.Scan(&m.ID, &kind, &m.Name, &m.Text, &at, &key); err != nil {
			return nil, err
		}
		m.At = store.Time(at)
		if kind == ticket.Reply {
			m.From, m.Initials = "agent", Initials(m.Name)
		} else {
			m.From, m.Name = "visitor", ""
			m.ClientID = strings.TrimPrefix(key, keyPrefix)
			if m.ClientID == key {
				m.ClientID = ""
			}
		}
		byID[m.ID] = len(out)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	frows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("message-attachments"), ticketID, after)
	if err != nil {
		return nil, fmt.Errorf("chat: files: %w", err)
	}
	defer frows.Close()
	for frows.Next() {
		var f File
		var msg int64
		if err := frows.Scan(&f.ID, &msg, &f.Name, &f.Type, &f.Size); err != nil {
			return nil, err
		}
		if i, ok := byID[msg]; ok {
			out[i].Files = append(out[i].Files, f)
		}
	}
	return out, frows.Err()
}

// TicketStatus is the status of the session's chat ticket ("" without one).
func (s *Service) TicketStatus(ctx context.Context, sess Session) (ticket.Status, error) {
	if sess.TicketID == 0 {
		return "", nil
	}
	var st string
	err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("ticket-status"), sess.TicketID).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return ticket.Status(st), err
}

// Ended reports whether a chat of this status is over.
func Ended(st ticket.Status) bool { return st == ticket.Solved || st == ticket.Closed }

// Typing tells the other side that agent (0: the visitor) started or
// stopped writing on chat ticket id; it is not stored.
func (s *Service) Typing(ctx context.Context, ticketID, agentID int64, on bool) error {
	if s.o.Broker == nil || ticketID == 0 {
		return nil
	}
	return s.o.Broker.Publish(ctx, realtime.Event{Kind: realtime.KindTyping, Ticket: ticketID, Agent: agentID, Typing: on})
}

// VisitorRead records that the visitor has seen the messages up to upTo.
func (s *Service) VisitorRead(ctx context.Context, sess Session, upTo int64) error {
	if sess.TicketID == 0 || upTo <= sess.VisitorRead {
		return nil
	}
	res, err := s.o.DB.W.ExecContext(ctx, s.q.Get("set-visitor-read"), sess.ID, upTo, store.Millis(s.o.Clock.Now()))
	if err != nil {
		return fmt.Errorf("chat: read: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 && s.o.Broker != nil {
		return s.o.Broker.Publish(ctx, realtime.Event{Kind: realtime.KindRead, Ticket: sess.TicketID, Message: upTo})
	}
	return nil
}

// AgentRead records that an agent has seen chat ticket id up to message
// upTo, which the visitor sees as "read".
func (s *Service) AgentRead(ctx context.Context, ticketID, agentID, upTo int64) error {
	res, err := s.o.DB.W.ExecContext(ctx, s.q.Get("set-agent-read"), ticketID, upTo)
	if err != nil {
		return fmt.Errorf("chat: agent read: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 && s.o.Broker != nil {
		return s.o.Broker.Publish(ctx, realtime.Event{Kind: realtime.KindRead, Ticket: ticketID, Agent: agentID, Message: upTo})
	}
	return nil
}

// VisitorReadOf is how far the visitor of chat ticket id has read.
func (s *Service) VisitorReadOf(ctx context.Context, ticketID int64) (int64, error) {
	var n int64
	err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("ticket-session"), ticketID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if utf8.RuneCountInString(s) > 80 {
		s = string([]rune(s)[:80]) + "…"
	}
	return s
}
