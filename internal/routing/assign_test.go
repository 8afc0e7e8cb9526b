package routing_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/routing"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

type fixture struct {
	clock   *jobs.FakeClock
	q       *jobs.Queue
	agents  *agent.Service
	custs   *customer.Service
	tickets *ticket.Service
	router  *routing.Router
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	return newFixtureAt(t, db, jobs.NewFakeClock(time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)))
}

// newFixtureAt is newFixture on clock: a second fixture on the same
// database and clock stands for a second node.
func newFixtureAt(t *testing.T, db *store.DB, clock *jobs.FakeClock) *fixture {
	f := &fixture{clock: clock}
	f.q = jobs.New(db, f.clock, nil)
	f.agents = agent.New(db, f.clock)
	f.custs = customer.New(db, f.clock)
	f.tickets = ticket.NewService(ticket.Opts{DB: db, Clock: f.clock, Jobs: f.q, Customers: f.custs})
	f.router = routing.NewRouter(routing.Opts{DB: db, Jobs: f.q, Clock: f.clock, Tickets: f.tickets})
	if err := f.tickets.Subscribe(ticket.Subscriber{Name: "routing", After: f.router.TicketChanged}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) agent(t *testing.T, name string, langs []string, online bool, capacity int) int64 {
	t.Helper()
	ctx := context.Background()
	a, err := f.agents.Create(ctx, agent.NewAgent{Email: name + "@shop.example", Name: name, Role: agent.RoleAgent, Password: "long enough", Languages: langs})
	if err != nil {
		t.Fatal(err)
	}
	avail := agent.Offline
	if online {
		avail = agent.Online
	}
	if _, err := f.agents.Update(ctx, a.ID, agent.AgentUpdate{Availability: &avail}); err != nil {
		t.Fatal(err)
	}
	if err := f.router.SetCapacity(ctx, a.ID, capacity); err != nil {
		t.Fatal(err)
	}
	return a.ID
}

func (f *fixture) ticket(t *testing.T, lang string, team int64, vip bool) int64 {
	t.Helper()
	ctx := context.Background()
	f.clock.Advance(time.Second)
	c, err := f.custs.Create(ctx, customer.NewCustomer{Name: "C", VIP: vip, Emails: []string{fmt.Sprintf("c%d@example.com", f.clock.Now().Unix())}})
	if err != nil {
		t.Fatal(err)
	}
	tk, err := f.tickets.Create(ctx, ticket.SystemActor, ticket.NewTicket{Subject: "Help", Body: "Please", CustomerID: c.ID, Language: lang, TeamID: team})
	if err != nil {
		t.Fatal(err)
	}
	return tk.ID
}

func (f *fixture) owner(t *testing.T, id int64) int64 {
	t.Helper()
	tk, err := f.tickets.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return tk.OwnerID
}

func TestRoundRobinIsFairAndRespectsCapacity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		ids := []int64{f.agent(t, "ada", []string{"en"}, true, 4), f.agent(t, "bo", []string{"en"}, true, 4), f.agent(t, "cy", []string{"en"}, true, 4)}
		var tickets []int64
		for i := 0; i < 9; i++ {
			tickets = append(tickets, f.ticket(t, "en", 0, false))
		}
		if _, err := f.q.RunDue(ctx); err != nil { // the assignment job the new tickets kicked
			t.Fatal(err)
		}
		count := map[int64]int{}
		for _, id := range tickets {
			count[f.owner(t, id)]++
		}
		for _, a := range ids {
			if count[a] != 3 {
				t.Fatalf("nine tickets over three agents: %v", count)
			}
		}
		// Capacity 4: three more tickets fill everyone, the fourth waits.
		var more []int64
		for i := 0; i < 4; i++ {
			more = append(more, f.ticket(t, "en", 0, false))
		}
		f.q.RunDue(ctx)
		waiting := 0
		for _, id := range more {
			if f.owner(t, id) == 0 {
				waiting++
			}
		}
		if waiting != 1 {
			t.Fatalf("%d tickets waiting, want 1 over capacity", waiting)
		}
		// An agent solving one makes room; the retry round assigns it.
		solved := ticket.Solved
		if _, err := f.tickets.Update(ctx, ticket.AgentActor(ids[0]), tickets[0], ticket.Update{Status: &solved}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(2 * time.Minute)
		f.q.RunDue(ctx)
		for _, id := range more {
			if f.owner(t, id) == 0 {
				t.Fatal("a ticket still waits after room was made")
			}
		}
	})
}

func TestLanguageTeamAvailabilityAndVIP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		team, _ := f.agents.CreateTeam(ctx, "Billing", "")
		italian := f.agent(t, "gina", []string{"it", "en"}, true, 1)
		english := f.agent(t, "ed", []string{"en"}, true, 5)
		away := f.agent(t, "otto", []string{"ru"}, false, 5)
		billing := f.agent(t, "bill", []string{"ru", "en"}, true, 5)
		f.agents.SetTeamMembers(ctx, team.ID, []int64{billing})

		regular := f.ticket(t, "it", 0, false)
		vip := f.ticket(t, "it", 0, true) // newer, but a VIP
		russian := f.ticket(t, "ru", 0, false)
		team1 := f.ticket(t, "en", team.ID, false)
		f.q.RunDue(ctx)
		tests := []struct {
			name string
			id   int64
			want int64
		}{
			{"the VIP gets the only Italian speaker's last slot", vip, italian},
			{"the regular Italian ticket waits", regular, 0},
			{"Russian goes to the one online Russian speaker", russian, billing},
			{"a team ticket goes to the team", team1, billing},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if got := f.owner(t, tc.id); got != tc.want {
					t.Errorf("owner %d, want %d (english %d, away %d)", got, tc.want, english, away)
				}
			})
		}
	})
}

