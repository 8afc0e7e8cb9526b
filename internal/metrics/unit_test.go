package metrics

import (
	"database/sql"
	"net/url"
	"reflect"
	"testing"
	"time"
)

func TestBucketOf(t *testing.T) {
	tests := []struct {
		name string
		ms   int64
		want int64
	}{
		{"negative is zero", -5, 0},
		{"under a second", 999, 0},
		{"seconds below 100 are exact", 99_999, 99_000},
		{"a step from 100 s", 125_000, 120_000},
		{"thousands", 4_321_000, 4_200_000},
		{"boundary stays", 7_200_000, 7_200_000},
		{"just under a step", 6_599_999, 6_000_000},
		{"top of a decade", 99_999_000, 94_000_000},
		{"tens of thousands", 149_400_000, 140_000_000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := bucketOf(tc.ms); got != tc.want {
				t.Errorf("bucketOf(%d) = %d, want %d", tc.ms, got, tc.want)
			}
		})
	}
}

// TestBucketError: from 100 s up a bucket is less than 1/11 (9.1 %) below
// every duration in it, and below 100 s it is the whole second; a decade
// has 29 buckets.
func TestBucketError(t *testing.T) {
	seen := map[int64]bool{}
	for s := int64(0); s < 2_000_000; s += 1 + s/500 {
		for _, ms := range []int64{s * 1000, s*1000 + 999} {
			b := bucketOf(ms)
			if b > ms {
				t.Fatalf("bucketOf(%d) = %d, above the duration", ms, b)
			}
			if s < 100 && b != s*1000 {
				t.Fatalf("bucketOf(%d) = %d, want the whole second", ms, b)
			}
			if s >= 100 && 11*(ms-b) >= ms {
				t.Fatalf("bucketOf(%d) = %d: %.1f %% low", ms, b, 100*float64(ms-b)/float64(ms))
			}
			if bucketOf(b) != b {
				t.Fatalf("bucketOf(%d) = %d, not its own bucket", b, bucketOf(b))
			}
			if s >= 1000 && s < 10_000 {
				seen[b] = true
			}
		}
	}
	if len(seen) != 29 {
		t.Errorf("%d buckets in 1,000–10,000 s, want 29", len(seen))
	}
}

// TestBucketOfFinerBuckets: every bucket of two significant digits of
// seconds (the buckets before the steps) lies inside one step, so a row
// written then counts in the step its durations have now.
func TestBucketOfFinerBuckets(t *testing.T) {
	for p := int64(1); p <= 1_000_000; p *= 10 {
		for m := int64(10); m < 100; m++ {
			first, last := m*p*1000, (m+1)*p*1000-1
			if bucketOf(first) != bucketOf(last) {
				t.Errorf("old bucket %d s–%d s spans steps %d and %d", m*p, (m+1)*p, bucketOf(first), bucketOf(last))
			}
		}
	}
	h := histogram{}
	h.add(4_300_000, 2) // an old bucket: 4,300 s
	h.add(4_200_000, 1)
	h.add(4_500_000, -1) // a change retracted from its step since
	if len(h) != 1 || h[4_200_000] != 2 {
		t.Errorf("histogram %v, want 4,200 s × 2", h)
	}
}

func TestPercentileNearestRank(t *testing.T) {
	h := histogram{}
	for _, s := range []int64{10, 20, 30, 40, 50, 60, 70, 80, 90, 95} {
		h.add(bucketOf(s*1000), 1)
	}
	tests := []struct {
		name string
		p    int
		want float64
	}{
		// N = 10: rank ceil(p·10/100).
		{"median rank 5", 50, 50},
		{"p90 rank 9", 90, 90},
		{"p91 rank 10", 91, 95},
		{"p1 rank 1", 1, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.percentile(tc.p); !got.Valid || got.V != tc.want {
				t.Errorf("percentile(%d) = %+v, want %v", tc.p, got, tc.want)
			}
		})
	}
	if got := (histogram{}).percentile(50); got.Valid {
		t.Errorf("empty histogram gives %+v, want no data", got)
	}
}

