// Package churn predicts which customers are about to stop buying: a
// penalised logistic regression trained on the business's own purchase and
// service history (signals such as days since the last purchase, open
// complaints, broken promises, the last CSAT), cross-validated, and run
// nightly by Scorer, which writes every customer's risk and its main
// reasons beside their lifetime value and lists the customers most at
// risk. ReadTable and the model also serve `rapport churn evaluate` on a
// business's own CSV table.
package churn

// Churn risk is a logistic regression with an L2 penalty on standardised
// features, fitted by Newton's method (iteratively reweighted least
// squares) with a backtracking line search.
//
// Why Newton rather than gonum's L-BFGS: the penalised negative
// log-likelihood is convex (strictly, when the penalty is positive), its
// Hessian is cheap to form for the tens of features churn models use
// (one pass over the data, O(n·p²)) and Newton converges in a handful of
// passes to machine precision, where a quasi-Newton method needs dozens of
// passes and stops at a looser tolerance. The Hessian solve uses gonum's
// Cholesky factorisation, which also tells us when the problem is
// degenerate.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// FitOpts configures Fit.
type FitOpts struct {
	// L2 is the penalty λ: the fit minimises
	// −log-likelihood + λ/2·Σβ² over the standardised coefficients β (the
	// intercept is not penalised). 0 is plain maximum likelihood, which
	// diverges on separable data; the command's default is 1.
	L2 float64
	// MaxIter bounds the Newton iterations (default 100).
	MaxIter int
}

// Model is a fitted churn model: P(churn | x) = σ(b₀ + Σ βⱼ zⱼ) with
// zⱼ = (xⱼ − Meanⱼ) / Scaleⱼ. A missing value (NaN) is taken at the
// training mean, so it contributes nothing; pair it with a missing-value
// indicator feature to let the model learn what missing means.
type Model struct {
	// Names are the features, in the column order of the rows the model
	// reads.
	Names []string
	// Mean and Scale standardise each feature: the training mean and
	// standard deviation (1 for a constant feature).
	Mean, Scale []float64
	// Intercept and Coef are on the standardised scale: Coefⱼ is the change
	// in log-odds for one standard deviation of feature j.
	Intercept float64
	Coef      []float64
	// L2 is the penalty the model was fitted with.
	L2 float64
	// Rows is the number of training rows; Positives how many were churned.
	Rows, Positives int
	// LogLikelihood is the (unpenalised) log-likelihood at the estimate.
	LogLikelihood float64
	// Iterations is the number of Newton steps taken.
	Iterations int
	// Converged reports whether the gradient reached its tolerance.
	Converged bool
}

// ErrData is returned for training data Fit cannot use.
var ErrData = errors.New("churn: bad data")

// Fit fits a churn model on n rows of features x (row-major,
// n×len(names)) and labels y (true = churned).
func Fit(ctx context.Context, names []string, x []float64, y []bool, opts FitOpts) (*Model, error) {
	p := len(names)
	n := len(y)
	switch {
	case n == 0:
		return nil, fmt.Errorf("%w: no rows", ErrData)
	case len(x) != n*p:
		return nil, fmt.Errorf("%w: %d values for %d rows of %d features", ErrData, len(x), n, p)
	case !(opts.L2 >= 0) || math.IsInf(opts.L2, 0):
		return nil, fmt.Errorf("%w: L2 penalty %v is not a non-negative number", ErrData, opts.L2)
	}
	if opts.MaxIter <= 0 {
		opts.MaxIter = 100
	}
	m := &Model{Names: slices.Clone(names), Mean: make([]float64, p), Scale: make([]float64, p),
		Coef: make([]float64, p), L2: opts.L2, Rows: n}
	for _, v := range y {
		if v {
			m.Positives++
		}
	}
	if m.Positives == 0 || m.Positives == n {
		return nil, fmt.Errorf("%w: all %d rows have the same label", ErrData, n)
	}
	if err := m.standardise(x); err != nil {
		return nil, err
	}
	z := make([]float64, n*p)
	for i := range n {
		m.zRow(x[i*p:(i+1)*p], z[i*p:(i+1)*p])
	}
	// Start from the base rate: the intercept-only maximum.
	rate := float64(m.Positives) / float64(n)
	w := make([]float64, p+1)
	w[0] = math.Log(rate / (1 - rate))
	grad := make([]float64, p+1)
	next := make([]float64, p+1)
	h := mat.NewSymDense(p+1, nil)
	var chol mat.Cholesky
	step := mat.NewVecDense(p+1, nil)
	obj := churnObjective(z, y, w, opts.L2, grad, h)
	// Tolerance on the gradient, relative to the data size.
	tol := 1e-9 * float64(n)
	for m.Iterations = 0; m.Iterations < opts.MaxIter; m.Iterations++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if floats.Norm(grad, math.Inf(1)) <= tol {
			m.Converged = true
			break
		}
		// A whisker of ridge keeps the factorisation defined when λ = 0
		// and features are collinear.
		for j := range p + 1 {
			h.SetSym(j, j, h.At(j, j)+1e-10*float64(n))
		}
		if !chol.Factorize(h) {
			return nil, fmt.Errorf("%w: the Hessian is not positive definite (collinear features with no penalty?)", ErrData)
		}
		if err := chol.SolveVecTo(step, mat.NewVecDense(p+1, grad)); err != nil {
			return nil, fmt.Errorf("%w: Newton step: %v", ErrData, err)
		}
		// Backtracking: halve the step until the objective decreases by
		// the Armijo amount.
		slope := 0.0
		for j := range grad {
			slope += grad[j] * step.AtVec(j)
		}
		t := 1.0
		improved := false
		for range 50 {
			for j := range w {
				next[j] = w[j] - t*step.AtVec(j)
			}
			if f := churnObjective(z, y, next, opts.L2, nil, nil); f <= obj-1e-4*t*slope {
				improved = true
				break
			}
			t /= 2
		}
		if !improved {
			// No descent left at machine precision: we stand at the minimum.
			m.Converged = floats.Norm(grad, math.Inf(1)) <= 1e-6*float64(n)
			break
		}
		copy(w, next)
		obj = churnObjective(z, y, w, opts.L2, grad, h)
	}
	m.Intercept = w[0]
	copy(m.Coef, w[1:])
	pen := 0.0
	for _, b := range m.Coef {
		pen += b * b
	}
	m.LogLikelihood = -(obj - opts.L2/2*pen)
	return m, nil
}

