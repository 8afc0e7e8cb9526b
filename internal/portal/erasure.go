package portal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// Erasure request statuses.
const (
	ErasurePending  = "pending"
	ErasureApproved = "approved"
	ErasureDeclined = "declined"
)

// Erased replaces every piece of personal text an erasure removes.
const Erased = "[erased]"

// maxReason is the longest reason a customer may give.
const maxReason = 2000

// Erasure is a customer's request that their personal data be erased.
type Erasure struct {
	ID           int64     `json:"id"`
	CustomerID   int64     `json:"customer_id"`
	CustomerName string    `json:"customer_name"`
	Status       string    `json:"status"`
	Reason       string    `json:"reason"`
	RequestedAt  time.Time `json:"requested_at"`
	DecidedAt    time.Time `json:"decided_at,omitzero"`
	DecidedBy    int64     `json:"decided_by,omitempty"`
}

func scanErasure(sc interface{ Scan(...any) error }) (Erasure, error) {
	var e Erasure
	var requested int64
	var decided, by sql.NullInt64
	err := sc.Scan(&e.ID, &e.CustomerID, &e.CustomerName, &e.Status, &e.Reason, &requested, &decided, &by)
	e.RequestedAt, e.DecidedAt, e.DecidedBy = store.Time(requested), store.NullTime(decided), by.Int64
	return e, err
}

// RequestErasure records customer id's request for erasure, with the
// reason they give (optional); a request already waiting is ErrPending.
func (s *Service) RequestErasure(ctx context.Context, id int64, reason string) (Erasure, error) {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > maxReason {
		return Erasure{}, valid.Field("reason", valid.Msg("valid.longer_than", "is longer than %d characters", maxReason))
	}
	var eid int64
	err := s.o.DB.W.QueryRowContext(ctx, s.q.Get("insert-erasure"), id, reason, store.Millis(s.now())).Scan(&eid)
	if store.IsUniqueViolation(err) {
		return Erasure{}, ErrPending
	}
	if err != nil {
		return Erasure{}, fmt.Errorf("portal: request erasure for %d: %w", id, err)
	}
	s.o.Log.Info("erasure requested", "customer_id", id, "erasure_id", eid)
	return s.ErasureRequest(ctx, eid)
}