func TestParseFilter(t *testing.T) {
	now := time.Date(2026, 3, 8, 15, 4, 0, 0, time.UTC)
	d := func(m time.Month, day int) time.Time { return time.Date(2026, m, day, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name       string
		query      string
		from, to   time.Time
		badFields  []string
		team, agnt int64
	}{
		{"default 30 days", "", d(2, 7), d(3, 9), nil, 0, 0},
		{"7 days", "period=7&team=3&agent=4", d(3, 2), d(3, 9), nil, 3, 4},
		{"custom", "period=custom&from=2026-02-01&to=2026-02-28", d(2, 1), d(3, 1), nil, 0, 0},
		{"from alone runs to today", "from=2026-03-01", d(3, 1), d(3, 9), nil, 0, 0},
		{"bad period", "period=12", time.Time{}, time.Time{}, []string{"period"}, 0, 0},
		{"bad everything", "period=custom&from=1st&to=x&team=-1&agent=a&channel=fax&language=English!",
			time.Time{}, time.Time{}, []string{"from", "to", "team", "agent"}, 0, 0},
		{"to before from", "period=custom&from=2026-03-05&to=2026-03-01", time.Time{}, time.Time{}, []string{"to"}, 0, 0},
		{"too long", "period=custom&from=2024-01-01&to=2026-01-01", time.Time{}, time.Time{}, []string{"to"}, 0, 0},
		{"bad channel and language", "channel=fax&language=English!", time.Time{}, time.Time{}, []string{"channel", "language"}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, _ := url.ParseQuery(tc.query)
			f, err := ParseFilter(q, now, time.UTC)
			if len(tc.badFields) > 0 {
				errs, ok := err.(interface{ Error() string })
				if !ok || err == nil {
					t.Fatalf("no error, filter %+v", f)
				}
				for _, field := range tc.badFields {
					if !contains(errs.Error(), field+":") {
						t.Errorf("error %q does not name %s", err, field)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !f.From.Equal(tc.from) || !f.To.Equal(tc.to) || f.TeamID != tc.team || f.AgentID != tc.agnt {
				t.Errorf("got %+v", f)
			}
			back, err := ParseFilter(f.Query(), now, time.UTC)
			if err != nil || back != f {
				t.Errorf("Query round trip: %+v, %v; want %+v", back, err, f)
			}
		})
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// FuzzParseFilter: any query string gives a valid filter or an error, never
// a panic, and a filter it accepts survives a round trip.
func FuzzParseFilter(f *testing.F) {
	f.Add("period=30")
	f.Add("period=custom&from=2026-02-01&to=2026-02-28&team=1&agent=2&channel=phone&language=it")
	f.Add("from=9999-12-31&to=0001-01-01")
	f.Add("period=custom&from=2026-10-25&to=2026-10-25")
	now := time.Date(2026, 3, 8, 15, 4, 0, 0, time.UTC)
	var zones []*time.Location
	for _, name := range []string{"UTC", "Europe/Rome", "Asia/Tokyo", "America/New_York"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			f.Fatal(err)
		}
		zones = append(zones, loc)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		for _, loc := range zones {
			flt, err := ParseFilter(q, now, loc)
			if err != nil {
				continue
			}
			if verr := flt.Validate(loc); verr != nil {
				t.Fatalf("accepted an invalid filter %+v in %s: %v", flt, loc, verr)
			}
			back, err := ParseFilter(flt.Query(), now, loc)
			if err != nil || back != flt {
				t.Fatalf("round trip of %q in %s: %+v, %v; want %+v", raw, loc, back, err, flt)
			}
		}
	})
}

// TestSpans: a period reads its whole Monday-to-Sunday weeks from the
// week rollups and only the days around them from the day rollups; with
// no whole week, or without the week rollups, days alone.
func TestSpans(t *testing.T) {
	mon := civil(2026, 3, 2) // a Monday
	wk := weekOfDay(mon)
	for _, tc := range []struct {
		name     string
		from, to int64
		weeks    bool
		want     []span
	}{
		{"one whole week", mon, mon + 7, true, []span{{true, wk, wk + 1}}},
		{"edges on both sides", mon - 2, mon + 16, true, []span{{false, mon - 2, mon}, {true, wk, wk + 2}, {false, mon + 14, mon + 16}}},
		{"six days, no whole week", mon + 1, mon + 7, true, []span{{false, mon + 1, mon + 7}}},
		{"thirteen days from a Tuesday", mon + 1, mon + 14, true, []span{{false, mon + 1, mon + 7}, {true, wk + 1, wk + 2}}},
		{"weeks not ready", mon, mon + 28, false, []span{{false, mon, mon + 28}}},
		{"one day", mon + 3, mon + 4, true, []span{{false, mon + 3, mon + 4}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := spans(tc.from, tc.to, tc.weeks)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("spans(%d, %d) = %v, want %v", tc.from, tc.to, got, tc.want)
			}
			// The spans cover [from, to) exactly once, in order.
			at := tc.from
			for _, sp := range got {
				from, to := sp.From, sp.To
				if sp.Week {
					from, to = weekStartDay(sp.From), weekStartDay(sp.To)
				}
				if from != at || to <= from {
					t.Errorf("span %v does not follow day %d", sp, at)
				}
				at = to
			}
			if at != tc.to {
				t.Errorf("spans end at %d, want %d", at, tc.to)
			}
		})
	}
}

// TestColumns: execRows's rows become one typed slice a column for
// PostgreSQL's unnest, NULL where a sql.NullInt64 is not valid, and a
// column whose types differ from row to row is an error, not a panic.
func TestColumns(t *testing.T) {
	seven := int64(7)
	tests := []struct {
		name    string
		rows    [][]any
		want    []any
		wantErr bool
	}{
		{"one row", [][]any{{int64(1), "all", sql.NullInt64{Int64: 7, Valid: true}}},
			[]any{[]int64{1}, []string{"all"}, []*int64{&seven}}, false},
		{"nulls", [][]any{{sql.NullInt64{}, "x"}, {sql.NullInt64{Int64: 7, Valid: true}, "y"}},
			[]any{[]*int64{nil, &seven}, []string{"x", "y"}}, false},
		{"mixed types", [][]any{{int64(1)}, {"1"}}, nil, true},
		{"unknown type", [][]any{{1.5}}, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := columns(tc.rows)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err %v, want error %v", err, tc.wantErr)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("columns = %#v, want %#v", got, tc.want)
			}
		})
	}
}
