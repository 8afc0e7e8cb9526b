package ticket

// Follow-ups that understand the answer. A few days after a ticket is
// solved the customer is asked whether the fix held (the mail package
// sends the question, with a yes and a no button). The answer, by a button
// or in the customer's own words (text.ClassifyFollowUp), acts on the
// ticket in the transaction that records it:
//
//   - yes closes it as a confirmed fix (EventFixConfirmed);
//   - no reopens it with its owner, as any answer used to: rework;
//   - unclear (only a written answer) reopens it for a person without
//     counting rework (EventFollowUpUnclear), until an agent decides.

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/text"
)

// Events of follow-up answers.
const (
	// EventFixConfirmed: the customer confirmed that the fix held; the
	// ticket closes. Data: via ("button", "reply", or "agent" when an
	// agent decided an unclear answer), message_id (reply).
	EventFixConfirmed = "fix_confirmed"
	// EventFollowUpUnclear: a written answer to the follow-up said neither
	// yes nor no; the ticket reopened without counting rework. Data:
	// message_id.
	EventFollowUpUnclear = "followup_unclear"
	// EventFollowUpAnswered: an answer that changes nothing more (a no on
	// a closed ticket, any answer to a ticket open again), kept so that
	// the owner sees it. Data: answer, via.
	EventFollowUpAnswered = "followup_answered"
)

// FollowUpTTL is how long the buttons of a follow-up mail work.
const FollowUpTTL = 14 * 24 * time.Hour

// Ways a follow-up is answered.
const (
	FollowUpByButton = "button"
	FollowUpByReply  = "reply"
)

// Errors of follow-up answers.
var (
	// ErrFollowUpAnswered: the follow-up was answered already; the first
	// answer stands.
	ErrFollowUpAnswered = errors.New("follow-up already answered")
	// ErrFollowUpExpired: the follow-up's link is too old to answer.
	ErrFollowUpExpired = errors.New("follow-up link expired")
)

// FollowUp is one follow-up question and its answer.
type FollowUp struct {
	ID         int64       `json:"-"`
	TicketID   int64       `json:"ticket_id"`
	SentAt     time.Time   `json:"sent_at"`
	ExpiresAt  time.Time   `json:"expires_at"`
	AnsweredAt *time.Time  `json:"answered_at"`
	Answer     text.Answer `json:"answer"` // "" until answered
	Via        string      `json:"via"`    // "button", "reply", "" until answered
}

func scanFollowUp(sc interface{ Scan(...any) error }) (FollowUp, error) {
	var f FollowUp
	var sent, expires int64
	var answered sql.NullInt64
	var answer string
	if err := sc.Scan(&f.ID, &f.TicketID, &sent, &expires, &answered, &answer, &f.Via); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return FollowUp{}, ErrNotFound
		}
		return FollowUp{}, err
	}
	f.SentAt, f.ExpiresAt, f.Answer = store.Time(sent), store.Time(expires), text.Answer(answer)
	if answered.Valid {
		t := store.Time(answered.Int64)
		f.AnsweredAt = &t
	}
	return f, nil
}

// NewFollowUp starts the follow-up of solved ticket id: it returns the
// token of its answer buttons, whose hash alone is kept, and replaces an
// unanswered follow-up whose mail did not go out. The caller sends the
// mail and then records EventFollowUpSent.
func (s *Service) NewFollowUp(ctx context.Context, id int64) (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b[:])
	now := s.o.Clock.Now().UTC()
	err := s.run(ctx, SystemActor, func(c *change) error {
		if _, err := c.lock(id); err != nil {
			return err
		}
		if _, err := c.tx.ExecContext(ctx, s.q.Get("delete-unanswered-followups"), id); err != nil {
			return err
		}
		_, err := c.tx.ExecContext(ctx, s.q.Get("insert-followup"), id, hashFollowUpToken(token),
			store.Millis(now), store.Millis(now.Add(FollowUpTTL)))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("ticket: new follow-up of %d: %w", id, err)
	}
	return token, nil
}

// hashFollowUpToken is the SHA-256 of a token, in hex, as
// followups.token_hash keeps it.
func hashFollowUpToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// wellFormedFollowUpToken reports whether token can be a follow-up token,
// so that junk is not looked up.
func wellFormedFollowUpToken(token string) bool {
	if len(token) != 32 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(token)
	return err == nil
}

// FollowUpByToken returns the follow-up of a button's token, answered or
// not: ErrNotFound for a token that was never issued.
func (s *Service) FollowUpByToken(ctx context.Context, token string) (FollowUp, error) {
	if !wellFormedFollowUpToken(token) {
		return FollowUp{}, fmt.Errorf("ticket: follow-up: %w", ErrNotFound)
	}
	f, err := scanFollowUp(s.o.DB.R.QueryRowContext(ctx, s.q.Get("followup-by-token"), hashFollowUpToken(token)))
	if err != nil {
		return FollowUp{}, fmt.Errorf("ticket: follow-up: %w", err)
	}
	return f, nil
}

