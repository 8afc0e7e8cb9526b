// Package clv estimates what customers are worth: how often they will
// buy again, whether they are still customers at all, and how much they
// spend, from nothing more than their purchase history.
//
// Repeat purchasing and dropout follow the BG/NBD model (Fader, Hardie and
// Lee, "Counting your customers the easy way", Marketing Science, 2005);
// spend per purchase follows the Gamma-Gamma model (Fader, Hardie and Lee,
// "RFM and CLV", 2005). Both are fitted by maximum likelihood with gonum's
// BFGS on the logarithms of their parameters, with analytic gradients.
//
// Service fits both on every stored purchase (the nightly refit job) and
// keeps what they say of each customer in customer_values: expected
// purchases, P(alive), lifetime value and whether the customer is a
// regular. The churn model writes its risk beside them.
package clv

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/optimize"
)

// Summary is one customer's purchase history in the form both models use.
// Times are in one unit (days or weeks) and measured from the customer's
// first purchase.
type Summary struct {
	// ID is the customer's identifier.
	ID string
	// Frequency is the number of repeat purchases: distinct purchase days
	// after the first.
	Frequency int
	// Recency is the time of the last purchase since the first; 0 when
	// Frequency is 0.
	Recency float64
	// T is the time from the first purchase to the end of the calibration
	// period.
	T float64
	// Monetary is the mean spend of the repeat purchases (the first
	// purchase is left out, as the Gamma-Gamma model asks); 0 when
	// Frequency is 0.
	Monetary float64
}

// Validate reports whether s is a history the models can use.
func (s Summary) Validate() error {
	switch {
	case s.Frequency < 0:
		return fmt.Errorf("clv: customer %q: negative frequency %d", s.ID, s.Frequency)
	case !(s.T >= 0) || math.IsInf(s.T, 0):
		return fmt.Errorf("clv: customer %q: T %v is not a finite non-negative number", s.ID, s.T)
	case !(s.Recency >= 0) || s.Recency > s.T:
		return fmt.Errorf("clv: customer %q: recency %v is not between 0 and T %v", s.ID, s.Recency, s.T)
	case s.Frequency == 0 && s.Recency != 0:
		return fmt.Errorf("clv: customer %q: recency %v without repeat purchases", s.ID, s.Recency)
	case s.Frequency > 0 && s.Recency == 0:
		return fmt.Errorf("clv: customer %q: %d repeat purchases at recency 0", s.ID, s.Frequency)
	case math.IsNaN(s.Monetary) || math.IsInf(s.Monetary, 0):
		return fmt.Errorf("clv: customer %q: monetary value %v is not finite", s.ID, s.Monetary)
	}
	return nil
}

// ErrNoData is returned when a fit has no customers it can use.
var ErrNoData = errors.New("clv: no customers to fit")

// BGNBD holds the parameters of the BG/NBD model: purchase rates are
// Gamma(R, Alpha) across customers (Alpha is a rate, in the time unit) and
// the probability of dropping out after a purchase is Beta(A, B).
type BGNBD struct {
	R, Alpha, A, B float64
}

// Fit is the outcome of a maximum-likelihood fit.
type Fit struct {
	// LogLikelihood is the total log-likelihood at the estimate.
	LogLikelihood float64
	// Customers is the number of customers the fit used.
	Customers int
	// Iterations is the optimiser's number of major iterations.
	Iterations int
	// Status is the optimiser's reason for stopping.
	Status string
}

// BGNBDFit is a fitted BG/NBD model.
type BGNBDFit struct {
	Model BGNBD
	Fit
}

// GammaGammaFit is a fitted Gamma-Gamma model.
type GammaGammaFit struct {
	Model GammaGamma
	Fit
}