// standardise sets Mean and Scale from the finite values of each column.
func (m *Model) standardise(x []float64) error {
	p := len(m.Names)
	n := len(x) / max(p, 1)
	for j := range p {
		var sum, sq float64
		var k int
		for i := range n {
			v := x[i*p+j]
			if math.IsNaN(v) {
				continue
			}
			if math.IsInf(v, 0) {
				return fmt.Errorf("%w: row %d, feature %q is infinite", ErrData, i+1, m.Names[j])
			}
			sum += v
			k++
		}
		if k == 0 {
			m.Mean[j], m.Scale[j] = 0, 1
			continue
		}
		mean := sum / float64(k)
		for i := range n {
			if v := x[i*p+j]; !math.IsNaN(v) {
				sq += (v - mean) * (v - mean)
			}
		}
		sd := math.Sqrt(sq / float64(k))
		if math.IsInf(mean, 0) || math.IsInf(sd, 0) || math.IsNaN(sd) {
			return fmt.Errorf("%w: feature %q has values too large to standardise", ErrData, m.Names[j])
		}
		if !(sd > 1e-12*math.Max(1, math.Abs(mean))) {
			sd = 1 // constant: z is 0 everywhere and the coefficient stays 0
		}
		m.Mean[j], m.Scale[j] = mean, sd
	}
	return nil
}

// zRow standardises one row into z; a missing value becomes 0.
func (m *Model) zRow(row, z []float64) {
	for j, v := range row {
		if math.IsNaN(v) {
			z[j] = 0
			continue
		}
		z[j] = (v - m.Mean[j]) / m.Scale[j]
	}
}

// log1pExp is log(1 + eᵗ) without overflow.
func log1pExp(t float64) float64 {
	if t > 0 {
		return t + math.Log1p(math.Exp(-t))
	}
	return math.Log1p(math.Exp(t))
}

// sigmoid is 1 / (1 + e⁻ᵗ).
func sigmoid(t float64) float64 {
	if t >= 0 {
		return 1 / (1 + math.Exp(-t))
	}
	e := math.Exp(t)
	return e / (1 + e)
}

// churnObjective is the penalised negative log-likelihood at w = (b₀, β)
// on standardised rows z; it fills grad and the Hessian h when they are
// not nil.
func churnObjective(z []float64, y []bool, w []float64, l2 float64, grad []float64, h *mat.SymDense) float64 {
	p := len(w) - 1
	var f float64
	if grad != nil {
		clear(grad)
	}
	var hd []float64
	stride := 0
	if h != nil {
		raw := h.RawSymmetric()
		hd, stride = raw.Data, raw.Stride
		for j := range p + 1 {
			clear(hd[j*stride+j : j*stride+p+1])
		}
	}
	for i, yi := range y {
		row := z[i*p : (i+1)*p]
		eta := w[0]
		for j, v := range row {
			eta += w[j+1] * v
		}
		f += log1pExp(eta)
		if yi {
			f -= eta
		}
		if grad == nil && h == nil {
			continue
		}
		mu := sigmoid(eta)
		r := mu
		if yi {
			r--
		}
		if grad != nil {
			grad[0] += r
			for j, v := range row {
				grad[j+1] += r * v
			}
		}
		if h != nil {
			// Upper triangle only: index 0 is the intercept.
			wt := mu * (1 - mu)
			hd[0] += wt
			for j, v := range row {
				hd[j+1] += wt * v
			}
			for j, vj := range row {
				a := wt * vj
				off := (j+1)*stride + 1
				for k := j; k < p; k++ {
					hd[off+k] += a * row[k]
				}
			}
		}
	}
	for j := 1; j <= p; j++ {
		f += l2 / 2 * w[j] * w[j]
		if grad != nil {
			grad[j] += l2 * w[j]
		}
		if h != nil {
			hd[j*stride+j] += l2
		}
	}
	return f
}

