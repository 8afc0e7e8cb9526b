package chat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/survey"
	"github.com/rapport/rapport/internal/valid"
)

// MaxComment is the longest comment of a rating.
const MaxComment = 2000

// Rate records the visitor's one-question rating (CSAT 1–5, with an
// optional comment) of their ended chat as the ticket's survey, so that
// it counts on the dashboard like a mailed one.
func (s *Service) Rate(ctx context.Context, sess Session, score int, comment string) error {
	if sess.TicketID == 0 {
		return ErrNoChat
	}
	if sess.Rated {
		return ErrRated
	}
	if s.o.Surveys == nil {
		return errors.New("chat: ratings are off")
	}
	errs := valid.Fields{}
	if score < 1 || score > 5 {
		errs.Add("score", valid.Msg("valid.range", "must be between %d and %d", 1, 5))
	}
	comment = strings.TrimSpace(comment)
	if utf8.RuneCountInString(comment) > MaxComment || !utf8.ValidString(comment) || strings.ContainsRune(comment, 0) {
		errs.Add("comment", valid.Msg("valid.too_long", "is too long"))
	}
	if err := errs.Err(); err != nil {
		return err
	}
	a := survey.Answers{CSAT: &score}
	if comment != "" {
		a.Comment = &comment
	}
	now := s.o.Clock.Now()
	if _, err := s.o.Surveys.Record(ctx, survey.Historical{TicketID: sess.TicketID, SentAt: now, AnsweredAt: now, Answers: a}); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return ErrRated
		}
		return fmt.Errorf("chat: rate: %w", err)
	}
	if _, err := s.o.DB.W.ExecContext(ctx, s.q.Get("set-rated"), sess.ID); err != nil {
		return fmt.Errorf("chat: rate: %w", err)
	}
	return nil
}

// Transcript mails the chat's messages to email (the visitor's, typed in
// the widget) through the mail outbox.
func (s *Service) Transcript(ctx context.Context, w Widget, sess Session, email string) error {
	if sess.TicketID == 0 {
		return ErrNoChat
	}
	if s.o.Mail == nil || s.o.Catalog == nil {
		return errors.New("chat: no mail")
	}
	addr, msg := customer.NormalizeIdentity(customer.Email, email)
	if msg != "" {
		return valid.Field("email", customer.IdentityMessage(customer.Email, msg))
	}
	var b strings.Builder
	tr := func(key string, args ...any) string { return s.o.Catalog.T(sess.Language, key, args...) }
	for after := int64(0); ; {
		msgs, err := s.messages(ctx, sess.TicketID, after)
		if err != nil {
			return err
		}
		if len(msgs) == 0 {
			break
		}
		for _, m := range msgs {
			who := m.Name
			if m.From == "visitor" {
				who = tr("widget.you")
			}
			fmt.Fprintf(&b, "[%s] %s:\n%s\n", m.At.Format("2006-01-02 15:04 UTC"), who, m.Text)
			for _, f := range m.Files {
				fmt.Fprintf(&b, "  (%s)\n", f.Name)
			}
			b.WriteString("\n")
			after = m.ID
		}
	}
	subject := tr("widget.transcript.subject", w.Name, sess.TicketID)
	if err := s.o.Mail(ctx, addr, sess.Name, subject, b.String(), sess.Language); err != nil {
		return fmt.Errorf("chat: transcript: %w", err)
	}
	return nil
}

// Offline is a message left while the chat is closed: it becomes an email
// ticket, acknowledged as any, through the normal intake.
type Offline struct {
	ClientID string `json:"client_id"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	Text     string `json:"text"`
}

// LeaveMessage turns an offline message into an email ticket with the usual
// acknowledgement; the same ClientID twice is stored once. It returns the
// ticket's id.
func (s *Service) LeaveMessage(ctx context.Context, w Widget, sess Session, m Offline) (int64, error) {
	errs := valid.Fields{}
	addr, msg := customer.NormalizeIdentity(customer.Email, m.Email)
	if msg != "" {
		errs.Add("email", customer.IdentityMessage(customer.Email, msg))
	}
	o := Outgoing{ClientID: m.ClientID, Text: m.Text}
	if err := o.check(); err != nil {
		errs.Add("text", valid.Msg("valid.too_long", "is too long"))
	}
	if strings.TrimSpace(m.Text) == "" {
		errs.Add("text", valid.Msg("valid.required", "is required"))
	}
	name := strings.TrimSpace(m.Name)
	if utf8.RuneCountInString(name) > 100 || !clean(name) {
		errs.Add("name", valid.Msg("valid.too_long", "is too long"))
	}
	if err := errs.Err(); err != nil {
		return 0, err
	}
	text := strings.TrimSpace(m.Text)
	res, err := s.o.Intake.Receive(ctx, intake.Inbound{
		Channel: "email", Mailbox: "widget:" + w.Key,
		From:       intake.Sender{Kind: customer.Email, Value: addr, Name: name},
		Subject:    firstLine(text),
		Text:       text,
		MessageKey: fmt.Sprintf("chat-offline:%d:%s", sess.ID, m.ClientID),
		Raw:        []byte(text),
		Language:   sess.Language,
	})
	if err != nil {
		return 0, fmt.Errorf("chat: leave a message: %w", err)
	}
	return res.TicketID, nil
}

// OpenFile opens file id of the session's chat for download.
func (s *Service) OpenFile(ctx context.Context, sess Session, id int64) (attachment.Attachment, io.ReadSeekCloser, error) {
	if sess.TicketID == 0 || s.o.Attachments == nil {
		return attachment.Attachment{}, nil, ErrNotFound
	}
	// Only files of the chat's public messages: never an internal note's.
	var n int
	if err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("public-attachment"), id, sess.TicketID).Scan(&n); err != nil {
		return attachment.Attachment{}, nil, fmt.Errorf("chat: file %d: %w", id, err)
	}
	if n == 0 {
		return attachment.Attachment{}, nil, ErrNotFound
	}
	a, rc, err := s.o.Attachments.Get(ctx, sess.TicketID, id)
	if err != nil {
		return attachment.Attachment{}, nil, err
	}
	return a, rc, nil
}
