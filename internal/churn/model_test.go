package churn

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"
)

// churnTruth is a logistic model in the features' own units, from which
// TestChurn* draw data: x₀ ~ N(0,1), x₁ ~ N(50, 10²), x₂ ~ Bernoulli(0.3),
// x₃ ~ N(0,1) with no effect.
var churnTruth = struct {
	names     []string
	intercept float64
	coef      []float64
}{
	names:     []string{"a", "b", "flag", "noise"},
	intercept: -4,
	coef:      []float64{1.0, 0.06, -0.8, 0},
}

// simulateChurn draws n rows from churnTruth, returning the features, the
// labels and each row's true probability.
func simulateChurn(n int, seed uint64) (x []float64, y []bool, prob []float64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	p := len(churnTruth.names)
	x = make([]float64, n*p)
	y = make([]bool, n)
	prob = make([]float64, n)
	for i := range n {
		row := x[i*p : (i+1)*p]
		row[0] = rng.NormFloat64()
		row[1] = 50 + 10*rng.NormFloat64()
		if rng.Float64() < 0.3 {
			row[2] = 1
		}
		row[3] = rng.NormFloat64()
		eta := churnTruth.intercept
		for j, v := range row {
			eta += churnTruth.coef[j] * v
		}
		prob[i] = sigmoid(eta)
		y[i] = rng.Float64() < prob[i]
	}
	return x, y, prob
}

func TestChurnGradientAndHessian(t *testing.T) {
	x, y, _ := simulateChurn(200, 1)
	m := &Model{Names: churnTruth.names, Mean: make([]float64, 4), Scale: make([]float64, 4)}
	if err := m.standardise(x); err != nil {
		t.Fatal(err)
	}
	z := make([]float64, len(x))
	for i := range y {
		m.zRow(x[i*4:(i+1)*4], z[i*4:(i+1)*4])
	}
	for _, tc := range []struct {
		name string
		l2   float64
		w    []float64
	}{
		{"origin, no penalty", 0, []float64{0, 0, 0, 0, 0}},
		{"away from optimum", 2.5, []float64{-0.7, 0.9, -1.2, 0.3, 2}},
		{"large", 0.1, []float64{3, -4, 5, -6, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			grad := make([]float64, 5)
			h := mat.NewSymDense(5, nil)
			churnObjective(z, y, tc.w, tc.l2, grad, h)
			const eps = 1e-6
			for j := range tc.w {
				wp, wm := append([]float64(nil), tc.w...), append([]float64(nil), tc.w...)
				wp[j] += eps
				wm[j] -= eps
				num := (churnObjective(z, y, wp, tc.l2, nil, nil) - churnObjective(z, y, wm, tc.l2, nil, nil)) / (2 * eps)
				if math.Abs(num-grad[j]) > 1e-5*math.Max(1, math.Abs(num)) {
					t.Errorf("gradient %d: analytic %v, numerical %v", j, grad[j], num)
				}
				// Each Hessian column is the derivative of the gradient.
				gp, gm := make([]float64, 5), make([]float64, 5)
				churnObjective(z, y, wp, tc.l2, gp, nil)
				churnObjective(z, y, wm, tc.l2, gm, nil)
				for k := range 5 {
					num := (gp[k] - gm[k]) / (2 * eps)
					if math.Abs(num-h.At(k, j)) > 1e-4*math.Max(1, math.Abs(num)) {
						t.Errorf("Hessian (%d,%d): analytic %v, numerical %v", k, j, h.At(k, j), num)
					}
				}
			}
		})
	}
}

func TestChurnRecoverCoefficients(t *testing.T) {
	const n = 40000
	x, y, _ := simulateChurn(n, 2)
	m, err := Fit(context.Background(), churnTruth.names, x, y, FitOpts{L2: 0})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Converged || m.Iterations > 20 {
		t.Errorf("converged %v after %d iterations", m.Converged, m.Iterations)
	}
	icpt, coef := m.OriginalCoefficients()
	// Standard errors from the inverse Fisher information, on the
	// original scale: refit the Hessian there.
	p := len(coef)
	xt := mat.NewDense(n, p+1, nil)
	for i := range n {
		xt.Set(i, 0, 1)
		for j := range p {
			xt.Set(i, j+1, x[i*p+j])
		}
	}
	info := mat.NewSymDense(p+1, nil)
	for i := range n {
		pr := m.Predict(x[i*p : (i+1)*p])
		w := pr * (1 - pr)
		for a := range p + 1 {
			for b := a; b < p+1; b++ {
				info.SetSym(a, b, info.At(a, b)+w*xt.At(i, a)*xt.At(i, b))
			}
		}
	}
	var cov mat.Dense
	if err := cov.Inverse(info); err != nil {
		t.Fatal(err)
	}
	est := append([]float64{icpt}, coef...)
	truth := append([]float64{churnTruth.intercept}, churnTruth.coef...)
	for j := range est {
		se := math.Sqrt(cov.At(j, j))
		if d := math.Abs(est[j] - truth[j]); d > 4*se {
			t.Errorf("coefficient %d: estimate %.4f, truth %.4f, %.1f standard errors away (se %.4f)", j, est[j], truth[j], d/se, se)
		}
	}
	// The standardised and original coefficients describe one model.
	row := x[:p]
	eta := icpt
	for j, b := range coef {
		eta += b * row[j]
	}
	if got := m.Predict(row); math.Abs(got-sigmoid(eta)) > 1e-12 {
		t.Errorf("original-unit prediction %v, model %v", sigmoid(eta), got)
	}
}

func TestChurnPenaltyShrinks(t *testing.T) {
	x, y, _ := simulateChurn(2000, 3)
	var prev float64 = math.Inf(1)
	for _, l2 := range []float64{0, 10, 100, 1000} {
		m, err := Fit(context.Background(), churnTruth.names, x, y, FitOpts{L2: l2})
		if err != nil {
			t.Fatal(err)
		}
		norm := 0.0
		for _, b := range m.Coef {
			norm += b * b
		}
		if !(norm < prev) {
			t.Errorf("L2 %v: |β|² %v did not shrink from %v", l2, norm, prev)
		}
		prev = norm
	}
}

// trueAUC is the population AUC of the true probabilities: a row of
// probability p is a positive with weight p and a negative with weight
// 1−p, so the AUC is computed without label noise.
func trueAUC(prob []float64) float64 {
	s := append([]float64(nil), prob...)
	sort.Float64s(s)
	var negBelow, pos, neg, num float64
	for i := 0; i < len(s); {
		j := i
		var tiePos, tieNeg float64
		for j < len(s) && s[j] == s[i] {
			tiePos += s[j]
			tieNeg += 1 - s[j]
			j++
		}
		num += tiePos*negBelow + 0.5*tiePos*tieNeg
		negBelow += tieNeg
		pos += tiePos
		neg += tieNeg
		i = j
	}
	return num / (pos * neg)
}

func TestChurnCrossValidatedAUCMatchesTruth(t *testing.T) {
	_, _, bigProb := simulateChurn(400000, 4)
	want := trueAUC(bigProb)
	if want < 0.7 || want > 0.9 {
		t.Fatalf("the simulation's true AUC %v is not the informative-but-noisy case meant", want)
	}
	x, y, _ := simulateChurn(6000, 5)
	res, err := CrossValidate(context.Background(), churnTruth.names, x, y, CVOpts{Folds: 5, Seed: 1, Fit: FitOpts{L2: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("true AUC %.4f; cross-validated mean %.4f (sd %.4f), pooled %.4f", want, res.MeanAUC, res.SDAUC, res.PooledAUC)
	// The sampling error of an AUC on 1,200 rows is about 0.015; the
	// mean of five folds about 0.007.
	if math.Abs(res.MeanAUC-want) > 0.025 {
		t.Errorf("cross-validated AUC %v, true %v", res.MeanAUC, want)
	}
	if len(res.Folds) != 5 {
		t.Fatalf("%d folds", len(res.Folds))
	}
	for _, f := range res.Folds {
		if f.Test < 1150 || f.Test > 1250 || f.Train+f.Test != 6000 {
			t.Errorf("fold %+v", f)
		}
	}
	// A calibrated model's deciles: observed rates near the predictions,
	// rising from the first to the last.
	if len(res.Calibration) != 10 {
		t.Fatalf("%d calibration bins", len(res.Calibration))
	}
	total := 0
	for _, b := range res.Calibration {
		total += b.Count
		if math.Abs(b.Observed-b.MeanPredicted) > 0.08 {
			t.Errorf("bin %+v: observed far from predicted", b)
		}
	}
	if total != 6000 {
		t.Errorf("calibration counts %d rows", total)
	}
	if first, last := res.Calibration[0], res.Calibration[9]; !(last.Observed > first.Observed+0.3) {
		t.Errorf("first decile observed %v, last %v", first.Observed, last.Observed)
	}
	// Same seed, same folds, same figures.
	again, err := CrossValidate(context.Background(), churnTruth.names, x, y, CVOpts{Folds: 5, Seed: 1, Fit: FitOpts{L2: 1}})
	if err != nil || again.MeanAUC != res.MeanAUC {
		t.Errorf("rerun gave %v (%v), want %v", again.MeanAUC, err, res.MeanAUC)
	}
}

func TestChurnAUC(t *testing.T) {
	for _, tc := range []struct {
		name   string
		scores []float64
		y      []bool
		want   float64
	}{
		{"textbook", []float64{0.1, 0.4, 0.35, 0.8}, []bool{false, false, true, true}, 0.75},
		{"perfect", []float64{1, 2, 3, 4}, []bool{false, false, true, true}, 1},
		{"reversed", []float64{4, 3, 2, 1}, []bool{false, false, true, true}, 0},
		{"all tied", []float64{0.5, 0.5, 0.5, 0.5}, []bool{true, false, true, false}, 0.5},
		// Pairs (pos, neg): (2,1)=1, (2,2)=½, (3,1)=1, (3,2)=1 → 3.5/4.
		{"one tie across classes", []float64{1, 2, 2, 3}, []bool{false, true, false, true}, 0.875},
		// Positives 0.2, 0.7, 0.7; negatives 0.2, 0.7, 0.1:
		// 0.2: vs 0.2 ½, vs 0.7 0, vs 0.1 1 → 1.5; each 0.7: ½ + 1 + 1 → 2.5.
		{"ties in both", []float64{0.2, 0.7, 0.7, 0.2, 0.7, 0.1}, []bool{true, true, true, false, false, false}, 6.5 / 9},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := AUC(tc.scores, tc.y)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("AUC %v, want %v", got, tc.want)
			}
		})
	}
	if _, err := AUC([]float64{1, 2}, []bool{true, true}); err == nil {
		t.Error("AUC of one class: no error")
	}
	if _, err := AUC([]float64{1, math.NaN()}, []bool{true, false}); err == nil {
		t.Error("AUC with NaN: no error")
	}
}

func TestChurnCalibrationAndAccuracy(t *testing.T) {
	p := []float64{0.9, 0.1, 0.2, 0.8, 0.6, 0.4}
	y := []bool{true, false, true, true, false, false}
	if got := Accuracy(p, y); math.Abs(got-4.0/6) > 1e-12 {
		t.Errorf("accuracy %v, want 4/6", got)
	}
	bins := Calibration(p, y, 3)
	want := []CalibrationBin{
		{Count: 2, Low: 0.1, High: 0.2, MeanPredicted: 0.15, Observed: 0.5},
		{Count: 2, Low: 0.4, High: 0.6, MeanPredicted: 0.5, Observed: 0},
		{Count: 2, Low: 0.8, High: 0.9, MeanPredicted: 0.85, Observed: 1},
	}
	for i := range want {
		g := bins[i]
		if g.Count != want[i].Count || g.Low != want[i].Low || g.High != want[i].High ||
			math.Abs(g.MeanPredicted-want[i].MeanPredicted) > 1e-12 || g.Observed != want[i].Observed {
			t.Errorf("bin %d: %+v, want %+v", i, g, want[i])
		}
	}
}

