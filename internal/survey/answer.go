package survey

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// Answers are a customer's answers; nil (or "" for Return) is a question
// not answered in this submission, which leaves an earlier answer as it is.
type Answers struct {
	CSAT    *int
	NPS     *int
	Speed   *int
	Wait    *int
	Feeling *int
	Return  string
	Comment *string
}

// Empty reports whether a carries no answer at all.
func (a Answers) Empty() bool {
	return a.CSAT == nil && a.NPS == nil && a.Speed == nil && a.Wait == nil && a.Feeling == nil && a.Return == "" && a.Comment == nil
}

// score returns the pointer of a's score field for question q.
func (a *Answers) score(q string) **int {
	switch q {
	case CSAT:
		return &a.CSAT
	case NPS:
		return &a.NPS
	case Speed:
		return &a.Speed
	case Wait:
		return &a.Wait
	case Feeling:
		return &a.Feeling
	}
	return nil
}

// Value is a's answer to question q as a form holds it, "" when none.
func (a Answers) Value(q string) string {
	switch q {
	case Return:
		return a.Return
	case Comment:
		if a.Comment != nil {
			return *a.Comment
		}
		return ""
	}
	if p := a.score(q); p != nil && *p != nil {
		return strconv.Itoa(**p)
	}
	return ""
}

// Validate checks every answer given against its question's range; each
// failing question gets a message under its name.
func (a Answers) Validate() error {
	errs := valid.Fields{}
	for _, q := range []string{CSAT, NPS, Speed, Wait, Feeling} {
		if p := *a.score(q); p != nil {
			lo, hi, _ := Scale(q)
			if *p < lo || *p > hi {
				errs.Add(q, valid.Msg("valid.range", "must be from %d to %d", lo, hi))
			}
		}
	}
	if a.Return != "" && a.Return != "yes" && a.Return != "maybe" && a.Return != "no" {
		errs.Add(Return, valid.Msg("valid.choice", "must be yes, maybe or no"))
	}
	if a.Comment != nil {
		if utf8.RuneCountInString(*a.Comment) > MaxComment {
			errs.Add(Comment, valid.Msg("valid.longer_than", "must be at most %d characters", MaxComment))
		} else if !utf8.ValidString(*a.Comment) || strings.ContainsRune(*a.Comment, 0) {
			errs.Add(Comment, valid.Msg("valid.not_text", "is not valid text"))
		}
	}
	return errs.Err()
}

// ParseAnswers reads answers from a form or query: a field per question
// (csat, nps, speed, wait, feeling, return, comment), an empty field being
// no answer; or the one-click pair q=QUESTION&v=VALUE. Out-of-range and
// malformed values are reported per field, as Validate does.
func ParseAnswers(form url.Values) (Answers, error) {
	var a Answers
	errs := valid.Fields{}
	get := func(q string) string { return strings.TrimSpace(form.Get(q)) }
	if q := form.Get("q"); q != "" {
		v := strings.TrimSpace(form.Get("v"))
		switch {
		case q == Comment:
			errs.Add("q", valid.Msg("valid.comment_by_link", "a comment cannot be given by link"))
		case q != Return && a.score(q) == nil:
			errs.Add("q", valid.Msg("valid.not_question", "is not a question"))
		default:
			form = url.Values{q: {v}}
			if v == "" {
				errs.Add(q, valid.Msg("valid.required", "is required"))
			}
		}
	}
	for _, q := range []string{CSAT, NPS, Speed, Wait, Feeling} {
		v := get(q)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			lo, hi, _ := Scale(q)
			errs.Add(q, valid.Msg("valid.range", "must be from %d to %d", lo, hi))
			continue
		}
		*a.score(q) = &n
	}
	a.Return = strings.ToLower(get(Return))
	if form.Has(Comment) {
		c := strings.TrimSpace(strings.ReplaceAll(form.Get(Comment), "\r\n", "\n"))
		if c != "" {
			a.Comment = &c
		}
	}
	if err := a.Validate(); err != nil {
		for f, m := range err.(valid.Fields) {
			errs.Add(f, m)
		}
	}
	if err := errs.Err(); err != nil {
		return Answers{}, err
	}
	return a, nil
}

// Survey is one survey sent to a customer, with its answers so far.
type Survey struct {
	ID         int64
	TicketID   int64
	CustomerID int64
	AgentID    int64
	TeamID     int64
	Channel    string
	Language   string
	SentAt     time.Time
	ExpiresAt  time.Time
	AnsweredAt time.Time // zero until the first answer
	UpdatedAt  time.Time // zero until the first answer
	Answers    Answers
}

// Answered reports whether the customer has answered anything.
func (sv Survey) Answered() bool { return !sv.AnsweredAt.IsZero() }

func scanSurvey(sc interface{ Scan(...any) error }) (Survey, error) {
	var sv Survey
	var agent, team, answered, updated, csat, nps, speed, wait, feeling sql.NullInt64
	var ret sql.NullString
	var comment string
	var sent, expires int64
	err := sc.Scan(&sv.ID, &sv.TicketID, &sv.CustomerID, &agent, &team, &sv.Channel, &sv.Language, &sent, &expires,
		&answered, &updated, &csat, &nps, &speed, &wait, &feeling, &ret, &comment)
	if err != nil {
		return sv, err
	}
	sv.AgentID, sv.TeamID = agent.Int64, team.Int64
	sv.SentAt, sv.ExpiresAt = store.Time(sent), store.Time(expires)
	sv.AnsweredAt, sv.UpdatedAt = store.NullTime(answered), store.NullTime(updated)
	num := func(v sql.NullInt64) *int {
		if !v.Valid {
			return nil
		}
		n := int(v.Int64)
		return &n
	}
	sv.Answers = Answers{CSAT: num(csat), NPS: num(nps), Speed: num(speed), Wait: num(wait), Feeling: num(feeling), Return: ret.String}
	if comment != "" {
		sv.Answers.Comment = &comment
	}
	return sv, nil
}

