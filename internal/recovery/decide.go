package recovery

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/purchases"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// Approve grants request id as manager managerID (who may do so is the
// route tables' business), with a compensation_granted event, and queues
// the customer's notice.
//
// The approval must fit the approver's OWN limits for the kind, those of
// their role: on the ticket (what was granted of the kind there, plus this)
// and in the month (what they granted themselves or approved, plus this).
// Above them it is refused with a keyed error (field "approve",
// valid.approve_over_limit) and the request stays open for someone whose
// limits cover it: an administrator, whose limits are normally higher or
// none. A manager cannot raise their own ceiling by approving requests.
func (s *Service) Approve(ctx context.Context, managerID, id int64) (Compensation, error) {
	return s.decide(ctx, managerID, id, true, "")
}

// Decline turns request id down as manager managerID, for reason, with a
// compensation_declined event.
func (s *Service) Decline(ctx context.Context, managerID, id int64, reason string) (Compensation, error) {
	r := strings.TrimSpace(reason)
	switch {
	case r == "":
		return Compensation{}, valid.Errors{"decline_reason": "say why the request is declined"}
	case utf8.RuneCountInString(r) > MaxReason:
		return Compensation{}, valid.Errors{"decline_reason": fmt.Sprintf("is longer than %d characters", MaxReason)}
	}
	return s.decide(ctx, managerID, id, false, r)
}

func (s *Service) decide(ctx context.Context, managerID, id int64, approve bool, reason string) (Compensation, error) {
	if managerID <= 0 {
		return Compensation{}, errors.New("recovery: only a manager decides on a request")
	}
	var ticketID int64
	if err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("compensation-ticket"), id).Scan(&ticketID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Compensation{}, fmt.Errorf("recovery: compensation %d: %w", id, store.ErrNotFound)
		}
		return Compensation{}, err
	}
	typ := EventDeclined
	if approve {
		typ = EventGranted
	}
	var c Compensation
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		return s.o.Tickets.RecordTx(ctx, tx, ticket.AgentActor(managerID), ticketID, typ, func(t ticket.Locked) (map[string]any, error) {
			var err error
			if c, err = scanCompensation(tx.QueryRowContext(ctx, s.q.Get("compensation"), id)); err != nil {
				return nil, err
			}
			if c.Status != Requested {
				return nil, fmt.Errorf("recovery: compensation %d: %w", id, ErrDecided)
			}
			now := s.now()
			if approve {
				if err := s.approverCovers(ctx, tx, managerID, c, now); err != nil {
					return nil, err
				}
			}
			c.DecidedBy, c.DecidedAt = managerID, now
			var granted sql.NullInt64
			if approve {
				c.Status, c.GrantedAt, granted = Granted, now, store.NullMillis(now)
			} else {
				c.Status, c.DeclineReason = Declined, reason
			}
			res, err := tx.ExecContext(ctx, s.q.Get("decide-compensation"), id, c.Status, managerID, c.DeclineReason,
				store.Millis(now), granted)
			if err != nil {
				return nil, err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return nil, fmt.Errorf("recovery: compensation %d: %w", id, ErrDecided)
			}
			// The agent who asked is not left waiting silently.
			if c.AgentID != 0 && c.AgentID != managerID {
				note, _ := json.Marshal(map[string]any{"compensation_id": c.ID, "status": c.Status, "name": c.KindName,
					"amount": c.Amount.String(), "reason": c.DeclineReason})
				if _, err := tx.ExecContext(ctx, s.q.Get("insert-notification"), c.AgentID, c.TicketID, NotifyRequestDecided,
					string(note), store.Millis(now)); err != nil {
					return nil, err
				}
			}
			if !approve {
				return map[string]any{"compensation_id": c.ID, "reason": reason, "name": c.KindName,
					"amount": c.Amount.Decimal(), "currency": c.Amount.Currency}, nil
			}
			payload, _ := json.Marshal(map[string]int64{"compensation_id": c.ID})
			if err := s.o.Jobs.Enqueue(ctx, tx, jobs.Job{Kind: JobNotice, Payload: payload,
				UniqueKey: fmt.Sprintf("%s:%d", JobNotice, c.ID)}); err != nil {
				return nil, err
			}
			return compensationData(c), nil
		})
	})
	if err != nil {
		return Compensation{}, err
	}
	s.o.Jobs.Notify()
	return c, nil
}

// approverCovers checks that request c fits the limits of approver
// managerID's role (see Approve), counted in tx with the approver's row
// locked, so that two approvals cannot both fit one month.
func (s *Service) approverCovers(ctx context.Context, tx *sql.Tx, managerID int64, c Compensation, now time.Time) error {
	var role string
	if err := tx.QueryRowContext(ctx, s.q.Get("agent-role"), managerID, true).Scan(&role); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("recovery: approver %d: %w", managerID, store.ErrNotFound)
		}
		return err
	}
	if _, err := tx.ExecContext(ctx, s.q.Get("lock-agent"), managerID); err != nil {
		return err
	}
	k, err := s.kind(ctx, tx, c.KindID)
	if err != nil {
		return err
	}
	ok, err := s.withinLimitsBy(ctx, tx, k, agent.Role(role), "approver-kind-granted", managerID, c.TicketID, c.Amount.Minor, now)
	if err != nil || ok {
		return err
	}
	lim := k.Limits[agent.Role(role)]
	show := func(v *int64) string {
		if v == nil {
			return "-"
		}
		return purchases.Money{Minor: *v, Currency: c.Amount.Currency}.String()
	}
	return valid.Fields{"approve": valid.Msg("valid.approve_over_limit",
		"%s is above your own limit for %s (%s a ticket, %s a month); an administrator must approve it",
		c.Amount.String(), k.Name, show(lim.Ticket), show(lim.Month))}
}