func TestChurnStratifiedFolds(t *testing.T) {
	y := make([]bool, 103)
	for i := range 23 {
		y[i*4] = true
	}
	folds, err := StratifiedFolds(y, 5, 9)
	if err != nil {
		t.Fatal(err)
	}
	var size, pos [5]int
	for i, f := range folds {
		size[f]++
		if y[i] {
			pos[f]++
		}
	}
	for f := range 5 {
		if size[f] < 20 || size[f] > 21 || pos[f] < 4 || pos[f] > 5 {
			t.Errorf("fold %d: %d rows, %d positives", f, size[f], pos[f])
		}
	}
	other, _ := StratifiedFolds(y, 5, 10)
	same := 0
	for i := range folds {
		if folds[i] == other[i] {
			same++
		}
	}
	if same == len(folds) {
		t.Error("a different seed gave the same folds")
	}
	if _, err := StratifiedFolds(y[:8], 5, 1); !errors.Is(err, ErrData) {
		t.Errorf("too few positives for 5 folds: %v", err)
	}
}

func TestChurnExplain(t *testing.T) {
	x, y, _ := simulateChurn(3000, 6)
	m, err := Fit(context.Background(), churnTruth.names, x, y, FitOpts{L2: 1})
	if err != nil {
		t.Fatal(err)
	}
	row := []float64{2.5, 50, 0, math.NaN()}
	all := m.Explain(row, 10)
	// The contributions add up to the prediction's log-odds.
	sum := m.Intercept
	for _, c := range all {
		sum += c.LogOdds
	}
	if got := m.Predict(row); math.Abs(sigmoid(sum)-got) > 1e-12 {
		t.Errorf("contributions give %v, prediction %v", sigmoid(sum), got)
	}
	top := m.Explain(row, 1)
	if len(top) != 1 || top[0].Feature != "a" || !(top[0].LogOdds > 1.5) {
		t.Errorf("top reason %+v, want feature a raising the risk", top)
	}
	for _, c := range all {
		if c.Feature == "noise" {
			t.Errorf("a missing value contributes: %+v", c)
		}
	}
	coefs := m.TopCoefficients(2)
	if coefs[0].Feature != "a" || coefs[1].Feature != "b" {
		t.Errorf("largest standardised coefficients %+v, want a then b", coefs)
	}
}

func TestChurnFitErrors(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		x    []float64
		y    []bool
		l2   float64
	}{
		{"no rows", nil, nil, 1},
		{"one class", []float64{1, 2, 3}, []bool{true, true, true}, 1},
		{"shape", []float64{1, 2}, []bool{true, false, true}, 1},
		{"negative penalty", []float64{1, 2}, []bool{true, false}, -1},
		{"infinite value", []float64{1, math.Inf(1)}, []bool{true, false}, 1},
		{"overflowing values", []float64{1e308, 1e308, -1e308}, []bool{true, false, true}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Fit(ctx, []string{"v"}, tc.x, tc.y, FitOpts{L2: tc.l2}); !errors.Is(err, ErrData) {
				t.Errorf("error %v, want ErrData", err)
			}
		})
	}
	// Separable data with a penalty still fits, with finite coefficients.
	m, err := Fit(ctx, []string{"v"}, []float64{1, 2, 3, 4}, []bool{false, false, true, true}, FitOpts{L2: 1})
	if err != nil || !m.Converged || math.IsInf(m.Coef[0], 0) || m.Coef[0] <= 0 {
		t.Errorf("separable data: %+v, %v", m, err)
	}
}

