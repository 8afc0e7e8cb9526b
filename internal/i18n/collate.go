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
	col := collate.New(language.Make(lang), collate.IgnoreCase)
	slices.SortStableFunc(items, func(a, b T) int { return col.CompareString(name(a), name(b)) })
}
