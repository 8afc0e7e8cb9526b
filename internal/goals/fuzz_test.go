package goals_test

import (
	"errors"
	"math"
	"testing"

	"github.com/rapport/rapport/internal/goals"
	"github.com/rapport/rapport/internal/valid"
)

func TestParseTarget(t *testing.T) {
	tests := []struct {
		name   string
		metric goals.Metric
		in     string
		want   float64
		ok     bool
	}{
		{"whole", goals.FRTBusiness, "36", 36, true},
		{"minutes", goals.FRTBusiness, " 36 min ", 36, true},
		{"comma", goals.CSAT, "85,5", 85.5, true},
		{"per cent", goals.CSAT, "90 %", 90, true},
		{"negative nps", goals.NPS, "-14", -14, true},
		{"decimals", goals.Transfers, "0.25", 0.25, true},
		{"empty", goals.CSAT, "  ", 0, false},
		{"words", goals.CSAT, "ninety", 0, false},
		{"exponent", goals.Solved, "1e3", 0, false},
		{"hex", goals.Solved, "0x10", 0, false},
		{"above range", goals.CSAT, "101", 0, false},
		{"below range", goals.NPS, "-101", 0, false},
		{"infinite", goals.Solved, "Inf", 0, false},
		{"unknown metric", "speed", "1", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := goals.ParseTarget(tc.metric, tc.in)
			if tc.ok != (err == nil) || got != tc.want {
				t.Fatalf("ParseTarget(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
			}
			if err != nil && !errors.As(err, new(valid.Errors)) {
				t.Errorf("error %v is not a validation error", err)
			}
		})
	}
}

// FuzzParseTarget checks that any input gives a target in the metric's
// range or a validation error, never a panic.
func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"36", "85,5 %", "-14", "0.25", "", "1e9", "NaN", "12 min"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, m := range goals.Metrics {
			v, err := goals.ParseTarget(m, s)
			if err != nil {
				if !errors.As(err, new(valid.Errors)) {
					t.Fatalf("%s %q: %v is not a validation error", m, s, err)
				}
				continue
			}
			sp := goals.Specs[m]
			if math.IsNaN(v) || v < sp.Min || v > sp.Max {
				t.Fatalf("%s %q: %v out of range", m, s, v)
			}
		}
	})
}