func TestChurnSignalFeatures(t *testing.T) {
	sigs := []Signals{
		{CustomerID: "a", RecencyDays: 10, Frequency: 4, TotalSpend: 200, HasContact: true, DaysSinceContact: 3,
			OpenComplaints: 1, HasCSAT: true, LastCSAT: 4, NPS: NPSPromoter, Transfers: 2, SLABreaches: 1, BrokenPromises: 1, ReopenedTickets: 0, Recommitments: 1},
		{CustomerID: "b", RecencyDays: 300, Frequency: 1, TotalSpend: 20, NPS: NPSDetractor},
		{CustomerID: "c", NPS: NPSPassive},
	}
	names, x, err := SignalFeatures(sigs)
	if err != nil {
		t.Fatal(err)
	}
	p := len(names)
	if p != 16 || names[0] != "recency_days" || names[15] != "recommitments" {
		t.Fatalf("names %v", names)
	}
	col := func(row int, name string) float64 {
		for j, n := range names {
			if n == name {
				return x[row*p+j]
			}
		}
		t.Fatalf("no feature %q", name)
		return 0
	}
	for _, tc := range []struct {
		row     int
		feature string
		want    float64
	}{
		{0, "days_since_contact", 3}, {0, "no_contact", 0}, {0, "last_csat", 4}, {0, "no_csat", 0},
		{0, "nps_promoter", 1}, {0, "nps_detractor", 0}, {0, "nps_unknown", 0}, {0, "transfers", 2}, {0, "recommitments", 1},
		{1, "no_contact", 1}, {1, "no_csat", 1}, {1, "nps_detractor", 1}, {1, "recency_days", 300},
		{2, "nps_promoter", 0}, {2, "nps_detractor", 0}, {2, "nps_unknown", 0},
	} {
		if got := col(tc.row, tc.feature); got != tc.want {
			t.Errorf("customer %s, %s = %v, want %v", sigs[tc.row].CustomerID, tc.feature, got, tc.want)
		}
	}
	if !math.IsNaN(col(1, "days_since_contact")) || !math.IsNaN(col(1, "last_csat")) {
		t.Error("absent contact and CSAT are not missing")
	}
	if _, _, err := SignalFeatures([]Signals{{CustomerID: "x", NPS: "fan"}}); err == nil {
		t.Error("unknown NPS group accepted")
	}
	if _, _, err := SignalFeatures([]Signals{{CustomerID: "x", TotalSpend: math.NaN()}}); err == nil {
		t.Error("NaN spend accepted")
	}

	// A model trained on the signals scores them the same way through
	// either path.
	train := simulateSignals(3000, 11)
	names, x, _ = SignalFeatures(train.signals)
	m, err := Fit(context.Background(), names, x, train.churned, FitOpts{L2: 1})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, len(train.signals))
	if err := m.ScoreSignals(train.signals, out); err != nil {
		t.Fatal(err)
	}
	for i := range out {
		if want := m.Predict(x[i*p : (i+1)*p]); out[i] != want {
			t.Fatalf("customer %d: ScoreSignals %v, Predict %v", i, out[i], want)
		}
	}
	auc, _ := AUC(out, train.churned)
	if auc < 0.7 {
		t.Errorf("in-sample AUC on the signals %v", auc)
	}
	if m.Coef[0] <= 0 {
		t.Errorf("recency lowers churn risk: %+v", m.TopCoefficients(16))
	}
	other := &Model{Names: []string{"x"}}
	if err := other.ScoreSignals(train.signals, out); err == nil {
		t.Error("a model of other features scored signals")
	}
}

// signalSim is a population of customers' signals with churn drawn from
// a known model.
type signalSim struct {
	signals []Signals
	churned []bool
}

func simulateSignals(n int, seed uint64) signalSim {
	rng := rand.New(rand.NewPCG(seed, 3))
	sim := signalSim{signals: make([]Signals, n), churned: make([]bool, n)}
	for i := range n {
		s := Signals{
			CustomerID:      "c",
			RecencyDays:     math.Floor(rng.ExpFloat64() * 90),
			Frequency:       float64(1 + rng.IntN(20)),
			OpenComplaints:  rng.IntN(3),
			Transfers:       rng.IntN(4),
			SLABreaches:     rng.IntN(3),
			BrokenPromises:  rng.IntN(2),
			ReopenedTickets: rng.IntN(2),
			Recommitments:   rng.IntN(2),
			NPS:             []NPSGroup{NPSUnknown, NPSPromoter, NPSPassive, NPSDetractor}[rng.IntN(4)],
		}
		s.TotalSpend = s.Frequency * (20 + 30*rng.Float64())
		if rng.Float64() < 0.7 {
			s.HasContact, s.DaysSinceContact = true, math.Floor(rng.Float64()*200)
		}
		if rng.Float64() < 0.5 {
			s.HasCSAT, s.LastCSAT = true, float64(1+rng.IntN(5))
		}
		eta := -2 + 0.02*s.RecencyDays - 0.1*s.Frequency + 0.6*float64(s.OpenComplaints) + 0.3*float64(s.SLABreaches) - 0.8*float64(s.Recommitments)
		if s.NPS == NPSDetractor {
			eta += 0.7
		}
		sim.signals[i] = s
		sim.churned[i] = rng.Float64() < sigmoid(eta)
	}
	return sim
}

