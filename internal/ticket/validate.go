package ticket

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/valid"
)

// Limits on what a ticket holds.
const (
	MaxSubject = 250 // characters
	MaxTag     = 50  // characters per tag
	MaxTags    = 20  // tags per ticket
	MaxLang    = 16  // characters of a language code such as "pt-br"
)

// checkSubject trims a subject and records what is wrong with it.
func checkSubject(errs valid.Fields, s string) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		errs.Add("subject", valid.Msg("valid.required", "is required"))
	case utf8.RuneCountInString(s) > MaxSubject:
		errs.Add("subject", valid.Msg("valid.too_long", "must be at most 250 characters"))
	}
	return s
}

// checkOneOf returns v, or def when v is empty, and records an error for a
// value not in list.
func checkOneOf(errs valid.Fields, field, v, def string, list []string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		v = def
	}
	if !slices.Contains(list, v) {
		errs.Add(field, valid.OneOf(list))
	}
	return v
}

// checkLanguage normalises a language code ("" means unknown).
func checkLanguage(errs valid.Fields, v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	if utf8.RuneCountInString(v) > MaxLang || strings.ContainsAny(v, " \t\n,;") {
		errs.Add("language", valid.Msg("valid.language", "is not a language code"))
	}
	return v
}

// normTag is a tag as stored: trimmed and lower-cased.
func normTag(t string) string { return strings.ToLower(strings.TrimSpace(t)) }

// checkTags normalises tags: trimmed, lower-cased, sorted, without blanks
// or duplicates.
func checkTags(errs valid.Fields, tags []string) []string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		t = normTag(t)
		if t == "" {
			continue
		}
		if utf8.RuneCountInString(t) > MaxTag {
			errs.Add("tags", valid.Msg("valid.tags", "a tag must be at most 50 characters"))
		}
		out = append(out, t)
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > MaxTags {
		errs.Add("tags", valid.Msg("valid.tags", "at most 20 tags"))
	}
	return out
}

// checkSetStatus validates a status an agent sets by hand: any status but
// Closed, which only the auto-close job (or the system) reaches.
func checkSetStatus(errs valid.Fields, a Actor, st Status) {
	switch {
	case !slices.Contains(Statuses, st):
		errs.Add("status", valid.Msg("valid.choice", "must be one of new, open, pending, solved"))
	case st == Closed && a.Kind != "system":
		errs.Add("status", valid.Msg("valid.no_close", "tickets close by themselves after being solved; solve it instead"))
	}
}
