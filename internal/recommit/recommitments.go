// Package recommit keeps re-commitments: a customer's stated intention to
// stay or come back, earned on a ticket and credited to its owner. Agents
// record them; the phrase Detector proposes them from customer messages
// (read by a job queued as the ticket service stores them, see
// Service.TicketChanged) and from survey answers (a job every
// SurveyScanEvery), for an agent to confirm or reject. A confirmed one is valued at the customer's predicted lifetime
// value.
package recommit

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/clv"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

//go:embed queries.sql
var queriesFS embed.FS

// Opts are the dependencies of a Service.
type Opts struct {
	DB *store.DB
	// Tickets records the events of re-commitments on their tickets.
	Tickets *ticket.Service
	// Values values a confirmed re-commitment at the customer's lifetime
	// value and tells whether the customer was at risk.
	Values *clv.Service
	// Jobs gets the survey scan's and JobPropose's handlers and is woken
	// after a change.
	Jobs *jobs.Queue
	// Detector, when set, proposes re-commitments from customer messages
	// and survey answers; without it nothing is proposed.
	Detector *Detector
	Clock    jobs.Clock
	Log      *slog.Logger
}

// Service keeps re-commitments.
type Service struct {
	o   Opts
	q   store.Queries
	log *slog.Logger
}

// New returns a Service and registers its job handlers on o.Jobs: the
// survey scan and the reading of a customer message (JobPropose).
func New(o Opts) (*Service, error) {
	if o.DB == nil || o.Tickets == nil || o.Values == nil || o.Jobs == nil {
		return nil, errors.New("recommit: DB, Tickets, Values and Jobs are required")
	}
	if o.Clock == nil {
		o.Clock = jobs.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	s := &Service{o: o, q: store.MustLoadQueries(queriesFS, o.DB.Dialect), log: o.Log}
	o.Jobs.Handle(JobSurveyScan, s.surveyScanJob)
	o.Jobs.Handle(JobPropose, s.proposeJob)
	return s, nil
}

func (s *Service) now() time.Time { return s.o.Clock.Now().UTC() }

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
		return "", valid.Field("words", valid.Msg("valid.quote_words", "quote what the customer said"))
	case utf8.RuneCountInString(w) > MaxWords:
		return "", valid.Field("words", valid.Msg("valid.longer_than", "is longer than %d characters", MaxWords))
	}
	return w, nil
}

