package recovery

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/notify"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/text"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// Categories of root causes.
var Categories = []string{"product", "delivery", "billing", "policy", "people", "process", "tool", "other"}

// Cause statuses.
const (
	CauseOpen = "open"
	CauseDone = "done" // the prevention action is done
)

// EventCauseLinked is recorded on a ticket linked to a root cause. data:
// cause_id, title, recurrence (linked after the prevention was done).
const EventCauseLinked = "root_cause_linked"

// Prevention timers and their notifications.
const (
	// JobPreventionRemind reminds a cause's owner before the prevention is
	// due; JobPreventionDue tells the owner and the managers when it is
	// overdue. Payload: {"cause_id": N}.
	JobPreventionRemind = "recovery.prevention_remind"
	JobPreventionDue    = "recovery.prevention_due"

	NotifyPreventionDueSoon = "prevention_due_soon"
	NotifyPreventionOverdue = "prevention_overdue"
)

// PreventionRemindBefore is how long before its due date a prevention's
// owner is reminded.
const PreventionRemindBefore = 24 * time.Hour

// ErrLinked is returned (inside valid.Errors, field cause) when a ticket is
// already linked to the cause.
var ErrLinked = errors.New("the ticket is already linked to this cause")

// Cause is a root cause with its prevention and what it came to.
type Cause struct {
	ID           int64
	Category     string
	Title        string
	WhatHappened string
	Prevention   string
	OwnerID      int64
	OwnerName    string
	Due          time.Time // zero: no due date
	Status       string
	DoneAt       time.Time
	CreatedAt    time.Time
	// Filled by the listings.
	Tickets     int
	Complaints  int
	Recurrences int // tickets linked after the prevention was done
	Last30      int // tickets linked in the last 30 days
	Prev30      int // and in the 30 days before
	ValueAtRisk float64
}

// Trend is +1 when more tickets were linked in the last 30 days than in the
// 30 before, -1 when fewer, 0 when as many.
func (c Cause) Trend() int {
	switch {
	case c.Last30 > c.Prev30:
		return 1
	case c.Last30 < c.Prev30:
		return -1
	}
	return 0
}

// Overdue tells whether the prevention is open past its due date at now.
func (c Cause) Overdue(now time.Time) bool {
	return c.Status == CauseOpen && !c.Due.IsZero() && now.After(c.Due)
}

// NewCause is a root cause as an agent records it from a ticket.
type NewCause struct {
	Category     string
	Title        string
	WhatHappened string
	Prevention   string
	OwnerID      int64     // 0: nobody yet
	Due          time.Time // zero: no due date
}

// Limits of a cause's texts.
const (
	MaxTitle = 200
	MaxText  = 5000
)

func (s *Service) checkCause(n NewCause) (NewCause, error) {
	errs := valid.Fields{}
	n.Title, n.WhatHappened, n.Prevention = strings.TrimSpace(n.Title), strings.TrimSpace(n.WhatHappened), strings.TrimSpace(n.Prevention)
	if !slices.Contains(Categories, n.Category) {
		errs.Add("category", valid.OneOf(Categories))
	}
	switch {
	case n.Title == "":
		errs.Add("title", valid.Msg("valid.cause_title", "give the cause a title"))
	case utf8.RuneCountInString(n.Title) > MaxTitle:
		errs.Add("title", valid.Msg("valid.longer_than", "is longer than %d characters", MaxTitle))
	}
	if utf8.RuneCountInString(n.WhatHappened) > MaxText {
		errs.Add("what_happened", valid.Msg("valid.longer_than", "is longer than %d characters", MaxText))
	}
	if utf8.RuneCountInString(n.Prevention) > MaxText {
		errs.Add("prevention", valid.Msg("valid.longer_than", "is longer than %d characters", MaxText))
	}
	if !n.Due.IsZero() && !n.Due.After(s.now()) {
		errs.Add("due", valid.Msg("valid.snooze_future", "must be a time in the future"))
	}
	if !n.Due.IsZero() && n.Prevention == "" {
		errs.Add("prevention", valid.Msg("valid.cause_prevention", "say what will prevent it before giving a due date"))
	}
	return n, errs.Err()
}

