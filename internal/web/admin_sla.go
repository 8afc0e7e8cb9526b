package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/routing"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// Forms of the SLA admin pages.
const (
	formNewPolicy   = "new_policy"
	formPolicy      = "policy"
	formNewCalendar = "new_calendar"
	formCalendar    = "calendar"
)

// adminSLAView is the data of the SLA admin page, in one of three modes:
// the lists with forms for new entries, one policy, or one calendar.
type adminSLAView struct {
	Mode       string // "list", "policy" or "calendar"
	Policies   []policyLine
	Calendars  []sla.CalendarRow
	Teams      []agent.Team
	Priorities []string
	Channels   []string
	// The policy form: a new policy (list) or the one edited.
	Policy       sla.Policy
	PolicyForm   string
	PolicyAction string
	// The calendar form: a new calendar (list) or the one edited.
	Calendar       sla.CalendarRow
	CalendarForm   string
	CalendarAction string
	// Routing is whether the router is there, to choose who goes first.
	Routing bool
	Routes  routing.Settings
}

// policyLine is one policy of the list, its references already named.
type policyLine struct {
	P          sla.Policy
	Conditions []string // in words; none means every ticket
	Calendar   string   // "" for calendar time
}

// adminSLA serves GET /admin/sla: the SLA policies in the order they are
// tried, the business-hours calendars, and forms for new ones.
func (s *server) adminSLA(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderAdminSLA(w, r, rc, "list", 0, nil)
}

// renderAdminSLA renders the SLA admin page in mode, for the policy or
// calendar id in the edit modes; a problem refills the form that failed.
func (s *server) renderAdminSLA(w http.ResponseWriter, r *http.Request, rc *reqCtx, mode string, id int64, prob *problem) error {
	ctx := r.Context()
	policies, err := s.sla.Policies(ctx)
	if err != nil {
		return err
	}
	calendars, err := s.sla.Calendars(ctx)
	if err != nil {
		return err
	}
	i18n.SortNames(rc.lang, calendars, func(c sla.CalendarRow) string { return c.Name })
	teams, err := s.teamsByName(ctx, rc.lang)
	if err != nil {
		return err
	}
	p := s.newPage(w, r, rc, "sla.admin_title")
	p.Nav = "sla"
	v := adminSLAView{
		Mode: mode, Calendars: calendars, Teams: teams, Priorities: ticket.Priorities, Channels: ticket.Channels,
		Policy: sla.Policy{Active: true, PauseOnPending: true, Position: 1, Greeting: sla.DefaultGreeting}, PolicyForm: formNewPolicy, PolicyAction: "/admin/sla/policies",
		CalendarForm: formNewCalendar, CalendarAction: "/admin/sla/calendars",
	}
	calNames := map[int64]string{}
	for _, c := range calendars {
		calNames[c.ID] = c.Name
	}
	teamNames := map[int64]string{}
	for _, t := range teams {
		teamNames[t.ID] = t.Name
	}
	found := false
	for _, pol := range policies {
		v.Policy.Position = max(v.Policy.Position, pol.Position+1)
		v.Policies = append(v.Policies, policyLine{P: pol, Conditions: policyConditions(p, pol, teamNames), Calendar: calNames[pol.CalendarID]})
	}
	if mode == "list" && s.router != nil {
		v.Routing = true
		if v.Routes, err = s.router.Settings(ctx); err != nil {
			return err
		}
	}
	switch mode {
	case "policy":
		for _, pol := range policies {
			if pol.ID == id {
				v.Policy, found = pol, true
			}
		}
		v.PolicyForm, v.PolicyAction = formPolicy, "/admin/sla/policies/"+strconv.FormatInt(id, 10)
		p.Title = p.T("sla.policy_edit")
	case "calendar":
		for _, c := range calendars {
			if c.ID == id {
				v.Calendar, found = c, true
			}
		}
		v.CalendarForm, v.CalendarAction = formCalendar, "/admin/sla/calendars/"+strconv.FormatInt(id, 10)
		p.Title = p.T("sla.calendar_edit")
	default:
		found = true
	}
	if !found {
		return errNotFound
	}
	status := http.StatusOK
	if prob != nil {
		p.Problem, p.Form, status = prob, r.PostForm, prob.Status
	}
	p.Data = v
	s.render(w, r, status, "admin_sla", p)
	return nil
}