// LatestFollowUp returns ticket id's last follow-up: ErrNotFound when none
// was sent.
func (s *Service) LatestFollowUp(ctx context.Context, id int64) (FollowUp, error) {
	f, err := scanFollowUp(s.o.DB.R.QueryRowContext(ctx, s.q.Get("latest-followup"), id))
	if err != nil {
		return FollowUp{}, fmt.Errorf("ticket: follow-up of %d: %w", id, err)
	}
	return f, nil
}

// AnswerFollowUp records a button's answer (yes or no) to the follow-up of
// token and acts on its ticket, in one transaction: yes closes a solved
// ticket as a confirmed fix, no reopens it with its owner. A second answer
// is ErrFollowUpAnswered and changes nothing; an old link is
// ErrFollowUpExpired.
func (s *Service) AnswerFollowUp(ctx context.Context, token string, a text.Answer) (FollowUp, error) {
	if a != text.AnswerYes && a != text.AnswerNo {
		return FollowUp{}, fmt.Errorf("ticket: follow-up answer %q: want yes or no", a)
	}
	f, err := s.FollowUpByToken(ctx, token)
	if err != nil {
		return FollowUp{}, err
	}
	err = s.run(ctx, Actor{Kind: "customer"}, func(c *change) error {
		r, err := c.lock(f.TicketID)
		if err != nil {
			return err
		}
		// Read again under the ticket's lock: a concurrent answer has
		// committed by now.
		cur, err := scanFollowUp(c.tx.QueryRowContext(ctx, s.q.Get("followup-by-token"), hashFollowUpToken(token)))
		if err != nil {
			return err
		}
		if cur.AnsweredAt != nil {
			return ErrFollowUpAnswered
		}
		if !c.now.Before(cur.ExpiresAt) {
			return ErrFollowUpExpired
		}
		if err := c.answerFollowUp(cur.ID, a, FollowUpByButton); err != nil {
			return err
		}
		switch {
		case a == text.AnswerYes && (r.Status == Solved || r.Status == Closed):
			if err := c.setStatus(&r, Closed); err != nil {
				return err
			}
			if err := c.event(r.ID, EventFixConfirmed, map[string]any{"via": FollowUpByButton}); err != nil {
				return err
			}
		case a == text.AnswerNo && r.Status == Solved:
			if err := c.setStatus(&r, Open); err != nil {
				return err
			}
		default:
			if err := c.event(r.ID, EventFollowUpAnswered, map[string]any{"answer": a, "via": FollowUpByButton}); err != nil {
				return err
			}
		}
		return c.save(&r)
	})
	if err != nil {
		return FollowUp{}, fmt.Errorf("ticket: answer follow-up of %d: %w", f.TicketID, err)
	}
	return s.FollowUpByToken(ctx, token)
}

// answerFollowUp marks follow-up id answered; a follow-up answered already
// is ErrFollowUpAnswered.
func (c *change) answerFollowUp(id int64, a text.Answer, via string) error {
	res, err := c.tx.ExecContext(c.ctx, c.s.q.Get("answer-followup"), id, store.Millis(c.now), string(a), via)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return ErrFollowUpAnswered
	}
	return nil
}

// followUpReply acts on a customer's written message mid on solved ticket
// r when it answers the follow-up asked since the solve: it reports false
// when there is none (the message then reopens the ticket as any other
// does).
func (c *change) followUpReply(r *row, mid int64, msg string) (bool, error) {
	if r.Status != Solved || !r.SolvedAt.Valid {
		return false, nil
	}
	var fid int64
	err := c.tx.QueryRowContext(c.ctx, c.s.q.Get("open-followup"), r.ID, r.SolvedAt.Int64).Scan(&fid)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	a := text.ClassifyFollowUp(msg, r.Language)
	if err := c.answerFollowUp(fid, a, FollowUpByReply); err != nil {
		return false, err
	}
	switch a {
	case text.AnswerYes:
		if err := c.setStatus(r, Closed); err != nil {
			return false, err
		}
		return true, c.event(r.ID, EventFixConfirmed, map[string]any{"via": FollowUpByReply, "message_id": mid})
	case text.AnswerNo:
		return true, c.setStatus(r, Open)
	}
	return true, c.reopenUnclear(r, mid)
}

// reopenUnclear reopens solved ticket r for a person to read an unclear
// answer, as setStatus does but without counting a reopen: it is not
// rework until an agent decides it is.
func (c *change) reopenUnclear(r *row, mid int64) error {
	from := r.Status
	r.Status = Open
	r.SolvedAt = sql.NullInt64{}
	if err := c.s.o.Jobs.Cancel(c.ctx, c.tx, autoCloseKey(r.ID)); err != nil {
		return err
	}
	if err := c.event(r.ID, EventReopened, map[string]any{"from": from, "to": Open, "by": c.actor.Kind, "rework": false}); err != nil {
		return err
	}
	return c.event(r.ID, EventFollowUpUnclear, map[string]any{"message_id": mid})
}
