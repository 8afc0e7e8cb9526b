package setup_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/business"
	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/setup"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/valid"
)

type fixture struct {
	setup  *setup.Service
	agents *agent.Service
	biz    *business.Service
	sla    *sla.Service
	relays *mailout.RelayStore
}

func newFixture(db *store.DB) fixture {
	q := jobs.New(db, nil, nil)
	f := fixture{agents: agent.New(db, nil), biz: business.New(business.Opts{DB: db, Languages: i18n.Supported}),
		sla: sla.New(sla.Opts{DB: db, Jobs: q}), relays: mailout.NewRelayStore(db, nil)}
	f.setup = setup.New(setup.Opts{DB: db, Agents: f.agents, Business: f.biz, SLA: f.sla, Relays: f.relays})
	return f
}

func input(email string) setup.Input {
	return setup.Input{
		Business: business.Profile{Name: "Aurora Home & Garden", SenderName: "Aurora", TimeZone: "Europe/Rome",
			Languages: []string{"it", "en"}, DefaultLanguage: "it"},
		Week: setup.DefaultWeek, Relay: mailout.RelaySettings{Addr: "smtp.aurora.example:587", Username: "aurora", Password: "s3cret"},
		Team: "Assistenza", AdminName: "Giulia Bianchi", Email: email, Password: "long enough",
	}
}

// TestFirstRun: one run stores everything and starts the admin online;
// afterwards the first run is over and a second one changes nothing.
func TestFirstRun(t *testing.T) { storetest.Each(t, testFirstRun) }

func testFirstRun(t *testing.T, db *store.DB) {
	ctx := context.Background()
	f := newFixture(db)
	if need, err := f.setup.Needed(ctx); err != nil || !need {
		t.Fatalf("Needed = %v, %v on an empty database", need, err)
	}
	id, err := f.setup.Run(ctx, input("giulia@aurora.example"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.agents.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if a.Role != agent.RoleAdmin || a.Availability != agent.Online || len(a.TeamIDs) != 1 || a.TimeZone != "Europe/Rome" {
		t.Fatalf("admin = %+v", a)
	}
	p, _ := f.biz.Profile(ctx)
	if !p.SetUp || p.Name != "Aurora Home & Garden" || p.From() != "Aurora" || p.Default() != "it" {
		t.Fatalf("profile = %+v", p)
	}
	cals, _ := f.sla.Calendars(ctx)
	if len(cals) != 1 || cals[0].Timezone != "Europe/Rome" || cals[0].Week != setup.DefaultWeek {
		t.Fatalf("calendars = %+v", cals)
	}
	if r, _ := f.relays.Get(ctx); r.Addr != "smtp.aurora.example:587" || r.Password != "s3cret" {
		t.Fatalf("relay = %+v", r)
	}
	if need, _ := f.setup.Needed(ctx); need {
		t.Fatal("still needed after the first run")
	}
	if _, err := f.setup.Run(ctx, input("mallory@example.com")); !errors.Is(err, setup.ErrDone) {
		t.Fatalf("second run: %v, want ErrDone", err)
	}
	if _, err := f.agents.GetByEmail(ctx, "mallory@example.com"); !errors.Is(err, agent.ErrNotFound) {
		t.Fatalf("the second run made an agent: %v", err)
	}
}

// TestFirstRunAtOnce: two first runs at the same moment make one admin.
func TestFirstRunAtOnce(t *testing.T) { storetest.Each(t, testFirstRunAtOnce) }

func testFirstRunAtOnce(t *testing.T, db *store.DB) {
	ctx := context.Background()
	f := newFixture(db)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := input("admin" + string(rune('a'+i)) + "@aurora.example")
			in.Team = "Team " + string(rune('A'+i))
			_, errs[i] = f.setup.Run(ctx, in)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, setup.ErrDone):
			t.Fatalf("a run failed otherwise: %v", err)
		}
	}
	list, _ := f.agents.List(ctx)
	teams, _ := f.agents.ListTeams(ctx)
	if ok != 1 || len(list) != 1 || len(teams) != 1 {
		t.Fatalf("%d runs succeeded, %d agents, %d teams; want one of each", ok, len(list), len(teams))
	}
}

// TestBadInputWritesNothing: every problem is reported at once, keyed by
// the form's fields, and nothing is stored.
func TestBadInputWritesNothing(t *testing.T) { storetest.Each(t, testBadInputWritesNothing) }

func testBadInputWritesNothing(t *testing.T, db *store.DB) {
	ctx := context.Background()
	f := newFixture(db)
	in := input("not an address")
	in.Business.Name, in.Business.TimeZone, in.Week, in.Relay.Addr, in.Team, in.Password = "", "Mars/Base", "someday", "smtp.example.com", " ", "short"
	_, err := f.setup.Run(ctx, in)
	var fields valid.Fields
	if !errors.As(err, &fields) {
		t.Fatalf("err = %v, want valid.Fields", err)
	}
	for _, k := range []string{"name", "time_zone", "week", "smtp_relay", "team", "email", "password"} {
		if _, ok := fields[k]; !ok {
			t.Errorf("no problem for %s in %v", k, fields)
		}
	}
	if need, _ := f.setup.Needed(ctx); !need {
		t.Fatal("a refused first run made an admin")
	}
	if p, _ := f.biz.Profile(ctx); p.SetUp {
		t.Fatal("a refused first run saved the profile")
	}
}
