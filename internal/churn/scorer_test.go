package churn

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// history writes a hand-made service and purchase history straight into
// the tables the churn signals read.
type history struct {
	t   testing.TB
	db  *store.DB
	ctx context.Context
}

func (h history) id(query string, args ...any) int64 {
	h.t.Helper()
	var id int64
	if err := h.db.W.QueryRowContext(h.ctx, query+" RETURNING id", args...).Scan(&id); err != nil {
		h.t.Fatalf("%s: %v", query, err)
	}
	return id
}

func (h history) customer(name string) int64 {
	return h.id(`INSERT INTO customers (name, created_at, updated_at) VALUES ($1, 0, 0)`, name)
}

func (h history) agent(email string) int64 {
	return h.id(`INSERT INTO agents (email, name, role, created_at, updated_at) VALUES ($1, $1, 'agent', 0, 0)`, email)
}

func (h history) purchase(cust int64, at time.Time, minor int64, currency string) {
	h.id(`INSERT INTO purchases (customer_id, purchased_at, amount_minor, currency, created_at) VALUES ($1, $2, $3, $4, 0)`,
		cust, store.Millis(at), minor, currency)
}

// ticket opens a ticket at created; solved and closed may be zero.
func (h history) ticket(cust int64, kind, status string, created, solved, closed time.Time) int64 {
	null := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return store.Millis(t)
	}
	return h.id(`INSERT INTO tickets (subject, channel, status, priority, kind, customer_id, created_at, updated_at, solved_at, closed_at)
		VALUES ('s', 'email', $1, 'normal', $2, $3, $4, $4, $5, $6)`, status, kind, cust, store.Millis(created), null(solved), null(closed))
}

func (h history) message(ticket int64, kind string, at time.Time) {
	h.id(`INSERT INTO messages (ticket_id, kind, body_text, created_at) VALUES ($1, $2, 'text', $3)`, ticket, kind, store.Millis(at))
}

func (h history) event(ticket int64, typ string, at time.Time) {
	h.id(`INSERT INTO ticket_events (ticket_id, type, actor_kind, created_at) VALUES ($1, $2, 'system', $3)`, ticket, typ, store.Millis(at))
}

func (h history) promise(ticket, agent int64, status string, resolved time.Time) {
	h.id(`INSERT INTO promises (ticket_id, agent_id, what, due_at, status, created_at, resolved_at) VALUES ($1, $2, 'call back', $3, $4, 0, $3)`,
		ticket, agent, store.Millis(resolved), status)
}

func (h history) survey(ticket, cust int64, answered time.Time, csat, nps any) {
	h.id(`INSERT INTO surveys (ticket_id, customer_id, channel, token_hash, sent_at, expires_at, answered_at, csat, nps)
		VALUES ($1, $2, 'email', $3, 0, 0, $4, $5, $6)`, ticket, cust, "hash-"+time.Now().String()+answered.String(), store.Millis(answered), csat, nps)
}

func (h history) recommitment(ticket, cust int64, status string, confirmed time.Time) {
	h.id(`INSERT INTO recommitments (ticket_id, customer_id, words, source, status, created_at, confirmed_at) VALUES ($1, $2, 'I will be back', 'agent', $3, 0, $4)`,
		ticket, cust, status, store.Millis(confirmed))
}

func newChurnScorer(t testing.TB, db *store.DB, now time.Time, o Opts) (*Scorer, *jobs.FakeClock) {
	t.Helper()
	clock := jobs.NewFakeClock(now)
	o.DB, o.Clock, o.Log = db, clock, slog.New(slog.DiscardHandler)
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c, clock
}

func TestChurnSignalsFromHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		h := history{t, db, ctx}
		ref := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
		day := 24 * time.Hour
		before := func(d float64) time.Time { return ref.Add(-time.Duration(d * float64(day))) }
		after := func(d float64) time.Time { return ref.Add(time.Duration(d * float64(day))) }
		agent := h.agent("a@example.com")

		// Anna: a full history, with things after ref that must not count.
		anna := h.customer("Anna")
		h.purchase(anna, before(40), 3000, "EUR")
		h.purchase(anna, before(10), 5000, "EUR")
		h.purchase(anna, before(5), 2000, "USD") // counts as a purchase, not as spend
		h.purchase(anna, after(3), 9900, "EUR")
		open := h.ticket(anna, "complaint", "open", before(20), time.Time{}, time.Time{})
		solved := h.ticket(anna, "complaint", "solved", before(30), before(25), time.Time{})
		h.ticket(anna, "complaint", "solved", before(8), after(1), time.Time{})   // still open at ref
		h.ticket(anna, "question", "open", before(3.5), time.Time{}, time.Time{}) // not a complaint
		later := h.ticket(anna, "complaint", "open", after(2), time.Time{}, time.Time{})
		h.message(open, "customer", before(2))
		h.message(open, "reply", before(1)) // an agent's reply is no contact from the customer
		h.message(later, "customer", after(2))
		h.event(open, "transferred", before(19))
		h.event(open, "transferred", before(18))
		h.event(solved, "transferred", after(1))
		h.event(open, "sla_breached", before(19))
		h.event(open, "reopened", before(17))
		h.event(open, "reopened", before(16))
		h.event(solved, "reopened", before(27))
		h.event(later, "reopened", after(3))
		h.promise(open, agent, "broken", before(15))
		h.promise(open, agent, "broken", after(1))
		h.promise(solved, agent, "kept", before(26))
		h.survey(solved, anna, before(30), 2, 3)
		h.survey(open, anna, before(10), 4, nil)
		h.survey(later, anna, after(4), 5, 10)
		h.recommitment(solved, anna, "confirmed", before(1))
		h.recommitment(open, anna, "proposed", before(1))
		h.recommitment(open, anna, "confirmed", after(1))

		// Bruno bought only after ref: not a customer yet.
		bruno := h.customer("Bruno")
		h.purchase(bruno, after(1), 1000, "EUR")
		// Carla bought once, long ago, and never wrote.
		carla := h.customer("Carla")
		h.purchase(carla, before(100.5), 1250, "EUR")
		// Dario is a promoter who last wrote a while ago.
		dario := h.customer("Dario")
		h.purchase(dario, ref, 100, "EUR") // on ref itself counts
		dt := h.ticket(dario, "praise", "closed", before(60), before(59), before(50))
		h.survey(dt, dario, before(58), nil, 9)

		c, _ := newChurnScorer(t, db, after(200), Opts{Currency: "EUR"})
		got, err := c.Signals(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		want := []Signals{
			{CustomerID: itoa(anna), RecencyDays: 5, Frequency: 3, TotalSpend: 80,
				HasContact: true, DaysSinceContact: 2, OpenComplaints: 2, HasCSAT: true, LastCSAT: 4, NPS: NPSDetractor,
				Transfers: 2, SLABreaches: 1, BrokenPromises: 1, ReopenedTickets: 2, Recommitments: 1},
			{CustomerID: itoa(carla), RecencyDays: 100.5, Frequency: 1, TotalSpend: 12.5},
			{CustomerID: itoa(dario), RecencyDays: 0, Frequency: 1, TotalSpend: 1, HasContact: true, DaysSinceContact: 60,
				NPS: NPSPromoter},
		}
		if len(got) != len(want) {
			t.Fatalf("got %d customers, want %d: %+v", len(got), len(want), got)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("customer %s:\n got %+v\nwant %+v", want[i].CustomerID, got[i], want[i])
			}
		}
		// As of now, Bruno is a customer and Anna's later history counts.
		now, err := c.Signals(ctx, after(200))
		if err != nil {
			t.Fatal(err)
		}
		if len(now) != 4 || now[0].Frequency != 4 || now[0].Transfers != 3 || now[0].Recommitments != 2 ||
			now[0].OpenComplaints != 2 || now[0].LastCSAT != 5 || now[0].NPS != NPSPromoter || now[0].BrokenPromises != 2 {
			t.Errorf("signals now: %+v", now)
		}
	})
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// churnHistory is a generated history whose churn depends on known signals.
type churnHistory struct {
	customers  []int64
	complaints map[int64]int
	valued     int64 // a customer the lifetime-value refit has scored
}