// policyConditions names the tickets a policy applies to.
func policyConditions(p *page, pol sla.Policy, teams map[int64]string) []string {
	var out []string
	if pol.Priority != "" {
		out = append(out, p.T("sla.cond_priority", p.Priority(pol.Priority)))
	}
	if pol.Channel != "" {
		out = append(out, p.T("sla.cond_channel", p.Channel(pol.Channel)))
	}
	if pol.VIPOnly {
		out = append(out, p.T("sla.cond_vip"))
	}
	if pol.TeamID != 0 {
		name := teams[pol.TeamID]
		if name == "" {
			name = "#" + strconv.FormatInt(pol.TeamID, 10)
		}
		out = append(out, p.T("sla.cond_team", name))
	}
	return out
}

// Target shows an SLA target: "4h", "1h 30m", "—" for none. Targets are
// open time of the policy's calendar, so they stay in hours, not days.
func (p *page) Target(d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	m := int64(d / time.Minute)
	switch h, mins := m/60, m%60; {
	case h == 0:
		return p.T("duration.minutes", mins)
	case mins == 0:
		return p.T("duration.hours", h)
	default:
		return p.T("duration.hours", h) + " " + p.T("duration.minutes", mins)
	}
}

// TargetInput is a target as the policy form shows it for editing: "4h",
// "1h30m", "" for none; parseTarget reads it back.
func (p *page) TargetInput(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	m := int64(d / time.Minute)
	switch h, mins := m/60, m%60; {
	case h == 0:
		return strconv.FormatInt(mins, 10) + "m"
	case mins == 0:
		return strconv.FormatInt(h, 10) + "h"
	default:
		return strconv.FormatInt(h, 10) + "h" + strconv.FormatInt(mins, 10) + "m"
	}
}

// Checked is whether checkbox field of form is ticked: as submitted when
// form failed, else def.
func (p *page) Checked(form, field string, def bool) bool {
	if p.Failed(form) {
		return p.Form.Get(field) == "on"
	}
	return def
}

// parseTarget reads a target typed as minutes ("90"), or hours and minutes
// ("4h", "30m", "1h 30m", "1.5h"); "" is no target.
func parseTarget(s string) (time.Duration, bool) {
	s = strings.ToLower(strings.Join(strings.Fields(s), ""))
	if s == "" {
		return 0, true
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		return time.Duration(n) * time.Minute, true
	}
	if strings.Trim(s, "0123456789.hm") != "" {
		return 0, false // only hours and minutes, no seconds or days
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, false
	}
	return d, true
}

// parsePolicy reads the policy form; malformed numbers and unknown teams
// are field errors in errs, the rest the service checks.
func parsePolicy(f url.Values, teams []agent.Team, errs valid.Fields) sla.Policy {
	pol := sla.Policy{
		Name: strings.TrimSpace(f.Get("name")), Priority: f.Get("priority"), Channel: f.Get("channel"),
		VIPOnly: f.Get("vip_only") == "on", PauseOnPending: f.Get("pause_on_pending") == "on", Active: f.Get("active") == "on",
		PauseOnSnooze: f.Get("pause_on_snooze") == "on",
		TeamID:        formID(errs, f, "team_id"), CalendarID: formID(errs, f, "calendar_id"),
	}
	if pos := strings.TrimSpace(f.Get("position")); pos != "" {
		n, err := strconv.Atoi(pos)
		if err != nil || n < 0 {
			errs.Add("position", valid.Msg("valid.number", "is not a whole number"))
		}
		pol.Position = n
	}
	if g := strings.TrimSpace(f.Get("greeting_seconds")); g != "" {
		n, err := strconv.Atoi(g)
		if err != nil || n < 0 {
			errs.Add("greeting_seconds", valid.Msg("valid.number", "is not a whole number"))
		}
		pol.Greeting = time.Duration(n) * time.Second
	}
	if pol.TeamID != 0 {
		known := false
		for _, t := range teams {
			known = known || t.ID == pol.TeamID
		}
		if !known {
			errs.Add("team_id", valid.Msg("valid.no_team", "no such team"))
		}
	}
	for field, dst := range map[string]*time.Duration{
		"first_response": &pol.FirstResponse, "next_response": &pol.NextResponse, "resolution": &pol.Resolution,
	} {
		d, ok := parseTarget(f.Get(field))
		if !ok {
			errs.Add(field, valid.Msg("valid.target", "is not a time such as 30m or 4h"))
		}
		*dst = d
	}
	return pol
}

