package churn

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// AUC is the area under the ROC curve of scores against labels (true =
// positive): the probability that a random positive scores above a random
// negative, ties counting one half. It is computed from the Mann-Whitney
// rank sum with mid-ranks for ties, in O(n log n).
func AUC(scores []float64, y []bool) (float64, error) {
	if len(scores) != len(y) {
		return 0, fmt.Errorf("churn: AUC of %d scores and %d labels", len(scores), len(y))
	}
	idx := make([]int, len(scores))
	for i := range idx {
		if math.IsNaN(scores[i]) {
			return 0, fmt.Errorf("churn: AUC: score %d is NaN", i)
		}
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return scores[idx[a]] < scores[idx[b]] })
	var pos, neg int
	var rankSum float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		// Ranks i+1 … j share their mean.
		mid := float64(i+1+j) / 2
		for _, k := range idx[i:j] {
			if y[k] {
				pos++
				rankSum += mid
			} else {
				neg++
			}
		}
		i = j
	}
	if pos == 0 || neg == 0 {
		return 0, fmt.Errorf("churn: AUC needs both classes (%d positive, %d negative)", pos, neg)
	}
	return (rankSum - float64(pos)*float64(pos+1)/2) / (float64(pos) * float64(neg)), nil
}

// Accuracy is the share of rows whose probability is on the side of 0.5
// their label is on (0.5 itself counts as positive).
func Accuracy(p []float64, y []bool) float64 {
	if len(p) == 0 {
		return math.NaN()
	}
	right := 0
	for i, v := range p {
		if (v >= 0.5) == y[i] {
			right++
		}
	}
	return float64(right) / float64(len(p))
}

// CalibrationBin is one group of rows with similar predicted probability.
type CalibrationBin struct {
	// Count is the number of rows in the bin.
	Count int
	// Low and High are the smallest and largest prediction in it.
	Low, High float64
	// MeanPredicted is the mean predicted probability; Observed the share
	// of rows actually positive.
	MeanPredicted, Observed float64
}

// Calibration sorts rows by predicted probability and cuts them into bins
// of (nearly) equal count — deciles for bins = 10 — giving each bin's mean
// prediction and observed rate. Rows with equal predictions may fall in
// neighbouring bins.
func Calibration(p []float64, y []bool, bins int) []CalibrationBin {
	n := len(p)
	if bins <= 0 || n == 0 {
		return nil
	}
	bins = min(bins, n)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] < p[idx[b]] })
	out := make([]CalibrationBin, bins)
	for b := range bins {
		lo, hi := b*n/bins, (b+1)*n/bins
		c := CalibrationBin{Count: hi - lo, Low: p[idx[lo]], High: p[idx[hi-1]]}
		var pos int
		for _, k := range idx[lo:hi] {
			c.MeanPredicted += p[k]
			if y[k] {
				pos++
			}
		}
		c.MeanPredicted /= float64(c.Count)
		c.Observed = float64(pos) / float64(c.Count)
		out[b] = c
	}
	return out
}

// StratifiedFolds assigns each row a fold in [0, k) so that each fold
// holds nearly the same share of positives and negatives. The assignment
// is a seeded shuffle within each class, so the same seed gives the same
// folds.
func StratifiedFolds(y []bool, k int, seed uint64) ([]int, error) {
	var pos, neg []int
	for i, v := range y {
		if v {
			pos = append(pos, i)
		} else {
			neg = append(neg, i)
		}
	}
	if k < 2 {
		return nil, fmt.Errorf("%w: %d folds, want at least 2", ErrData, k)
	}
	if len(pos) < k || len(neg) < k {
		return nil, fmt.Errorf("%w: %d folds need at least %d rows of each label, have %d positive and %d negative",
			ErrData, k, k, len(pos), len(neg))
	}
	rng := rand.New(rand.NewPCG(seed, 0x636875726e)) // "churn"
	folds := make([]int, len(y))
	// The negatives continue the round-robin where the positives stopped,
	// so that fold sizes differ by at most one.
	next := 0
	for _, class := range [][]int{pos, neg} {
		rng.Shuffle(len(class), func(a, b int) { class[a], class[b] = class[b], class[a] })
		for _, i := range class {
			folds[i] = next
			next = (next + 1) % k
		}
	}
	return folds, nil
}