// simulate writes n customers: each bought a few times before ref, some
// have open complaints, and whether they bought again within the window
// after ref is drawn from a logistic model of their complaints and
// recency. churnAll forces every customer to churn.
func simulateChurnHistory(t testing.TB, db *store.DB, ref time.Time, window time.Duration, n int, seed uint64, churnAll bool) churnHistory {
	t.Helper()
	ctx := context.Background()
	h := history{t, db, ctx}
	rng := rand.New(rand.NewPCG(seed, 7))
	day := 24 * time.Hour
	sim := churnHistory{complaints: map[int64]int{}}
	for i := range n {
		c := h.customer("Customer " + strconv.Itoa(i))
		sim.customers = append(sim.customers, c)
		recency := 1 + rng.Float64()*150
		last := ref.Add(-time.Duration(recency * float64(day)))
		for k := range 1 + rng.IntN(4) {
			h.purchase(c, last.Add(-time.Duration(k*30)*day), int64(1000+rng.IntN(9000)), "EUR")
		}
		complaints := 0
		if rng.Float64() < 0.35 {
			complaints = 1 + rng.IntN(2)
		}
		sim.complaints[c] = complaints
		for range complaints {
			tk := h.ticket(c, "complaint", "open", last.Add(day), time.Time{}, time.Time{})
			h.message(tk, "customer", last.Add(day))
		}
		logit := -1.5 + 1.6*float64(complaints) + 0.025*(recency-60)
		churned := churnAll || rng.Float64() < 1/(1+math.Exp(-logit))
		if !churned {
			h.purchase(c, ref.Add(time.Duration(1+rng.IntN(int(window/day)-1))*day), 2500, "EUR")
		}
	}
	sim.valued = sim.customers[0]
	if _, err := db.W.ExecContext(ctx, `INSERT INTO customer_values (customer_id, currency, frequency, recency, t, monetary,
		expected_purchases, p_alive, expected_value, horizon_days, regular, updated_at)
		VALUES ($1, 'EUR', 2, 30, 90, 40, 1.5, 0.7, 123.5, 365, TRUE, 42)`, sim.valued); err != nil {
		t.Fatal(err)
	}
	return sim
}

