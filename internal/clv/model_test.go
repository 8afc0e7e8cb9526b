package clv

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/csvtable"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// simulated is a population drawn from the models, with what happened
// after the calibration period so that predictions can be checked.
type simulated struct {
	customers []Summary
	// holdout is each customer's number of purchases in the horizon
	// after T; aliveAtT whether the customer had not dropped out by T.
	holdout  []int
	aliveAtT []bool
}

// simulate draws n customers from BG/NBD(bg) with spend from
// Gamma-Gamma(gg), each observed for a T uniform in [minT, maxT] and then
// for horizon more.
func simulate(n int, seed uint64, bg BGNBD, gg GammaGamma, minT, maxT, horizon float64) simulated {
	src := rand.NewPCG(seed, 1)
	rng := rand.New(src)
	lambdas := distuv.Gamma{Alpha: bg.R, Beta: bg.Alpha, Src: src}
	drops := distuv.Beta{Alpha: bg.A, Beta: bg.B, Src: src}
	nus := distuv.Gamma{Alpha: gg.Q, Beta: gg.Gamma, Src: src}
	sim := simulated{customers: make([]Summary, n), holdout: make([]int, n), aliveAtT: make([]bool, n)}
	for i := range n {
		lambda, p := lambdas.Rand(), drops.Rand()
		spend := distuv.Gamma{Alpha: gg.P, Beta: nus.Rand(), Src: src}
		T := minT + (maxT-minT)*rng.Float64()
		s := Summary{ID: "c" + string(rune('a'+i%26)), T: T}
		var t, total float64
		alive := true
		for alive {
			t += rng.ExpFloat64() / lambda
			if t > T+horizon {
				break
			}
			if t > T {
				sim.holdout[i]++
			} else {
				s.Frequency++
				s.Recency = t
				total += spend.Rand()
			}
			// Dropout happens just after a repeat purchase.
			alive = rng.Float64() >= p
		}
		sim.aliveAtT[i] = alive || t > T
		if s.Frequency > 0 {
			s.Monetary = total / float64(s.Frequency)
		}
		sim.customers[i] = s
	}
	return sim
}

var (
	trueBG = BGNBD{R: 0.5, Alpha: 10, A: 0.8, B: 2.5}
	trueGG = GammaGamma{P: 6, Q: 4, Gamma: 15}
)

func TestCLVLogLikelihoodByHand(t *testing.T) {
	ones := BGNBD{R: 1, Alpha: 1, A: 1, B: 1}
	tests := []struct {
		name string
		s    Summary
		want float64
	}{
		// A1 = 0, A2 = 0, A3 = −ln 2.
		{"no repeat", Summary{T: 1}, -math.Log(2)},
		// A1 = 0, A2 = −ln 2, A3 = −2 ln 3, A4 = −2 ln 2: −ln 2 + ln(1/9 + 1/4).
		{"one repeat", Summary{Frequency: 1, Recency: 1, T: 2}, math.Log(13.0 / 72)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ones.LogLikelihood([]Summary{tc.s})
			if math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("log-likelihood %v, want %v", got, tc.want)
			}
		})
	}
	// P(alive) = 1/(1 + (a/(b+x−1))·((α+T)/(α+tx))^(r+x)) = 1/(1 + 9/4).
	if got := ones.PAlive(Summary{Frequency: 1, Recency: 1, T: 2}); math.Abs(got-4.0/13) > 1e-12 {
		t.Errorf("P(alive) %v, want 4/13", got)
	}
	if got := ones.PAlive(Summary{T: 5}); got != 1 {
		t.Errorf("P(alive) without repeat purchases %v, want 1", got)
	}
	// p(γ + x·m)/(p·x + q − 1) = (10 + 80)/(2 + 1).
	gg := GammaGamma{P: 1, Q: 2, Gamma: 10}
	if got := gg.ExpectedSpend(Summary{Frequency: 2, Recency: 3, T: 4, Monetary: 40}); math.Abs(got-30) > 1e-12 {
		t.Errorf("expected spend %v, want 30", got)
	}
	if got := gg.ExpectedSpend(Summary{T: 4}); got != 10 {
		t.Errorf("expected spend of a one-time buyer %v, want the mean 10", got)
	}
}

