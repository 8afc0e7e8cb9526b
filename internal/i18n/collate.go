package i18n

import (
	"slices"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// SortNames sorts items by the names name gives them in lang's collation,
// ignoring case, as a reader of lang expects a list of people or teams
// ordered: Latvian puts Č after C, where byte order puts it after Z. The
// sort is stable, so equal names keep the order they came in.
func SortNames[T any](lang string, items []T, name func(T) string) {
	cmp := NameOrder(lang)
	slices.SortStableFunc(items, func(a, b T) int { return cmp(name(a), name(b)) })
}

// NameOrder compares two names in lang's collation, ignoring case, for a
// sort that orders by something else first (active rubrics before the
// others, say). A NameOrder is not safe for concurrent use.
func NameOrder(lang string) func(a, b string) int {
	col := collate.New(language.Make(lang), collate.IgnoreCase)
	return col.CompareString
}