// CreateCause records a root cause found on ticket ticketID by agent
// agentID and links the ticket to it, in one transaction; a prevention
// with an owner and a due date gets its timers.
func (s *Service) CreateCause(ctx context.Context, agentID, ticketID int64, n NewCause) (Cause, error) {
	n, err := s.checkCause(n)
	if err != nil {
		return Cause{}, err
	}
	var c Cause
	err = s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		c = Cause{}
		if n.OwnerID != 0 {
			var role string
			err := tx.QueryRowContext(ctx, s.q.Get("agent-role"), n.OwnerID, true).Scan(&role)
			if errors.Is(err, sql.ErrNoRows) {
				return valid.Field("owner_id", valid.Msg("valid.cause_owner", "is not an active agent"))
			}
			if err != nil {
				return err
			}
		}
		now := s.now()
		due := sql.NullInt64{}
		if !n.Due.IsZero() {
			due = store.NullMillis(n.Due)
		}
		c = Cause{Category: n.Category, Title: n.Title, WhatHappened: n.WhatHappened, Prevention: n.Prevention,
			OwnerID: n.OwnerID, Due: n.Due, Status: CauseOpen, CreatedAt: now}
		if err := tx.QueryRowContext(ctx, s.q.Get("insert-cause"), c.Category, c.Title, c.WhatHappened, c.Prevention,
			nullInt(c.OwnerID), due, nullInt(agentID), store.Millis(now)).Scan(&c.ID); err != nil {
			return err
		}
		if err := s.linkTx(ctx, tx, agentID, ticketID, c.ID); err != nil {
			return err
		}
		return s.scheduleCause(ctx, tx, c)
	})
	if err != nil {
		return Cause{}, err
	}
	s.o.Jobs.Notify()
	return c, nil
}

func nullInt(v int64) sql.NullInt64 { return sql.NullInt64{Int64: v, Valid: v != 0} }

func causeKey(kind string, id int64) string { return fmt.Sprintf("%s:%d", kind, id) }

// scheduleCause queues the prevention's reminder and overdue timers, when
// it has an owner and a due date and is open.
func (s *Service) scheduleCause(ctx context.Context, tx *sql.Tx, c Cause) error {
	if c.OwnerID == 0 || c.Due.IsZero() || c.Status != CauseOpen {
		return nil
	}
	payload, _ := json.Marshal(map[string]int64{"cause_id": c.ID})
	remind := c.Due.Add(-PreventionRemindBefore)
	if now := s.now(); remind.Before(now) {
		remind = now
	}
	if err := s.o.Jobs.Enqueue(ctx, tx, jobs.Job{Kind: JobPreventionRemind, Payload: payload, RunAt: remind,
		UniqueKey: causeKey(JobPreventionRemind, c.ID)}); err != nil {
		return err
	}
	return s.o.Jobs.Enqueue(ctx, tx, jobs.Job{Kind: JobPreventionDue, Payload: payload, RunAt: c.Due,
		UniqueKey: causeKey(JobPreventionDue, c.ID)})
}

// Link links ticket ticketID to cause causeID as agent agentID, with an
// event on the ticket; linking twice is an error on the field cause.
func (s *Service) Link(ctx context.Context, agentID, ticketID, causeID int64) error {
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		return s.linkTx(ctx, tx, agentID, ticketID, causeID)
	})
	if err != nil {
		return err
	}
	s.o.Jobs.Notify()
	return nil
}

func (s *Service) linkTx(ctx context.Context, tx *sql.Tx, agentID, ticketID, causeID int64) error {
	return s.o.Tickets.RecordTx(ctx, tx, ticket.AgentActor(agentID), ticketID, EventCauseLinked, func(t ticket.Locked) (map[string]any, error) {
		var title, status string
		var done sql.NullInt64
		err := tx.QueryRowContext(ctx, s.q.Get("cause-for-link"), causeID).Scan(&title, &status, &done)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, valid.Field("cause", valid.Msg("valid.cause_unknown", "is not a known root cause"))
		}
		if err != nil {
			return nil, err
		}
		var id int64
		err = tx.QueryRowContext(ctx, s.q.Get("ticket-cause-link"), causeID, t.ID).Scan(&id)
		if err == nil {
			return nil, valid.Field("cause", valid.Message{Key: "valid.cause_linked", Text: ErrLinked.Error()})
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, s.q.Get("insert-cause-link"), causeID, t.ID, nullInt(agentID), store.Millis(now)); err != nil {
			return nil, err
		}
		return map[string]any{"cause_id": causeID, "title": title, "recurrence": done.Valid}, nil
	})
}

