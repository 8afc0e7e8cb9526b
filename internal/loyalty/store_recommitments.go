package loyalty

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// Where a re-commitment came from.
const (
	SourceAgent   = "agent"   // an agent recorded it
	SourceMessage = "message" // proposed from a customer message
	SourceSurvey  = "survey"  // proposed from a survey answer
)

// Re-commitment statuses.
const (
	Proposed  = "proposed"
	Confirmed = "confirmed"
	Rejected  = "rejected"
)

// MaxWords is the longest quote of the customer's words a re-commitment keeps.
const MaxWords = 2000

// Recommitment is a customer's stated intention to stay or come back,
// earned on a ticket and credited to its owner.
type Recommitment struct {
	ID         int64
	TicketID   int64
	CustomerID int64
	AgentID    int64  // credited; 0 for a proposal nobody owns yet
	AgentName  string // filled by the listing queries
	Words      string
	Source     string
	Status     string
	MessageID  int64
	// Value is the customer's predicted lifetime value when it was
	// confirmed, in Currency.
	Value         float64
	Currency      string
	AtRiskAtStart bool
	CreatedAt     time.Time
	ConfirmedAt   time.Time // zero unless confirmed
}

// ErrDecided is returned (wrapped) when a proposal was already confirmed or rejected.
var ErrDecided = errors.New("the re-commitment was already decided")

func checkWords(words string) (string, error) {
	w := strings.TrimSpace(words)
	switch {
	case w == "":
		return "", valid.Errors{"words": "quote what the customer said"}
	case utf8.RuneCountInString(w) > MaxWords:
		return "", valid.Errors{"words": fmt.Sprintf("is longer than %d characters", MaxWords)}
	}
	return w, nil
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// atRisk tells whether the customer was at risk at time start: by their
// churn risk when the churn model has scored them, else by their
// probability of still being a customer then.
func (s *Store) atRisk(ctx context.Context, q querier, customerID int64, start time.Time) (bool, error) {
	v, err := s.value(ctx, q, customerID)
	switch {
	case err == nil && v.ChurnRisk != nil:
		return *v.ChurnRisk >= s.o.Refit.AtRiskChurn, nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return false, err
	}
	p, ok, err := s.pAliveAt(ctx, q, customerID, start)
	if err != nil || !ok {
		return false, err
	}
	return p < s.o.Refit.AtRiskPAlive, nil
}

// worth is the customer's current predicted lifetime value and its
// currency; 0 and "" before the models have scored them.
func (s *Store) worth(ctx context.Context, q querier, customerID int64) (float64, string, error) {
	v, err := s.value(ctx, q, customerID)
	if errors.Is(err, store.ErrNotFound) {
		return 0, "", nil
	}
	return v.ExpectedValue, v.Currency, err
}

// Recommit records, on ticket id, that the customer committed to stay or
// come back, in their words, as agent actor a heard it. It is credited to
// the ticket's owner (the acting agent when it has none), valued at the
// customer's predicted lifetime value, and written with a recommitted event
// in the same transaction.
func (s *Store) Recommit(ctx context.Context, a ticket.Actor, ticketID int64, words string) (Recommitment, error) {
	w, err := checkWords(words)
	if err != nil {
		return Recommitment{}, err
	}
	if a.Kind != "agent" || a.AgentID <= 0 {
		return Recommitment{}, errors.New("loyalty: only an agent records a re-commitment")
	}
	var rc Recommitment
	err = s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		return s.o.Tickets.RecordTx(ctx, tx, a, ticketID, ticket.EventRecommitted, func(t ticket.Locked) (map[string]any, error) {
			now := s.now().Truncate(time.Millisecond)
			rc = Recommitment{TicketID: t.ID, CustomerID: t.CustomerID, AgentID: t.OwnerID, Words: w,
				Source: SourceAgent, Status: Confirmed, CreatedAt: now, ConfirmedAt: now}
			if rc.AgentID == 0 {
				rc.AgentID = a.AgentID
			}
			var err error
			if rc.Value, rc.Currency, err = s.worth(ctx, tx, t.CustomerID); err != nil {
				return nil, err
			}
			if rc.AtRiskAtStart, err = s.atRisk(ctx, tx, t.CustomerID, t.CreatedAt); err != nil {
				return nil, err
			}
			if err := tx.QueryRowContext(ctx, s.q.Get("insert-recommitment"), rc.TicketID, rc.CustomerID, rc.AgentID,
				rc.Words, rc.Source, rc.Status, nil, rc.Value, rc.Currency, rc.AtRiskAtStart,
				store.Millis(now), store.Millis(now), a.AgentID).Scan(&rc.ID); err != nil {
				return nil, err
			}
			return recommitData(rc), nil
		})
	})
	if err != nil {
		return Recommitment{}, err
	}
	s.o.Jobs.Notify()
	return rc, nil
}

