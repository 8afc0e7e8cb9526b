package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/valid"
)

// auditPageSize is how many rows one page of /admin/audit shows.
const auditPageSize = 50

// auditCSVMax is the most rows one CSV download holds.
const auditCSVMax = 50000

// auditView is the data of the audit log page.
type auditView struct {
	Rows     []audit.Row
	Agents   []agent.Agent
	Actions  []string
	Query    url.Values // the filters as given, for the form and the links
	Page     int
	PrevURL  string
	NextURL  string
	CSVURL   string
	ZoneName string
}

// AuditOn tells the layout whether the audit log page exists.
func (p *page) AuditOn() bool { return p.s.audit != nil }

// AuditAction names an action in the reader's language, else shows it as stored.
func (p *page) AuditAction(a string) string {
	if k := "audit.action." + a; p.has(k) {
		return p.T(k)
	}
	return a
}

// auditFilter reads the page's filters: actor, action, target kind and
// id, and a date range (from, to: days in the reader's zone, both
// included).
func auditFilter(q url.Values, zone *time.Location) (audit.Filter, valid.Fields) {
	errs := valid.Fields{}
	f := audit.Filter{Action: strings.TrimSpace(q.Get("action")), TargetKind: strings.TrimSpace(q.Get("target_kind")),
		TargetID: strings.TrimSpace(q.Get("target_id"))}
	if v := strings.TrimSpace(q.Get("actor")); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			errs.Add("actor", valid.Msg("valid.choice", "is not one of the choices"))
		}
		f.AgentID = id
	}
	day := func(name string) time.Time {
		v := strings.TrimSpace(q.Get(name))
		if v == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation("2006-01-02", v, zone)
		if err != nil {
			errs.Add(name, valid.Msg("valid.date", "is not a date such as 2026-06-01"))
			return time.Time{}
		}
		return t
	}
	f.From = day("from")
	if to := day("to"); !to.IsZero() {
		f.Until = to.AddDate(0, 0, 1) // the whole of the last day
	}
	if !f.From.IsZero() && !f.Until.IsZero() && !f.From.Before(f.Until) {
		errs.Add("to", valid.Msg("valid.date_order", "must not be before the first day"))
	}
	return f, errs
}

// adminAudit serves GET /admin/audit: the audit log, newest first, with
// filters and pages, times in the reader's zone.
func (s *server) adminAudit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p := s.newPage(w, r, rc, "audit.title")
	p.Nav = "audit"
	q := r.URL.Query()
	f, errs := auditFilter(q, p.zone())
	pageNo := 1
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			errs.Add("page", valid.Msg("valid.choice", "is not one of the choices"))
		} else {
			pageNo = n
		}
	}
	agents, err := s.agents.List(r.Context())
	if err != nil {
		return err
	}
	i18n.SortNames(rc.lang, agents, func(a agent.Agent) string { return a.Name })
	actions, err := s.audit.Actions(r.Context())
	if err != nil {
		return err
	}
	v := auditView{Agents: agents, Actions: actions, Query: q, Page: pageNo, ZoneName: p.zone().String()}
	status := http.StatusOK
	if err := errs.Err(); err != nil {
		prob, _ := s.asProblem(rc.lang, "audit", err)
		p.Problem, status = prob, http.StatusBadRequest
		prob.Status = status
	} else {
		f.Limit, f.Offset = auditPageSize+1, (pageNo-1)*auditPageSize
		rows, err := s.audit.List(r.Context(), f)
		if err != nil {
			return err
		}
		if len(rows) > auditPageSize {
			rows = rows[:auditPageSize]
			v.NextURL = auditURL("/admin/audit", q, pageNo+1)
		}
		if pageNo > 1 {
			v.PrevURL = auditURL("/admin/audit", q, pageNo-1)
		}
		v.Rows = rows
		v.CSVURL = auditURL("/admin/audit.csv", q, 0)
	}
	p.Data = v
	s.render(w, r, status, "admin_audit", p)
	return nil
}

// auditURL is path with the filters of q and page n (none when 0).
func auditURL(path string, q url.Values, n int) string {
	out := url.Values{}
	for _, k := range []string{"actor", "action", "target_kind", "target_id", "from", "to"} {
		if v := q.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	if n > 0 {
		out.Set("page", strconv.Itoa(n))
	}
	if len(out) == 0 {
		return path
	}
	return path + "?" + out.Encode()
}

// adminAuditCSV serves GET /admin/audit.csv: the filtered log (at most
// auditCSVMax rows), times in UTC (RFC 3339) and the reader's zone. The
// download is itself recorded.
func (s *server) adminAuditCSV(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	zone := s.agentZone(r.Context(), rc.me)
	f, errs := auditFilter(r.URL.Query(), zone)
	if err := errs.Err(); err != nil {
		return err
	}
	if err := s.recordExport(r); err != nil {
		return err
	}
	cw := startCSV(w, "audit-"+s.clock.Now().In(zone).Format("2006-01-02")+".csv")
	cw.Write([]string{"id", "at", "local_time", "agent_id", "agent", "token_id", "token", "action", "target_kind", "target_id", "before", "after", "address"})
	f.Limit = 1000
	for written := 0; written < auditCSVMax; {
		rows, err := s.audit.List(r.Context(), f)
		if err != nil {
			return err
		}
		for _, a := range rows {
			cw.Write([]string{strconv.FormatInt(a.ID, 10), a.At.UTC().Format(time.RFC3339), a.At.In(zone).Format("2006-01-02 15:04:05"),
				idCell(a.AgentID), csvCell(a.AgentName), idCell(a.TokenID), csvCell(a.TokenName), a.Action, csvCell(a.TargetKind),
				csvCell(a.TargetID), csvCell(a.Before), csvCell(a.After), csvCell(a.Addr)})
		}
		written += len(rows)
		if len(rows) < f.Limit {
			break
		}
		f.Offset += len(rows)
	}
	cw.Flush()
	return cw.Error()
}

// idCell is an id for a CSV cell, "" for none.
func idCell(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// recordExport writes a download of data (a CSV) to the audit log: the
// path and its filters. Every CSV download of the UI calls it before its
// first byte.
func (s *server) recordExport(r *http.Request) error {
	if s.audit == nil {
		return nil
	}
	return s.audit.Record(r.Context(), audit.Entry{Action: "export", TargetKind: "export", TargetID: r.URL.Path,
		After: map[string]string{"query": r.URL.RawQuery}})
}
