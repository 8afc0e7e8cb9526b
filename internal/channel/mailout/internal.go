package mailout

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
)

// internalMail is the payload of JobInternal.
type internalMail struct {
	To      string `json:"to"`
	Name    string `json:"name"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
}

// QueueInternal returns a function that queues an email to a member of
// the team as a JobInternal, in a transaction of its own, and wakes the
// workers. Services that warn agents (SLA, the digest) take it, so they
// depend on the job queue rather than on the mail service, which needs
// them built first.
func QueueInternal(db *store.DB, q *jobs.Queue) func(ctx context.Context, to, name, subject, text string) error {
	return func(ctx context.Context, to, name, subject, text string) error {
		payload, err := json.Marshal(internalMail{To: to, Name: name, Subject: subject, Text: text})
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

// internal is the JobInternal handler.
func (s *Service) internal(ctx context.Context, raw json.RawMessage) error {
	var m internalMail
	if err := json.Unmarshal(raw, &m); err != nil || m.To == "" {
		return fmt.Errorf("%w: internal mail payload %s", jobs.ErrPermanent, raw)
	}
	return s.SendInternal(ctx, m.To, m.Name, m.Subject, m.Text)
}