func TestCLVHyp2F1(t *testing.T) {
	tests := []struct {
		name       string
		a, b, c, z float64
		want       float64
	}{
		{"log", 1, 1, 2, 0.5, -math.Log(0.5) / 0.5},
		{"log near 1", 1, 1, 2, 0.99, -math.Log(0.01) / 0.99},
		{"binomial", 2.5, 3, 3, 0.7, math.Pow(0.3, -2.5)},
		{"zero", 1.3, 2.2, 0.7, 0, 1},
		// arcsin z / z = 2F1(1/2, 1/2; 3/2; z²).
		{"arcsin", 0.5, 0.5, 1.5, 0.81, math.Asin(0.9) / 0.9},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Hyp2F1(tc.a, tc.b, tc.c, tc.z)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-tc.want) > 1e-10*math.Abs(tc.want) {
				t.Errorf("got %.15g, want %.15g", got, tc.want)
			}
		})
	}
	if _, err := Hyp2F1(1, 1, 2, 1); err == nil {
		t.Error("z = 1 accepted")
	}
	if _, err := Hyp2F1(1, 1, -2, 0.5); err == nil {
		t.Error("c = −2 accepted")
	}
}

// TestCLVGradients checks the analytic gradients against central
// differences, one customer type at a time and in the grouped form the
// fit uses.
func TestCLVGradients(t *testing.T) {
	sim := simulate(300, 7, trueBG, trueGG, 10, 200, 0)
	points := []BGNBD{trueBG, {R: 2.3, Alpha: 0.7, A: 3.1, B: 0.4}, {R: 0.05, Alpha: 40, A: 0.2, B: 9}}
	for _, p := range points {
		got := p.Gradient(sim.customers)
		theta := []float64{p.R, p.Alpha, p.A, p.B}
		for i := range theta {
			h := 1e-6 * theta[i]
			up, down := append([]float64(nil), theta...), append([]float64(nil), theta...)
			up[i] += h
			down[i] -= h
			f := func(v []float64) float64 {
				return BGNBD{R: v[0], Alpha: v[1], A: v[2], B: v[3]}.LogLikelihood(sim.customers)
			}
			want := (f(up) - f(down)) / (2 * h)
			if math.Abs(got[i]-want) > 1e-5*math.Max(1, math.Abs(want)) {
				t.Errorf("BG/NBD %+v: d/dθ%d = %v, numeric %v", p, i, got[i], want)
			}
		}
		d := newBGData(sim.customers)
		g := make([]float64, 4)
		ll := d.logLikelihood(p, g)
		if want := p.LogLikelihood(sim.customers); math.Abs(ll-want) > 1e-9*math.Abs(want) {
			t.Errorf("grouped log-likelihood %v, direct %v", ll, want)
		}
		for i := range g {
			if math.Abs(g[i]-got[i]) > 1e-9*math.Max(1, math.Abs(got[i])) {
				t.Errorf("grouped gradient %d: %v, direct %v", i, g[i], got[i])
			}
		}
	}
	for _, p := range []GammaGamma{trueGG, {P: 0.7, Q: 1.5, Gamma: 80}} {
		got := p.Gradient(sim.customers)
		theta := []float64{p.P, p.Q, p.Gamma}
		for i := range theta {
			h := 1e-6 * theta[i]
			up, down := append([]float64(nil), theta...), append([]float64(nil), theta...)
			up[i] += h
			down[i] -= h
			f := func(v []float64) float64 {
				return GammaGamma{P: v[0], Q: v[1], Gamma: v[2]}.LogLikelihood(sim.customers)
			}
			want := (f(up) - f(down)) / (2 * h)
			if math.Abs(got[i]-want) > 1e-5*math.Max(1, math.Abs(want)) {
				t.Errorf("Gamma-Gamma %+v: d/dθ%d = %v, numeric %v", p, i, got[i], want)
			}
		}
	}
}

// standardErrors are the asymptotic standard errors of a maximum-likelihood
// estimate: square roots of the diagonal of the inverse of the observed
// information, the Hessian of −log-likelihood, here by central differences
// of the analytic gradient.
func standardErrors(t *testing.T, theta []float64, grad func([]float64) []float64) []float64 {
	t.Helper()
	n := len(theta)
	h := mat.NewSymDense(n, nil)
	for i := range n {
		step := 1e-5 * theta[i]
		up, down := append([]float64(nil), theta...), append([]float64(nil), theta...)
		up[i] += step
		down[i] -= step
		gu, gd := grad(up), grad(down)
		for j := range n {
			v := -(gu[j] - gd[j]) / (2 * step)
			if j < i {
				v = (v + h.At(i, j)) / 2
			}
			h.SetSym(i, j, v)
		}
	}
	var inv mat.Dense
	if err := inv.Inverse(h); err != nil {
		t.Fatalf("information matrix not invertible: %v", err)
	}
	se := make([]float64, n)
	for i := range n {
		se[i] = math.Sqrt(inv.At(i, i))
		if math.IsNaN(se[i]) {
			t.Fatalf("information matrix not positive definite at %v", theta)
		}
	}
	return se
}