// logLikelihoodOne is the BG/NBD log-likelihood of one customer, with
// its gradient with respect to (r, α, a, b) stored in grad when grad is
// not nil.
func (m BGNBD) logLikelihoodOne(x int, tx, T float64, grad []float64) float64 {
	xf := float64(x)
	lg := func(v float64) float64 { l, _ := math.Lgamma(v); return l }
	r, alpha, a, b := m.R, m.Alpha, m.A, m.B
	a1 := lg(r+xf) - lg(r) + r*math.Log(alpha)
	a2 := lg(a+b) + lg(b+xf) - lg(b) - lg(a+b+xf)
	a3 := -(r + xf) * math.Log(alpha+T)
	ll := a1 + a2 + a3
	var a4, w3, w4 float64
	w3 = 1
	if x > 0 {
		a4 = math.Log(a) - math.Log(b+xf-1) - (r+xf)*math.Log(alpha+tx)
		hi := math.Max(a3, a4)
		lse := hi + math.Log(math.Exp(a3-hi)+math.Exp(a4-hi))
		ll = a1 + a2 + lse
		w3 = math.Exp(a3 - lse)
		w4 = math.Exp(a4 - lse)
	}
	if grad == nil {
		return ll
	}
	psiAB := mathext.Digamma(a + b)
	psiABX := mathext.Digamma(a + b + xf)
	grad[0] = mathext.Digamma(r+xf) - mathext.Digamma(r) + math.Log(alpha) - w3*math.Log(alpha+T)
	grad[1] = r/alpha - w3*(r+xf)/(alpha+T)
	grad[2] = psiAB - psiABX
	grad[3] = psiAB + mathext.Digamma(b+xf) - mathext.Digamma(b) - psiABX
	if x > 0 {
		grad[0] -= w4 * math.Log(alpha+tx)
		grad[1] -= w4 * (r + xf) / (alpha + tx)
		grad[2] += w4 / a
		grad[3] -= w4 / (b + xf - 1)
	}
	return ll
}

// LogLikelihood is the total BG/NBD log-likelihood of the customers.
func (m BGNBD) LogLikelihood(customers []Summary) float64 {
	var sum float64
	for _, c := range customers {
		sum += m.logLikelihoodOne(c.Frequency, c.Recency, c.T, nil)
	}
	return sum
}

// Gradient is the gradient of LogLikelihood with respect to
// (R, Alpha, A, B).
func (m BGNBD) Gradient(customers []Summary) [4]float64 {
	var sum [4]float64
	g := make([]float64, 4)
	for _, c := range customers {
		m.logLikelihoodOne(c.Frequency, c.Recency, c.T, g)
		for i := range sum {
			sum[i] += g[i]
		}
	}
	return sum
}

// bgTerms holds the parts of the BG/NBD likelihood that depend on the
// parameters and on a customer's frequency only, so that a fit computes the
// expensive gamma and digamma functions once per distinct frequency
// instead of once per customer.
type bgTerms struct {
	a12                   float64 // A1 + A2 less r·ln α
	dr, da, db            float64 // their derivatives
	logA4                 float64 // ln a − ln(b+x−1)
	dA4a, dA4b            float64
	hasRepeat             bool
	frequency, customers  int
	firstIndex, lastIndex int
}

// bgData is a fit's view of the customers, sorted by frequency.
type bgData struct {
	x, tx, T []float64
	groups   []bgTerms
}

func newBGData(customers []Summary) bgData {
	idx := make([]int, len(customers))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(i, j int) int { return customers[i].Frequency - customers[j].Frequency })
	d := bgData{x: make([]float64, len(idx)), tx: make([]float64, len(idx)), T: make([]float64, len(idx))}
	for k, i := range idx {
		c := customers[i]
		d.x[k], d.tx[k], d.T[k] = float64(c.Frequency), c.Recency, c.T
		if k == 0 || c.Frequency != customers[idx[k-1]].Frequency {
			d.groups = append(d.groups, bgTerms{frequency: c.Frequency, firstIndex: k, hasRepeat: c.Frequency > 0})
		}
		g := &d.groups[len(d.groups)-1]
		g.lastIndex = k + 1
		g.customers++
	}
	return d
}

