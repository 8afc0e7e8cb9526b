package recovery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"

	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/notify"
	"github.com/rapport/rapport/internal/store"
)

// compensationIn reads the compensation a job's payload names; ok is false
// when it is gone or no longer has status, and the job has nothing to do.
func (s *Service) compensationIn(ctx context.Context, raw json.RawMessage, status string) (c Compensation, ok bool, err error) {
	var p struct {
		ID int64 `json:"compensation_id"`
	}
	if err := json.Unmarshal(raw, &p); err != nil || p.ID <= 0 {
		return c, false, fmt.Errorf("%w: payload %s", jobs.ErrPermanent, raw)
	}
	c, err = s.Get(ctx, p.ID)
	if errors.Is(err, store.ErrNotFound) {
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	return c, c.Status == status, nil
}

// requestDueJob notifies every active manager of a request still waiting.
func (s *Service) requestDueJob(ctx context.Context, raw json.RawMessage) error {
	c, ok, err := s.compensationIn(ctx, raw, Requested)
	if err != nil || !ok {
		return err
	}
	return s.tellManagers(ctx, c)
}

// tellManagers puts request c in every active manager's notifications
// (and their next mail): when it is made, and again when it has waited
// too long.
func (s *Service) tellManagers(ctx context.Context, c Compensation) error {
	data := map[string]any{"compensation_id": c.ID, "name": c.KindName, "amount": c.Amount.String(),
		"agent": c.AgentName}
	managers, err := s.managers(ctx)
	if err != nil {
		return err
	}
	notes := make([]notify.Note, 0, len(managers))
	for _, m := range managers {
		notes = append(notes, notify.Note{AgentID: m, TicketID: c.TicketID, Kind: NotifyRequestWaiting, Data: data})
	}
	if err := s.o.Notes.AddNow(ctx, s.o.DB, s.now(), notes...); err != nil {
		return fmt.Errorf("recovery: notify managers: %w", err)
	}
	s.o.Log.Info("compensation request waiting", "compensation_id", c.ID, "managers", len(managers))
	return nil
}

// noticeJob tells the customer, in the ticket's language, what they were
// granted.
func (s *Service) noticeJob(ctx context.Context, raw json.RawMessage) error {
	c, ok, err := s.compensationIn(ctx, raw, Granted)
	if err != nil || !ok {
		return err
	}
	t, err := s.o.Tickets.Get(ctx, c.TicketID)
	if err != nil {
		return err
	}
	if t.CustomerEmail == "" {
		s.o.Log.Info("compensation notice not sent: no email", "compensation_id", c.ID)
		return nil
	}
	lang := t.Language
	if !s.o.I18n.Has(lang) {
		lang = "en"
	}
	what := s.o.I18n.T(lang, "recovery.notice.kind."+c.Kind)
	if c.Amount.Minor > 0 {
		what = s.o.I18n.T(lang, "recovery.notice.amount", what, c.Amount.String())
	}
	n := mailout.Notice{
		To:       mail.Address{Name: t.CustomerName, Address: t.CustomerEmail},
		Subject:  s.o.I18n.T(lang, "recovery.notice.subject", t.ID),
		Text:     s.o.I18n.T(lang, "recovery.notice.text", t.CustomerName, what, t.Subject, c.Reason),
		Language: lang,
	}
	if err := s.o.Mail.SendNotice(ctx, n); err != nil {
		if errors.Is(err, mailout.ErrRejected) {
			return fmt.Errorf("%w: %v", jobs.ErrPermanent, err)
		}
		return err
	}
	s.o.Log.Info("compensation notice sent", "compensation_id", c.ID, "ticket_id", c.TicketID)
	return nil
}