func TestChurnTrainAndScore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
		window := 90 * 24 * time.Hour
		sim := simulateChurnHistory(t, db, now.Add(-window), window, 300, 1, false)
		c, _ := newChurnScorer(t, db, now, Opts{})
		c.writeBatch = 7 // several batches and a partial last one
		res, err := c.TrainAndScore(ctx, RunOpts{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Trained != 300 || res.Churned < 30 || res.Churned > 270 || res.Scored != 300 || res.Currency != "EUR" {
			t.Fatalf("result: trained %d churned %d scored %d currency %q", res.Trained, res.Churned, res.Scored, res.Currency)
		}
		if !res.Reference.Equal(now.Add(-window)) {
			t.Errorf("reference %v, want %v", res.Reference, now.Add(-window))
		}
		// The churnHistory churn depends strongly on complaints and recency.
		if res.CV.MeanAUC < 0.75 {
			t.Errorf("cross-validated AUC %.3f, want at least 0.75", res.CV.MeanAUC)
		}
		coef := map[string]float64{}
		for j, name := range res.Model.Names {
			coef[name] = res.Model.Coef[j]
		}
		if coef["open_complaints"] <= 0 || coef["recency_days"] <= 0 {
			t.Errorf("coefficients %v: complaints and recency should raise the risk", coef)
		}

		var scored int
		if err := db.R.QueryRowContext(ctx, `SELECT count(*) FROM customer_values WHERE churn_risk IS NOT NULL`).Scan(&scored); err != nil {
			t.Fatal(err)
		}
		if scored != 300 {
			t.Errorf("%d customers scored, want 300", scored)
		}
		// The lifetime-value refit's figures are left alone.
		var ev, pAlive float64
		var cur string
		var horizon int
		if err := db.R.QueryRowContext(ctx, `SELECT expected_value, p_alive, currency, horizon_days FROM customer_values WHERE customer_id = $1`,
			sim.valued).Scan(&ev, &pAlive, &cur, &horizon); err != nil {
			t.Fatal(err)
		}
		if ev != 123.5 || pAlive != 0.7 || cur != "EUR" || horizon != 365 {
			t.Errorf("lifetime value clobbered: %v %v %q %d", ev, pAlive, cur, horizon)
		}

		// Risks and reasons: complainers are riskier, reasons name features
		// in order of size, and open complaints push up a complainer's risk.
		var sumWith, sumWithout float64
		var nWith, nWithout, withReasons int
		for _, id := range sim.customers {
			var risk float64
			var raw string
			if err := db.R.QueryRowContext(ctx, `SELECT churn_risk, churn_reasons FROM customer_values WHERE customer_id = $1`, id).Scan(&risk, &raw); err != nil {
				t.Fatal(err)
			}
			if !(risk > 0 && risk < 1) {
				t.Fatalf("customer %d: risk %v", id, risk)
			}
			var reasons []churnReason
			if err := json.Unmarshal([]byte(raw), &reasons); err != nil {
				t.Fatalf("customer %d: reasons %q: %v", id, raw, err)
			}
			if len(reasons) > 3 {
				t.Fatalf("customer %d: %d reasons", id, len(reasons))
			}
			if len(reasons) > 0 {
				withReasons++
			}
			for k, r := range reasons {
				// A reason raises the risk; what lowers it is no reason.
				if !slices.Contains(signalFeatureNames, r.Feature) || r.Contribution <= 0 {
					t.Errorf("customer %d: reason %+v", id, r)
				}
				if k > 0 && math.Abs(r.Contribution) > math.Abs(reasons[k-1].Contribution) {
					t.Errorf("customer %d: reasons not largest first: %+v", id, reasons)
				}
			}
			if sim.complaints[id] == 2 {
				i := slices.IndexFunc(reasons, func(r churnReason) bool { return r.Feature == "open_complaints" })
				if i < 0 || reasons[i].Contribution <= 0 || reasons[i].Value != 2 {
					t.Errorf("customer %d with 2 open complaints: reasons %+v", id, reasons)
				}
			}
			if sim.complaints[id] > 0 {
				sumWith, nWith = sumWith+risk, nWith+1
			} else {
				sumWithout, nWithout = sumWithout+risk, nWithout+1
			}
		}
		if withReasons == 0 {
			t.Errorf("no customer of %d has a reason for their risk", len(sim.customers))
		}
		if sumWith/float64(nWith) <= sumWithout/float64(nWithout)+0.1 {
			t.Errorf("mean risk with complaints %.3f, without %.3f", sumWith/float64(nWith), sumWithout/float64(nWithout))
		}

		// The at-risk list, in both orders, and paged.
		for _, order := range []string{AtRiskByValue, AtRiskByRisk} {
			page, err := c.AtRisk(ctx, order, 0, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if page.Total != 300 || len(page.Customers) != 300 {
				t.Fatalf("%s: total %d, %d rows", order, page.Total, len(page.Customers))
			}
			for i := 1; i < len(page.Customers); i++ {
				a, b := page.Customers[i-1], page.Customers[i]
				if (order == AtRiskByValue && a.ValueAtRisk() < b.ValueAtRisk()) || (order == AtRiskByRisk && a.ChurnRisk < b.ChurnRisk) {
					t.Fatalf("%s: row %d out of order: %+v before %+v", order, i, a, b)
				}
			}
			second, err := c.AtRisk(ctx, order, 10, 5)
			if err != nil {
				t.Fatal(err)
			}
			if len(second.Customers) != 5 || second.Customers[0].CustomerID != page.Customers[10].CustomerID {
				t.Errorf("%s: page at 10 starts with %d, want %d", order, second.Customers[0].CustomerID, page.Customers[10].CustomerID)
			}
		}
		page, _ := c.AtRisk(ctx, AtRiskByValue, 0, 1)
		if top := page.Customers[0]; top.CustomerID != sim.valued || !top.Valued || top.ExpectedValue != 123.5 || top.PAlive != 0.7 {
			t.Errorf("by value, the only valued customer comes first: %+v", top)
		}
		for _, tc := range []struct {
			name          string
			order         string
			offset, limit int
		}{{"bad order", "name", 0, 10}, {"no limit", "risk", 0, 0}, {"negative offset", "risk", -1, 10}} {
			if _, err := c.AtRisk(ctx, tc.order, tc.offset, tc.limit); err == nil {
				t.Errorf("%s: no error", tc.name)
			}
		}
	})
}

func TestChurnRefusesToTrain(t *testing.T) {
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	window := 90 * 24 * time.Hour
	tests := []struct {
		name     string
		n        int
		churnAll bool
		run      RunOpts
		want     error
	}{
		{"too few customers", 12, false, RunOpts{}, ErrTraining},
		{"everyone churned", 60, true, RunOpts{}, ErrTraining},
		{"window still open", 60, false, RunOpts{Reference: now.Add(-30 * 24 * time.Hour)}, ErrWindowOpen},
		{"nothing bought before the reference date", 60, false, RunOpts{Reference: now.Add(-3 * window)}, ErrTraining},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				simulateChurnHistory(t, db, now.Add(-window), window, tc.n, 2, tc.churnAll)
				c, _ := newChurnScorer(t, db, now, Opts{})
				_, err := c.TrainAndScore(ctx, tc.run)
				if !errors.Is(err, tc.want) {
					t.Fatalf("error %v, want %v", err, tc.want)
				}
				var scored int
				if err := db.R.QueryRowContext(ctx, `SELECT count(*) FROM customer_values WHERE churn_risk IS NOT NULL`).Scan(&scored); err != nil {
					t.Fatal(err)
				}
				if scored != 0 {
					t.Errorf("%d customers scored after a refused training", scored)
				}
			})
		})
	}
}