// Predict returns the churn probability of one row of features.
func (m *Model) Predict(row []float64) float64 {
	eta := m.Intercept
	for j, v := range row {
		if math.IsNaN(v) {
			continue
		}
		eta += m.Coef[j] * (v - m.Mean[j]) / m.Scale[j]
	}
	return sigmoid(eta)
}

// PredictAll fills out with the churn probabilities of the rows of x
// (row-major, len(out) rows).
func (m *Model) PredictAll(x, out []float64) error {
	p := len(m.Names)
	if len(x) != len(out)*p {
		return fmt.Errorf("%w: %d values for %d rows of %d features", ErrData, len(x), len(out), p)
	}
	for i := range out {
		out[i] = m.Predict(x[i*p : (i+1)*p])
	}
	return nil
}

// OriginalCoefficients returns the intercept and coefficients in the
// features' own units: log-odds per unit of each feature.
func (m *Model) OriginalCoefficients() (intercept float64, coef []float64) {
	coef = make([]float64, len(m.Coef))
	intercept = m.Intercept
	for j, b := range m.Coef {
		coef[j] = b / m.Scale[j]
		intercept -= b * m.Mean[j] / m.Scale[j]
	}
	return intercept, coef
}

// Contribution is one feature's share of a prediction, in log-odds.
type Contribution struct {
	// Feature is the feature's name.
	Feature string
	// Value is the row's value (NaN when missing).
	Value float64
	// Standardised is the value in standard deviations from the mean.
	Standardised float64
	// LogOdds is coefficient × standardised value: positive raises the
	// churn risk above that of an average customer, negative lowers it.
	LogOdds float64
}

// Explain returns the k features that move the row's prediction most
// (largest |coefficient × standardised value|), largest first. Features
// that contribute nothing are left out.
func (m *Model) Explain(row []float64, k int) []Contribution {
	cs := make([]Contribution, 0, len(row))
	for j, v := range row {
		c := Contribution{Feature: m.Names[j], Value: v}
		if !math.IsNaN(v) {
			c.Standardised = (v - m.Mean[j]) / m.Scale[j]
			c.LogOdds = m.Coef[j] * c.Standardised
		}
		if c.LogOdds != 0 {
			cs = append(cs, c)
		}
	}
	sort.SliceStable(cs, func(a, b int) bool { return math.Abs(cs[a].LogOdds) > math.Abs(cs[b].LogOdds) })
	if len(cs) > k {
		cs = cs[:k]
	}
	return cs
}

// Raising returns the k features that raise the row's churn risk most
// (positive coefficient × standardised value), largest first: the reasons a
// customer is at risk. Features that lower the risk are no reasons for it,
// so a customer nothing puts at risk gets none.
func (m *Model) Raising(row []float64, k int) []Contribution {
	all := m.Explain(row, len(row))
	cs := make([]Contribution, 0, k)
	for _, c := range all {
		if c.LogOdds > 0 && len(cs) < k {
			cs = append(cs, c)
		}
	}
	return cs
}

// RankedCoefficient is a standardised coefficient with its feature name.
type RankedCoefficient struct {
	Feature string
	// Standardised is the change in log-odds per standard deviation.
	Standardised float64
	// Original is the change in log-odds per unit of the feature.
	Original float64
}

// TopCoefficients returns the k coefficients largest in absolute
// standardised size, largest first.
func (m *Model) TopCoefficients(k int) []RankedCoefficient {
	_, orig := m.OriginalCoefficients()
	rs := make([]RankedCoefficient, len(m.Coef))
	for j, b := range m.Coef {
		rs[j] = RankedCoefficient{Feature: m.Names[j], Standardised: b, Original: orig[j]}
	}
	sort.SliceStable(rs, func(a, b int) bool { return math.Abs(rs[a].Standardised) > math.Abs(rs[b].Standardised) })
	if len(rs) > k {
		rs = rs[:k]
	}
	return rs
}