func recommitData(rc Recommitment) map[string]any {
	return map[string]any{"recommitment_id": rc.ID, "words": rc.Words, "source": rc.Source,
		"agent_id": rc.AgentID, "value": rc.Value, "currency": rc.Currency}
}

// ProposeTx records, inside the caller's transaction, that the customer's
// words on ticket id (from a message or survey answer, messageID naming
// it) read as a re-commitment, for an agent to confirm or reject. A message
// already proposed gives ok false and changes nothing.
func (s *Store) ProposeTx(ctx context.Context, tx *sql.Tx, ticketID int64, words, source string, messageID int64) (rc Recommitment, ok bool, err error) {
	w, err := checkWords(words)
	if err != nil {
		return Recommitment{}, false, err
	}
	if source != SourceMessage && source != SourceSurvey {
		return Recommitment{}, false, fmt.Errorf("loyalty: a proposal comes from a message or survey, not %q", source)
	}
	if messageID > 0 {
		var id int64
		err := tx.QueryRowContext(ctx, s.q.Get("recommitment-for-message"), messageID).Scan(&id)
		if err == nil {
			return Recommitment{}, false, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return Recommitment{}, false, err
		}
	}
	err = s.o.Tickets.RecordTx(ctx, tx, ticket.SystemActor, ticketID, ticket.EventRecommitProposed, func(t ticket.Locked) (map[string]any, error) {
		now := s.now().Truncate(time.Millisecond)
		rc = Recommitment{TicketID: t.ID, CustomerID: t.CustomerID, AgentID: t.OwnerID, Words: w, Source: source,
			Status: Proposed, MessageID: messageID, CreatedAt: now}
		msg := sql.NullInt64{Int64: messageID, Valid: messageID > 0}
		if err := tx.QueryRowContext(ctx, s.q.Get("insert-recommitment"), rc.TicketID, rc.CustomerID, nullID(rc.AgentID),
			rc.Words, rc.Source, rc.Status, msg, 0.0, "", false, store.Millis(now), nil, nil).Scan(&rc.ID); err != nil {
			return nil, err
		}
		return map[string]any{"recommitment_id": rc.ID, "words": rc.Words, "source": rc.Source}, nil
	})
	if err != nil {
		return Recommitment{}, false, err
	}
	return rc, true, nil
}

// Propose is ProposeTx in a transaction of its own.
func (s *Store) Propose(ctx context.Context, ticketID int64, words, source string, messageID int64) (Recommitment, bool, error) {
	var rc Recommitment
	var ok bool
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		rc, ok, err = s.ProposeTx(ctx, tx, ticketID, words, source, messageID)
		return err
	})
	if err == nil && ok {
		s.o.Jobs.Notify()
	}
	return rc, ok, err
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// Decide confirms or rejects proposal id on ticket ticketID as agent a. A
// confirmation is credited to the ticket's owner (the confirming agent when
// it has none) and valued like Recommit.
func (s *Store) Decide(ctx context.Context, a ticket.Actor, ticketID, id int64, confirm bool) (Recommitment, error) {
	if a.Kind != "agent" || a.AgentID <= 0 {
		return Recommitment{}, errors.New("loyalty: only an agent decides on a re-commitment")
	}
	typ := ticket.EventRecommitRejected
	if confirm {
		typ = ticket.EventRecommitted
	}
	var rc Recommitment
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		return s.o.Tickets.RecordTx(ctx, tx, a, ticketID, typ, func(t ticket.Locked) (map[string]any, error) {
			var err error
			if rc, err = scanRecommitment(tx.QueryRowContext(ctx, s.q.Get("lock-recommitment"), id)); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return nil, fmt.Errorf("loyalty: re-commitment %d: %w", id, store.ErrNotFound)
				}
				return nil, err
			}
			if rc.TicketID != t.ID {
				return nil, fmt.Errorf("loyalty: re-commitment %d on ticket %d: %w", id, t.ID, store.ErrNotFound)
			}
			if rc.Status != Proposed {
				return nil, fmt.Errorf("loyalty: re-commitment %d: %w", id, ErrDecided)
			}
			now := s.now().Truncate(time.Millisecond)
			var confirmedAt sql.NullInt64
			rc.Status = Rejected
			if confirm {
				rc.Status, rc.ConfirmedAt, confirmedAt = Confirmed, now, store.NullMillis(now)
				rc.AgentID = t.OwnerID
				if rc.AgentID == 0 {
					rc.AgentID = a.AgentID
				}
				if rc.Value, rc.Currency, err = s.worth(ctx, tx, t.CustomerID); err != nil {
					return nil, err
				}
				if rc.AtRiskAtStart, err = s.atRisk(ctx, tx, t.CustomerID, t.CreatedAt); err != nil {
					return nil, err
				}
			}
			res, err := tx.ExecContext(ctx, s.q.Get("decide-recommitment"), rc.ID, rc.Status, nullID(rc.AgentID),
				rc.Value, rc.Currency, rc.AtRiskAtStart, confirmedAt, a.AgentID)
			if err != nil {
				return nil, err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return nil, fmt.Errorf("loyalty: re-commitment %d: %w", id, ErrDecided)
			}
			if !confirm {
				return map[string]any{"recommitment_id": rc.ID}, nil
			}
			return recommitData(rc), nil
		})
	})
	if err != nil {
		return Recommitment{}, err
	}
	s.o.Jobs.Notify()
	return rc, nil
}