// savePolicy creates (id 0) or updates a policy from the submitted form.
func (s *server) savePolicy(r *http.Request, id int64) error {
	teams, err := s.agents.ListTeams(r.Context())
	if err != nil {
		return err
	}
	errs := valid.Fields{}
	pol := parsePolicy(r.PostForm, teams, errs)
	if err := errs.Err(); err != nil {
		return err
	}
	if id == 0 {
		_, err = s.sla.CreatePolicy(r.Context(), pol)
	} else {
		pol.ID = id
		_, err = s.sla.UpdatePolicy(r.Context(), pol)
	}
	return err
}

// adminPolicyCreate serves POST /admin/sla/policies.
func (s *server) adminPolicyCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.savePolicy(r, 0); err != nil {
		prob, ok := s.asProblem(rc.lang, formNewPolicy, err)
		if !ok {
			return err
		}
		return s.renderAdminSLA(w, r, rc, "list", 0, prob)
	}
	s.log.Info("sla policy created", "by_agent_id", rc.me.ID)
	s.setFlash(w, "flash.policy_created")
	redirect(w, r, "/admin/sla")
	return nil
}

// adminPolicyPage serves GET /admin/sla/policies/{id}: the policy's form.
func (s *server) adminPolicyPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderAdminSLA(w, r, rc, "policy", id, nil)
}

// adminPolicyUpdate serves POST /admin/sla/policies/{id}. Running timers
// keep their deadlines until their tickets change.
func (s *server) adminPolicyUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.savePolicy(r, id); err != nil {
		prob, ok := s.asProblem(rc.lang, formPolicy, err)
		if !ok {
			return err
		}
		return s.renderAdminSLA(w, r, rc, "policy", id, prob)
	}
	s.log.Info("sla policy saved", "policy_id", id, "by_agent_id", rc.me.ID)
	s.setFlash(w, "flash.policy_saved")
	redirect(w, r, "/admin/sla")
	return nil
}

// adminPolicyDelete serves POST /admin/sla/policies/{id}/delete.
func (s *server) adminPolicyDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.sla.DeletePolicy(r.Context(), id); err != nil {
		return err
	}
	s.log.Info("sla policy deleted", "policy_id", id, "by_agent_id", rc.me.ID)
	s.setFlash(w, "flash.policy_deleted")
	redirect(w, r, "/admin/sla")
	return nil
}

// saveCalendar creates (id 0) or replaces a calendar from the submitted
// form.
func (s *server) saveCalendar(r *http.Request, id int64) error {
	f := r.PostForm
	_, err := s.sla.SaveCalendar(r.Context(), sla.CalendarRow{
		ID: id, Name: strings.TrimSpace(f.Get("name")), Timezone: strings.TrimSpace(f.Get("timezone")),
		Week: strings.TrimSpace(f.Get("week")), Holidays: strings.TrimSpace(f.Get("holidays")),
	})
	return err
}

// adminCalendarCreate serves POST /admin/sla/calendars.
func (s *server) adminCalendarCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.saveCalendar(r, 0); err != nil {
		prob, ok := s.asProblem(rc.lang, formNewCalendar, err)
		if !ok {
			return err
		}
		return s.renderAdminSLA(w, r, rc, "list", 0, prob)
	}
	s.log.Info("sla calendar created", "by_agent_id", rc.me.ID)
	s.setFlash(w, "flash.calendar_created")
	redirect(w, r, "/admin/sla#calendars")
	return nil
}

// adminCalendarPage serves GET /admin/sla/calendars/{id}: the calendar's form.
func (s *server) adminCalendarPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderAdminSLA(w, r, rc, "calendar", id, nil)
}

// adminCalendarUpdate serves POST /admin/sla/calendars/{id}.
func (s *server) adminCalendarUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.saveCalendar(r, id); err != nil {
		prob, ok := s.asProblem(rc.lang, formCalendar, err)
		if !ok {
			return err
		}
		return s.renderAdminSLA(w, r, rc, "calendar", id, prob)
	}
	s.log.Info("sla calendar saved", "calendar_id", id, "by_agent_id", rc.me.ID)
	s.setFlash(w, "flash.calendar_saved")
	redirect(w, r, "/admin/sla#calendars")
	return nil
}
