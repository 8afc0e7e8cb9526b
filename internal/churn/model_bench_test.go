package churn

import (
	"context"
	"runtime"
	"testing"
)

// benchChurnModel fits the churn model on 50,000 simulated customers'
// signals.
func benchChurnModel(b *testing.B) *Model {
	b.Helper()
	train := simulateSignals(50000, 21)
	names, x, err := SignalFeatures(train.signals)
	if err != nil {
		b.Fatal(err)
	}
	m, err := Fit(context.Background(), names, x, train.churned, FitOpts{L2: 1})
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// reportHeap adds the live heap after a run, inputs included, as a
// metric; callers keep their inputs alive past it.
func reportHeap(b *testing.B) {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/1e6, "MB-live-heap")
}

// BenchmarkChurnScoreSignals1M scores 1,000,000 customers straight from
// their signals: one row buffer, no feature matrix.
func BenchmarkChurnScoreSignals1M(b *testing.B) {
	m := benchChurnModel(b)
	live := simulateSignals(1000000, 22).signals
	out := make([]float64, len(live))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := m.ScoreSignals(live, out); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportHeap(b)
	runtime.KeepAlive(live)
	runtime.KeepAlive(out)
}

// BenchmarkChurnScoreMatrix1M builds the feature matrix of 1,000,000
// customers and scores it: the path of a caller that keeps the features.
func BenchmarkChurnScoreMatrix1M(b *testing.B) {
	m := benchChurnModel(b)
	live := simulateSignals(1000000, 22).signals
	out := make([]float64, len(live))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_, x, err := SignalFeatures(live)
		if err != nil {
			b.Fatal(err)
		}
		if err := m.PredictAll(x, out); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportHeap(b)
	runtime.KeepAlive(live)
	runtime.KeepAlive(out)
}

// BenchmarkChurnFit100k fits the model on 100,000 customers' signals.
func BenchmarkChurnFit100k(b *testing.B) {
	train := simulateSignals(100000, 23)
	names, x, err := SignalFeatures(train.signals)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		m, err := Fit(context.Background(), names, x, train.churned, FitOpts{L2: 1})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(m.Iterations), "newton-steps")
	}
}

// BenchmarkChurnCrossValidate100k runs 5-fold cross-validation on
// 100,000 customers.
func BenchmarkChurnCrossValidate100k(b *testing.B) {
	train := simulateSignals(100000, 24)
	names, x, err := SignalFeatures(train.signals)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := CrossValidate(context.Background(), names, x, train.churned, CVOpts{Folds: 5, Seed: 1, Fit: FitOpts{L2: 1}}); err != nil {
			b.Fatal(err)
		}
	}
}