func scanRecommitment(sc scanner, extra ...any) (Recommitment, error) {
	var r Recommitment
	var agent, msg, confirmed sql.NullInt64
	var created int64
	if err := sc.Scan(append([]any{&r.ID, &r.TicketID, &r.CustomerID, &agent, &r.Words, &r.Source, &r.Status, &msg,
		&r.Value, &r.Currency, &r.AtRiskAtStart, &created, &confirmed}, extra...)...); err != nil {
		return Recommitment{}, err
	}
	r.AgentID, r.MessageID = agent.Int64, msg.Int64
	r.CreatedAt, r.ConfirmedAt = store.Time(created), store.NullTime(confirmed)
	return r, nil
}

func (s *Store) listRecommitments(ctx context.Context, query string, args ...any) ([]Recommitment, error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get(query), args...)
	if err != nil {
		return nil, fmt.Errorf("loyalty: re-commitments: %w", err)
	}
	defer rows.Close()
	out := []Recommitment{}
	for rows.Next() {
		var name string
		r, err := scanRecommitment(rows, &name)
		if err != nil {
			return nil, fmt.Errorf("loyalty: re-commitments: %w", err)
		}
		r.AgentName = name
		out = append(out, r)
	}
	return out, rows.Err()
}

// ForTicket lists the re-commitments of a ticket, oldest first, proposals
// and rejected ones included.
func (s *Store) ForTicket(ctx context.Context, ticketID int64) ([]Recommitment, error) {
	return s.listRecommitments(ctx, "ticket-recommitments", ticketID)
}

// ForCustomer lists the customer's confirmed re-commitments, newest first.
func (s *Store) ForCustomer(ctx context.Context, customerID int64, limit int) ([]Recommitment, error) {
	return s.listRecommitments(ctx, "customer-recommitments", customerID, limit)
}

// AgentStats is what an agent's re-commitments came to over a period.
type AgentStats struct {
	Recommitments int     // confirmed and credited to the agent
	Value         float64 // their total predicted lifetime value
	Currencies    []string
	// Saved counts the customers at risk when the ticket started who
	// re-committed before it closed.
	Saved int
	// Solved counts the agent's tickets solved in the period, the base of
	// Rate.
	Solved int
}

// Rate is re-commitments per solved ticket; 0 without solved tickets.
func (a AgentStats) Rate() float64 {
	if a.Solved == 0 {
		return 0
	}
	return float64(a.Recommitments) / float64(a.Solved)
}

// Agent adds up the re-commitments credited to agent id and confirmed in
// [from, to).
func (s *Store) Agent(ctx context.Context, agentID int64, from, to time.Time) (AgentStats, error) {
	var a AgentStats
	f, t := store.Millis(from), store.Millis(to)
	if err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("agent-recommitments"), agentID, f, t).Scan(&a.Recommitments, &a.Value, &a.Saved); err != nil {
		return a, fmt.Errorf("loyalty: re-commitments of agent %d: %w", agentID, err)
	}
	if err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("agent-solved"), agentID, f, t).Scan(&a.Solved); err != nil {
		return a, fmt.Errorf("loyalty: solved tickets of agent %d: %w", agentID, err)
	}
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("agent-recommitment-currencies"), agentID, f, t)
	if err != nil {
		return a, fmt.Errorf("loyalty: re-commitments of agent %d: %w", agentID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return a, err
		}
		a.Currencies = append(a.Currencies, c)
	}
	return a, rows.Err()
}
