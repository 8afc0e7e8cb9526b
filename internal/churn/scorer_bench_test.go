package churn

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// benchChurnCustomers is the size of the generated history the database
// benchmarks use: RAPPORT_BENCH_CHURN_CUSTOMERS, default 10,000 (the
// figures in docs/PERFORMANCE.md use 100,000).
func benchChurnCustomers(b *testing.B) int {
	n := 10000
	if s := os.Getenv("RAPPORT_BENCH_CHURN_CUSTOMERS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 100 {
			b.Fatalf("RAPPORT_BENCH_CHURN_CUSTOMERS=%q: want a number of at least 100", s)
		}
		n = v
	}
	return n
}

// seedChurnBench writes n customers with one to six purchases each over
// two years, and for about a third of them tickets (some complaints, some
// still open) with a customer message, transfers, SLA breaches, reopens,
// broken promises, answered surveys and re-commitments; whether a
// customer bought in the last 90 days depends on their complaints and how
// long they had not bought, so the model has something to find.
func seedChurnBench(b *testing.B, db *store.DB, now time.Time, n int) {
	b.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(42, 43))
	day := 24 * time.Hour
	ref := now.Add(-90 * day)
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		prep := func(q string) *sql.Stmt {
			st, err := tx.PrepareContext(ctx, q)
			if err != nil {
				b.Fatal(err)
			}
			return st
		}
		var agent int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO agents (email, name, role, created_at, updated_at)
			VALUES ('bench@example.com', 'Bench', 'agent', 0, 0) RETURNING id`).Scan(&agent); err != nil {
			return err
		}
		cust := prep(`INSERT INTO customers (name, created_at, updated_at) VALUES ($1, 0, 0) RETURNING id`)
		buy := prep(`INSERT INTO purchases (customer_id, purchased_at, amount_minor, currency, created_at) VALUES ($1, $2, $3, 'EUR', 0)`)
		tick := prep(`INSERT INTO tickets (subject, channel, status, priority, kind, customer_id, created_at, updated_at, solved_at)
			VALUES ('s', 'email', $1, 'normal', $2, $3, $4, $4, $5) RETURNING id`)
		msg := prep(`INSERT INTO messages (ticket_id, kind, body_text, created_at) VALUES ($1, 'customer', 'text', $2)`)
		ev := prep(`INSERT INTO ticket_events (ticket_id, type, actor_kind, created_at) VALUES ($1, $2, 'system', $3)`)
		prom := prep(`INSERT INTO promises (ticket_id, agent_id, what, due_at, status, created_at, resolved_at) VALUES ($1, $2, 'x', $3, 'broken', 0, $3)`)
		surv := prep(`INSERT INTO surveys (ticket_id, customer_id, channel, token_hash, sent_at, expires_at, answered_at, csat, nps)
			VALUES ($1, $2, 'email', $3, 0, 0, $4, $5, $6)`)
		rec := prep(`INSERT INTO recommitments (ticket_id, customer_id, words, source, status, created_at, confirmed_at)
			VALUES ($1, $2, 'back', 'agent', 'confirmed', 0, $3)`)
		for i := range n {
			var c int64
			if err := cust.QueryRowContext(ctx, "Customer "+strconv.Itoa(i)).Scan(&c); err != nil {
				return err
			}
			recency := 1 + rng.Float64()*300
			last := ref.Add(-time.Duration(recency * float64(day)))
			at := last
			for k := range 1 + rng.IntN(5) {
				at = at.Add(-time.Duration(rng.IntN(60)*min(k, 1)) * day)
				if _, err := buy.ExecContext(ctx, c, store.Millis(at), 500+rng.IntN(20000)); err != nil {
					return err
				}
			}
			complaints := 0
			if rng.Float64() < 0.33 {
				tickets := 1 + rng.IntN(2)
				for range tickets {
					kind, status := "question", "solved"
					created := last.Add(time.Duration(rng.IntN(20)) * day)
					solved := any(store.Millis(created.Add(day)))
					if rng.IntN(3) == 0 {
						kind = "complaint"
						if rng.IntN(2) == 0 {
							status, solved = "open", nil
							complaints++
						}
					}
					var tk int64
					if err := tick.QueryRowContext(ctx, status, kind, c, store.Millis(created), solved).Scan(&tk); err != nil {
						return err
					}
					if _, err := msg.ExecContext(ctx, tk, store.Millis(created)); err != nil {
						return err
					}
					for _, typ := range []string{"transferred", "sla_breached", "reopened"} {
						if rng.IntN(5) == 0 {
							if _, err := ev.ExecContext(ctx, tk, typ, store.Millis(created.Add(time.Hour))); err != nil {
								return err
							}
						}
					}
					if rng.IntN(10) == 0 {
						if _, err := prom.ExecContext(ctx, tk, agent, store.Millis(created.Add(2*time.Hour))); err != nil {
							return err
						}
					}
					if status == "solved" && rng.IntN(2) == 0 {
						if _, err := surv.ExecContext(ctx, tk, c, fmt.Sprintf("b%d", tk), store.Millis(created.Add(2*day)),
							1+rng.IntN(5), rng.IntN(11)); err != nil {
							return err
						}
						if rng.IntN(8) == 0 {
							if _, err := rec.ExecContext(ctx, tk, c, store.Millis(created.Add(day))); err != nil {
								return err
							}
						}
					}
				}
			}
			logit := -1 + 1.2*float64(complaints) + 0.012*(recency-100)
			if rng.Float64() >= 1/(1+math.Exp(-logit)) {
				if _, err := buy.ExecContext(ctx, c, store.Millis(ref.Add(time.Duration(1+rng.IntN(85))*day)), 2500); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkChurnStore times the database side of churn scoring on a
// generated history: the signals of every customer (grouped queries), and
// a whole run (signals as of the reference date, 5-fold cross-validation
// and the final fit, live signals, scoring and writing every customer's
// risk and reasons).
func BenchmarkChurnStore(b *testing.B) {
	n := benchChurnCustomers(b)
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	storetest.EachB(b, func(b *testing.B, db *store.DB) {
		start := time.Now()
		seedChurnBench(b, db, now, n)
		b.Logf("%d customers generated in %v", n, time.Since(start).Round(time.Millisecond))
		c, _ := newChurnScorer(b, db, now, Opts{})
		ctx := context.Background()
		b.Run(fmt.Sprintf("signals/customers=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s, err := c.Signals(ctx, now)
				if err != nil {
					b.Fatal(err)
				}
				if len(s) != n {
					b.Fatalf("%d customers with signals, want %d", len(s), n)
				}
			}
		})
		b.Run(fmt.Sprintf("train_and_score/customers=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var res RunResult
			for b.Loop() {
				var err error
				if res, err = c.TrainAndScore(ctx, RunOpts{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(res.SignalsTime.Seconds(), "train-signals-s")
			b.ReportMetric(res.TrainTime.Seconds(), "cv+fit-s")
			b.ReportMetric(res.LiveSignalsTime.Seconds(), "live-signals-s")
			b.ReportMetric((res.ScoreTime - res.LiveSignalsTime).Seconds(), "score+write-s")
			b.ReportMetric(res.CV.MeanAUC, "cv-auc")
			b.ReportMetric(float64(res.Trained), "trained")
		})
	})
}
