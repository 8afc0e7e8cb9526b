package i18n

import (
	"strings"
	"testing"
)

func TestSortNames(t *testing.T) {
	names := []string{"Zane", "čaks", "Cera", "Ēriks", "Eva", "ābols", "Aivars"}
	tests := []struct{ name, lang, want string }{
		// Č is a letter of its own in Latvian, after C; Ā and Ē are not (so Ēriks goes by its r, before Eva).
		{"latvian", "lv", "ābols Aivars Cera čaks Ēriks Eva Zane"},
		{"english", "en", "ābols Aivars čaks Cera Ēriks Eva Zane"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := append([]string(nil), names...)
			SortNames(tc.lang, got, func(s string) string { return s })
			if strings.Join(got, " ") != tc.want {
				t.Errorf("%s order %v, want %s", tc.lang, got, tc.want)
			}
		})
	}
}
