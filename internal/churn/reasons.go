package churn

import "encoding/json"

// Reason is one of the largest contributions to a churn risk, as the
// churn model writes them to customer_values.churn_reasons: a JSON array of
// {"feature": name, "contribution": number} (plain strings are read as
// features without a number).
type Reason struct {
	Feature      string  `json:"feature"`
	Contribution float64 `json:"contribution"`
}

// ParseReasons reads a churn_reasons column, tolerating what it
// cannot read (the reasons are an explanation, not a figure to lose a
// page over). Only what raises the risk is a reason: contributions that
// lower it, as scores written before the model kept them out hold, are
// left out.
func ParseReasons(s string) []Reason {
	if s == "" {
		return nil
	}
	// The churn model may name the contribution log_odds.
	var raw []struct {
		Feature      string   `json:"feature"`
		Contribution *float64 `json:"contribution"`
		LogOdds      *float64 `json:"log_odds"`
	}
	var out []Reason
	if err := json.Unmarshal([]byte(s), &raw); err == nil {
		for _, r := range raw {
			c := Reason{Feature: r.Feature}
			switch {
			case r.Contribution != nil:
				c.Contribution = *r.Contribution
			case r.LogOdds != nil:
				c.Contribution = *r.LogOdds
			}
			if c.Contribution < 0 {
				continue
			}
			out = append(out, c)
		}
		return out
	}
	var names []string
	if err := json.Unmarshal([]byte(s), &names); err == nil {
		for _, n := range names {
			out = append(out, Reason{Feature: n})
		}
	}
	return out
}