func TestChurnLabel(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC).AddDate(0, 0, d) }
	ref := day(0)
	window := 90 * 24 * time.Hour
	now := day(120)
	for _, tc := range []struct {
		name      string
		purchases []time.Time
		want      Outcome
	}{
		{"bought before, and again in the window", []time.Time{day(-30), day(45)}, Retained},
		{"bought before, nothing since", []time.Time{day(-30), day(-5)}, Churned},
		{"bought only after the window", []time.Time{day(-30), day(100)}, Churned},
		{"purchase exactly at the window's end counts", []time.Time{day(-1), day(90)}, Retained},
		{"purchase exactly at the reference date is before", []time.Time{day(0)}, Churned},
		{"first purchase after the reference date", []time.Time{day(10), day(20)}, NotACustomer},
		{"no purchases", nil, NotACustomer},
		{"unsorted times", []time.Time{day(60), day(-200)}, Retained},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Label(tc.purchases, ref, window, now)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("outcome %v, want %v", got, tc.want)
			}
		})
	}
	if _, err := Label([]time.Time{day(-1)}, ref, window, day(60)); !errors.Is(err, ErrWindowOpen) {
		t.Errorf("open window: %v", err)
	}
	if _, err := Label(nil, ref, 0, now); err == nil {
		t.Error("zero window accepted")
	}
	labels, err := Labels(map[string][]time.Time{
		"kept": {day(-10), day(10)}, "gone": {day(-10)}, "new": {day(5)}, "flagged": {day(-10), day(10)},
	}, map[string]bool{"flagged": true}, ref, window, now)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"kept": false, "gone": true, "flagged": true}
	if len(labels) != len(want) {
		t.Errorf("labels %v, want %v", labels, want)
	}
	for id, w := range want {
		if got, ok := labels[id]; !ok || got != w {
			t.Errorf("%s: %v (%v), want %v", id, got, ok, w)
		}
	}
}

func TestChurnRaising(t *testing.T) {
	// Two features: a (more raises the risk) and b (more lowers it), both
	// standardised around 10 with a scale of 2.
	m := &Model{Names: []string{"a", "b"}, Coef: []float64{1, -2}, Mean: []float64{10, 10}, Scale: []float64{2, 2}}
	tests := []struct {
		name string
		row  []float64
		k    int
		want []string
	}{
		{name: "only what raises the risk", row: []float64{14, 16}, k: 3, want: []string{"a"}},
		{name: "largest first", row: []float64{12, 2}, k: 3, want: []string{"b", "a"}},
		{name: "at most k", row: []float64{12, 2}, k: 1, want: []string{"b"}},
		{name: "nothing raises it", row: []float64{6, 16}, k: 3, want: nil},
		{name: "average customer", row: []float64{10, 10}, k: 3, want: nil},
		{name: "missing value", row: []float64{math.NaN(), 2}, k: 3, want: []string{"b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := m.Raising(tc.row, tc.k)
			var names []string
			for _, c := range got {
				if !(c.LogOdds > 0) {
					t.Errorf("reason %+v does not raise the risk", c)
				}
				names = append(names, c.Feature)
			}
			if !slices.Equal(names, tc.want) {
				t.Errorf("reasons %v, want %v", names, tc.want)
			}
		})
	}
}

func TestParseReasonsKeepsWhatRaisesTheRisk(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Reason
	}{
		{name: "lowering left out", in: `[{"feature":"open_complaints","contribution":0.9},{"feature":"recency_days","contribution":-0.3},{"feature":"orders","log_odds":0.2}]`,
			want: []Reason{{Feature: "open_complaints", Contribution: 0.9}, {Feature: "orders", Contribution: 0.2}}},
		{name: "only lowering", in: `[{"feature":"recency_days","contribution":-0.3}]`, want: nil},
		{name: "names without numbers", in: `["recency"]`, want: []Reason{{Feature: "recency"}}},
		{name: "empty", in: ``, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ParseReasons(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("ParseReasons(%s) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
}