// logLikelihood is the total log-likelihood at p and its gradient with
// respect to (r, α, a, b), in grad.
func (d *bgData) logLikelihood(p BGNBD, grad []float64) float64 {
	r, alpha, a, b := p.R, p.Alpha, p.A, p.B
	lgR, _ := math.Lgamma(r)
	lgAB, _ := math.Lgamma(a + b)
	lgB, _ := math.Lgamma(b)
	psiR, psiAB, psiB := mathext.Digamma(r), mathext.Digamma(a+b), mathext.Digamma(b)
	logAlpha := math.Log(alpha)
	var ll float64
	clear(grad)
	for gi := range d.groups {
		g := &d.groups[gi]
		xf := float64(g.frequency)
		lgRX, _ := math.Lgamma(r + xf)
		lgBX, _ := math.Lgamma(b + xf)
		lgABX, _ := math.Lgamma(a + b + xf)
		psiABX := mathext.Digamma(a + b + xf)
		g.a12 = lgRX - lgR + lgAB + lgBX - lgB - lgABX
		g.dr = mathext.Digamma(r+xf) - psiR
		g.da = psiAB - psiABX
		g.db = psiAB + mathext.Digamma(b+xf) - psiB - psiABX
		if g.hasRepeat {
			g.logA4 = math.Log(a) - math.Log(b+xf-1)
			g.dA4a, g.dA4b = 1/a, -1/(b+xf-1)
		}
		n := float64(g.customers)
		ll += n * (g.a12 + r*logAlpha)
		grad[0] += n * (g.dr + logAlpha)
		grad[1] += n * r / alpha
		grad[2] += n * g.da
		grad[3] += n * g.db
		rx := r + xf
		for k := g.firstIndex; k < g.lastIndex; k++ {
			lT := math.Log(alpha + d.T[k])
			a3 := -rx * lT
			if !g.hasRepeat {
				ll += a3
				grad[0] -= lT
				grad[1] -= rx / (alpha + d.T[k])
				continue
			}
			lTx := math.Log(alpha + d.tx[k])
			a4 := g.logA4 - rx*lTx
			hi := math.Max(a3, a4)
			e3, e4 := math.Exp(a3-hi), math.Exp(a4-hi)
			s := e3 + e4
			ll += hi + math.Log(s)
			w3, w4 := e3/s, e4/s
			grad[0] -= w3*lT + w4*lTx
			grad[1] -= rx * (w3/(alpha+d.T[k]) + w4/(alpha+d.tx[k]))
			grad[2] += w4 * g.dA4a
			grad[3] += w4 * g.dA4b
		}
	}
	return ll
}

// FitBGNBD fits the BG/NBD model to the customers by maximum likelihood.
func FitBGNBD(ctx context.Context, customers []Summary) (BGNBDFit, error) {
	if len(customers) == 0 {
		return BGNBDFit{}, ErrNoData
	}
	var sumX, sumT float64
	for _, c := range customers {
		if err := c.Validate(); err != nil {
			return BGNBDFit{}, err
		}
		sumX += float64(c.Frequency)
		sumT += c.T
	}
	d := newBGData(customers)
	// Start at r = a = b = 1 with α matching the observed purchase rate,
	// so that the start is sensible whatever the time unit.
	alpha0 := 1.0
	if sumX > 0 && sumT > 0 {
		alpha0 = sumT / sumX
	}
	start := []float64{0, math.Log(alpha0), 0, 0}
	n := float64(len(customers))
	grad := make([]float64, 4)
	eval := func(theta []float64, g []float64) float64 {
		p := BGNBD{R: math.Exp(theta[0]), Alpha: math.Exp(theta[1]), A: math.Exp(theta[2]), B: math.Exp(theta[3])}
		ll := d.logLikelihood(p, grad)
		if g != nil {
			// Chain rule for the log parametrisation; the objective is
			// the mean negative log-likelihood so that its scale does not
			// depend on the number of customers.
			g[0] = -grad[0] * p.R / n
			g[1] = -grad[1] * p.Alpha / n
			g[2] = -grad[2] * p.A / n
			g[3] = -grad[3] * p.B / n
		}
		return -ll / n
	}
	x, fit, err := minimize(ctx, eval, start)
	if err != nil {
		return BGNBDFit{}, fmt.Errorf("clv: fit BG/NBD: %w", err)
	}
	m := BGNBD{R: math.Exp(x[0]), Alpha: math.Exp(x[1]), A: math.Exp(x[2]), B: math.Exp(x[3])}
	fit.LogLikelihood = m.LogLikelihood(customers)
	fit.Customers = len(customers)
	return BGNBDFit{Model: m, Fit: fit}, nil
}