// ErasureRequest is request id.
func (s *Service) ErasureRequest(ctx context.Context, id int64) (Erasure, error) {
	e, err := scanErasure(s.o.DB.R.QueryRowContext(ctx, s.q.Get("get-erasure"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return Erasure{}, fmt.Errorf("portal: erasure request %d: %w", id, ErrNotFound)
	}
	return e, err
}

// ErasureRequests lists the requests with status ("" for all), the
// pending and newest first.
func (s *Service) ErasureRequests(ctx context.Context, status string) ([]Erasure, error) {
	if status != "" && status != ErasurePending && status != ErasureApproved && status != ErasureDeclined {
		return nil, valid.Field("status", valid.Msg("valid.choice", "is not one of the choices"))
	}
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("list-erasure"), status, maxList)
	if err != nil {
		return nil, fmt.Errorf("portal: erasure requests: %w", err)
	}
	defer rows.Close()
	var out []Erasure
	for rows.Next() {
		e, err := scanErasure(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// ErasuresOf lists customer id's own requests.
func (s *Service) ErasuresOf(ctx context.Context, id int64) ([]Erasure, error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("customer-erasure"), id)
	if err != nil {
		return nil, fmt.Errorf("portal: erasure requests of %d: %w", id, err)
	}
	defer rows.Close()
	var out []Erasure
	for rows.Next() {
		e, err := scanErasure(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// DeclineErasure declines pending request id, recorded in the audit log
// with the deciding admin (from ctx).
func (s *Service) DeclineErasure(ctx context.Context, id int64) (Erasure, error) {
	return s.decide(ctx, id, ErasureDeclined)
}

// ApproveErasure approves pending request id and anonymises its customer
// in the same transaction: name, notes, time zone, tags, every email,
// phone and external id, sign-in links and sessions go; the customer's
// messages become Erased, and the name and addresses are cut from the
// team's replies and notes; subjects, the received originals, recipients
// of sent mail, survey comments, words of re-commitments and the files of
// the customer's tickets are erased. Tickets keep their status, times,
// owners, scores and metric contributions, so that reports of the period
// do not change. The audit log records it, with counts and never the
// erased data.
func (s *Service) ApproveErasure(ctx context.Context, id int64) (Erasure, error) {
	return s.decide(ctx, id, ErasureApproved)
}

func (s *Service) decide(ctx context.Context, id int64, status string) (Erasure, error) {
	actor := audit.ActorFrom(ctx)
	now := s.now()
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		e, err := scanErasure(tx.QueryRowContext(ctx, s.q.Get("lock-erasure"), id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("portal: erasure request %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if e.Status != ErasurePending {
			return ErrDecided
		}
		var counts erasedCounts
		if status == ErasureApproved {
			if counts, err = s.anonymiseTx(ctx, tx, e.CustomerID, now); err != nil {
				return err
			}
		}
		var by any
		if actor.AgentID != 0 {
			by = actor.AgentID
		}
		if _, err := tx.ExecContext(ctx, s.q.Get("decide-erasure"), id, status, store.Millis(now), by); err != nil {
			return err
		}
		if s.o.Audit == nil {
			return nil
		}
		after := map[string]any{"status": status, "customer_id": e.CustomerID}
		if status == ErasureApproved {
			after["tickets"], after["messages"], after["identities"], after["files"] =
				counts.Tickets, counts.Messages, counts.Identities, counts.Files
		}
		return s.o.Audit.RecordTx(ctx, tx, audit.Entry{Action: "customer.erasure_" + status, TargetKind: "customer",
			TargetID: audit.ID(e.CustomerID), Before: map[string]any{"status": ErasurePending, "erasure_id": id}, After: after})
	})
	if err != nil {
		if errors.Is(err, ErrDecided) || isNotFound(err) {
			return Erasure{}, err
		}
		return Erasure{}, fmt.Errorf("portal: %s erasure %d: %w", status, id, err)
	}
	s.o.Log.Info("erasure decided", "erasure_id", id, "status", status, "agent_id", actor.AgentID)
	return s.ErasureRequest(ctx, id)
}

// erasedCounts says how much an erasure touched, for the audit log.
type erasedCounts struct {
	Tickets, Messages, Identities, Files int
}

// anonymiseTx erases customer id's personal data inside tx (see
// ApproveErasure). It locks the customer, then its tickets: the ticket
// service's lock order.
func (s *Service) anonymiseTx(ctx context.Context, tx *sql.Tx, id int64, now time.Time) (erasedCounts, error) {
	var n erasedCounts
	if err := s.o.Customers.LockTx(ctx, tx, id); err != nil {
		return n, err
	}
	var name string
	if err := tx.QueryRowContext(ctx, s.q.Get("customer-name"), id).Scan(&name); err != nil {
		return n, err
	}
	idents, err := identitiesOf(tx.QueryContext(ctx, s.q.Get("identity-values"), id))
	if err != nil {
		return n, err
	}
	n.Identities = len(idents)
	tickets, err := store.Int64s(tx.QueryContext(ctx, s.q.Get("lock-customer-tickets"), id))
	if err != nil {
		return n, err
	}
	n.Tickets = len(tickets)
	res, err := tx.ExecContext(ctx, s.q.Get("erase-customer-messages"), id, Erased)
	if err != nil {
		return n, err
	}
	if c, err := res.RowsAffected(); err == nil {
		n.Messages = int(c)
	}
	scrub := scrubber(name, idents)
	if scrub != nil {
		if err := s.scrubTeamMessages(ctx, tx, id, scrub); err != nil {
			return n, err
		}
	}
	// Files: the rows go, then each blob that nothing else refers to.
	sums, err := textsOf(tx.QueryContext(ctx, s.q.Get("customer-blob-sums"), id))
	if err != nil {
		return n, err
	}
	res, err = tx.ExecContext(ctx, s.q.Get("delete-customer-attachments"), id)
	if err != nil {
		return n, err
	}
	if c, err := res.RowsAffected(); err == nil {
		n.Files = int(c)
	}
	senders := make([]string, 0, len(idents))
	for _, v := range idents {
		senders = append(senders, v.kind+":"+v.value)
	}
	for _, step := range []struct {
		query string
		args  []any
	}{
		{"erase-inbound", []any{id}},
		{"erase-outbound", []any{id}},
		{"erase-subjects", []any{id, Erased}},
		{"erase-survey-comments", []any{id}},
		{"erase-survey-answer-comments", []any{id}},
		{"erase-recommitments", []any{id, Erased}},
		{"erase-customer", []any{id, Erased, store.Millis(now)}},
		{"delete-customer-tags", []any{id}},
		{"delete-identities", []any{id}},
		{"delete-customer-links", []any{id}},
		{"delete-customer-sessions", []any{id}},
	} {
		if _, err := tx.ExecContext(ctx, s.q.Get(step.query), step.args...); err != nil {
			return n, fmt.Errorf("%s: %w", step.query, err)
		}
	}
	for _, snd := range senders {
		if _, err := tx.ExecContext(ctx, s.q.Get("erase-inbound-from"), snd); err != nil {
			return n, err
		}
	}
	slices.Sort(sums)
	for _, sum := range slices.Compact(sums) {
		res, err := tx.ExecContext(ctx, s.q.Get("delete-unused-blob"), sum)
		if err != nil {
			return n, err
		}
		// A file in a bucket: its object goes once this commits.
		if gone, _ := res.RowsAffected(); gone > 0 && s.o.Blobs != nil {
			if err := s.o.Blobs.ForgetTx(ctx, tx, sum); err != nil {
				return n, err
			}
		}
	}
	// The search documents hold the old text and name.
	if err := s.idx.IndexCustomer(ctx, tx, id); err != nil {
		return n, err
	}
	return n, nil
}

// scrubTeamMessages cuts the customer's name and addresses out of the
// team's replies and notes on their tickets.
func (s *Service) scrubTeamMessages(ctx context.Context, tx *sql.Tx, id int64, scrub func(string) string) error {
	rows, err := tx.QueryContext(ctx, s.q.Get("team-messages"), id)
	if err != nil {
		return err
	}
	type msg struct {
		id         int64
		text, html string
	}
	var changed []msg
	for rows.Next() {
		var m msg
		if err := rows.Scan(&m.id, &m.text, &m.html); err != nil {
			rows.Close()
			return err
		}
		if t, h := scrub(m.text), scrub(m.html); t != m.text || h != m.html {
			changed = append(changed, msg{m.id, t, h})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, m := range changed {
		if _, err := tx.ExecContext(ctx, s.q.Get("set-message-body"), m.id, m.text, m.html); err != nil {
			return err
		}
	}
	return nil
}

// identity is a kind and value of the customer's.
type identity struct{ kind, value string }

// identitiesOf reads rows of kind and value.
func identitiesOf(rows *sql.Rows, err error) ([]identity, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []identity
	for rows.Next() {
		var v identity
		if err := rows.Scan(&v.kind, &v.value); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// textsOf reads rows of one text column.
func textsOf(rows *sql.Rows, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// scrubber returns a function replacing the customer's name, the words of
// their name of three letters or more, and their identities with Erased,
// ignoring case; nil when there is nothing to look for.
func scrubber(name string, idents []identity) func(string) string {
	var needles []string
	if n := strings.TrimSpace(name); n != "" {
		needles = append(needles, n)
		for _, w := range strings.Fields(n) {
			if utf8.RuneCountInString(w) >= 3 {
				needles = append(needles, w)
			}
		}
	}
	for _, i := range idents {
		if v := strings.TrimSpace(i.value); v != "" {
			needles = append(needles, v)
		}
	}
	if len(needles) == 0 {
		return nil
	}
	// The longest first, so that the whole name goes before its words.
	slices.SortFunc(needles, func(a, b string) int { return len(b) - len(a) })
	quoted := make([]string, len(needles))
	for i, n := range needles {
		quoted[i] = regexp.QuoteMeta(n)
	}
	re := regexp.MustCompile(`(?i)` + strings.Join(quoted, "|"))
	return func(s string) string { return re.ReplaceAllString(s, Erased) }
}