// wellFormed reports whether token can be a link token at all, so that a
// mangled link is not even looked up.
func wellFormed(token string) bool {
	if len(token) < 22 || len(token) > 64 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(token)
	return err == nil
}

// Lookup returns the survey of link token: ErrNotFound for a token that was
// never sent, ErrExpired (with the survey) for one past its expiry.
func (s *Service) Lookup(ctx context.Context, token string) (Survey, error) {
	if !wellFormed(token) {
		return Survey{}, fmt.Errorf("survey: lookup: %w", ErrNotFound)
	}
	sv, err := scanSurvey(s.o.DB.R.QueryRowContext(ctx, s.q.Get("survey-by-token"), hashToken(token)))
	if errors.Is(err, sql.ErrNoRows) {
		return Survey{}, fmt.Errorf("survey: lookup: %w", ErrNotFound)
	}
	if err != nil {
		return Survey{}, fmt.Errorf("survey: lookup: %w", err)
	}
	if !s.o.Clock.Now().Before(sv.ExpiresAt) {
		return sv, fmt.Errorf("survey: lookup: %w", ErrExpired)
	}
	return sv, nil
}

// ChangeFor is how long after their first answer a customer may still
// change their answers (the page states until when); after it they are
// final.
const ChangeFor = 24 * time.Hour

// ChangeUntil is when sv's answers become final; zero before any answer.
func (sv Survey) ChangeUntil() time.Time {
	if !sv.Answered() {
		return time.Time{}
	}
	return sv.AnsweredAt.Add(ChangeFor)
}

// Final reports whether sv's answers can no longer change at now.
func (sv Survey) Final(now time.Time) bool {
	return sv.Answered() && !now.Before(sv.ChangeUntil())
}

// unchanged drops from a the answers sv already holds, so that a form
// sent again with the same values records nothing.
func (a Answers) unchanged(sv Survey) Answers {
	for _, q := range []string{CSAT, NPS, Speed, Wait, Feeling} {
		if p := a.score(q); *p != nil && sv.Answers.Value(q) == strconv.Itoa(**p) {
			*p = nil
		}
	}
	if a.Return != "" && a.Return == sv.Answers.Return {
		a.Return = ""
	}
	if a.Comment != nil && sv.Answers.Comment != nil && *a.Comment == *sv.Answers.Comment {
		a.Comment = nil
	}
	return a
}

// Answer records answers a on the survey of link token and returns the
// survey as it now is. Every submission that changes something is kept as
// a survey_answers row (the history); the surveys row holds the latest
// answer of each question, which the metrics read: questions given replace
// earlier answers, the rest stay, the first answer's time is kept and
// updated_at moves. Answers the survey holds already record nothing.
// Out-of-range answers are a valid.Errors and change nothing; answers more
// than ChangeFor after the first are ErrFinal (with the survey).
func (s *Service) Answer(ctx context.Context, token string, a Answers) (Survey, error) {
	if err := a.Validate(); err != nil {
		return Survey{}, err
	}
	sv, err := s.Lookup(ctx, token)
	if err != nil {
		return sv, err
	}
	now := s.o.Clock.Now()
	if sv.Final(now) {
		return sv, fmt.Errorf("survey: answer %d: %w", sv.ID, ErrFinal)
	}
	if a = a.unchanged(sv); a.Empty() {
		return sv, nil
	}
	var ret, comment any
	if a.Return != "" {
		ret = a.Return
	}
	if a.Comment != nil {
		comment = *a.Comment
	}
	at := store.Millis(now)
	args := []any{ptrArg(a.CSAT), ptrArg(a.NPS), ptrArg(a.Speed), ptrArg(a.Wait), ptrArg(a.Feeling), ret, comment}
	err = s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		// The window is checked again in the update, so that two posts
		// racing the end of it cannot both pass.
		res, err := tx.ExecContext(ctx, s.q.Get("answer-survey"), append([]any{sv.ID, at, at - ChangeFor.Milliseconds()}, args...)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrFinal
		}
		_, err = tx.ExecContext(ctx, s.q.Get("insert-survey-answer"), append([]any{sv.ID, at}, args...)...)
		return err
	})
	if err != nil {
		return sv, fmt.Errorf("survey: answer %d: %w", sv.ID, err)
	}
	return s.Lookup(ctx, token)
}

// Change is one submission of a survey's answers: the questions it
// answered (or changed), the rest nil.
type Change struct {
	At      time.Time
	Answers Answers
}

// History lists every submission that changed survey id's answers, oldest
// first.
func (s *Service) History(ctx context.Context, id int64) ([]Change, error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("survey-history"), id)
	if err != nil {
		return nil, fmt.Errorf("survey: history %d: %w", id, err)
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var at int64
		var v [5]sql.NullInt64
		var ret, comment sql.NullString
		if err := rows.Scan(&at, &v[0], &v[1], &v[2], &v[3], &v[4], &ret, &comment); err != nil {
			return nil, fmt.Errorf("survey: history %d: %w", id, err)
		}
		c := Change{At: store.Time(at), Answers: Answers{Return: ret.String}}
		for i, q := range []string{CSAT, NPS, Speed, Wait, Feeling} {
			if v[i].Valid {
				n := int(v[i].Int64)
				*c.Answers.score(q) = &n
			}
		}
		if comment.Valid {
			c.Answers.Comment = &comment.String
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
