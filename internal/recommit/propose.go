package recommit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/text"
	"github.com/rapport/rapport/internal/ticket"
)

// JobPropose is the job kind that reads one customer message for a
// re-commitment and proposes it (payload {"ticket_id", "message_id"}).
// TicketChanged queues it, once per message, to run after the change that
// stored the message commits.
const JobPropose = "recommit.propose"

// proposePayload is JobPropose's payload.
type proposePayload struct {
	TicketID  int64 `json:"ticket_id"`
	MessageID int64 `json:"message_id"`
}

// TicketChanged is the re-commitment subscriber to ticket changes (a
// ticket.AfterFunc): for every customer message a change stores, it
// queues JobPropose, so that the message is read for a re-commitment after
// the change commits rather than while its transaction holds the writer.
// Without a Detector it queues nothing.
func (s *Service) TicketChanged(ctx context.Context, out ticket.Outbox, t ticket.TimerTicket, events []ticket.TimerEvent) error {
	if s.o.Detector == nil {
		return nil
	}
	for _, e := range events {
		if e.Type != ticket.EventCustomerMsg {
			continue
		}
		mid := e.ID("message_id")
		if mid == 0 {
			continue
		}
		payload, err := json.Marshal(proposePayload{TicketID: t.ID, MessageID: mid})
		if err != nil {
			return err
		}
		if err := out.Enqueue(jobs.Job{Kind: JobPropose, Payload: payload,
			UniqueKey: JobPropose + ":" + strconv.FormatInt(mid, 10)}); err != nil {
			return fmt.Errorf("recommit: queue the reading of message %d: %w", mid, err)
		}
	}
	return nil
}

// proposeJob runs JobPropose: it reads the message and proposes what it
// finds in a transaction of its own. Running it again for the same message
// proposes nothing more; a message or ticket that is gone is nothing to do.
func (s *Service) proposeJob(ctx context.Context, payload json.RawMessage) error {
	var p proposePayload
	if err := json.Unmarshal(payload, &p); err != nil || p.MessageID <= 0 {
		return fmt.Errorf("recommit: %s payload %s: %w", JobPropose, payload, jobs.ErrPermanent)
	}
	if s.o.Detector == nil {
		return nil
	}
	var made bool
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		made, err = s.proposeFromMessage(ctx, tx, p.MessageID)
		return err
	})
	if errors.Is(err, ticket.ErrNotFound) {
		return nil // the ticket went between reading the message and locking it
	}
	if err != nil {
		return fmt.Errorf("recommit: re-commitment in message %d of ticket %d: %w", p.MessageID, p.TicketID, err)
	}
	if made {
		s.o.Jobs.Notify()
	}
	return nil
}

// proposeFromMessage detects a re-commitment in customer message mid (its
// new text only, without quoted history) in its ticket's language, else
// the customer's, else any language with phrases, and proposes it on the
// message's ticket. A message that is gone proposes nothing.
func (s *Service) proposeFromMessage(ctx context.Context, tx *sql.Tx, mid int64) (bool, error) {
	d := s.o.Detector
	var ticketID int64
	var body, ticketLang, custLang string
	err := tx.QueryRowContext(ctx, s.q.Get("message-for-detection"), mid).Scan(&ticketID, &body, &ticketLang, &custLang)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	msg := text.TrimQuoted(body)
	langs := []string{}
	for _, l := range []string{ticketLang, custLang} {
		if l = strings.ToLower(strings.TrimSpace(l)); l != "" {
			langs = append(langs, l)
		}
	}
	if len(langs) == 0 {
		langs = d.Languages()
	}
	for _, l := range langs {
		m, ok := d.Detect(msg, l)
		if !ok {
			continue
		}
		words := sentenceAround(msg, m.Start, m.End)
		_, made, err := s.ProposeTx(ctx, tx, ticketID, words, SourceMessage, mid)
		return made, err
	}
	return false, nil
}

// sentenceAround is the sentence of text holding [start, end), trimmed and
// at most MaxWords long: the customer's words as the agent will confirm them.
func sentenceAround(text string, start, end int) string {
	from := strings.LastIndexAny(text[:start], ".!?\n") + 1
	to := len(text)
	if i := strings.IndexAny(text[end:], ".!?\n"); i >= 0 {
		to = end + i + 1
	}
	s := strings.Join(strings.Fields(text[from:to]), " ")
	if r := []rune(s); len(r) > MaxWords {
		s = string(r[:MaxWords])
	}
	if s == "" {
		s = text[start:end]
	}
	return s
}
