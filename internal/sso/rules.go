package sso

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/agent"
)

// Rule maps one value of the role claim to an agent role.
type Rule struct {
	Value string
	Role  agent.Role
}

// Limits of the role rules.
const (
	MaxRules     = 100
	MaxRuleValue = 200
)

// RuleError says which line of the role rules is wrong and why.
type RuleError struct {
	Line   int
	Reason string // "format", "role", "value", "count"
}

// Error names the line.
func (e *RuleError) Error() string {
	return fmt.Sprintf("role rules, line %d: %s", e.Line, e.Reason)
}

// ParseRules reads role rules as an admin writes them: one a line,
// "claim value = role" (agent, manager or admin); the value is everything
// before the last "=", trimmed. Blank lines and lines starting with # are
// skipped.
func ParseRules(text string) ([]Rule, error) {
	out := []Rule{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !utf8.ValidString(line) || strings.ContainsRune(line, 0) {
			return nil, &RuleError{Line: i + 1, Reason: "value"}
		}
		eq := strings.LastIndex(line, "=")
		if eq < 0 {
			return nil, &RuleError{Line: i + 1, Reason: "format"}
		}
		value := strings.TrimSpace(line[:eq])
		role := agent.Role(strings.ToLower(strings.TrimSpace(line[eq+1:])))
		switch {
		case value == "" || utf8.RuneCountInString(value) > MaxRuleValue:
			return nil, &RuleError{Line: i + 1, Reason: "value"}
		case !role.Valid():
			return nil, &RuleError{Line: i + 1, Reason: "role"}
		case len(out) == MaxRules:
			return nil, &RuleError{Line: i + 1, Reason: "count"}
		}
		out = append(out, Rule{Value: value, Role: role})
	}
	return out, nil
}

// FormatRules writes rules back as ParseRules reads them.
func FormatRules(rules []Rule) string {
	var b strings.Builder
	for _, r := range rules {
		fmt.Fprintf(&b, "%s = %s\n", r.Value, r.Role)
	}
	return b.String()
}

// claimValues reads a claim as the list of strings it holds: a string, a
// list of strings (groups), a number or a boolean; nothing else matches.
func claimValues(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		out := []string{}
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case float64, bool:
		return []string{fmt.Sprint(v)}
	}
	return nil
}

// MapRole returns the role the rules give to a claim's value(s): the
// highest role of every rule that matches (exactly), and false when none
// does.
func MapRole(rules []Rule, claim any) (agent.Role, bool) {
	var best agent.Role
	for _, v := range claimValues(claim) {
		for _, r := range rules {
			if r.Value == v && (best == "" || r.Role.AtLeast(best)) {
				best = r.Role
			}
		}
	}
	return best, best != ""
}
