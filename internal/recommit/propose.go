package recommit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/channel/email"
	"github.com/rapport/rapport/internal/ticket"
)

// TicketChanged implements ticket.Timers: it reads every customer message
// as the ticket service stores it and, when the message says the customer
// will come back, order again, renew or stay, proposes a re-commitment on
// the ticket in the same transaction, for an agent to confirm. It has no
// deadlines of its own.
func (s *Service) TicketChanged(ctx context.Context, tx *sql.Tx, t ticket.TimerTicket, events []ticket.TimerEvent) (time.Time, bool, error) {
	if s.o.Detector == nil {
		return time.Time{}, false, nil
	}
	proposed := false
	for _, e := range events {
		if e.Type != ticket.EventCustomerMsg {
			continue
		}
		mid := eventID(e.Data, "message_id")
		if mid == 0 {
			continue
		}
		ok, err := s.proposeFromMessage(ctx, tx, t.ID, mid)
		if err != nil {
			return time.Time{}, false, fmt.Errorf("recommit: re-commitment in message %d: %w", mid, err)
		}
		proposed = proposed || ok
	}
	return time.Time{}, proposed, nil
}

// eventID reads an id from event data as the ticket service writes it.
func eventID(d map[string]any, k string) int64 {
	switch v := d[k].(type) {
	case int64:
		return v
	case int:
		return int64(v)
	case float64:
		return int64(v)
	}
	return 0
}

// proposeFromMessage detects a re-commitment in customer message mid of
// ticket id (its new text only, without quoted history) in the ticket's
// language, else the customer's, else any language with phrases, and
// proposes it.
func (s *Service) proposeFromMessage(ctx context.Context, tx *sql.Tx, ticketID, mid int64) (bool, error) {
	d := s.o.Detector
	var body, ticketLang, custLang string
	err := tx.QueryRowContext(ctx, s.q.Get("message-for-detection"), mid).Scan(&body, &ticketLang, &custLang)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	text := email.TrimQuoted(body)
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
		m, ok := d.Detect(text, l)
		if !ok {
			continue
		}
		words := sentenceAround(text, m.Start, m.End)
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
