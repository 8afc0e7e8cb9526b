package metrics

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
)

// JobDigest is the job kind of the weekly digest to managers. Payload:
// {"at": unix ms of the Monday 08:00 it was scheduled for}.
const JobDigest = "metrics.digest"

// DigestOpts configure the weekly digest.
type DigestOpts struct {
	I18n *i18n.Catalog
	// Send mails one manager (the same path as SLA notifications).
	// lang is the digest's language, which the mail declares
	// (Content-Language).
	Send func(ctx context.Context, to, name, subject, text, lang string) error
	// URL is the web UI's base URL for the dashboard link; "" leaves it out.
	URL string
}

// digestHour is when the digest goes out on Mondays, business time.
const digestHour = 8

// digestPayload is a digest job's payload.
type digestPayload struct {
	At int64 `json:"at"`
}

// location is the business's time zone, whose days the metrics count.
func (s *Service) location(ctx context.Context) (*time.Location, error) { return s.Zone(ctx) }

// NextDigest is the first Monday 08:00 in loc strictly after now.
func NextDigest(now time.Time, loc *time.Location) time.Time {
	t := now.In(loc)
	d := time.Date(t.Year(), t.Month(), t.Day(), digestHour, 0, 0, 0, loc)
	for d.Weekday() != time.Monday || !d.After(t) {
		d = time.Date(d.Year(), d.Month(), d.Day()+1, digestHour, 0, 0, 0, loc)
	}
	return d
}

// digestKey is the unique key of the digest of the week of at: one a week
// however many processes schedule it.
func digestKey(at time.Time) string {
	y, w := at.ISOWeek()
	return fmt.Sprintf("%s:%d-W%02d", JobDigest, y, w)
}

// ScheduleDigest makes sure the next weekly digest is queued. It does
// nothing when the digest is off (no Jobs or Digest in Opts) or when that
// week's job already exists (queued, or even done).
func (s *Service) ScheduleDigest(ctx context.Context) error {
	if s.o.Jobs == nil || s.o.Digest == nil {
		return nil
	}
	loc, err := s.location(ctx)
	if err != nil {
		return err
	}
	return s.scheduleAfter(ctx, s.o.Clock.Now(), loc)
}

func (s *Service) scheduleAfter(ctx context.Context, now time.Time, loc *time.Location) error {
	at := NextDigest(now, loc)
	key := digestKey(at)
	if _, err := s.o.Jobs.GetByKey(ctx, key); err == nil {
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("metrics: digest: %w", err)
	}
	payload, _ := json.Marshal(digestPayload{At: at.UnixMilli()})
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		return s.o.Jobs.Enqueue(ctx, tx, jobs.Job{Kind: JobDigest, Payload: payload, RunAt: at, UniqueKey: key, MaxAttempts: 5})
	})
	if err == nil {
		s.o.Jobs.Notify()
	}
	return err
}

// DigestFilter is the period a digest sent at at reports: the seven days
// of loc (the business's zone) before at's day there, compared by Compute
// with the seven before.
func DigestFilter(at time.Time, loc *time.Location) Filter {
	day := DayOf(at, loc)
	return Filter{From: DayStart(day-7, loc), To: DayStart(day, loc)}
}

// digestJob sends the week's digest to every active manager and admin and
// queues the next one.
func (s *Service) digestJob(ctx context.Context, raw json.RawMessage) error {
	var p digestPayload
	if err := json.Unmarshal(raw, &p); err != nil || p.At == 0 {
		return fmt.Errorf("metrics: digest payload %s: %w", raw, jobs.ErrPermanent)
	}
	at := store.Time(p.At)
	if err := s.SendDigest(ctx, at); err != nil {
		return err
	}
	loc, err := s.location(ctx)
	if err != nil {
		return err
	}
	return s.scheduleAfter(ctx, at, loc)
}

// SendDigest mails the digest for the week before at to every active
// manager and admin, each in their own language.
func (s *Service) SendDigest(ctx context.Context, at time.Time) error {
	if s.o.Digest == nil || s.o.Digest.Send == nil {
		return errors.New("metrics: no digest sender")
	}
	loc, err := s.location(ctx)
	if err != nil {
		return err
	}
	rep, err := s.Compute(ctx, DigestFilter(at, loc))
	if err != nil {
		return err
	}
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("digest-recipients"))
	if err != nil {
		return fmt.Errorf("metrics: digest recipients: %w", err)
	}
	type who struct{ email, name, locale string }
	var people []who
	for rows.Next() {
		var w who
		if err := rows.Scan(&w.email, &w.name, &w.locale); err != nil {
			rows.Close()
			return err
		}
		people = append(people, w)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, w := range people {
		lang := w.locale
		if !s.o.Digest.I18n.Has(lang) {
			lang = i18n.Default
		}
		subject, text := s.DigestText(Formatter{Cat: s.o.Digest.I18n, Lang: lang}, rep)
		if err := s.o.Digest.Send(ctx, w.email, w.name, subject, text, lang); err != nil {
			return fmt.Errorf("metrics: digest to %s: %w", w.email, err)
		}
	}
	s.log.Info("weekly digest sent", "recipients", len(people), "week", rep.Filter.From.Format(dateLayout))
	return nil
}

// DigestText is the subject and plain text of a digest in f's language:
// each KPI of the week, the week before and the change.
func (s *Service) DigestText(f Formatter, rep Report) (subject, text string) {
	last := rep.Filter.To.AddDate(0, 0, -1)
	subject = f.T("metrics.digest_subject", f.Date(rep.Filter.From), f.Date(last))
	var b strings.Builder
	b.WriteString(f.T("metrics.digest_intro", f.Date(rep.Filter.From), f.Date(last)))
	b.WriteString("\n\n")
	for _, k := range rep.KPIs() {
		line := f.T("metrics.kpi."+k.Key) + ": " + f.Value(k.Kind, k.Cur)
		prev := f.Value(k.Kind, k.Prev)
		if d := f.Delta(k.Kind, k.Delta()); d != "" {
			line += " (" + f.T("metrics.digest_was", prev, d) + ")"
		} else {
			line += " (" + f.T("metrics.digest_was_only", prev) + ")"
		}
		b.WriteString("- " + line + "\n")
	}
	if s.o.Digest != nil && s.o.Digest.URL != "" {
		b.WriteString("\n" + f.T("metrics.digest_link") + " " + strings.TrimRight(s.o.Digest.URL, "/") + "/dashboard?" + rep.Filter.Query().Encode() + "\n")
	}
	return subject, b.String()
}
