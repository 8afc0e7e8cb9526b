package i18n

import (
	"strings"
	"testing"
	"time"
)

// By says a deadline in each language as people there say it, in the
// reader's zone: today, tomorrow, a weekday within six days, a date later.
func TestBy(t *testing.T) {
	c := MustLoad()
	rome, err := Zone("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	// Monday 7 December 2026, 09:30 in Rome (08:30 UTC).
	now := time.Date(2026, 12, 7, 8, 30, 0, 0, time.UTC)
	at := func(day, hour, min int) time.Time { return time.Date(2026, 12, day, hour, min, 0, 0, rome) }
	tests := []struct {
		name, lang string
		due        time.Time
		want       string
	}{
		{"en today", "en", at(7, 15, 0), "by 15:00 today"},
		{"en tomorrow", "en", at(8, 15, 0), "by tomorrow at 15:00"},
		{"en weekday", "en", at(14, 10, 0).AddDate(0, 0, -1), "by Sunday at 10:00"},
		{"en next monday is a date", "en", at(14, 10, 0), "by 14 December at 10:00"},
		{"en next year", "en", time.Date(2027, 1, 4, 9, 5, 0, 0, rome), "by 4 January 2027 at 9:05"},

		{"it today", "it", at(7, 15, 0), "entro oggi alle 15:00"},
		{"it tomorrow", "it", at(8, 15, 0), "entro domani alle 15:00"},
		{"it one o'clock", "it", at(8, 1, 0), "entro domani all'1:00"},
		{"it weekday", "it", at(11, 10, 0), "entro venerdì alle 10:00"},
		{"it date", "it", at(14, 10, 0), "entro lunedì 14 dicembre alle 10:00"},

		{"ru today", "ru", at(7, 15, 0), "до 15:00 сегодня"},
		{"ru tomorrow", "ru", at(8, 15, 0), "до завтра, 15:00"},
		{"ru weekday", "ru", at(9, 10, 0), "до среды 10:00"},
		{"ru friday", "ru", at(11, 10, 0), "до пятницы 10:00"},
		{"ru date", "ru", at(14, 10, 0), "до 14 декабря, 10:00"},

		{"lv today", "lv", at(7, 15, 0), "līdz šodienai plkst. 15:00"},
		{"lv tomorrow", "lv", at(8, 15, 0), "līdz rītdienai plkst. 15:00"},
		{"lv weekday", "lv", at(10, 10, 0), "līdz ceturtdienai plkst. 10:00"},
		{"lv date", "lv", at(14, 10, 0), "līdz 14. decembrim plkst. 10:00"},

		{"ca today", "ca", at(7, 15, 0), "avui abans de les 15:00"},
		{"ca tomorrow", "ca", at(8, 15, 0), "demà abans de les 15:00"},
		{"ca one o'clock", "ca", at(8, 1, 30), "demà abans de la 1:30"},
		{"ca weekday", "ca", at(12, 10, 0), "dissabte abans de les 10:00"},
		{"ca date", "ca", at(14, 10, 0), "el dilluns 14 de desembre abans de les 10:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.By(tc.lang, tc.due, now, rome); got != tc.want {
				t.Errorf("By = %q, want %q", got, tc.want)
			}
		})
	}
}

// The day is the reader's: 23:30 UTC on Monday is already Tuesday in
// Tokyo, and still Monday in New York; a Monday a week on is said by date.
func TestByIsInTheReadersZone(t *testing.T) {
	c := MustLoad()
	tokyo, _ := Zone("Asia/Tokyo")
	york, _ := Zone("America/New_York")
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC) // 21:00 Monday in Tokyo, 07:00 in New York
	due := time.Date(2026, 12, 7, 23, 30, 0, 0, time.UTC)
	tests := []struct {
		name string
		zone *time.Location
		want string
	}{
		{"tokyo", tokyo, "by tomorrow at 8:30"},
		{"new york", york, "by 18:30 today"},
		{"utc", nil, "by 23:30 today"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.By("en", due, now, tc.zone); got != tc.want {
				t.Errorf("By = %q, want %q", got, tc.want)
			}
		})
	}
}

// Every weekday, in every language, has its own form (a language can
// inflect each), and no form leaves a placeholder unfilled.
func TestByFillsEveryForm(t *testing.T) {
	c := MustLoad()
	now := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	for _, lang := range Supported {
		for d := 0; d < 400; d++ {
			got := c.By(lang, now.AddDate(0, 0, d).Add(time.Duration(d)*time.Hour), now, nil)
			for _, bad := range []string{"{", "}", "by.", "%"} {
				if strings.Contains(got, bad) {
					t.Fatalf("%s, day %d: %q holds %q", lang, d, got, bad)
				}
			}
		}
	}
}

// Every suggested zone is one Zone accepts.
func TestCommonZonesLoad(t *testing.T) {
	for _, z := range CommonZones {
		if _, err := Zone(z); err != nil {
			t.Errorf("%s: %v", z, err)
		}
	}
}

// Until says a last day in each language, with the article elided where
// the language elides it and the month in the case the preposition wants.
func TestUntil(t *testing.T) {
	c := MustLoad()
	riga, _ := Zone("Europe/Riga")
	tests := []struct {
		name, lang string
		t          time.Time
		want       string
	}{
		{"en", "en", time.Date(2026, 12, 14, 12, 0, 0, 0, time.UTC), "until 14 December 2026"},
		{"it", "it", time.Date(2026, 12, 14, 12, 0, 0, 0, time.UTC), "fino al 14 dicembre 2026"},
		{"it elided", "it", time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC), "fino all'8 dicembre 2026"},
		{"ru", "ru", time.Date(2026, 12, 14, 12, 0, 0, 0, time.UTC), "до 14 декабря 2026 г."},
		{"lv", "lv", time.Date(2026, 12, 14, 12, 0, 0, 0, time.UTC), "līdz 2026. gada 14. decembrim"},
		{"ca", "ca", time.Date(2026, 4, 14, 12, 0, 0, 0, time.UTC), "fins al 14 d'abril de 2026"},
		{"ca elided", "ca", time.Date(2026, 12, 11, 12, 0, 0, 0, time.UTC), "fins a l'11 de desembre de 2026"},
		// 23:00 UTC on the 13th is already the 14th in Riga.
		{"reader's day", "en", time.Date(2026, 12, 13, 23, 0, 0, 0, time.UTC), "until 14 December 2026"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			zone := time.UTC
			if tc.name == "reader's day" {
				zone = riga
			}
			if got := c.Until(tc.lang, tc.t, zone); got != tc.want {
				t.Errorf("Until = %q, want %q", got, tc.want)
			}
		})
	}
}
