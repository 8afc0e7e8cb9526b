package web

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/recovery"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// dashboardView is the data of the manager's dashboard.
type dashboardView struct {
	F         metrics.Filter
	Rep       metrics.Report
	Tiles     []kpiTile // the headline numbers
	Table     []kpiTile // every KPI, for the table under the charts
	Teams     []agent.Team
	Agents    []agent.Agent
	Channels  []string
	Langs     []string
	Presets   []int
	From, To  string // the custom dates, YYYY-MM-DD, To included
	PrevFrom  string
	PrevTo    string
	Range     string // the period, for people
	PrevRange string
	Query     string // the filter as a query string, for links and exports
	BadInput  string // the fields that were reset, "" when none

	FRTChart, CSATChart, ComplaintChart lineChart2
	CSATDist, NPSDist, AgentBars        barChart
	AgentRows                           []agentLine
	// Recovery is the period's compensation against the value of the
	// customers kept; nil without compensation.
	Recovery *recovery.Totals
	// Greet is the live chats' greeting time (chat.go).
	Greet greetDash
}

// kpiTile is one KPI as the page shows it.
type kpiTile struct {
	Key, Name   string
	Value, Prev string
	Delta       string
	Trend       string // up, down, flat or "" for no data
	Good, Bad   bool
	NoData      bool
	// Base is how many tickets or answers the value rests on ("tickets:
	// 42"), "" for a count; TooFew marks it under metrics.MinBase.
	Base   string
	TooFew bool
}

// agentLine is one row of the agents table.
type agentLine struct {
	metrics.AgentRow
	FRT, CSAT, NPS string
}

// tileKeys are the KPIs shown as tiles, in order; the table shows all.
var tileKeys = []string{"frt_median", "frt_biz_median", "res_median", "sla", "csat", "nps",
	"complaints", "reopen_rate", "transfers", "first_owner", "promises", "confirmed_fixes", "response_rate", "referrals", "repeat"}

// formatter writes metric values in the page's language.
func (p *page) formatter() metrics.Formatter { return metrics.Formatter{Cat: p.s.cat, Lang: p.Lang} }

// tiles turns KPIs into what the page shows.
func (p *page) tiles(ks []metrics.KPI) []kpiTile {
	fm := p.formatter()
	out := make([]kpiTile, len(ks))
	for i, k := range ks {
		out[i] = kpiTile{Key: k.Key, Name: p.T("metrics.kpi." + k.Key), Value: fm.Value(k.Kind, k.Cur),
			Prev: fm.Value(k.Kind, k.Prev), Delta: fm.Delta(k.Kind, k.Delta()), Trend: k.Trend(),
			Good: k.Good(), Bad: !k.Good() && (k.Trend() == "up" || k.Trend() == "down"), NoData: !k.Cur.Valid}
		if k.Unit != "" {
			// The i18n package has no plural forms yet: the count is written
			// in a form that reads for any number ("tickets: 42").
			out[i].Base, out[i].TooFew = p.T("metrics.base."+k.Unit, k.Base), k.TooFew()
		}
	}
	return out
}

// dashboardFilter reads the filter of a dashboard request. A filter that
// does not parse is replaced by the default one, and the fields that were
// wrong are named.
func (s *server) dashboardFilter(r *http.Request) (metrics.Filter, string, error) {
	now := s.clock.Now()
	loc, err := s.metrics.Zone(r.Context())
	if err != nil {
		return metrics.Filter{}, "", err
	}
	f, err := metrics.ParseFilter(r.URL.Query(), now, loc)
	if err == nil {
		return f, "", nil
	}
	var ve valid.Errors
	if !errors.As(err, &ve) {
		return f, "", err
	}
	fields := make([]string, 0, len(ve))
	for k := range ve {
		fields = append(fields, k)
	}
	sort.Strings(fields)
	f, err = metrics.ParseFilter(url.Values{}, now, loc)
	return f, strings.Join(fields, ", "), err
}

// dashboardPage serves GET /dashboard: KPI tiles against the previous
// period, weekly trends, answer distributions, per-agent bars and
// scorecards, for the period, team, agent, channel and language chosen.
func (s *server) dashboardPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	f, bad, err := s.dashboardFilter(r)
	if err != nil {
		return err
	}
	rep, err := s.metrics.Compute(ctx, f)
	if err != nil {
		return err
	}
	p := s.newPage(w, r, rc, "dashboard.title")
	p.Nav = "dashboard"
	// The period's dates are the metrics' days: the business's zone.
	p.Days = f.From.Location()
	v := dashboardView{F: f, Rep: rep, Channels: ticket.Channels, Langs: p.Languages(), Presets: metrics.Presets,
		From: f.From.Format(time.DateOnly), To: f.To.AddDate(0, 0, -1).Format(time.DateOnly),
		PrevFrom: rep.Previous.From.Format(time.DateOnly), PrevTo: rep.Previous.To.AddDate(0, 0, -1).Format(time.DateOnly),
		Query: f.Query().Encode(), BadInput: bad}
	v.Range = p.T("dashboard.range", p.formatDay("date.medium", f.From), p.formatDay("date.medium", f.To.AddDate(0, 0, -1)))
	v.PrevRange = p.T("dashboard.compared", p.formatDay("date.medium", rep.Previous.From),
		p.formatDay("date.medium", rep.Previous.To.AddDate(0, 0, -1)))
	if v.Teams, err = s.teamsByName(ctx, rc.lang); err != nil {
		return err
	}
	if v.Agents, err = s.agentsByName(ctx, rc.lang); err != nil {
		return err
	}
	all := rep.KPIs()
	v.Table = p.tiles(all)
	byKey := map[string]kpiTile{}
	for _, t := range v.Table {
		byKey[t.Key] = t
	}
	for _, k := range tileKeys {
		v.Tiles = append(v.Tiles, byKey[k])
	}
	fm := p.formatter()
	for _, a := range rep.Agents {
		v.AgentRows = append(v.AgentRows, agentLine{AgentRow: a, FRT: fm.Value(metrics.KindDuration, a.FirstResponse),
			CSAT: fm.Value(metrics.KindShare, a.CSAT), NPS: fm.Value(metrics.KindNPS, a.NPS)})
	}
	v.Greet = greetingDash(p, rep.Greeting, v.Agents, v.Teams)
	v.FRTChart, v.CSATChart, v.ComplaintChart = frtChart(p, rep.Weeks), csatChart(p, rep.Weeks), complaintChart(p, rep.Weeks)
	v.CSATDist, v.NPSDist, v.AgentBars = csatDistChart(p, rep.Current), npsDistChart(p, rep.Current), agentChart(p, rep.Agents)
	if s.recovery != nil {
		t, err := s.recovery.Totals(ctx, f.From, f.To)
		if err != nil {
			return err
		}
		v.Recovery = &t
	}
	p.Data = v
	s.render(w, r, http.StatusOK, "dashboard", p)
	return nil
}

// MinBase is the count under which a rate is too few to judge, for the
// dashboard's hint.
func (p *page) MinBase() int { return metrics.MinBase }

// MetricsOn reports whether the dashboard and the feedback record exist.
func (p *page) MetricsOn() bool { return p.s.metrics != nil }