func TestChurnJobSchedulesAndScores(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
		window := 90 * 24 * time.Hour
		simulateChurnHistory(t, db, now.Add(-window), window, 120, 3, false)
		clock := jobs.NewFakeClock(now)
		log := slog.New(slog.DiscardHandler)
		q := jobs.New(db, clock, log)
		c, err := New(Opts{DB: db, Clock: clock, Jobs: q, Log: log})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Schedule(ctx); err != nil {
			t.Fatal(err)
		}
		if err := c.Schedule(ctx); err != nil { // twice is still one job
			t.Fatal(err)
		}
		info, err := q.GetByKey(ctx, churnNightlyKey)
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2025, 6, 2, 4, 0, 0, 0, time.UTC); !info.RunAt.Equal(want) || info.Kind != JobScore {
			t.Fatalf("job %+v, want %s at %v", info, JobScore, want)
		}
		if err := c.job(ctx, nil); err != nil {
			t.Fatal(err)
		}
		var scored int
		if err := db.R.QueryRowContext(ctx, `SELECT count(*) FROM customer_values WHERE churn_risk IS NOT NULL`).Scan(&scored); err != nil {
			t.Fatal(err)
		}
		if scored != 120 {
			t.Errorf("the job scored %d customers, want 120", scored)
		}
		info, err = q.GetByKey(ctx, churnNightlyKey)
		if err != nil || info.Status != "pending" {
			t.Errorf("next night's job: %+v, %v", info, err)
		}
	})
}

// The same history gives the same signals, model and scores on SQLite and
// PostgreSQL.
func TestChurnSameOnBothDatabases(t *testing.T) {
	if os.Getenv(storetest.PostgresEnv) == "" {
		t.Skip(storetest.PostgresEnv + " is not set")
	}
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	window := 90 * 24 * time.Hour
	type outcome struct {
		signals []Signals
		res     RunResult
		risks   map[int64]float64
		reasons map[int64]string
	}
	run := func(db *store.DB) outcome {
		ctx := context.Background()
		simulateChurnHistory(t, db, now.Add(-window), window, 150, 9, false)
		c, _ := newChurnScorer(t, db, now, Opts{})
		var o outcome
		var err error
		if o.signals, err = c.Signals(ctx, now.Add(-window)); err != nil {
			t.Fatal(err)
		}
		if o.res, err = c.TrainAndScore(ctx, RunOpts{}); err != nil {
			t.Fatal(err)
		}
		o.risks, o.reasons = map[int64]float64{}, map[int64]string{}
		rows, err := db.R.QueryContext(ctx, `SELECT customer_id, churn_risk, churn_reasons FROM customer_values WHERE churn_risk IS NOT NULL`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var risk float64
			var reasons string
			if err := rows.Scan(&id, &risk, &reasons); err != nil {
				t.Fatal(err)
			}
			o.risks[id], o.reasons[id] = risk, reasons
		}
		return o
	}
	lite, pg := run(storetest.SQLite(t)), run(storetest.Postgres(t))
	if !slices.Equal(lite.signals, pg.signals) {
		t.Fatalf("signals differ:\n sqlite %+v\n    pg %+v", lite.signals, pg.signals)
	}
	if lite.res.Trained != pg.res.Trained || lite.res.Churned != pg.res.Churned || lite.res.CV.MeanAUC != pg.res.CV.MeanAUC ||
		!slices.Equal(lite.res.Model.Coef, pg.res.Model.Coef) {
		t.Fatalf("models differ: %+v vs %+v", lite.res.Model, pg.res.Model)
	}
	if len(lite.risks) != 150 || len(pg.risks) != 150 {
		t.Fatalf("%d and %d customers scored", len(lite.risks), len(pg.risks))
	}
	for id, r := range lite.risks {
		if pg.risks[id] != r || pg.reasons[id] != lite.reasons[id] {
			t.Errorf("customer %d: sqlite %v %s, postgres %v %s", id, r, lite.reasons[id], pg.risks[id], pg.reasons[id])
		}
	}
}
