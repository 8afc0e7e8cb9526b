package recovery

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
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

// Compensation statuses.
const (
	Granted   = "granted"
	Requested = "requested" // above the asker's limits: waits for a manager
	Declined  = "declined"
)

// ErrDecided is returned (wrapped) when a request was already approved or declined.
var ErrDecided = errors.New("the compensation request was already decided")

// Compensation is one row of the ledger.
type Compensation struct {
	ID            int64
	TicketID      int64
	TicketSubject string
	CustomerID    int64
	KindID        int64
	Kind          string // what it does: KindRefund, …
	KindName      string
	Amount        purchases.Money
	Reason        string
	PurchaseID    int64 // the refunded order; 0 for none
	PurchaseRef   string
	Status        string
	AgentID       int64 // who granted or requested it
	AgentName     string
	DecidedBy     int64 // the manager who approved or declined; 0 for none
	DeciderName   string
	DeclineReason string
	CreatedAt     time.Time
	DecidedAt     time.Time // zero until a manager decided
	GrantedAt     time.Time // zero unless granted
}

// NewCompensation is what an agent asks to give a customer.
type NewCompensation struct {
	KindID int64
	// Amount is a decimal in the settings' currency ("12.50"); empty for a
	// kind that is not monetary.
	Amount string
	Reason string
	// PurchaseID is the order a refund is of, one of the ticket's
	// customer's purchases; required for a refund.
	PurchaseID int64
}

// MaxReason is the longest reason.
const MaxReason = 2000

// Grant gives the customer of ticket ticketID the compensation n, as agent
// agentID: granted at once when within the limits of the agent's role for
// its kind (on this ticket, and by this agent this calendar month), else
// requested from a manager. Either way a ledger row and a ticket event
// are written in one transaction; a grant queues the customer's notice, a
// request the timer that notifies managers when it waits too long.
func (s *Service) Grant(ctx context.Context, agentID, ticketID int64, n NewCompensation) (Compensation, error) {
	if agentID <= 0 {
		return Compensation{}, errors.New("recovery: only an agent grants compensation")
	}
	errs := valid.Errors{}
	reason := strings.TrimSpace(n.Reason)
	switch {
	case reason == "":
		errs.Add("reason", "say why the customer is compensated")
	case utf8.RuneCountInString(reason) > MaxReason:
		errs.Add("reason", fmt.Sprintf("is longer than %d characters", MaxReason))
	}
	if n.KindID <= 0 {
		errs.Add("kind", "choose a kind of compensation")
	}
	if err := errs.Err(); err != nil {
		return Compensation{}, err
	}
	var c Compensation
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		c = Compensation{}
		st, err := s.settings(ctx, tx)
		if err != nil {
			return err
		}
		k, err := s.kind(ctx, tx, n.KindID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !k.Active) {
			return valid.Errors{"kind": "is not a kind of compensation on offer"}
		}
		if err != nil {
			return err
		}
		var role string
		if err := tx.QueryRowContext(ctx, s.q.Get("agent-role"), agentID, true).Scan(&role); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("recovery: agent %d: %w", agentID, store.ErrNotFound)
			}
			return err
		}
		amount := purchases.Money{Currency: st.Currency}
		if k.Monetary {
			if amount, err = parseAmount(n.Amount, st.Currency); err != nil {
				return err
			}
		} else if strings.TrimSpace(n.Amount) != "" && strings.TrimSpace(n.Amount) != "0" {
			return valid.Errors{"amount": "this kind has no amount"}
		}
		// The agent's row is locked (on PostgreSQL) so that two grants by
		// one agent cannot both fit the month's limit; the ticket's lock
		// does the same for the ticket's limit.
		if _, err := tx.ExecContext(ctx, s.q.Get("lock-agent"), agentID); err != nil {
			return err
		}
		return s.o.Tickets.RecordTxAs(ctx, tx, ticket.AgentActor(agentID), ticketID, func(t ticket.Locked) (string, map[string]any, error) {
			if t.Status == ticket.Closed {
				return "", nil, valid.Errors{"ticket": "the ticket is closed; compensation goes on an open or solved ticket"}
			}
			var purchase sql.NullInt64
			if n.PurchaseID > 0 {
				var minor int64
				var cur, ref string
				err := tx.QueryRowContext(ctx, s.q.Get("customer-purchase"), n.PurchaseID, t.CustomerID).Scan(&minor, &cur, &ref)
				if errors.Is(err, sql.ErrNoRows) {
					return "", nil, valid.Errors{"purchase": "is not one of this customer's orders"}
				}
				if err != nil {
					return "", nil, err
				}
				if k.Kind == KindRefund && cur == amount.Currency {
					var refunded int64
					if err := tx.QueryRowContext(ctx, s.q.Get("purchase-refunded"), n.PurchaseID).Scan(&refunded); err != nil {
						return "", nil, err
					}
					if refunded+amount.Minor > minor {
						left := purchases.Money{Minor: max(minor-refunded, 0), Currency: cur}
						return "", nil, valid.Errors{"amount": fmt.Sprintf("is more than is left to refund of order %s (%s)", ref, left)}
					}
				}
				purchase = sql.NullInt64{Int64: n.PurchaseID, Valid: true}
				c.PurchaseRef = ref
			} else if k.Kind == KindRefund {
				return "", nil, valid.Errors{"purchase": "choose the order to refund"}
			}
			now := s.now()
			within, err := s.withinLimits(ctx, tx, k, agent.Role(role), agentID, t.ID, amount.Minor, now)
			if err != nil {
				return "", nil, err
			}
			c = Compensation{TicketID: t.ID, CustomerID: t.CustomerID, KindID: k.ID, Kind: k.Kind, KindName: k.Name,
				Amount: amount, Reason: reason, PurchaseID: n.PurchaseID, PurchaseRef: c.PurchaseRef, Status: Requested,
				AgentID: agentID, CreatedAt: now}
			var grantedAt sql.NullInt64
			if within {
				c.Status, c.GrantedAt, grantedAt = Granted, now, store.NullMillis(now)
			}
			if err := tx.QueryRowContext(ctx, s.q.Get("insert-compensation"), c.TicketID, c.CustomerID, c.KindID,
				c.Amount.Minor, c.Amount.Currency, c.Reason, purchase, c.Status, agentID, store.Millis(now), grantedAt).Scan(&c.ID); err != nil {
				return "", nil, err
			}
			payload, _ := json.Marshal(map[string]int64{"compensation_id": c.ID})
			job := jobs.Job{Kind: JobNotice, Payload: payload, UniqueKey: fmt.Sprintf("%s:%d", JobNotice, c.ID)}
			if !within {
				job = jobs.Job{Kind: JobRequestDue, Payload: payload, RunAt: now.Add(time.Duration(st.RequestDueHours) * time.Hour),
					UniqueKey: fmt.Sprintf("%s:%d", JobRequestDue, c.ID)}
			}
			if err := s.o.Jobs.Enqueue(ctx, tx, job); err != nil {
				return "", nil, err
			}
			typ := EventGranted
			if !within {
				typ = EventRequested
			}
			return typ, compensationData(c), nil
		})
	})
	if err != nil {
		return Compensation{}, err
	}
	s.o.Jobs.Notify()
	if c.Status == Requested {
		// The managers hear of it now; the request's timer tells them
		// again if it waits too long. The request stands either way.
		if full, err := s.Get(ctx, c.ID); err != nil {
			s.o.Log.Warn("managers not told of a compensation request", "compensation_id", c.ID, slog.Any("error", err))
		} else if err := s.tellManagers(ctx, full); err != nil {
			s.o.Log.Warn("managers not told of a compensation request", "compensation_id", c.ID, slog.Any("error", err))
		}
	}
	return c, nil
}