// minimize runs BFGS on f (which fills the gradient when g is not nil),
// caching the last evaluation because gonum asks for value and gradient
// separately at the same point.
func minimize(ctx context.Context, f func(theta, g []float64) float64, start []float64) ([]float64, Fit, error) {
	dim := len(start)
	last := make([]float64, dim)
	lastG := make([]float64, dim)
	lastF := math.NaN()
	evalAt := func(theta []float64) {
		if !math.IsNaN(lastF) && slices.Equal(theta, last) {
			return
		}
		copy(last, theta)
		for _, v := range theta {
			// Beyond e^±30 the parameters are degenerate; keep the line
			// search away from overflow.
			if math.Abs(v) > 30 {
				lastF = math.Inf(1)
				clear(lastG)
				return
			}
		}
		if ctx.Err() != nil {
			lastF = math.Inf(1)
			clear(lastG)
			return
		}
		lastF = f(theta, lastG)
		if math.IsNaN(lastF) {
			lastF = math.Inf(1)
		}
	}
	prob := optimize.Problem{
		Func: func(theta []float64) float64 { evalAt(theta); return lastF },
		Grad: func(g, theta []float64) { evalAt(theta); copy(g, lastG) },
	}
	settings := &optimize.Settings{
		GradientThreshold: 1e-9,
		MajorIterations:   1000,
		Converger:         &optimize.FunctionConverge{Absolute: 1e-12, Iterations: 20},
	}
	res, err := optimize.Minimize(prob, start, settings, &optimize.BFGS{})
	if ctx.Err() != nil {
		return nil, Fit{}, ctx.Err()
	}
	if res == nil {
		return nil, Fit{}, err
	}
	if math.IsInf(res.F, 0) || math.IsNaN(res.F) {
		return nil, Fit{}, errors.New("the likelihood is not finite at the estimate")
	}
	status := res.Status.String()
	// A line search that cannot improve further ends with an error even
	// though it stands at the optimum; accept it when the gradient is small.
	if err != nil {
		if res.Gradient == nil || maxAbs(res.Gradient) > 1e-4 {
			return nil, Fit{}, err
		}
		status = fmt.Sprintf("converged (no further improvement; gradient %.1e)", maxAbs(res.Gradient))
	}
	return res.X, Fit{Iterations: res.Stats.MajorIterations, Status: status}, nil
}

func maxAbs(v []float64) float64 {
	var m float64
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	return m
}

// PAlive is the probability that a customer with this history is still
// active at the end of the calibration period. A customer without repeat
// purchases has had no chance to drop out, so it is 1.
func (m BGNBD) PAlive(s Summary) float64 {
	if s.Frequency == 0 {
		return 1
	}
	xf := float64(s.Frequency)
	logRatio := math.Log(m.A) - math.Log(m.B+xf-1) + (m.R+xf)*(math.Log(m.Alpha+s.T)-math.Log(m.Alpha+s.Recency))
	return 1 / (1 + math.Exp(logRatio))
}

// ExpectedPurchases is the expected number of purchases in the next t time
// units by a customer with this history (equation 10 of Fader, Hardie and
// Lee, 2005).
func (m BGNBD) ExpectedPurchases(t float64, s Summary) (float64, error) {
	if t < 0 {
		return 0, fmt.Errorf("clv: negative horizon %v", t)
	}
	if t == 0 {
		return 0, nil
	}
	xf := float64(s.Frequency)
	aT := m.Alpha + s.T
	rx := m.R + xf
	c := m.A + m.B + xf - 1
	f, err := Hyp2F1(rx, m.B+xf, c, t/(aT+t))
	if err != nil {
		return 0, fmt.Errorf("clv: expected purchases of %q: %w", s.ID, err)
	}
	num := c / (m.A - 1) * (1 - math.Exp(rx*math.Log(aT/(aT+t)))*f)
	den := 1.0
	if s.Frequency > 0 {
		den += m.A / (m.B + xf - 1) * math.Exp(rx*(math.Log(aT)-math.Log(m.Alpha+s.Recency)))
	}
	return num / den, nil
}