// TestCLVRecoverParameters fits both models to 10,000 customers simulated
// from known parameters. Each estimate must lie within 4 standard errors
// of the truth (a 1-in-15,000 chance of failing by bad luck, and the seed
// is fixed), and the standard errors must be small enough (under 25% of the
// truth) for that to mean something.
func TestCLVRecoverParameters(t *testing.T) {
	ctx := context.Background()
	sim := simulate(10000, 42, trueBG, trueGG, 30, 365, 90)

	bg, err := FitBGNBD(ctx, sim.customers)
	if err != nil {
		t.Fatal(err)
	}
	est := []float64{bg.Model.R, bg.Model.Alpha, bg.Model.A, bg.Model.B}
	truth := []float64{trueBG.R, trueBG.Alpha, trueBG.A, trueBG.B}
	se := standardErrors(t, est, func(v []float64) []float64 {
		g := BGNBD{R: v[0], Alpha: v[1], A: v[2], B: v[3]}.Gradient(sim.customers)
		return g[:]
	})
	t.Logf("BG/NBD %+v, se %v, LL %.2f, %d iterations, %s", bg.Model, se, bg.LogLikelihood, bg.Iterations, bg.Status)
	checkRecovered(t, "BG/NBD", est, truth, se)
	if g := bg.Model.Gradient(sim.customers); maxAbs(g[:])/float64(len(sim.customers)) > 1e-5 {
		t.Errorf("BG/NBD gradient at the estimate %v, want ≈ 0", g)
	}
	if ll := trueBG.LogLikelihood(sim.customers); bg.LogLikelihood < ll {
		t.Errorf("fit log-likelihood %v below that of the true parameters %v", bg.LogLikelihood, ll)
	}

	gg, err := FitGammaGamma(ctx, sim.customers)
	if err != nil {
		t.Fatal(err)
	}
	est = []float64{gg.Model.P, gg.Model.Q, gg.Model.Gamma}
	truth = []float64{trueGG.P, trueGG.Q, trueGG.Gamma}
	se = standardErrors(t, est, func(v []float64) []float64 {
		g := GammaGamma{P: v[0], Q: v[1], Gamma: v[2]}.Gradient(sim.customers)
		return g[:]
	})
	t.Logf("Gamma-Gamma %+v, se %v, LL %.2f, %d customers, %d iterations", gg.Model, se, gg.LogLikelihood, gg.Customers, gg.Iterations)
	checkRecovered(t, "Gamma-Gamma", est, truth, se)
}

func checkRecovered(t *testing.T, model string, est, truth, se []float64) {
	t.Helper()
	for i := range est {
		if se[i] > 0.25*truth[i] {
			t.Errorf("%s parameter %d: standard error %v too large to test against", model, i, se[i])
		}
		if math.Abs(est[i]-truth[i]) > 4*se[i] {
			t.Errorf("%s parameter %d: estimate %v, truth %v, more than 4 × se %v apart", model, i, est[i], truth[i], se[i])
		}
	}
}

