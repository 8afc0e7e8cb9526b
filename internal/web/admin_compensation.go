package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/purchases"
	"github.com/rapport/rapport/internal/recovery"
	"github.com/rapport/rapport/internal/valid"
)

// compensationAdminView is the data of the compensation settings page.
type compensationAdminView struct {
	Settings recovery.Settings
	Kinds    []recovery.Kind
	Roles    []agent.Role
}

// adminCompensation serves GET /admin/compensation: the currency, the
// request timer, and each kind's name, whether it is offered, and the
// limits of each role.
func (s *server) adminCompensation(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderAdminCompensation(w, r, rc, nil)
}

func (s *server) renderAdminCompensation(w http.ResponseWriter, r *http.Request, rc *reqCtx, prob *problem) error {
	st, err := s.recovery.Settings(r.Context())
	if err != nil {
		return err
	}
	ks, err := s.recovery.Kinds(r.Context(), true)
	if err != nil {
		return err
	}
	p := s.newPage(w, r, rc, "recovery.admin_title")
	p.Nav = "compensation_admin"
	p.Data = compensationAdminView{Settings: st, Kinds: ks, Roles: agent.Roles}
	status := http.StatusOK
	if prob != nil {
		p.Problem, p.Form, status = prob, r.PostForm, prob.Status
	}
	s.render(w, r, status, "admin_compensation", p)
	return nil
}

// LimitValue is a limit as the settings form shows it: a decimal, "" for
// no limit.
func (p *page) LimitValue(k recovery.Kind, role agent.Role, per, currency string) string {
	l := k.Limits[role]
	v := l.Ticket
	if per == "month" {
		v = l.Month
	}
	if v == nil {
		return ""
	}
	return purchases.Money{Minor: *v, Currency: currency}.Decimal()
}

// adminCompensationSave serves POST /admin/compensation: every kind's
// fields are named kind_ID_name, kind_ID_active, kind_ID_ROLE_ticket and
// kind_ID_ROLE_month. Nothing is saved unless all of it is valid.
func (s *server) adminCompensationSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	f := r.PostForm
	errs := valid.Fields{}
	hours, err := strconv.Atoi(strings.TrimSpace(f.Get("request_due_hours")))
	if err != nil {
		errs.Add("request_due_hours", valid.Msg("valid.choice", "must be a whole number of hours"))
	}
	cur, err := purchases.ParseCurrency(f.Get("currency"))
	if err != nil {
		errs.Add("currency", purchases.MoneyMessage(err))
	}
	ks, err := s.recovery.Kinds(ctx, true)
	if err != nil {
		return err
	}
	for i := range ks {
		k := &ks[i]
		pre := "kind_" + strconv.FormatInt(k.ID, 10) + "_"
		k.Name, k.Active = f.Get(pre+"name"), f.Get(pre+"active") != ""
		for _, role := range agent.Roles {
			var l recovery.Limit
			for _, per := range []string{"ticket", "month"} {
				field := pre + string(role) + "_" + per
				raw := strings.TrimSpace(f.Get(field))
				if raw == "" {
					continue
				}
				if strings.HasPrefix(raw, "-") {
					errs.Add(field, valid.Msg("valid.negative", "cannot be negative"))
					continue
				}
				m, err := purchases.ParseMoney(raw, cur)
				if err != nil {
					errs.Add(field, purchases.MoneyMessage(err))
					continue
				}
				v := m.Minor
				if per == "ticket" {
					l.Ticket = &v
				} else {
					l.Month = &v
				}
			}
			k.Limits[role] = l
		}
	}
	if err := errs.Err(); err != nil {
		prob, _ := s.asProblem(rc.lang, "compensation", err)
		return s.renderAdminCompensation(w, r, rc, prob)
	}
	if _, err := s.recovery.SaveAll(ctx, recovery.Settings{Currency: cur, RequestDueHours: hours}, ks); err != nil {
		if prob, ok := s.asProblem(rc.lang, "compensation", err); ok {
			return s.renderAdminCompensation(w, r, rc, prob)
		}
		return err
	}
	s.setFlash(w, "flash.compensation_saved")
	redirect(w, r, "/admin/compensation")
	return nil
}

// LimitPeriods are the periods a limit is set for, as the settings form
// names its fields.
func (p *page) LimitPeriods() []string { return []string{"ticket", "month"} }
