package i18n

import (
	"testing"
	"time"
)

// Durations read as a person would write them, in every language, with
// the plural form each count needs.
func TestDuration(t *testing.T) {
	c := MustLoad()
	const h, m, day = time.Hour, time.Minute, 24 * time.Hour
	tests := []struct {
		name string
		lang string
		d    time.Duration
		want string
	}{
		{"en hours and minutes", "en", 2*h + 10*m, "2 h 10 min"},
		{"en one day", "en", day + 3*h, "1 day 3 h"},
		{"en days", "en", 2 * day, "2 days"},
		{"en minutes only", "en", 45 * m, "45 min"},
		{"en rounded to the minute", "en", 44*m + 40*time.Second, "45 min"},
		{"en under a minute", "en", 20 * time.Second, "less than a minute"},
		{"en negative is its size", "en", -(2*h + 10*m), "2 h 10 min"},
		{"it one day", "it", day + 3*h, "1 giorno 3 h"},
		{"it days", "it", 5*day + h, "5 giorni 1 h"},
		{"it minutes", "it", 45 * m, "45 min"},
		{"ru one day", "ru", day + 3*h, "1 день 3 ч"},
		{"ru few days", "ru", 3 * day, "3 дня"},
		{"ru many days", "ru", 5 * day, "5 дней"},
		{"ru twenty-one days", "ru", 21 * day, "21 день"},
		{"ru hours and minutes", "ru", 2*h + 10*m, "2 ч 10 мин"},
		{"ru under a minute", "ru", 10 * time.Second, "меньше минуты"},
		{"lv one day", "lv", day, "1 diena"},
		{"lv days", "lv", 2 * day, "2 dienas"},
		{"lv eleven days", "lv", 11 * day, "11 dienu"},
		{"lv hours and minutes", "lv", 2*h + 10*m, "2 h 10 min"},
		{"ca one day", "ca", day + 3*h, "1 dia 3 h"},
		{"ca days", "ca", 4 * day, "4 dies"},
		{"ca minutes", "ca", 2*h + 5*m, "2 h 5 min"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.Duration(tc.lang, tc.d); got != tc.want {
				t.Errorf("Duration(%s, %v) = %q, want %q", tc.lang, tc.d, got, tc.want)
			}
		})
	}
}
