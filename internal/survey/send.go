package survey

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"time"

	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
)

// TicketChanged is the survey subscriber to ticket changes (a
// ticket.AfterFunc): when a change solves a ticket and surveys are on, it
// queues the ticket's survey, to go out after the configured delay once
// the change commits. Solving again after a reopen replaces a survey still
// waiting; the job checks everything again when it runs.
func (s *Service) TicketChanged(ctx context.Context, out ticket.Outbox, t ticket.TimerTicket, events []ticket.TimerEvent) error {
	solved := false
	for _, e := range events {
		if e.Type == ticket.EventStatus && fmt.Sprint(e.Data["to"]) == string(ticket.Solved) {
			solved = true
		}
	}
	if !solved || t.Status != ticket.Solved {
		return nil
	}
	st, err := s.settings(ctx, out)
	if err != nil {
		return err
	}
	if !st.Enabled {
		return nil
	}
	payload, _ := json.Marshal(map[string]int64{"ticket_id": t.ID})
	return out.Enqueue(jobs.Job{Kind: JobSend, Payload: payload,
		RunAt: t.Now.Add(time.Duration(st.DelayHours) * time.Hour), UniqueKey: JobSend + ":" + strconv.FormatInt(t.ID, 10)})
}

// newToken returns a fresh link token (192 random bits, base64url) and the
// hash the database keeps of it.
func newToken() (token, hash string) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, hashToken(token)
}

// hashToken is the SHA-256 of a token, in hex, as surveys.token_hash keeps it.
func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// Skip reasons of the send job, logged.
const (
	skipDisabled  = "surveys are off"
	skipNotSolved = "the ticket is no longer solved"
	skipNoEmail   = "the customer has no email address"
	skipWindow    = "the customer had a survey within the window"
	skipSent      = "already sent for this ticket"
)

// sendJob is the JobSend handler. It checks again that the survey is due
// (surveys on, the ticket still solved or closed, the customer has an
// email address, no survey to them within the window, none yet for the
// ticket), writes the survey row with a fresh token, mails the invitation
// and marks the row mailed. A row left unmailed by a failed send is retried
// with a new token, so a retry never sends two working links.
func (s *Service) sendJob(ctx context.Context, raw json.RawMessage) error {
	var p struct {
		TicketID int64 `json:"ticket_id"`
	}
	if err := json.Unmarshal(raw, &p); err != nil || p.TicketID <= 0 {
		return fmt.Errorf("%w: survey payload %s", jobs.ErrPermanent, raw)
	}
	why, err := s.Send(ctx, p.TicketID)
	if err != nil {
		return err
	}
	if why != "" {
		s.log.Info("survey not sent", "ticket_id", p.TicketID, "reason", why)
	}
	return nil
}

// Send sends ticket id's survey now if it is due, and returns why not
// otherwise ("" when it went out). The send job calls it.
func (s *Service) Send(ctx context.Context, id int64) (skipped string, err error) {
	st, err := s.Settings(ctx)
	if err != nil {
		return "", err
	}
	if !st.Enabled {
		return skipDisabled, nil
	}
	t, err := s.o.Tickets.Get(ctx, id)
	if errors.Is(err, ticket.ErrNotFound) {
		return skipNotSolved, nil
	}
	if err != nil {
		return "", err
	}
	// Closed is solved and final: a long delay may outlast the auto-close.
	if t.Status != ticket.Solved && t.Status != ticket.Closed {
		return skipNotSolved, nil
	}
	if t.CustomerEmail == "" {
		return skipNoEmail, nil
	}
	now := s.o.Clock.Now().UTC()
	token, hash := newToken()
	var surveyID int64
	var lang string
	expires := now.Add(time.Duration(st.ExpiryDays) * 24 * time.Hour)
	err = s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		skipped, surveyID = "", 0 // Tx may run this again
		var custLang string
		// Locking the customer serialises the window check of two tickets
		// of one customer solved at the same moment (PostgreSQL).
		if err := tx.QueryRowContext(ctx, s.q.Get("lock-customer"), t.CustomerID).Scan(&custLang); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				skipped = skipNotSolved
				return nil
			}
			return err
		}
		lang = s.language(t.Language, custLang)
		var mailed sql.NullInt64
		err := tx.QueryRowContext(ctx, s.q.Get("survey-of-ticket"), id).Scan(&surveyID, &mailed)
		switch {
		case err == nil && mailed.Valid:
			skipped = skipSent
			return nil
		case err == nil:
			// The last attempt did not get the mail out: a new token, so
			// that only the link actually sent works.
			_, err = tx.ExecContext(ctx, s.q.Get("rotate-token"), surveyID, hash, store.Millis(now), store.Millis(expires), lang)
			return err
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if st.WindowDays > 0 {
			var recent int
			since := now.Add(-time.Duration(st.WindowDays) * 24 * time.Hour)
			if err := tx.QueryRowContext(ctx, s.q.Get("surveys-to-customer-since"), t.CustomerID, store.Millis(since)).Scan(&recent); err != nil {
				return err
			}
			if recent > 0 {
				skipped = skipWindow
				return nil
			}
		}
		return tx.QueryRowContext(ctx, s.q.Get("insert-survey"), id, t.CustomerID, nullID(t.OwnerID), nullID(t.TeamID),
			t.Channel, lang, hash, store.Millis(now), store.Millis(expires)).Scan(&surveyID)
	})
	if err != nil || skipped != "" {
		if err != nil {
			err = fmt.Errorf("survey: send for ticket %d: %w", id, err)
		}
		return skipped, err
	}
	e := s.compose(s.identity(ctx), lang, st, t.CustomerName, t.ID, t.Subject, s.Link(token), expires, s.o.Mail.CustomerZone(ctx, t.CustomerID))
	err = s.o.Mail.SendNotice(ctx, mailout.Notice{
		To: mail.Address{Name: t.CustomerName, Address: t.CustomerEmail}, Subject: e.Subject, Text: e.Text, HTML: string(e.HTML), Language: lang,
	})
	if errors.Is(err, mailout.ErrRejected) {
		// The address refuses mail: no survey, and none counted as sent.
		if _, derr := s.o.DB.W.ExecContext(ctx, s.q.Get("delete-survey"), surveyID); derr != nil {
			return "", derr
		}
		return "", fmt.Errorf("%w: survey for ticket %d: %v", jobs.ErrPermanent, id, err)
	}
	if err != nil {
		return "", fmt.Errorf("survey: mail for ticket %d: %w", id, err)
	}
	if _, err := s.o.DB.W.ExecContext(ctx, s.q.Get("mark-mailed"), surveyID, s.now()); err != nil {
		return "", fmt.Errorf("survey: mark %d mailed: %w", surveyID, err)
	}
	s.log.Info("survey sent", "ticket_id", id, "survey_id", surveyID, "language", lang)
	return "", nil
}

// language picks the survey's language: the ticket's, else the customer's,
// else the default, among those the catalogue has.
func (s *Service) language(ticketLang, customerLang string) string {
	for _, l := range []string{ticketLang, customerLang} {
		if l != "" && s.o.I18n.Has(l) {
			return l
		}
	}
	return i18n.Default
}

// Link is the address of the survey page for token.
func (s *Service) Link(token string) string { return s.o.BaseURL + "/survey/" + token }

// nullID stores id 0 as NULL.
func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }
