package metrics

import "sort"

// Durations are kept in histograms rather than one by one, so that a
// percentile over a million tickets reads a few thousand rows.
//
// Resolution: a duration is rounded down to whole seconds and then, from
// 100 s up, to two significant digits of seconds (125 s → 120 s,
// 4,321 s → 4,300 s, 98,765 s → 98,000 s). A reported percentile is the
// bucket value, so it is exact below 100 s and at most 10 % low above.
//
// Method: nearest rank. Of N values sorted ascending, the p-th percentile
// is the value of rank ceil(p/100 · N) (1-based): the smallest value with
// at least p % of the values at or below it. It is always one of the
// values (no interpolation), so both databases give the same answer from
// the same integer counts.

// bucketOf is the histogram bucket of a duration in milliseconds: the
// bucket's own value, in milliseconds.
func bucketOf(ms int64) int64 {
	if ms < 0 {
		ms = 0
	}
	s := ms / 1000
	p := int64(1)
	for s/p >= 100 {
		p *= 10
	}
	return s / p * p * 1000
}

// histogram counts durations by bucket (milliseconds).
type histogram map[int64]int64

func (h histogram) add(bucket, n int64) { h[bucket] += n }

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