// TestCLVPredictionsMatchSimulation checks the predictions, under the true
// parameters, against what the simulated customers then did: summed over
// 20,000 customers, the expected purchases in the horizon must match the
// simulated ones, and the summed P(alive) the number still active.
// The sums are of 20,000 independent counts, so their relative standard
// deviation is about 1–2%; 5% leaves room without hiding a wrong formula
// (dropping the 2F1 term, for one, is off by far more).
func TestCLVPredictionsMatchSimulation(t *testing.T) {
	const horizon = 90
	sim := simulate(20000, 99, trueBG, trueGG, 30, 365, horizon)
	preds, err := Predict(context.Background(), trueBG, trueGG, horizon, sim.customers)
	if err != nil {
		t.Fatal(err)
	}
	var wantPurchases, gotPurchases, wantAlive, gotAlive float64
	for i, p := range preds {
		gotPurchases += p.ExpectedPurchases
		wantPurchases += float64(sim.holdout[i])
		gotAlive += p.PAlive
		if sim.aliveAtT[i] {
			wantAlive++
		}
		if p.ExpectedValue != p.ExpectedPurchases*p.ExpectedSpend {
			t.Fatalf("expected value %v is not purchases × spend", p.ExpectedValue)
		}
	}
	t.Logf("purchases: predicted %.0f, simulated %.0f; alive: predicted %.0f, simulated %.0f", gotPurchases, wantPurchases, gotAlive, wantAlive)
	if math.Abs(gotPurchases-wantPurchases) > 0.05*wantPurchases {
		t.Errorf("predicted %.0f purchases in the horizon, simulated %.0f", gotPurchases, wantPurchases)
	}
	if math.Abs(gotAlive-wantAlive) > 0.05*wantAlive {
		t.Errorf("predicted %.0f customers alive, simulated %.0f", gotAlive, wantAlive)
	}
}

func TestCLVFitErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := FitBGNBD(ctx, nil); !errors.Is(err, ErrNoData) {
		t.Errorf("empty BG/NBD fit: %v, want ErrNoData", err)
	}
	if _, err := FitGammaGamma(ctx, []Summary{{ID: "a", T: 3}}); !errors.Is(err, ErrNoData) {
		t.Errorf("Gamma-Gamma without repeat buyers: %v, want ErrNoData", err)
	}
	if _, err := FitBGNBD(ctx, []Summary{{ID: "a", Frequency: 2, Recency: 5, T: 3}}); err == nil {
		t.Error("recency after T accepted")
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	sim := simulate(200, 1, trueBG, trueGG, 30, 365, 0)
	if _, err := FitBGNBD(canceled, sim.customers); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled fit: %v, want context.Canceled", err)
	}
}

func TestCLVSummarize(t *testing.T) {
	const data = `customer_id,date,amount
a,2024-01-01,10
a,2024-01-01,5
a,2024-01-03T23:30:00+02:00,20
b,2024-01-02,7
a,2024-01-08,40
c,2024-01-09,3
a,2024-01-20,100
`
	txs, bad, err := ReadTransactions(strings.NewReader(data), CSVOpts{})
	if err != nil || len(bad) > 0 {
		t.Fatal(err, bad)
	}
	end := time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		unit Unit
		end  time.Time
		want []Summary
	}{
		{"days", Days, end, []Summary{
			// Days 1 (twice, once for frequency), 3 and 8; the 20th is after the end.
			{ID: "a", Frequency: 2, Recency: 7, T: 14, Monetary: 30},
			{ID: "b", T: 13},
			{ID: "c", T: 6},
		}},
		{"weeks", Weeks, end, []Summary{
			{ID: "a", Frequency: 2, Recency: 1, T: 2, Monetary: 30},
			{ID: "b", T: 13.0 / 7},
			{ID: "c", T: 6.0 / 7},
		}},
		{"end at last purchase", Days, time.Time{}, []Summary{
			{ID: "a", Frequency: 3, Recency: 19, T: 19, Monetary: 160.0 / 3},
			{ID: "b", T: 18},
			{ID: "c", T: 11},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Summarize(txs, tc.unit, tc.end)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i := range got {
				g, w := got[i], tc.want[i]
				if g.ID != w.ID || g.Frequency != w.Frequency || math.Abs(g.Recency-w.Recency) > 1e-12 ||
					math.Abs(g.T-w.T) > 1e-12 || math.Abs(g.Monetary-w.Monetary) > 1e-12 {
					t.Errorf("customer %d: got %+v, want %+v", i, g, w)
				}
			}
		})
	}
	if _, err := Summarize(txs, "months", end); err == nil {
		t.Error("unit months accepted")
	}
}