// Recommit records, on ticket id, that the customer committed to stay or
// come back, in their words, as agent actor a heard it. It is credited to
// the ticket's owner (the acting agent when it has none), valued at the
// customer's predicted lifetime value, and written with a recommitted event
// in the same transaction.
func (s *Service) Recommit(ctx context.Context, a ticket.Actor, ticketID int64, words string) (Recommitment, error) {
	w, err := checkWords(words)
	if err != nil {
		return Recommitment{}, err
	}
	if a.Kind != "agent" || a.AgentID <= 0 {
		return Recommitment{}, errors.New("recommit: only an agent records a re-commitment")
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
			if rc.Value, rc.Currency, err = s.o.Values.Worth(ctx, tx, t.CustomerID); err != nil {
				return nil, err
			}
			if rc.AtRiskAtStart, err = s.o.Values.AtRiskAt(ctx, tx, t.CustomerID, t.CreatedAt); err != nil {
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
func (s *Service) ProposeTx(ctx context.Context, tx *sql.Tx, ticketID int64, words, source string, messageID int64) (rc Recommitment, ok bool, err error) {
	w, err := checkWords(words)
	if err != nil {
		return Recommitment{}, false, err
	}
	if source != SourceMessage && source != SourceSurvey {
		return Recommitment{}, false, fmt.Errorf("recommit: a proposal comes from a message or survey, not %q", source)
	}
	err = s.o.Tickets.RecordTx(ctx, tx, ticket.SystemActor, ticketID, ticket.EventRecommitProposed, func(t ticket.Locked) (map[string]any, error) {
		// Checked under the ticket's lock, so that two runs for one
		// message (a job retried while the first still runs) make one
		// proposal.
		if messageID > 0 {
			var id int64
			err := tx.QueryRowContext(ctx, s.q.Get("recommitment-for-message"), messageID).Scan(&id)
			if err == nil {
				return nil, errProposed
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return nil, err
			}
		}
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
	if errors.Is(err, errProposed) {
		return Recommitment{}, false, nil
	}
	if err != nil {
		return Recommitment{}, false, err
	}
	return rc, true, nil
}

// errProposed stops ProposeTx, before it writes anything, for a message
// that already has its proposal.
var errProposed = errors.New("recommit: the message was already proposed")

// Propose is ProposeTx in a transaction of its own.
func (s *Service) Propose(ctx context.Context, ticketID int64, words, source string, messageID int64) (Recommitment, bool, error) {
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
func (s *Service) Decide(ctx context.Context, a ticket.Actor, ticketID, id int64, confirm bool) (Recommitment, error) {
	if a.Kind != "agent" || a.AgentID <= 0 {
		return Recommitment{}, errors.New("recommit: only an agent decides on a re-commitment")
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
					return nil, fmt.Errorf("recommit: re-commitment %d: %w", id, store.ErrNotFound)
				}
				return nil, err
			}
			if rc.TicketID != t.ID {
				return nil, fmt.Errorf("recommit: re-commitment %d on ticket %d: %w", id, t.ID, store.ErrNotFound)
			}
			if rc.Status != Proposed {
				return nil, fmt.Errorf("recommit: re-commitment %d: %w", id, ErrDecided)
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
				if rc.Value, rc.Currency, err = s.o.Values.Worth(ctx, tx, t.CustomerID); err != nil {
					return nil, err
				}
				if rc.AtRiskAtStart, err = s.o.Values.AtRiskAt(ctx, tx, t.CustomerID, t.CreatedAt); err != nil {
					return nil, err
				}
			}
			res, err := tx.ExecContext(ctx, s.q.Get("decide-recommitment"), rc.ID, rc.Status, nullID(rc.AgentID),
				rc.Value, rc.Currency, rc.AtRiskAtStart, confirmedAt, a.AgentID)
			if err != nil {
				return nil, err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return nil, fmt.Errorf("recommit: re-commitment %d: %w", id, ErrDecided)
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

type scanner interface{ Scan(...any) error }

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

func (s *Service) listRecommitments(ctx context.Context, query string, args ...any) ([]Recommitment, error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get(query), args...)
	if err != nil {
		return nil, fmt.Errorf("recommit: re-commitments: %w", err)
	}
	defer rows.Close()
	out := []Recommitment{}
	for rows.Next() {
		var name string
		r, err := scanRecommitment(rows, &name)
		if err != nil {
			return nil, fmt.Errorf("recommit: re-commitments: %w", err)
		}
		r.AgentName = name
		out = append(out, r)
	}
	return out, rows.Err()
}

// ForTicket lists the re-commitments of a ticket, oldest first, proposals
// and rejected ones included.
func (s *Service) ForTicket(ctx context.Context, ticketID int64) ([]Recommitment, error) {
	return s.listRecommitments(ctx, "ticket-recommitments", ticketID)
}

// ForCustomer lists the customer's confirmed re-commitments, newest first.
func (s *Service) ForCustomer(ctx context.Context, customerID int64, limit int) ([]Recommitment, error) {
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
func (s *Service) Agent(ctx context.Context, agentID int64, from, to time.Time) (AgentStats, error) {
	var a AgentStats
	f, t := store.Millis(from), store.Millis(to)
	if err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("agent-recommitments"), agentID, f, t).Scan(&a.Recommitments, &a.Value, &a.Saved); err != nil {
		return a, fmt.Errorf("recommit: re-commitments of agent %d: %w", agentID, err)
	}
	if err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("agent-solved"), agentID, f, t).Scan(&a.Solved); err != nil {
		return a, fmt.Errorf("recommit: solved tickets of agent %d: %w", agentID, err)
	}
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("agent-recommitment-currencies"), agentID, f, t)
	if err != nil {
		return a, fmt.Errorf("recommit: re-commitments of agent %d: %w", agentID, err)
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