// pendingAssign reports whether an assignment run is queued.
func (f *fixture) pendingAssign(t *testing.T) bool {
	t.Helper()
	info, err := f.q.GetByKey(context.Background(), routing.JobAssign)
	if errors.Is(err, store.ErrNotFound) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	return info.Status == "pending"
}

func TestNobodyAvailableReadsNoTickets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		away := f.agent(t, "ada", []string{"en"}, false, 2)
		full := f.agent(t, "bo", []string{"en"}, true, 1)
		// No room for chats either (their capacity is apart).
		if err := f.router.SetChatCapacity(ctx, full, 0); err != nil {
			t.Fatal(err)
		}
		held := f.ticket(t, "en", 0, false)
		if _, err := f.q.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if got := f.owner(t, held); got != full {
			t.Fatalf("first ticket owner %d, want %d", got, full)
		}

		// Nobody has room: rounds read no ticket, assign nothing, and
		// queue no retry.
		restore := routing.ForbidTicketReads(f.router)
		waiting := []int64{f.ticket(t, "en", 0, false), f.ticket(t, "", 0, true)}
		if _, err := f.q.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := f.router.Assign(ctx); n != 0 || err != nil {
			t.Fatalf("Assign with nobody free = %d, %v; want 0 without reading tickets", n, err)
		}
		f.clock.Advance(time.Hour)
		if f.pendingAssign(t) {
			t.Error("an assignment run is queued although nobody can take a ticket")
		}
		for _, id := range waiting {
			if got := f.owner(t, id); got != 0 {
				t.Fatalf("ticket %d got owner %d with nobody free", id, got)
			}
		}
		restore()

		// An agent comes online (the preferences page kicks a run): both
		// waiting tickets are assigned to her, without any clock moving.
		online := agent.Online
		if _, err := f.agents.Update(ctx, away, agent.AgentUpdate{Availability: &online}); err != nil {
			t.Fatal(err)
		}
		if err := f.router.KickNow(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := f.q.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		for _, id := range waiting {
			if got := f.owner(t, id); got != away {
				t.Errorf("ticket %d owner %d, want %d who came online", id, got, away)
			}
		}

		// Everyone is full again; solving a ticket frees a slot and that
		// change alone starts the round that fills it.
		next := f.ticket(t, "en", 0, false)
		f.q.RunDue(ctx)
		if got := f.owner(t, next); got != 0 {
			t.Fatalf("ticket owner %d, want none while everyone is full", got)
		}
		solved := ticket.Solved
		if _, err := f.tickets.Update(ctx, ticket.AgentActor(full), held, ticket.Update{Status: &solved}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.q.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if got := f.owner(t, next); got != full {
			t.Errorf("ticket owner %d, want %d whose slot a solve freed", got, full)
		}
	})
}

// markRegular records customer of ticket id as a regular, as the
// lifetime-value refit (internal/clv) does.
func (f *fixture) markRegular(t *testing.T, db *store.DB, id int64) {
	t.Helper()
	tk, err := f.tickets.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.W.Exec(`INSERT INTO customer_values (customer_id, currency, frequency, recency, t, monetary,
		expected_purchases, p_alive, expected_value, horizon_days, regular, updated_at)
		VALUES ($1, 'EUR', 6, 200, 210, 40, 2, 0.9, 80, 365, $2, $3)`, tk.CustomerID, true, store.Millis(f.clock.Now())); err != nil {
		t.Fatal(err)
	}
}

func TestRegularsFirstWhenTheBusinessChoosesIt(t *testing.T) {
	tests := []struct {
		name          string
		regularsFirst bool
		wantRegular   bool // whether the regular's newer ticket gets the one free slot
	}{
		{name: "on: the regular's ticket goes first", regularsFirst: true, wantRegular: true},
		{name: "off: the oldest goes first", regularsFirst: false, wantRegular: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				f := newFixture(t, db)
				if st, err := f.router.Settings(ctx); err != nil || st.RegularsFirst {
					t.Fatalf("default settings %+v, %v: want regulars not first", st, err)
				}
				if _, err := f.router.SaveSettings(ctx, routing.Settings{RegularsFirst: tc.regularsFirst}); err != nil {
					t.Fatal(err)
				}
				if st, err := f.router.Settings(ctx); err != nil || st.RegularsFirst != tc.regularsFirst {
					t.Fatalf("saved settings read back as %+v, %v", st, err)
				}
				ordinary := f.ticket(t, "en", 0, false) // older
				regular := f.ticket(t, "en", 0, false)
				f.markRegular(t, db, regular)
				f.q.RunDue(ctx) // nobody online yet: both wait
				ada := f.agent(t, "ada", []string{"en"}, true, 1)
				f.q.RunDue(ctx)
				first, second := ordinary, regular
				if tc.wantRegular {
					first, second = regular, ordinary
				}
				if got := f.owner(t, first); got != ada {
					t.Errorf("ticket %d has owner %d, want the one free agent %d", first, got, ada)
				}
				if got := f.owner(t, second); got != 0 {
					t.Errorf("ticket %d has owner %d, want it to wait", second, got)
				}
				// With regulars first, a newer VIP still goes before the older ordinary ticket.
				if tc.regularsFirst {
					vip := f.ticket(t, "en", 0, true)
					bo := f.agent(t, "bo", []string{"en"}, true, 1)
					f.q.RunDue(ctx)
					if got := f.owner(t, vip); got != bo {
						t.Errorf("VIP ticket has owner %d, want %d", got, bo)
					}
				}
			})
		})
	}
}