// SetDone marks the prevention of cause id done (its timers stop; tickets
// linked from now on are recurrences) or open again.
func (s *Service) SetDone(ctx context.Context, id int64, done bool) (Cause, error) {
	c, err := s.Cause(ctx, id)
	if err != nil {
		return Cause{}, err
	}
	err = s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		st, at := CauseOpen, sql.NullInt64{}
		if done {
			st, at = CauseDone, store.NullMillis(now)
		}
		if _, err := tx.ExecContext(ctx, s.q.Get("set-cause-status"), id, st, at, store.Millis(now)); err != nil {
			return err
		}
		c.Status, c.DoneAt = st, store.NullTime(at)
		if done {
			for _, k := range []string{JobPreventionRemind, JobPreventionDue} {
				if err := s.o.Jobs.Cancel(ctx, tx, causeKey(k, id)); err != nil {
					return err
				}
			}
			return nil
		}
		if !c.Due.IsZero() && c.Due.After(now) {
			return s.scheduleCause(ctx, tx, c)
		}
		return nil
	})
	if err != nil {
		return Cause{}, err
	}
	s.o.Jobs.Notify()
	return c, nil
}

// CauseEdit is a root cause as edited: every field, as NewCause, and the
// status.
type CauseEdit struct {
	NewCause
	Status string // CauseOpen or CauseDone
}

// UpdateCause replaces the fields of cause id with e, in one transaction,
// and returns it with its figures. A due date must be in the future when
// it changes (an overdue one may stay as it was); the owner must be an
// active agent. The prevention's timers follow: cancelled, and queued again
// when it is open with an owner and a future due date. Marking it done
// stamps the time (tickets linked from then on are recurrences); open
// again clears it.
func (s *Service) UpdateCause(ctx context.Context, id int64, e CauseEdit) (Cause, error) {
	old, err := s.Cause(ctx, id)
	if err != nil {
		return Cause{}, err
	}
	check := e.NewCause
	if !check.Due.IsZero() && check.Due.Equal(old.Due) {
		check.Due = time.Time{} // unchanged: not judged against now
	}
	n, err := s.checkCause(check)
	errs := valid.Errors{}
	var ve valid.Errors
	if errors.As(err, &ve) {
		errs = ve
	} else if err != nil {
		return Cause{}, err
	}
	n.Due = e.Due
	if !n.Due.IsZero() && n.Prevention == "" {
		errs.Add("prevention", "say what will prevent it before giving a due date")
	}
	if e.Status != CauseOpen && e.Status != CauseDone {
		errs.Add("status", "must be one of open, done")
	}
	if err := errs.Err(); err != nil {
		return Cause{}, err
	}
	err = s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		if n.OwnerID != 0 {
			var role string
			err := tx.QueryRowContext(ctx, s.q.Get("agent-role"), n.OwnerID, true).Scan(&role)
			if errors.Is(err, sql.ErrNoRows) {
				return valid.Errors{"owner_id": "is not an active agent"}
			}
			if err != nil {
				return err
			}
		}
		now := s.now()
		due, done := sql.NullInt64{}, sql.NullInt64{}
		if !n.Due.IsZero() {
			due = store.NullMillis(n.Due)
		}
		switch {
		case e.Status == CauseDone && old.Status == CauseDone:
			done = store.NullMillis(old.DoneAt)
		case e.Status == CauseDone:
			done = store.NullMillis(now)
		}
		res, err := tx.ExecContext(ctx, s.q.Get("update-cause"), id, n.Category, n.Title, n.WhatHappened, n.Prevention,
			nullInt(n.OwnerID), due, e.Status, done, store.Millis(now))
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k != 1 {
			return fmt.Errorf("recovery: cause %d: %w", id, store.ErrNotFound)
		}
		for _, k := range []string{JobPreventionRemind, JobPreventionDue} {
			if err := s.o.Jobs.Cancel(ctx, tx, causeKey(k, id)); err != nil {
				return err
			}
		}
		if n.Due.After(now) {
			return s.scheduleCause(ctx, tx, Cause{ID: id, OwnerID: n.OwnerID, Due: n.Due, Status: e.Status})
		}
		return nil
	})
	if err != nil {
		return Cause{}, err
	}
	s.o.Jobs.Notify()
	return s.Cause(ctx, id)
}

