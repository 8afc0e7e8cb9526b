package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
)

// seedChurnHistory writes n customers with purchases up to now: those with
// open complaints and long gaps mostly stopped buying 90 days ago.
func seedChurnHistory(t *testing.T, dsn string, n int) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(11, 12))
	day := 24 * time.Hour
	now := time.Now().UTC()
	ref := now.Add(-90 * day)
	ins := func(q string, args ...any) int64 {
		var id int64
		if err := db.W.QueryRowContext(ctx, q+" RETURNING id", args...).Scan(&id); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	for i := range n {
		c := ins(`INSERT INTO customers (name, created_at, updated_at) VALUES ($1, 0, 0)`, "Customer "+strconv.Itoa(i))
		recency := 1 + rng.Float64()*120
		last := ref.Add(-time.Duration(recency * float64(day)))
		for k := range 1 + rng.IntN(3) {
			ins(`INSERT INTO purchases (customer_id, purchased_at, amount_minor, currency, created_at) VALUES ($1, $2, $3, 'EUR', 0)`,
				c, store.Millis(last.Add(-time.Duration(k*20)*day)), 1000+rng.IntN(5000))
		}
		complaints := 0
		if rng.Float64() < 0.4 {
			complaints = 1 + rng.IntN(2)
		}
		for range complaints {
			ins(`INSERT INTO tickets (subject, channel, status, priority, kind, customer_id, created_at, updated_at)
				VALUES ('Broken', 'email', 'open', 'normal', 'complaint', $1, $2, $2)`, c, store.Millis(last.Add(day)))
		}
		logit := -1.2 + 1.8*float64(complaints) + 0.03*(recency-60)
		if rng.Float64() >= 1/(1+math.Exp(-logit)) {
			ins(`INSERT INTO purchases (customer_id, purchased_at, amount_minor, currency, created_at) VALUES ($1, $2, 3000, 'EUR', 0)`,
				c, store.Millis(ref.Add(time.Duration(1+rng.IntN(85))*day)))
		}
	}
}

func runChurnScore(args ...string) (string, string, error) {
	var out, errOut bytes.Buffer
	err := churnCmd(context.Background(), append([]string{"score"}, args...), strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestChurnScoreCommand(t *testing.T) {
	for _, be := range importBackends {
		t.Run(be.name, func(t *testing.T) {
			if be.name == "postgres" && testing.Short() {
				t.Skip("short")
			}
			dsn := be.dsn(t)
			seedChurnHistory(t, dsn, 200)
			out, errOut, err := runChurnScore("--db", dsn, "--top", "5")
			if err != nil {
				t.Fatalf("%v\n%s", err, errOut)
			}
			for _, want := range []string{"Trained on 200 customers who had bought by", "Cross-validated AUC",
				"Scored 200 customers", "Top 5 customers by value at risk", "CHURN RISK", "VALUE AT RISK"} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			if n := countScored(t, dsn); n != 200 {
				t.Errorf("%d customers scored, want 200", n)
			}

			out, errOut, err = runChurnScore("--db", dsn, "--top", "10", "--sort", "risk", "--json")
			if err != nil {
				t.Fatalf("%v\n%s", err, errOut)
			}
			var r churnScoreReport
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if r.Trained != 200 || r.Scored != 200 || r.Folds != 5 || r.Currency != "EUR" || len(r.Top) != 10 {
				t.Fatalf("report %+v", r)
			}
			if r.ChurnRate <= 0.1 || r.ChurnRate >= 0.9 || r.MeanAUC < 0.7 {
				t.Errorf("churn rate %.2f, AUC %.3f", r.ChurnRate, r.MeanAUC)
			}
			for i, row := range r.Top {
				if i > 0 && row.ChurnRisk > r.Top[i-1].ChurnRisk {
					t.Errorf("row %d: risk %.3f after %.3f", i, row.ChurnRisk, r.Top[i-1].ChurnRisk)
				}
				// No lifetime-value refit ran: no value, but reasons.
				if row.ExpectedValue != nil || row.ValueAtRisk != nil || len(row.Reasons) == 0 || len(row.Reasons) > 3 {
					t.Errorf("row %+v", row)
				}
			}
		})
	}
}

func countScored(t *testing.T, dsn string) int {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.R.QueryRow(`SELECT count(*) FROM customer_values WHERE churn_risk IS NOT NULL`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestChurnScoreCommandErrors(t *testing.T) {
	dir := t.TempDir()
	small := dir + "/small.db"
	seedChurnHistory(t, small, 10)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"too little history", []string{"--db", small}, "nothing written"},
		{"window still open", []string{"--db", small, "--reference", time.Now().AddDate(0, 0, -10).Format(time.DateOnly)}, "window has not ended"},
		{"bad reference", []string{"--db", small, "--reference", "yesterday"}, "want a date"},
		{"bad window", []string{"--db", small, "--window", "0"}, "--window 0"},
		{"bad sort", []string{"--db", small, "--sort", "name"}, "want value or risk"},
		{"bad folds", []string{"--db", small, "--folds", "1"}, "--folds 1"},
		{"bad currency", []string{"--db", small, "--currency", "euro"}, "three-letter"},
		{"stray argument", []string{"--db", small, "file.csv"}, "unexpected argument"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, err := runChurnScore(tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q\n%s", err, tc.want, errOut)
			}
		})
	}
	if n := countScored(t, small); n != 0 {
		t.Errorf("%d customers scored after refusals", n)
	}
}
