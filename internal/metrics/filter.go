package metrics

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// Filter selects what Compute measures: the period [From, To) in whole
// days of the business's zone (Service.Zone), and optionally one team, agent (a ticket's owner, a survey's or a
// promise's agent), channel and language. Zero values do not filter.
type Filter struct {
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	TeamID   int64     `json:"team_id,omitempty"`
	AgentID  int64     `json:"agent_id,omitempty"`
	Channel  string    `json:"channel,omitempty"`
	Language string    `json:"language,omitempty"`
	// Preset is the number of days of a preset period (7, 30, 90), 0 for
	// a custom one; it only tells the UI which choice was made.
	Preset int `json:"preset,omitempty"`
}

// MaxDays is the longest period Compute accepts.
const MaxDays = 366

// Presets are the period choices offered, in days.
var Presets = []int{7, 30, 90}

// DefaultPreset is the period shown when none is asked for.
const DefaultPreset = 30

var languageCode = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$`)

// Segmented reports whether f selects less than the whole business.
func (f Filter) Segmented() bool {
	return f.TeamID != 0 || f.AgentID != 0 || f.Channel != "" || f.Language != ""
}

// Days is the length of the period in calendar days: the dates of From
// and To apart, each read in its own location (Compute puts both in the
// business's zone), so that a day with a DST change is one day.
func (f Filter) Days() int {
	dayIn := func(t time.Time) int64 { y, m, d := t.Date(); return civil(y, m, d) }
	return int(dayIn(f.To) - dayIn(f.From))
}

// Validate reports every field that is wrong; the period's edges must be
// midnights in loc.
func (f Filter) Validate(loc *time.Location) error {
	errs := valid.Fields{}
	midnight := func(t time.Time) bool { return t.Equal(Midnight(t, loc)) }
	switch {
	case f.From.IsZero():
		errs.Add("from", valid.Msg("valid.required", "is required"))
	case !midnight(f.From):
		errs.Add("from", valid.Msg("valid.choice", "must be the start of a day in the business's time zone"))
	}
	f.From, f.To = f.From.In(loc), f.To.In(loc)
	switch {
	case f.To.IsZero():
		errs.Add("to", valid.Msg("valid.required", "is required"))
	case !midnight(f.To):
		errs.Add("to", valid.Msg("valid.choice", "must be the start of a day in the business's time zone"))
	case !f.From.IsZero() && !f.To.After(f.From):
		errs.Add("to", valid.Msg("valid.after_from", "must be after from"))
	case !f.From.IsZero() && f.Days() > MaxDays:
		errs.Add("to", valid.Msg("valid.period_days", "the period is longer than %d days", MaxDays))
	}
	if f.TeamID < 0 {
		errs.Add("team", valid.Msg("valid.choice", "must be a team id"))
	}
	if f.AgentID < 0 {
		errs.Add("agent", valid.Msg("valid.choice", "must be an agent id"))
	}
	if f.Channel != "" && !slices.Contains(ticket.Channels, f.Channel) {
		errs.Add("channel", valid.OneOf(ticket.Channels))
	}
	if f.Language != "" && !languageCode.MatchString(f.Language) {
		errs.Add("language", valid.Msg("valid.language", "must be a language code such as en or pt-BR"))
	}
	return errs.Err()
}

// dateLayout is how dates are written in query strings.
const dateLayout = "2006-01-02"

// ParseFilter reads a filter from query parameters, as the dashboard's
// form and GET /api/v1/metrics send them, the days being the business's
// (loc, Service.Zone): a day starts at its midnight there.
//
//	period   7, 30 or 90 (days up to and including today), or "custom"
//	from     first day, YYYY-MM-DD (custom periods; alone it means up to today)
//	to       last day, YYYY-MM-DD, included
//	team     team id
//	agent    agent id
//	channel  email, web, phone, chat, api or hook
//	language language code
//
// Without period, from or to the period is the last DefaultPreset days.
// Every problem is reported by field.
func ParseFilter(q url.Values, now time.Time, loc *time.Location) (Filter, error) {
	errs := valid.Fields{}
	today := DayOf(now, loc)
	f := Filter{}
	id := func(field string) int64 {
		v := strings.TrimSpace(q.Get(field))
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			errs.Add(field, valid.Msg("valid.choice", "must be a positive whole number"))
			return 0
		}
		return n
	}
	// date is the day number of a date, ok false when absent or bad.
	date := func(field string) (int64, bool) {
		v := strings.TrimSpace(q.Get(field))
		if v == "" {
			return 0, false
		}
		t, err := time.Parse(dateLayout, v)
		if err != nil {
			errs.Add(field, valid.Msg("valid.choice", "must be a date written YYYY-MM-DD"))
			return 0, false
		}
		return civil(t.Date()), true
	}
	f.TeamID, f.AgentID = id("team"), id("agent")
	f.Channel = strings.TrimSpace(q.Get("channel"))
	f.Language = strings.TrimSpace(q.Get("language"))
	period := strings.TrimSpace(q.Get("period"))
	from, hasFrom := date("from")
	to, hasTo := date("to")
	switch {
	case period == "custom" || (period == "" && (q.Get("from") != "" || q.Get("to") != "")):
		if !hasFrom {
			errs.Add("from", valid.Msg("valid.required", "is required for a custom period"))
		} else {
			f.From = DayStart(from, loc)
		}
		if !hasTo {
			to = today
		}
		f.To = DayStart(to+1, loc)
		if hasFrom && to < from {
			errs.Add("to", valid.Msg("valid.before_from", "must not be before from"))
		}
	default:
		days := DefaultPreset
		if period != "" {
			n, err := strconv.Atoi(period)
			if err != nil || !slices.Contains(Presets, n) {
				errs.Add("period", valid.Msg("valid.choice", "must be 7, 30, 90 or custom"))
			} else {
				days = n
			}
		}
		f.Preset = days
		f.To = DayStart(today+1, loc)
		f.From = DayStart(today+1-int64(days), loc)
	}
	if len(errs) > 0 {
		// Report the fields Validate would reject too, all at once.
		if verr, ok := f.Validate(loc).(valid.Fields); ok {
			for _, k := range []string{"team", "agent", "channel", "language"} {
				if msg, bad := verr[k]; bad {
					errs.Add(k, msg)
				}
			}
		}
		return f, errs
	}
	return f, f.Validate(loc)
}

// Query writes f as query parameters that ParseFilter reads back.
func (f Filter) Query() url.Values {
	q := url.Values{}
	if f.Preset != 0 {
		q.Set("period", strconv.Itoa(f.Preset))
	} else {
		q.Set("period", "custom")
		q.Set("from", f.From.Format(dateLayout))
		q.Set("to", f.To.AddDate(0, 0, -1).Format(dateLayout))
	}
	if f.TeamID != 0 {
		q.Set("team", strconv.FormatInt(f.TeamID, 10))
	}
	if f.AgentID != 0 {
		q.Set("agent", strconv.FormatInt(f.AgentID, 10))
	}
	if f.Channel != "" {
		q.Set("channel", f.Channel)
	}
	if f.Language != "" {
		q.Set("language", f.Language)
	}
	return q
}