func scanCause(sc scanner) (Cause, error) {
	var c Cause
	var owner, due, done sql.NullInt64
	var created int64
	if err := sc.Scan(&c.ID, &c.Category, &c.Title, &c.WhatHappened, &c.Prevention, &owner, &c.OwnerName, &due, &c.Status,
		&done, &created, &c.Tickets, &c.Complaints, &c.Recurrences, &c.Last30, &c.Prev30, &c.ValueAtRisk); err != nil {
		return Cause{}, err
	}
	c.OwnerID, c.Due, c.DoneAt, c.CreatedAt = owner.Int64, store.NullTime(due), store.NullTime(done), store.Time(created)
	return c, nil
}

// MaxCauses bounds a listing of causes.
const MaxCauses = 1000

// Causes lists causes by number of tickets, most first; query, when not
// empty, keeps those whose title contains it.
func (s *Service) Causes(ctx context.Context, query string, limit int) ([]Cause, error) {
	if limit <= 0 || limit > MaxCauses {
		limit = MaxCauses
	}
	pattern := ""
	if q := strings.TrimSpace(query); q != "" {
		r := strings.NewReplacer(`\`, "", "%", "", "_", "")
		pattern = "%" + strings.ToLower(r.Replace(q)) + "%"
	}
	return s.causes(ctx, pattern, 0, limit)
}

func (s *Service) causes(ctx context.Context, pattern string, id int64, limit int) ([]Cause, error) {
	now := s.now()
	d30 := now.AddDate(0, 0, -30)
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("causes"), store.Millis(d30), store.Millis(d30.AddDate(0, 0, -30)), pattern, id, limit)
	if err != nil {
		return nil, fmt.Errorf("recovery: causes: %w", err)
	}
	defer rows.Close()
	out := []Cause{}
	for rows.Next() {
		c, err := scanCause(rows)
		if err != nil {
			return nil, fmt.Errorf("recovery: causes: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Cause returns cause id with its figures, wrapping store.ErrNotFound.
func (s *Service) Cause(ctx context.Context, id int64) (Cause, error) {
	cs, err := s.causes(ctx, "", id, 1)
	if err != nil {
		return Cause{}, err
	}
	if len(cs) == 0 {
		return Cause{}, fmt.Errorf("recovery: cause %d: %w", id, store.ErrNotFound)
	}
	return cs[0], nil
}

// LinkedTicket is a ticket linked to a cause.
type LinkedTicket struct {
	TicketID   int64
	Subject    string
	Kind       string
	LinkedAt   time.Time
	Recurrence bool // linked after the prevention was done
}

// CauseTickets lists the tickets linked to cause id, in the order linked.
func (s *Service) CauseTickets(ctx context.Context, id int64) ([]LinkedTicket, error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("cause-tickets"), id)
	if err != nil {
		return nil, fmt.Errorf("recovery: tickets of cause %d: %w", id, err)
	}
	defer rows.Close()
	out := []LinkedTicket{}
	for rows.Next() {
		var l LinkedTicket
		var at int64
		var rec int
		if err := rows.Scan(&l.TicketID, &l.Subject, &l.Kind, &at, &rec); err != nil {
			return nil, err
		}
		l.LinkedAt, l.Recurrence = store.Time(at), rec == 1
		out = append(out, l)
	}
	return out, rows.Err()
}

// TicketCause is a cause a ticket is linked to.
type TicketCause struct {
	CauseID    int64
	Category   string
	Title      string
	Status     string
	LinkedAt   time.Time
	Recurrence bool
}

// TicketCauses lists the causes ticket id is linked to.
func (s *Service) TicketCauses(ctx context.Context, ticketID int64) ([]TicketCause, error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("ticket-causes"), ticketID)
	if err != nil {
		return nil, fmt.Errorf("recovery: causes of ticket %d: %w", ticketID, err)
	}
	defer rows.Close()
	out := []TicketCause{}
	for rows.Next() {
		var c TicketCause
		var at int64
		var rec int
		if err := rows.Scan(&c.CauseID, &c.Category, &c.Title, &c.Status, &at, &rec); err != nil {
			return nil, err
		}
		c.LinkedAt, c.Recurrence = store.Time(at), rec == 1
		out = append(out, c)
	}
	return out, rows.Err()
}

// Proposal is a cause proposed for a ticket, with the number of words its
// most similar linked ticket shares with it.
type Proposal struct {
	Cause  Cause
	Shared int
}

// Similarity settings of Propose.
const (
	proposeDays     = 90  // linked tickets created this recently
	proposeTickets  = 500 // at most this many of them read
	proposeMinWords = 2   // words shared at least
	proposeTop      = 3
)

// words are the distinct words of a text worth comparing: three letters
// or more, not a stop word of any supported language.
func words(s string, stop map[string]bool) map[string]bool {
	out := map[string]bool{}
	for _, t := range text.TokenizeFold(text.TrimQuoted(s), text.FoldMarks) {
		if utf8.RuneCountInString(t.Word) >= 3 && !stop[t.Word] {
			out[t.Word] = true
		}
	}
	return out
}

func stopWords() map[string]bool {
	stop := map[string]bool{}
	for _, l := range []string{"en", "it", "ru", "lv", "ca"} {
		if p, ok := text.BuiltinProfile(l); ok {
			for _, w := range p.Stopwords {
				stop[text.FoldWord(w, text.FoldMarks)] = true
			}
		}
	}
	return stop
}

// Propose proposes up to three causes for ticket id: those linked to
// recent tickets sharing the most subject and first-message words with it
// (at least two), best first. Causes it is already linked to are left out.
func (s *Service) Propose(ctx context.Context, ticketID int64) ([]Proposal, error) {
	var subject, body string
	if err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("ticket-words"), ticketID).Scan(&subject, &body); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("recovery: ticket %d: %w", ticketID, store.ErrNotFound)
		}
		return nil, err
	}
	stop := stopWords()
	mine := words(subject+"\n"+body, stop)
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("recent-linked-tickets"),
		store.Millis(s.now().AddDate(0, 0, -proposeDays)), ticketID, proposeTickets)
	if err != nil {
		return nil, fmt.Errorf("recovery: propose causes: %w", err)
	}
	best := map[int64]int{}
	for rows.Next() {
		var cause int64
		var subj, b string
		if err := rows.Scan(&cause, &subj, &b); err != nil {
			rows.Close()
			return nil, err
		}
		n := 0
		for w := range words(subj+"\n"+b, stop) {
			if mine[w] {
				n++
			}
		}
		if n >= proposeMinWords && n > best[cause] {
			best[cause] = n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(best))
	for id := range best {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if best[ids[i]] != best[ids[j]] {
			return best[ids[i]] > best[ids[j]]
		}
		return ids[i] > ids[j]
	})
	out := []Proposal{}
	for _, id := range ids[:min(len(ids), proposeTop)] {
		c, err := s.Cause(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, Proposal{Cause: c, Shared: best[id]})
	}
	return out, nil
}

// preventionJob reminds the owner before the due date (remind) or, at the
// due date, tells the owner and every manager that it is overdue.
func (s *Service) preventionJob(overdue bool) jobs.Handler {
	return func(ctx context.Context, raw json.RawMessage) error {
		var p struct {
			ID int64 `json:"cause_id"`
		}
		if err := json.Unmarshal(raw, &p); err != nil || p.ID <= 0 {
			return fmt.Errorf("%w: payload %s", jobs.ErrPermanent, raw)
		}
		c, err := s.Cause(ctx, p.ID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if c.Status != CauseOpen || c.OwnerID == 0 {
			return nil
		}
		var ticketID int64
		if err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("cause-first-ticket"), c.ID).Scan(&ticketID); err != nil {
			return err
		}
		kind, who := NotifyPreventionDueSoon, []int64{c.OwnerID}
		if overdue {
			kind = NotifyPreventionOverdue
			managers, err := s.managers(ctx)
			if err != nil {
				return err
			}
			for _, m := range managers {
				if m != c.OwnerID {
					who = append(who, m)
				}
			}
		}
		data := map[string]any{"cause_id": c.ID, "title": c.Title, "due": c.Due.Format(time.RFC3339)}
		var moment time.Time
		if overdue {
			moment = c.Due
		}
		notes := make([]notify.Note, 0, len(who))
		for _, a := range who {
			notes = append(notes, notify.Note{AgentID: a, TicketID: ticketID, Kind: kind, Data: data, Moment: moment})
		}
		return s.o.Notes.AddNow(ctx, s.o.DB, s.now(), notes...)
	}
}

// managers lists the active managers and admins.
func (s *Service) managers(ctx context.Context) ([]int64, error) {
	return store.Int64s(s.o.DB.R.QueryContext(ctx, s.q.Get("managers"), true))
}
