package mailout

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/mail"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
)

// internalMail is the payload of JobInternal.
type internalMail struct {
	To      string `json:"to"`
	Name    string `json:"name"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	// Language is the recipient's (Content-Language); "" says nothing.
	Language string `json:"language,omitempty"`
}

// QueueInternal returns a function that queues an email to a member of
// the team, in the recipient's language lang (its Content-Language; ""
// says nothing), as a JobInternal, in a transaction of its own, and wakes
// the workers. Services that warn agents (the digest) take it, so they
// depend on the job queue rather than on the mail service, which needs
// them built first.
func QueueInternal(db *store.DB, q *jobs.Queue) func(ctx context.Context, to, name, subject, text, lang string) error {
	return func(ctx context.Context, to, name, subject, text, lang string) error {
		payload, err := json.Marshal(internalMail{To: to, Name: name, Subject: subject, Text: text, Language: lang})
		if err != nil {
			return err
		}
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			return q.Enqueue(ctx, tx, jobs.Job{Kind: JobInternal, Payload: payload})
		})
		if err != nil {
			return fmt.Errorf("mailout: queue internal mail: %w", err)
		}
		q.Notify()
		return nil
	}
}

// InternalTx returns a function that queues an email to a member of the
// team, in the recipient's language, as a JobInternal inside the caller's
// transaction: notify takes a batch off its pending list and queues its
// mail at once, so a batch is neither lost nor mailed twice. The caller
// wakes the workers after the commit.
func InternalTx(q *jobs.Queue) func(ctx context.Context, tx *sql.Tx, to, name, subject, text, lang string) error {
	return func(ctx context.Context, tx *sql.Tx, to, name, subject, text, lang string) error {
		payload, err := json.Marshal(internalMail{To: to, Name: name, Subject: subject, Text: text, Language: lang})
		if err != nil {
			return err
		}
		if err := q.Enqueue(ctx, tx, jobs.Job{Kind: JobInternal, Payload: payload}); err != nil {
			return fmt.Errorf("mailout: queue internal mail: %w", err)
		}
		return nil
	}
}

// internal is the JobInternal handler.
func (s *Service) internal(ctx context.Context, raw json.RawMessage) error {
	var m internalMail
	if err := json.Unmarshal(raw, &m); err != nil || m.To == "" {
		return fmt.Errorf("%w: internal mail payload %s", jobs.ErrPermanent, raw)
	}
	d := Draft{
		From:          mail.Address{Name: "Rapport", Address: s.o.Mailbox},
		To:            mail.Address{Name: m.Name, Address: m.To},
		Subject:       m.Subject,
		Text:          m.Text,
		MessageID:     NewMessageID(s.domain()),
		Date:          s.o.Clock.Now(),
		AutoSubmitted: true,
		Language:      m.Language,
	}
	return s.o.Transport.Send(ctx, s.o.Mailbox, []string{m.To}, d.Encode())
}