// Hyp2F1 is the Gaussian hypergeometric function ₂F₁(a, b; c; z) for
// 0 ≤ z < 1, summed as its power series. Terms are added until they no
// longer change the sum in the 15th digit; a series that has not converged
// after a million terms (z within about 1e-5 of 1 with c−a−b small) gives an
// error rather than a wrong number.
func Hyp2F1(a, b, c, z float64) (float64, error) {
	if !(z >= 0 && z < 1) {
		return 0, fmt.Errorf("hyp2f1: z = %v outside [0, 1)", z)
	}
	if c <= 0 && c == math.Floor(c) {
		return 0, fmt.Errorf("hyp2f1: c = %v is a non-positive integer", c)
	}
	const maxTerms = 1_000_000
	sum, term := 1.0, 1.0
	for n := 0.0; n < maxTerms; n++ {
		term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z
		sum += term
		if term == 0 {
			return sum, nil
		}
		// Once the ratio of successive terms is below one and the term is
		// negligible, the geometric tail bounds what is left.
		ratio := math.Abs((a + n + 1) * (b + n + 1) / ((c + n + 1) * (n + 2)) * z)
		if ratio < 1 && math.Abs(term)/(1-ratio) <= 1e-15*math.Abs(sum) {
			return sum, nil
		}
		if math.IsInf(sum, 0) || math.IsNaN(sum) {
			break
		}
	}
	return 0, fmt.Errorf("hyp2f1(%v, %v; %v; %v): series did not converge", a, b, c, z)
}

// GammaGamma holds the parameters of the Gamma-Gamma spend model: each
// purchase's value is Gamma(P, ν) for the customer's ν, and ν is
// Gamma(Q, Gamma) across customers.
type GammaGamma struct {
	P, Q, Gamma float64
}

// usableForSpend reports whether the Gamma-Gamma model can use s: it
// needs repeat purchases with a positive mean.
func usableForSpend(s Summary) bool { return s.Frequency > 0 && s.Monetary > 0 }

// logLikelihoodOne is the Gamma-Gamma log-likelihood of x repeat purchases
// with mean mx, and its gradient with respect to (p, q, γ) in grad when
// grad is not nil.
func (m GammaGamma) logLikelihoodOne(x int, mx float64, grad []float64) float64 {
	xf := float64(x)
	p, q, g := m.P, m.Q, m.Gamma
	px := p * xf
	lgPXQ, _ := math.Lgamma(px + q)
	lgPX, _ := math.Lgamma(px)
	lgQ, _ := math.Lgamma(q)
	logS := math.Log(g + xf*mx)
	ll := lgPXQ - lgPX - lgQ + q*math.Log(g) + (px-1)*math.Log(mx) + px*math.Log(xf) - (px+q)*logS
	if grad != nil {
		psiPXQ := mathext.Digamma(px + q)
		grad[0] = xf * (psiPXQ - mathext.Digamma(px) + math.Log(mx) + math.Log(xf) - logS)
		grad[1] = psiPXQ - mathext.Digamma(q) + math.Log(g) - logS
		grad[2] = q/g - (px+q)/(g+xf*mx)
	}
	return ll
}

// LogLikelihood is the total Gamma-Gamma log-likelihood of the customers
// with repeat purchases of positive mean; the others carry no information
// about spend per repeat purchase.
func (m GammaGamma) LogLikelihood(customers []Summary) float64 {
	var sum float64
	for _, c := range customers {
		if usableForSpend(c) {
			sum += m.logLikelihoodOne(c.Frequency, c.Monetary, nil)
		}
	}
	return sum
}

// Gradient is the gradient of LogLikelihood with respect to (P, Q, Gamma).
func (m GammaGamma) Gradient(customers []Summary) [3]float64 {
	var sum [3]float64
	g := make([]float64, 3)
	for _, c := range customers {
		if usableForSpend(c) {
			m.logLikelihoodOne(c.Frequency, c.Monetary, g)
			for i := range sum {
				sum[i] += g[i]
			}
		}
	}
	return sum
}