// CVOpts configures CrossValidate.
type CVOpts struct {
	// Folds is k (default 5).
	Folds int
	// Seed makes the fold assignment reproducible.
	Seed uint64
	// Fit configures each fit.
	Fit FitOpts
	// Bins is the number of calibration bins (default 10).
	Bins int
}

// FoldResult is one fold's held-out performance.
type FoldResult struct {
	Fold               int
	Train, Test        int
	TestPositives      int
	AUC, Accuracy      float64
	Iterations         int
	ModelConverged     bool
	TrainLogLikelihood float64
}

// CVResult is the outcome of k-fold cross-validation.
type CVResult struct {
	Folds []FoldResult
	// MeanAUC and SDAUC summarise the fold AUCs; MeanAccuracy the fold
	// accuracies at 0.5.
	MeanAUC, SDAUC, MeanAccuracy float64
	// PooledAUC is the AUC of all out-of-fold predictions together.
	PooledAUC float64
	// Predictions are the out-of-fold probabilities, one per row.
	Predictions []float64
	// Calibration is the table of the out-of-fold predictions.
	Calibration []CalibrationBin
}

// CrossValidate fits the churn model k times, each time leaving out one
// stratified fold and predicting it.
func CrossValidate(ctx context.Context, names []string, x []float64, y []bool, opts CVOpts) (CVResult, error) {
	if opts.Folds == 0 {
		opts.Folds = 5
	}
	if opts.Bins <= 0 {
		opts.Bins = 10
	}
	p := len(names)
	if len(x) != len(y)*p {
		return CVResult{}, fmt.Errorf("%w: %d values for %d rows of %d features", ErrData, len(x), len(y), p)
	}
	folds, err := StratifiedFolds(y, opts.Folds, opts.Seed)
	if err != nil {
		return CVResult{}, err
	}
	res := CVResult{Predictions: make([]float64, len(y))}
	size := make([]int, opts.Folds)
	for _, fi := range folds {
		size[fi]++
	}
	for f := range opts.Folds {
		// Sized up front: appending would copy the training rows several times.
		ntrain := len(y) - size[f]
		trainX := make([]float64, 0, ntrain*p)
		trainY := make([]bool, 0, ntrain)
		testY := make([]bool, 0, size[f])
		test := make([]int, 0, size[f])
		for i, fi := range folds {
			if fi == f {
				test = append(test, i)
				testY = append(testY, y[i])
				continue
			}
			trainX = append(trainX, x[i*p:(i+1)*p]...)
			trainY = append(trainY, y[i])
		}
		m, err := Fit(ctx, names, trainX, trainY, opts.Fit)
		if err != nil {
			return CVResult{}, fmt.Errorf("fold %d: %w", f+1, err)
		}
		pred := make([]float64, len(test))
		for k, i := range test {
			pred[k] = m.Predict(x[i*p : (i+1)*p])
			res.Predictions[i] = pred[k]
		}
		auc, err := AUC(pred, testY)
		if err != nil {
			return CVResult{}, fmt.Errorf("fold %d: %w", f+1, err)
		}
		fr := FoldResult{Fold: f + 1, Train: len(trainY), Test: len(test), AUC: auc, Accuracy: Accuracy(pred, testY),
			Iterations: m.Iterations, ModelConverged: m.Converged, TrainLogLikelihood: m.LogLikelihood}
		for _, v := range testY {
			if v {
				fr.TestPositives++
			}
		}
		res.Folds = append(res.Folds, fr)
	}
	for _, fr := range res.Folds {
		res.MeanAUC += fr.AUC
		res.MeanAccuracy += fr.Accuracy
	}
	k := float64(len(res.Folds))
	res.MeanAUC /= k
	res.MeanAccuracy /= k
	for _, fr := range res.Folds {
		res.SDAUC += (fr.AUC - res.MeanAUC) * (fr.AUC - res.MeanAUC)
	}
	res.SDAUC = math.Sqrt(res.SDAUC / (k - 1))
	if res.PooledAUC, err = AUC(res.Predictions, y); err != nil {
		return CVResult{}, err
	}
	res.Calibration = Calibration(res.Predictions, y, opts.Bins)
	return res, nil
}