func scanCompensation(sc scanner) (Compensation, error) {
	var c Compensation
	var purchase, agentID, decider, decided, granted sql.NullInt64
	var created int64
	if err := sc.Scan(&c.ID, &c.TicketID, &c.CustomerID, &c.KindID, &c.Kind, &c.KindName, &c.Amount.Minor, &c.Amount.Currency,
		&c.Reason, &purchase, &c.PurchaseRef, &c.Status, &agentID, &c.AgentName, &decider, &c.DeciderName,
		&c.DeclineReason, &created, &decided, &granted, &c.TicketSubject); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Compensation{}, fmt.Errorf("recovery: compensation: %w", store.ErrNotFound)
		}
		return Compensation{}, err
	}
	c.PurchaseID, c.AgentID, c.DecidedBy = purchase.Int64, agentID.Int64, decider.Int64
	c.CreatedAt, c.DecidedAt, c.GrantedAt = store.Time(created), store.NullTime(decided), store.NullTime(granted)
	return c, nil
}

// Get returns compensation id, wrapping store.ErrNotFound when there is none.
func (s *Service) Get(ctx context.Context, id int64) (Compensation, error) {
	return scanCompensation(s.o.DB.R.QueryRowContext(ctx, s.q.Get("compensation"), id))
}

// Filter narrows the ledger.
type Filter struct {
	Status   string // Granted, Requested, Declined; "" for all
	AgentID  int64  // 0 for all
	TicketID int64  // 0 for all
	From, To time.Time
	Limit    int // 0: DefaultLimit
}

// DefaultLimit and MaxLimit bound a ledger listing.
const (
	DefaultLimit = 200
	MaxLimit     = 10000
)

// Ledger lists compensations created in [f.From, f.To) (all time when
// zero), newest first.
func (s *Service) Ledger(ctx context.Context, f Filter) ([]Compensation, error) {
	switch f.Status {
	case "", Granted, Requested, Declined:
	default:
		return nil, valid.Errors{"status": "is one of granted, requested, declined"}
	}
	if f.Limit <= 0 {
		f.Limit = DefaultLimit
	}
	f.Limit = min(f.Limit, MaxLimit)
	from, to := int64(0), int64(1<<62)
	if !f.From.IsZero() {
		from = store.Millis(f.From)
	}
	if !f.To.IsZero() {
		to = store.Millis(f.To)
	}
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("ledger"), f.Status, f.AgentID, f.TicketID, from, to, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("recovery: ledger: %w", err)
	}
	defer rows.Close()
	out := []Compensation{}
	for rows.Next() {
		c, err := scanCompensation(rows)
		if err != nil {
			return nil, fmt.Errorf("recovery: ledger: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ForTicket lists a ticket's compensations, newest first.
func (s *Service) ForTicket(ctx context.Context, ticketID int64) ([]Compensation, error) {
	return s.Ledger(ctx, Filter{TicketID: ticketID, Limit: MaxLimit})
}

// Totals is what compensation granted over a period came to.
type Totals struct {
	Count    int
	Amount   int64 // minor units of Currency
	Currency string
	// KeptValue is the summed predicted lifetime value of the compensated
	// customers who bought again or re-committed after it.
	KeptValue float64
}

// Total is the amount granted.
func (t Totals) Total() purchases.Money {
	return purchases.Money{Minor: t.Amount, Currency: t.Currency}
}

// Totals adds up the compensation granted in [from, to).
func (s *Service) Totals(ctx context.Context, from, to time.Time) (Totals, error) {
	st, err := s.Settings(ctx)
	if err != nil {
		return Totals{}, err
	}
	t := Totals{Currency: st.Currency}
	f, e := store.Millis(from), store.Millis(to)
	if err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("granted-totals"), f, e).Scan(&t.Count, &t.Amount); err != nil {
		return Totals{}, fmt.Errorf("recovery: totals: %w", err)
	}
	if err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("kept-customers-value"), f, e).Scan(&t.KeptValue); err != nil {
		return Totals{}, fmt.Errorf("recovery: kept value: %w", err)
	}
	return t, nil
}

// AgentTotals adds up the compensation agent id granted (or had approved)
// in [from, to).
func (s *Service) AgentTotals(ctx context.Context, agentID int64, from, to time.Time) (Totals, error) {
	st, err := s.Settings(ctx)
	if err != nil {
		return Totals{}, err
	}
	t := Totals{Currency: st.Currency}
	if err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("agent-granted-totals"), agentID, store.Millis(from), store.Millis(to)).Scan(&t.Count, &t.Amount); err != nil {
		return Totals{}, fmt.Errorf("recovery: totals of agent %d: %w", agentID, err)
	}
	return t, nil
}
