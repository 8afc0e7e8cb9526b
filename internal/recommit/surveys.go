package recommit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
)

// JobSurveyScan is the job kind that reads new survey answers for
// re-commitments. It runs every SurveyScanEvery and schedules its next run.
// The name (and the unique key below) keep their "loyalty." prefix from
// before the package was split, so that jobs queued by an older version
// still find their handler.
const JobSurveyScan = "loyalty.survey_scan"

const surveyScanKey = "loyalty.survey_scan"

// SurveyScanEvery is how often survey answers are read for re-commitments.
const SurveyScanEvery = 15 * time.Minute

// surveyLookback is how far back a scan reads answers; scans overlap, and
// an answer already proposed is skipped.
const surveyLookback = 24 * time.Hour

// returnYesWords stands for the customer's words when they only answered
// "yes" to the survey's will-you-come-back question.
const returnYesWords = "Survey: will buy from us again — yes"

// ScanSurveys proposes a re-commitment for each recently answered survey
// whose comment says the customer will come back (by the phrase detector,
// in the survey's language) or that answered yes to coming back. It
// returns how many it proposed.
func (s *Service) ScanSurveys(ctx context.Context) (int, error) {
	if s.o.Detector == nil {
		return 0, nil
	}
	type answer struct {
		ticketID                          int64
		lang, intent, comment, ticketLang string
	}
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("surveys-to-read"), store.Millis(s.now().Add(-surveyLookback)))
	if err != nil {
		return 0, fmt.Errorf("recommit: surveys to read: %w", err)
	}
	var todo []answer
	for rows.Next() {
		var a answer
		if err := rows.Scan(&a.ticketID, &a.lang, &a.intent, &a.comment, &a.ticketLang); err != nil {
			rows.Close()
			return 0, fmt.Errorf("recommit: surveys to read: %w", err)
		}
		todo = append(todo, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("recommit: surveys to read: %w", err)
	}
	n := 0
	for _, a := range todo {
		words := ""
		for _, l := range []string{a.lang, a.ticketLang} {
			if l == "" || words != "" {
				continue
			}
			if m, ok := s.o.Detector.Detect(a.comment, l); ok {
				words = sentenceAround(a.comment, m.Start, m.End)
			}
		}
		// A yes to coming back is the customer's answer even when the
		// comment speaks of something else; the comment is not quoted as
		// if it said so.
		if words == "" && a.intent == "yes" {
			words = returnYesWords
		}
		if words == "" {
			continue
		}
		if _, ok, err := s.Propose(ctx, a.ticketID, words, SourceSurvey, 0); err != nil {
			return n, err
		} else if ok {
			n++
		}
	}
	return n, nil
}

// surveyScanJob scans the survey answers, scheduling the next scan first so
// that a failing scan never stops them.
func (s *Service) surveyScanJob(ctx context.Context, _ json.RawMessage) error {
	if err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		return s.o.Jobs.Enqueue(ctx, tx, jobs.Job{Kind: JobSurveyScan, RunAt: s.now().Add(SurveyScanEvery), UniqueKey: surveyScanKey})
	}); err != nil {
		return err
	}
	n, err := s.ScanSurveys(ctx)
	if n > 0 {
		s.log.Info("re-commitments proposed from surveys", "proposed", n)
	}
	return err
}

// Schedule makes sure the survey scan is pending when there is a detector
// to read the answers with; call it at start.
func (s *Service) Schedule(ctx context.Context) error {
	if s.o.Detector == nil {
		return nil
	}
	info, err := s.o.Jobs.GetByKey(ctx, surveyScanKey)
	if err == nil && (info.Status == "pending" || info.Status == "running") {
		return nil
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		return s.o.Jobs.Enqueue(ctx, tx, jobs.Job{Kind: JobSurveyScan, RunAt: s.now(), UniqueKey: surveyScanKey})
	})
}
