package i18n

import (
	"strconv"
	"strings"
	"time"
)

// By says a deadline as people do, in lang and in the reader's zone (UTC
// when nil), seen from now: "by 15:00 today", "by tomorrow at 15:00",
// "by Monday at 10:00" (within six days), "by 14 December at 10:00"
// (later, or past), with the year when it is not now's. Each form is a
// catalogue entry of its own ("by.today", "by.tomorrow", "by.weekday.N",
// "by.date", "by.date_year") and the day and month names are kept for
// this use ("by.day.N", "by.month.N"), so that each language puts the
// preposition where it goes and inflects what follows it ("до
// понедельника 10:00", "līdz pirmdienai plkst. 10:00", "dilluns abans de
// les 10:00"). {at} in a form is "by.at", or "by.at_one" at one o'clock,
// where the article changes ("all'1:00", "abans de la 1:00").
func (c *Catalog) By(lang string, due, now time.Time, zone *time.Location) string {
	if zone == nil {
		zone = time.UTC
	}
	due, now = due.In(zone), now.In(zone)
	hm := strconv.Itoa(due.Hour()) + due.Format(":04")
	at := "by.at"
	if due.Hour() == 1 {
		at = "by.at_one"
	}
	var key string
	switch days := calendarDays(now, due); {
	case days == 0:
		key = "by.today"
	case days == 1:
		key = "by.tomorrow"
	case days > 1 && days < 7:
		key = "by.weekday." + strconv.Itoa(int(due.Weekday()))
	case due.Year() != now.Year():
		key = "by.date_year"
	default:
		key = "by.date"
	}
	return strings.NewReplacer(
		"{at}", strings.ReplaceAll(c.T(lang, at), "{hm}", hm),
		"{hm}", hm,
		"{weekday}", c.T(lang, "by.day."+strconv.Itoa(int(due.Weekday()))),
		"{d}", strconv.Itoa(due.Day()),
		"{month}", c.T(lang, "by.month."+strconv.Itoa(int(due.Month()))),
		"{y}", strconv.Itoa(due.Year()),
	).Replace(c.T(lang, key))
}

// calendarDays is how many midnights lie between from and to, counted on
// the calendar of their (shared) zone: 0 the same day, 1 the next, -1 the
// day before. Days are counted by date, so a day of 23 or 25 hours (a
// clock change) is still one day.
func calendarDays(from, to time.Time) int {
	y1, m1, d1 := from.Date()
	y2, m2, d2 := to.Date()
	a := time.Date(y1, m1, d1, 0, 0, 0, 0, time.UTC)
	b := time.Date(y2, m2, d2, 0, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Hours() / 24)
}

// Until says the day a thing lasts to, in lang and in the reader's zone
// (UTC when nil): "until 14 December 2026", "fino all'8 dicembre 2026",
// "до 14 декабря 2026 г.", "līdz 2026. gada 14. decembrim". The form is
// "until.date", or "until.date_elided" on the days listed in
// "until.elide", where the article before the number elides (Italian
// l'8, Catalan l'11); the month takes the case "by.month" gives it.
func (c *Catalog) Until(lang string, t time.Time, zone *time.Location) string {
	if zone == nil {
		zone = time.UTC
	}
	t = t.In(zone)
	key := "until.date"
	for _, d := range strings.Split(c.T(lang, "until.elide"), ",") {
		if strings.TrimSpace(d) == strconv.Itoa(t.Day()) {
			key = "until.date_elided"
		}
	}
	return strings.NewReplacer(
		"{d}", strconv.Itoa(t.Day()),
		"{month}", c.T(lang, "by.month."+strconv.Itoa(int(t.Month()))),
		"{y}", strconv.Itoa(t.Year()),
	).Replace(c.T(lang, key))
}