// FitGammaGamma fits the Gamma-Gamma model to the customers with repeat
// purchases of positive mean spend.
func FitGammaGamma(ctx context.Context, customers []Summary) (GammaGammaFit, error) {
	var xs []int
	var ms []float64
	var sumM float64
	for _, c := range customers {
		if err := c.Validate(); err != nil {
			return GammaGammaFit{}, err
		}
		if usableForSpend(c) {
			xs = append(xs, c.Frequency)
			ms = append(ms, c.Monetary)
			sumM += c.Monetary
		}
	}
	if len(xs) == 0 {
		return GammaGammaFit{}, ErrNoData
	}
	n := float64(len(xs))
	// p = 1, q = 2 and γ at the mean spend start with the population mean
	// pγ/(q−1) equal to the observed one.
	start := []float64{0, math.Log(2), math.Log(sumM / n)}
	g1 := make([]float64, 3)
	eval := func(theta []float64, g []float64) float64 {
		m := GammaGamma{P: math.Exp(theta[0]), Q: math.Exp(theta[1]), Gamma: math.Exp(theta[2])}
		var ll float64
		var s [3]float64
		for i, x := range xs {
			ll += m.logLikelihoodOne(x, ms[i], g1)
			s[0] += g1[0]
			s[1] += g1[1]
			s[2] += g1[2]
		}
		if g != nil {
			g[0] = -s[0] * m.P / n
			g[1] = -s[1] * m.Q / n
			g[2] = -s[2] * m.Gamma / n
		}
		return -ll / n
	}
	x, fit, err := minimize(ctx, eval, start)
	if err != nil {
		return GammaGammaFit{}, fmt.Errorf("clv: fit Gamma-Gamma: %w", err)
	}
	m := GammaGamma{P: math.Exp(x[0]), Q: math.Exp(x[1]), Gamma: math.Exp(x[2])}
	fit.LogLikelihood = m.LogLikelihood(customers)
	fit.Customers = len(xs)
	return GammaGammaFit{Model: m, Fit: fit}, nil
}

// MeanSpend is the population mean spend per purchase, pγ/(q−1); it is
// infinite when q ≤ 1.
func (m GammaGamma) MeanSpend() float64 {
	if m.Q <= 1 {
		return math.Inf(1)
	}
	return m.P * m.Gamma / (m.Q - 1)
}

// ExpectedSpend is the expected spend per purchase of a customer with
// this history: a weighted mean of the population mean and the customer's
// own. Customers without repeat purchases get the population mean.
func (m GammaGamma) ExpectedSpend(s Summary) float64 {
	if !usableForSpend(s) {
		return m.MeanSpend()
	}
	xf := float64(s.Frequency)
	return m.P * (m.Gamma + xf*s.Monetary) / (m.P*xf + m.Q - 1)
}

// Prediction is what the models say about one customer.
type Prediction struct {
	ID                string  `json:"id"`
	Frequency         int     `json:"frequency"`
	Recency           float64 `json:"recency"`
	T                 float64 `json:"T"`
	Monetary          float64 `json:"monetary"`
	ExpectedPurchases float64 `json:"expected_purchases"`
	PAlive            float64 `json:"p_alive"`
	ExpectedSpend     float64 `json:"expected_spend"`
	// ExpectedValue is ExpectedPurchases × ExpectedSpend: the undiscounted
	// value of the purchases expected within the horizon.
	ExpectedValue float64 `json:"expected_value"`
}

// Predict gives each customer's expected purchases over the horizon,
// probability of being active, expected spend per purchase and expected
// value within the horizon.
func Predict(ctx context.Context, bg BGNBD, gg GammaGamma, horizon float64, customers []Summary) ([]Prediction, error) {
	out := make([]Prediction, len(customers))
	for i, c := range customers {
		if i%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		e, err := bg.ExpectedPurchases(horizon, c)
		if err != nil {
			return nil, err
		}
		spend := gg.ExpectedSpend(c)
		out[i] = Prediction{
			ID: c.ID, Frequency: c.Frequency, Recency: c.Recency, T: c.T, Monetary: c.Monetary,
			ExpectedPurchases: e, PAlive: bg.PAlive(c), ExpectedSpend: spend, ExpectedValue: e * spend,
		}
	}
	return out, nil
}
