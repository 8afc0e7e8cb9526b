// Package setup is the first run: a fresh deployment has no admin, and
// until one exists every page leads to the setup page (or an operator runs
// `rapport setup`). One call stores who the business is, its
// business-hours calendar, the outbound relay, the first team and the
// first admin, in one transaction that creates the admin only when none
// exists, so two browsers finishing at once make one admin.
package setup

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"strings"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/business"
	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

//go:embed queries.sql
var queriesFS embed.FS

// ErrDone is returned when the first run is over: an admin exists.
var ErrDone = errors.New("setup: already done")

// DefaultWeek is the business hours setup offers: weekdays, nine to five.
const DefaultWeek = "mon-fri 09:00-17:00"

// CalendarName is the name of the calendar the first run makes.
const CalendarName = "Business hours"

// Input is everything the first run asks.
type Input struct {
	Business  business.Profile // name, sender name, time zone, languages, default language
	Week      string           // business hours, as sla.ParseWeek reads them; "" makes no calendar
	Relay     mailout.RelaySettings
	Team      string
	AdminName string
	Email     string
	Password  string
	Locale    string // the admin's UI language; "" from the browser
}

// Opts are the services the first run writes through.
type Opts struct {
	DB       *store.DB
	Clock    jobs.Clock
	Agents   *agent.Service
	Business *business.Service
	SLA      *sla.Service // nil makes no calendar
	Relays   *mailout.RelayStore
}

// Service runs the first run.
type Service struct {
	o Opts
	q store.Queries
}

// New returns a Service.
func New(o Opts) *Service {
	if o.Clock == nil {
		o.Clock = jobs.SystemClock{}
	}
	return &Service{o: o, q: store.MustLoadQueries(queriesFS, o.DB.Dialect)}
}

// Needed reports whether the first run is still to do: no active admin.
func (s *Service) Needed(ctx context.Context) (bool, error) {
	has, err := s.o.Agents.HasAdmin(ctx)
	return !has, err
}

// Check returns in normalised, or every problem with it at once
// (valid.Fields keyed like the setup form).
func (s *Service) Check(in Input) (Input, error) {
	errs := valid.Fields{}
	in.Business.SetUp = true
	p, err := s.o.Business.Check(in.Business)
	var f valid.Fields
	switch {
	case errors.As(err, &f):
		for k, v := range f {
			errs.Add(k, v)
		}
	case err != nil:
		return Input{}, err
	default:
		in.Business = p
	}
	in.Week = strings.TrimSpace(in.Week)
	if in.Week != "" {
		if _, err := sla.ParseWeek(in.Week); err != nil {
			errs.Add("week", valid.Msg("valid.week", "is not opening hours such as mon-fri 09:00-17:00"))
		}
	}
	relay, err := in.Relay.Check()
	if errors.As(err, &f) {
		for k, v := range f {
			errs.Add(k, v)
		}
	}
	in.Relay = relay
	team, terrs := agent.CheckTeamName(in.Team)
	for k, v := range terrs {
		errs.Add(k, v)
	}
	in.Team = team
	n, aerrs := agent.CheckNew(agent.NewAgent{Email: in.Email, Name: in.AdminName, Role: agent.RoleAdmin, Password: in.Password,
		Locale: in.Locale, TimeZone: in.Business.TimeZone, Languages: in.Business.Languages})
	for k, v := range aerrs {
		if k == "name" {
			k = "admin_name"
		}
		errs.Add(k, v)
	}
	in.AdminName, in.Email, in.Locale = n.Name, n.Email, n.Locale
	if err := errs.Err(); err != nil {
		return Input{}, err
	}
	return in, nil
}

// Run does the first run with in: all of it or, on any problem, nothing.
// It returns the new admin's id; ErrDone when an admin exists already.
func (s *Service) Run(ctx context.Context, in Input) (int64, error) {
	in, err := s.Check(in)
	if err != nil {
		return 0, err
	}
	var adminID int64
	err = s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		now := store.Millis(s.o.Clock.Now())
		if _, err := tx.ExecContext(ctx, s.q.Get("lock-setup"), in.Email, now); err != nil {
			return fmt.Errorf("setup: lock: %w", err)
		}
		id, _, err := s.o.Agents.FirstAdminTx(ctx, tx, agent.NewAgent{Email: in.Email, Name: in.AdminName, Password: in.Password,
			Locale: in.Locale, TimeZone: in.Business.TimeZone, Languages: in.Business.Languages}, in.Team)
		if errors.Is(err, agent.ErrAdminExists) {
			return ErrDone
		}
		if err != nil {
			return err
		}
		adminID = id
		if err := s.o.Business.SaveTx(ctx, tx, in.Business); err != nil {
			return err
		}
		if in.Week != "" && s.o.SLA != nil {
			if _, err := s.o.SLA.CreateCalendarTx(ctx, tx, sla.CalendarRow{Name: CalendarName, Timezone: in.Business.TimeZone, Week: in.Week}); err != nil {
				return err
			}
		}
		if in.Relay.Addr != "" {
			return s.o.Relays.SaveTx(ctx, tx, in.Relay)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return adminID, nil
}
