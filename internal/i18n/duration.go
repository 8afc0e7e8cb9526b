package i18n

import (
	"strings"
	"time"
)

// Duration writes d in words in lang, for a person reading a warning:
// "2 h 10 min", "1 day 3 h", "45 min", each unit in the plural form CLDR
// gives its count ("duration.day", "duration.hour", "duration.minute").
// It keeps two units at most, days and hours from a day up, hours and
// minutes below, rounded to the minute; less than a minute is
// "duration.under_minute". A negative d is written as its size: the
// sentence around it says whether it is past or to come.
func (c *Catalog) Duration(lang string, d time.Duration) string {
	if d < 0 {
		d = -d
	}
	d = d.Round(time.Minute)
	if d < time.Minute {
		return c.T(lang, "duration.under_minute")
	}
	days := int(d / (24 * time.Hour))
	hours := int(d % (24 * time.Hour) / time.Hour)
	mins := int(d % time.Hour / time.Minute)
	var parts []string
	if days > 0 {
		parts = append(parts, c.N(lang, "duration.day", days))
		if hours > 0 {
			parts = append(parts, c.N(lang, "duration.hour", hours))
		}
		return strings.Join(parts, " ")
	}
	if hours > 0 {
		parts = append(parts, c.N(lang, "duration.hour", hours))
	}
	if mins > 0 {
		parts = append(parts, c.N(lang, "duration.minute", mins))
	}
	return strings.Join(parts, " ")
}
