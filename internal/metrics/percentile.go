package metrics

import "sort"

// Durations are kept in histograms rather than one by one, so that a
// percentile over a million tickets reads a few thousand rows.
//
// Resolution: a duration is rounded down to whole seconds and then, from
// 100 s up, to the step of its decade at or below it (steps), each step
// at most 10 % above the one before: 125 s → 120 s, 4,321 s → 4,200 s,
// 98,765 s → 94,000 s. A reported percentile is the bucket value, so it is
// exact below 100 s and less than 1/11 (9.1 %) low above: the same bound
// as the two significant digits the buckets had before (100–110 s was one
// bucket then too), with 29 buckets a decade instead of 90, so a busy day
// keeps about a third of the histogram rows.
//
// Every step is a two-digit number, so each bucket of two significant
// digits lies inside one step: bucketOf of such an older bucket's value is
// the bucket its durations now have. Reads put every row's bucket through
// bucketOf (histogram.add), so rows written before (see rebucket.go) count
// exactly as if rewritten.
//
// Method: nearest rank. Of N values sorted ascending, the p-th percentile
// is the value of rank ceil(p/100 · N) (1-based): the smallest value with
// at least p % of the values at or below it. It is always one of the
// values (no interpolation), so both databases give the same answer from
// the same integer counts.

// steps are the bucket values of a decade, as two-digit mantissas: from 10
// on, each the largest whole number at most 10 % above the one before.
var steps = [...]int64{10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 22, 24, 26, 28, 30, 33, 36, 39, 42, 46, 50, 55, 60, 66, 72, 79, 86, 94}

// stepOf maps a two-digit mantissa (10–99) to its step.
var stepOf = func() [100]int64 {
	var out [100]int64
	i := 0
	for m := int64(10); m < 100; m++ {
		for i+1 < len(steps) && steps[i+1] <= m {
			i++
		}
		out[m] = steps[i]
	}
	return out
}()

// bucketOf is the histogram bucket of a duration in milliseconds: the
// bucket's own value, in milliseconds.
func bucketOf(ms int64) int64 {
	if ms < 0 {
		ms = 0
	}
	s := ms / 1000
	if s < 100 {
		return s * 1000
	}
	p := int64(1)
	for s/p >= 100 {
		p *= 10
	}
	return stepOf[s/p] * p * 1000
}

// histogram counts durations by bucket (milliseconds).
type histogram map[int64]int64

// add counts n durations in bucket, or in the bucket that holds it: a
// row written with the finer buckets of before counts in its step.
func (h histogram) add(bucket, n int64) { h[bucketOf(bucket)] += n }

// total is the number of values in h.
func (h histogram) total() int64 {
	var n int64
	for _, c := range h {
		n += c
	}
	return n
}

// percentile is the nearest-rank p-th percentile (0 < p ≤ 100) of h in
// seconds, no data for an empty histogram.
func (h histogram) percentile(p int) Value {
	n := h.total()
	if n <= 0 {
		return Value{}
	}
	rank := (int64(p)*n + 99) / 100 // ceil(p·n/100) in integers
	if rank < 1 {
		rank = 1
	}
	keys := make([]int64, 0, len(h))
	for k, c := range h {
		if c > 0 {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	var seen int64
	for _, k := range keys {
		seen += h[k]
		if seen >= rank {
			return Of(float64(k) / 1000)
		}
	}
	return Of(float64(keys[len(keys)-1]) / 1000)
}

// durations summarises h.
func (h histogram) durations() Durations {
	return Durations{N: h.total(), Median: h.percentile(50), P90: h.percentile(90)}
}