// parseAmount reads a positive decimal amount in currency exactly.
func parseAmount(s, currency string) (purchases.Money, error) {
	a := strings.TrimSpace(s)
	if a == "" {
		return purchases.Money{}, valid.Errors{"amount": "give the amount"}
	}
	if strings.HasPrefix(a, "-") {
		return purchases.Money{}, valid.Errors{"amount": "cannot be negative"}
	}
	m, err := purchases.ParseMoney(a, currency)
	if err != nil {
		return purchases.Money{}, valid.Errors{"amount": err.Error()}
	}
	if m.Minor == 0 {
		return purchases.Money{}, valid.Errors{"amount": "must be more than zero"}
	}
	return m, nil
}

// withinLimits tells whether an agent of role may grant amount of kind k
// on ticket ticketID at now without a manager: what was already granted of
// the kind on the ticket, and by the agent this month, counted in tx.
func (s *Service) withinLimits(ctx context.Context, tx *sql.Tx, k Kind, role agent.Role, agentID, ticketID, amount int64, now time.Time) (bool, error) {
	return s.withinLimitsBy(ctx, tx, k, role, "agent-kind-granted", agentID, ticketID, amount, now)
}

// withinLimitsBy is withinLimits with the month's use counted by the named
// query: what the agent asked for and was granted, or for a manager
// approving, what they granted and approved (approver-kind-granted).
func (s *Service) withinLimitsBy(ctx context.Context, tx *sql.Tx, k Kind, role agent.Role, monthQuery string, agentID, ticketID, amount int64, now time.Time) (bool, error) {
	if !k.Monetary {
		return true, nil
	}
	lim := k.Limits[role]
	if lim.Ticket != nil {
		var onTicket int64
		if err := tx.QueryRowContext(ctx, s.q.Get("ticket-kind-granted"), ticketID, k.ID).Scan(&onTicket); err != nil {
			return false, err
		}
		if onTicket+amount > *lim.Ticket {
			return false, nil
		}
	}
	if lim.Month != nil {
		from, to := monthOf(now)
		var inMonth int64
		if err := tx.QueryRowContext(ctx, s.q.Get(monthQuery), agentID, k.ID, store.Millis(from), store.Millis(to)).Scan(&inMonth); err != nil {
			return false, err
		}
		if inMonth+amount > *lim.Month {
			return false, nil
		}
	}
	return true, nil
}

func compensationData(c Compensation) map[string]any {
	d := map[string]any{"compensation_id": c.ID, "kind": c.Kind, "name": c.KindName, "status": c.Status,
		"amount": c.Amount.Decimal(), "currency": c.Amount.Currency, "reason": c.Reason}
	if c.PurchaseID > 0 {
		d["purchase_id"], d["reference"] = c.PurchaseID, c.PurchaseRef
	}
	return d
}