func TestCLVReadTransactions(t *testing.T) {
	tests := []struct {
		name     string
		data     string
		opts     CSVOpts
		wantN    int
		badLines []int
		wantErr  string
	}{
		{name: "renamed columns in another order", data: "Amount,Client,Day\n1.50,x,2024-02-29\n", opts: CSVOpts{CustomerCol: "client", DateCol: "day", AmountCol: "amount"}, wantN: 1},
		{name: "byte order mark and blank line", data: "\ufeffcustomer_id,date,amount\n\nx,2024-01-01,2\n", wantN: 1},
		{name: "missing column", data: "customer_id,amount\nx,2\n", wantErr: `no column "date"`},
		{name: "empty file", data: "", wantErr: "empty file"},
		{name: "bad lines fail the file", data: "customer_id,date,amount\nx,2024-01-01,2\ny,01/02/2024,3\nz,2024-01-01,1,50\nw,2024-01-01,\"1,50\"\n,2024-01-01,1\nv,2024-13-01,1\nu,2024-01-01\n",
			badLines: []int{3, 4, 5, 6, 7, 8}, wantErr: "unreadable lines"},
		{name: "bad lines skipped when asked", data: "customer_id,date,amount\nx,2024-01-01,2\ny,2024-01-01,abc\nz,2024-01-02,1e3\n", opts: CSVOpts{SkipBadLines: true}, wantN: 1, badLines: []int{3, 4}},
		{name: "quoted field across lines keeps line numbers", data: "customer_id,date,amount\n\"a\nb\",2024-01-01,2\nc,2024-01-01,x\n", opts: CSVOpts{SkipBadLines: true}, wantN: 1, badLines: []int{4}},
		{name: "bare quote", data: "customer_id,date,amount\na\"b,2024-01-01,2\nc,2024-01-01,1\n", opts: CSVOpts{SkipBadLines: true}, wantN: 1, badLines: []int{2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			txs, bad, err := ReadTransactions(strings.NewReader(tc.data), tc.opts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if len(txs) != tc.wantN {
				t.Errorf("%d transactions, want %d", len(txs), tc.wantN)
			}
			var lines []int
			for _, b := range bad {
				lines = append(lines, b.Line)
			}
			if len(lines) != len(tc.badLines) {
				t.Fatalf("bad lines %v (%v), want %v", lines, bad, tc.badLines)
			}
			for i := range lines {
				if lines[i] != tc.badLines[i] {
					t.Errorf("bad lines %v, want %v", lines, tc.badLines)
				}
			}
		})
	}
}

func TestCLVReadSummaries(t *testing.T) {
	data := "customer_id,frequency,recency,T,monetary\na,2,10,30,25.5\nb,0,0,12,\nc,1,40,30,5\nd,1.5,3,30,1\n"
	_, bad, err := ReadSummaries(strings.NewReader(data), CSVOpts{})
	if !errors.Is(err, csvtable.ErrBadLines) || len(bad) != 2 || bad[0].Line != 4 || bad[1].Line != 5 {
		t.Fatalf("error %v, bad lines %v; want lines 4 and 5", err, bad)
	}
	got, _, err := ReadSummaries(strings.NewReader(data), CSVOpts{SkipBadLines: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []Summary{{ID: "a", Frequency: 2, Recency: 10, T: 30, Monetary: 25.5}, {ID: "b", T: 12}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got %+v, want %+v", got, want)
	}
	got, _, err = ReadSummaries(strings.NewReader("id,frequency,recency,t\nq,3,4,5\n"), CSVOpts{CustomerCol: "id"})
	if err != nil || len(got) != 1 || got[0].Monetary != 0 {
		t.Errorf("without monetary: %+v, %v", got, err)
	}
}

func FuzzCLVReadTransactions(f *testing.F) {
	f.Add("customer_id,date,amount\na,2024-01-01,1.5\n")
	f.Add("customer_id,date,amount\n\"a\n\",2024-01-01T10:00:00Z,.5\n")
	f.Fuzz(func(t *testing.T, data string) {
		txs, _, err := ReadTransactions(strings.NewReader(data), CSVOpts{SkipBadLines: true})
		if err != nil {
			return
		}
		sums, err := Summarize(txs, Days, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sums {
			if math.IsNaN(s.Monetary) || s.Recency > s.T || s.Frequency < 0 {
				t.Fatalf("bad summary %+v", s)
			}
		}
	})
}

func simulated100k(b *testing.B) []Summary {
	b.Helper()
	return simulate(100000, 2005, trueBG, trueGG, 30, 365, 0).customers
}

func BenchmarkFitBGNBD100k(b *testing.B) {
	customers := simulated100k(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FitBGNBD(context.Background(), customers); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFitGammaGamma100k(b *testing.B) {
	customers := simulated100k(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FitGammaGamma(context.Background(), customers); err != nil {
			b.Fatal(err)
		}
	}
}
