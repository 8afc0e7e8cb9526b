package goals

import (
	"math"
	"strconv"
	"strings"

	"github.com/rapport/rapport/internal/valid"
)

// ParseTarget reads a target as a manager types it for metric m: a number
// with a point or a comma for decimals ("36", "36,5", "0.4"), optionally
// followed by a per cent sign or the word "min". It must lie in m's range.
func ParseTarget(m Metric, s string) (float64, error) {
	sp, ok := Specs[m]
	if !ok {
		return 0, valid.Field("metric", valid.Msg("valid.unknown_metric", "is not a known metric"))
	}
	t := strings.TrimSpace(s)
	t = strings.TrimSpace(strings.TrimSuffix(t, "%"))
	t = strings.TrimSpace(strings.TrimSuffix(strings.ToLower(t), "min"))
	t = strings.Replace(t, ",", ".", 1)
	if t == "" {
		return 0, valid.Field("target", valid.Msg("valid.required", "is required"))
	}
	if len(t) > 32 || strings.ContainsAny(t, "eEpPxX_") {
		return 0, valid.Field("target", valid.Msg("valid.not_number", "is not a number"))
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, valid.Field("target", valid.Msg("valid.not_number", "is not a number"))
	}
	if v < sp.Min || v > sp.Max {
		return 0, valid.Field("target", valid.Msg("valid.range", "must be from %g to %g", sp.Min, sp.Max))
	}
	return v, nil
}
