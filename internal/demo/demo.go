// Package demo fills a fresh database with a made-up business, "Aurora Home
// & Garden", an online shop whose customer service team works in English,
// Italian, Russian, Latvian and Catalan: agents and teams, customers, and six
// months of tickets with their whole history. It is what `rapport demo`
// shows.
//
// Everything is written through the agent, customer and ticket services, on
// a fake clock that moves through the six months, so ticket events,
// timestamps and auto-close jobs are the same as real use would leave. The
// data depends only on the seed and Now: the same seed gives the same demo.
//
// The package is slightly over the 3,000 lines of non-test code the project
// allows itself elsewhere because a sixth of it is the demo's texts in five
// languages (content_*.go), data rather than logic, kept beside the story
// generator that is their only reader.
package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/importer"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
)

// Opts configures Generate.
type Opts struct {
	DB        *store.DB // a fresh, migrated database
	Seed      int64     // the same seed gives the same data
	Customers int       // default 500
	Tickets   int       // default 3000
	Now       time.Time // end of the demo period; default time.Now()
	Password  string    // of every demo login; at least 8 characters
	Log       *slog.Logger
	// AttachmentsDir is the server's folder of files; when set, a reply
	// carries one (a return label). "" leaves the demo without files.
	AttachmentsDir string
}

// Result tells what Generate made and how to log in.
type Result struct {
	AdminEmail, ManagerEmail, AgentEmail string
	Customers, Tickets, Messages         int
	// Imported counts what seedImports brought in from the former help
	// desk, besides the generated history above.
	Imported importer.Counts
	// PortalEmail is the demo customer whose sign-in link to the portal
	// the server mails to the outbox when it starts.
	PortalEmail string
}

// Generate creates the demo business in o.DB. It expects an empty database:
// the demo logins would clash with existing ones.
func Generate(ctx context.Context, o Opts) (Result, error) {
	if o.DB == nil {
		return Result{}, errors.New("demo: no database")
	}
	if len(o.Password) < 8 {
		return Result{}, errors.New("demo: the password of the demo logins needs at least 8 characters")
	}
	if o.Customers <= 0 {
		o.Customers = 500
	}
	if o.Tickets <= 0 {
		o.Tickets = 3000
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	now := o.Now.UTC().Truncate(time.Second)

	began := time.Now()
	p := newPlanner(o.Seed, now)
	p.plan(o.Customers, o.Tickets)
	o.Log.Info("demo planned", "customers", len(p.customers), "tickets", len(p.tickets),
		"steps", len(p.steps), "took", time.Since(began).Round(time.Millisecond))

	r := newRunner(o, p)
	if err := r.run(ctx); err != nil {
		return Result{}, err
	}
	o.Log.Info("demo generated", "customers", r.res.Customers, "tickets", r.res.Tickets,
		"messages", r.res.Messages, "took", time.Since(began).Round(time.Millisecond))
	return r.res, nil
}

// zoneOf is the time zone of the demo's people, by language: its agents
// read times in it and its customers are told them in it.
var zoneOf = map[string]string{
	"it": "Europe/Rome", "ca": "Europe/Madrid", "lv": "Europe/Riga", "ru": "Europe/Moscow", "en": "Europe/London",
}

// runner plays a plan against the services.
type runner struct {
	o       Opts
	p       *planner
	clock   *jobs.FakeClock
	agents  *agent.Service
	custs   *customer.Service
	queue   *jobs.Queue
	tickets *ticket.Service

	agentIDs []int64 // by roster index
	teamIDs  []int64 // by teamDefs index

	// closeDue holds, in order, when solved tickets become due for
	// auto-closing; steps run in time order, so it stays sorted.
	closeDue  []time.Time
	nextSweep time.Time

	res   Result
	began time.Time

	cat      *i18n.Catalog  // writes the promised time in a reply
	promised map[int64]bool // tickets that have an action plan
}

func newRunner(o Opts, p *planner) *runner {
	clock := jobs.NewFakeClock(p.setup)
	queue := jobs.New(o.DB, clock, o.Log)
	custs := customer.New(o.DB, clock)
	// The demo's ticket service has no subscribers: its replies are
	// history that reached their (made-up) customers in the story, so none
	// is emailed now, and the server builds the rollups when it starts.
	return &runner{
		o: o, p: p, clock: clock, queue: queue, custs: custs,
		agents: agent.New(o.DB, clock),
		tickets: ticket.NewService(ticket.Opts{
			DB: o.DB, Clock: clock, Jobs: queue, Customers: custs, Log: o.Log, AutoCloseDays: autoCloseDays,
		}),
		nextSweep: p.setup.Truncate(24 * time.Hour).Add(24 * time.Hour),
		res:       Result{AdminEmail: adminEmail, ManagerEmail: managerEmail, AgentEmail: agentEmail},
		cat:       i18n.MustLoad(),
		promised:  map[int64]bool{},
	}
}

func (r *runner) run(ctx context.Context) error {
	r.began = time.Now()
	if err := r.saveProfile(ctx); err != nil {
		return err
	}
	if err := r.createStaff(ctx); err != nil {
		return err
	}
	for i, s := range r.p.steps {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := r.runJobsUntil(ctx, s.at); err != nil {
			return err
		}
		r.clock.Set(s.at)
		if err := r.do(ctx, s); err != nil {
			if s.t != nil {
				return fmt.Errorf("demo: %s on ticket %d (%s): %w", s.kind, s.t.id, s.at.Format(time.RFC3339), err)
			}
			return fmt.Errorf("demo: %s: %w", s.kind, err)
		}
	}
	if err := r.runJobsUntil(ctx, r.p.now); err != nil {
		return err
	}
	r.clock.Set(r.p.now)
	if _, err := r.queue.RunDue(ctx); err != nil {
		return fmt.Errorf("demo: run jobs: %w", err)
	}
	if err := r.seedSLA(ctx); err != nil {
		return err
	}
	if err := r.seedPurchases(ctx); err != nil {
		return err
	}
	if err := r.seedFollowUps(ctx); err != nil {
		return err
	}
	if err := r.seedSurveys(ctx); err != nil {
		return err
	}
	if err := r.seedChurn(ctx); err != nil {
		return err
	}
	if err := r.seedGoals(ctx); err != nil {
		return err
	}
	if err := r.seedRecovery(ctx); err != nil {
		return err
	}
	if err := r.seedPromiseDone(ctx); err != nil {
		return err
	}
	if err := r.seedWebhooks(ctx); err != nil {
		return fmt.Errorf("demo: webhooks: %w", err)
	}
	if err := r.seedSavedReplies(ctx); err != nil {
		return err
	}
	if err := r.seedKB(ctx); err != nil {
		return err
	}
	if err := r.seedAudit(ctx); err != nil {
		return err
	}
	if err := r.seedTwoFactor(ctx); err != nil {
		return err
	}
	if err := r.seedImports(ctx); err != nil {
		return err
	}
	if err := r.seedPortal(ctx); err != nil {
		return err
	}
	if err := r.seedSSO(ctx); err != nil {
		return fmt.Errorf("demo: single sign-on: %w", err)
	}
	if err := r.seedWidget(ctx); err != nil {
		return fmt.Errorf("demo: chat widget: %w", err)
	}
	if err := r.seedChat(ctx); err != nil {
		return err
	}
	return r.setAvailability(ctx)
}

// seedSLA gives the shop its office hours and SLA policies, and the tickets
// still open their deadlines as of now (the history was made before the
// policies, as in a shop that adopts them today).
func (r *runner) seedSLA(ctx context.Context) error {
	tickets := ticket.NewService(ticket.Opts{DB: r.o.DB, Clock: r.clock, Jobs: r.queue, Customers: r.custs,
		Log: r.o.Log, AutoCloseDays: autoCloseDays})
	slas := sla.New(sla.Opts{DB: r.o.DB, Jobs: r.queue, Clock: r.clock, Log: r.o.Log, Tickets: tickets})
	if err := tickets.Subscribe(ticket.Subscriber{Name: "sla", InTx: slas.TicketChanged}); err != nil {
		return err
	}
	cal, err := slas.SaveCalendar(ctx, sla.CalendarRow{Name: "Aurora office hours", Timezone: "Europe/Riga",
		Week: "mon-fri 08:00-19:00; sat 10:00-16:00", Holidays: holidays(r.p.now)})
	if err != nil {
		return fmt.Errorf("demo: calendar: %w", err)
	}
	for _, p := range []sla.Policy{
		{Name: "Urgent, around the clock", Position: 1, Priority: ticket.Urgent, FirstResponse: time.Hour,
			NextResponse: 2 * time.Hour, Resolution: 8 * time.Hour, Active: true},
		{Name: "VIP customers", Position: 2, VIPOnly: true, CalendarID: cal.ID, FirstResponse: 2 * time.Hour,
			NextResponse: 4 * time.Hour, Resolution: 16 * time.Hour, PauseOnPending: true, Active: true},
		{Name: "High priority", Position: 3, Priority: ticket.High, CalendarID: cal.ID, FirstResponse: 4 * time.Hour,
			NextResponse: 8 * time.Hour, Resolution: 24 * time.Hour, PauseOnPending: true, Active: true},
		{Name: "Standard", Position: 4, CalendarID: cal.ID, FirstResponse: 8 * time.Hour,
			NextResponse: 11 * time.Hour, Resolution: 33 * time.Hour, PauseOnPending: true, Active: true},
	} {
		if _, err := slas.CreatePolicy(ctx, p); err != nil {
			return fmt.Errorf("demo: policy %s: %w", p.Name, err)
		}
	}
	rows, err := r.o.DB.R.QueryContext(ctx, `SELECT id FROM tickets WHERE status IN ('new', 'open', 'pending') ORDER BY id`)
	if err != nil {
		return err
	}
	var open []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		open = append(open, id)
	}
	rows.Close()
	for _, id := range open {
		if err := tickets.RefreshTimers(ctx, id); err != nil {
			return fmt.Errorf("demo: timers: %w", err)
		}
	}
	return rows.Err()
}

// holidays lists the Latvian public holidays of now's year and the next
// that fall on fixed dates.
func holidays(now time.Time) string {
	var out []string
	for _, y := range []int{now.Year(), now.Year() + 1} {
		for _, md := range []string{"01-01", "05-01", "05-04", "06-23", "06-24", "11-18", "12-24", "12-25", "12-26", "12-31"} {
			out = append(out, fmt.Sprintf("%d-%s", y, md))
		}
	}
	return strings.Join(out, ", ")
}

// createStaff makes the teams and the agents at the start of the timeline.
func (r *runner) createStaff(ctx context.Context) error {
	for _, d := range teamDefs {
		tm, err := r.agents.CreateTeam(ctx, d.Name, d.Description)
		if err != nil {
			return fmt.Errorf("demo: create team %s: %w", d.Name, err)
		}
		r.teamIDs = append(r.teamIDs, tm.ID)
	}
	members := make([][]int64, len(teamDefs))
	for i, s := range roster {
		r.clock.Set(r.p.setup.Add(time.Duration(i) * time.Minute))
		a, err := r.agents.Create(ctx, agent.NewAgent{
			Email: s.Email, Name: s.Name, Role: s.Role, Password: r.o.Password,
			Locale: s.Locale, Languages: s.Languages, TimeZone: zoneOf[s.Locale],
		})
		if err != nil {
			return fmt.Errorf("demo: create agent %s: %w", s.Email, err)
		}
		r.agentIDs = append(r.agentIDs, a.ID)
		for _, t := range s.Teams {
			members[t] = append(members[t], a.ID)
		}
	}
	for t, ids := range members {
		if err := r.agents.SetTeamMembers(ctx, r.teamIDs[t], ids); err != nil {
			return fmt.Errorf("demo: team members of %s: %w", teamDefs[t].Name, err)
		}
	}
	return nil
}

// runJobsUntil runs the jobs that fall due before t: at the moment each
// solved ticket is due to close, and once a day for anything else.
func (r *runner) runJobsUntil(ctx context.Context, t time.Time) error {
	for {
		at := r.nextSweep
		if len(r.closeDue) > 0 && r.closeDue[0].Before(at) {
			at = r.closeDue[0]
			// One run for tickets that fall due within a few minutes.
			for _, d := range r.closeDue[1:] {
				if d.Sub(r.closeDue[0]) > 10*time.Minute || d.After(t) {
					break
				}
				at = d
			}
		}
		if at.After(t) {
			return nil
		}
		if at.After(r.clock.Now()) {
			r.clock.Set(at)
		}
		if _, err := r.queue.RunDue(ctx); err != nil {
			return fmt.Errorf("demo: run jobs at %s: %w", at.Format(time.RFC3339), err)
		}
		for len(r.closeDue) > 0 && !r.closeDue[0].After(at) {
			r.closeDue = r.closeDue[1:]
		}
		if !r.nextSweep.After(at) {
			r.nextSweep = r.nextSweep.Add(24 * time.Hour)
		}
	}
}

// do makes one step's service call.
func (r *runner) do(ctx context.Context, s *step) error {
	t := s.t
	actor := ticket.AgentActor(r.agentIDs[s.actor])
	var err error
	switch s.kind {
	case stCustomer:
		c := s.c
		var cu customer.Customer
		cu, err = r.custs.Create(ctx, customer.NewCustomer{
			Name: c.Name, Language: c.Lang, Notes: c.Notes, VIP: c.VIP, Tags: c.Tags,
			Emails: c.Emails, Phones: c.Phones,
		})
		if zone := zoneOf[c.Lang]; err == nil && zone != "" && c.Lang != "en" {
			// Known for most; English-speaking customers are left unknown,
			// so that they are told times in the business's zone.
			cu, err = r.custs.Update(ctx, cu.ID, customer.Update{TimeZone: &zone})
		}
		c.id = cu.ID
		r.res.Customers++
	case stCreate:
		n := ticket.NewTicket{
			Subject: t.subject, Body: t.body, Channel: t.channel, Priority: t.priority,
			Kind: t.sc.Kind, Language: t.lang, CustomerID: t.cust.id, Tags: t.tags,
		}
		a := ticket.Actor{Kind: "customer"}
		if t.initOwner >= 0 {
			n.OwnerID = r.agentIDs[t.initOwner]
			if t.channel == "phone" {
				a = ticket.AgentActor(n.OwnerID) // the agent logged the call
			}
		}
		if t.initTeam >= 0 {
			n.TeamID = r.teamIDs[t.initTeam]
		}
		var tk ticket.Ticket
		tk, err = r.tickets.Create(ctx, a, n)
		t.id = tk.ID
		if err == nil {
			r.res.Tickets++
			r.res.Messages++
			if r.res.Tickets%500 == 0 {
				r.o.Log.Info("demo progress", "tickets", r.res.Tickets, "of", len(r.p.tickets),
					"at", s.at.Format(time.DateOnly), "elapsed", time.Since(r.began).Round(time.Millisecond))
			}
		}
	case stAssign:
		_, err = r.tickets.Assign(ctx, actor, t.id, r.agentIDs[s.to])
	case stSetTeam:
		id := r.teamIDs[s.team]
		_, err = r.tickets.Update(ctx, actor, t.id, ticket.Update{TeamID: &id})
	case stReply:
		var promised bool
		if promised, err = r.promise(ctx, s); promised || err != nil {
			break
		}
		_, err = r.tickets.Reply(ctx, actor, t.id, s.body, s.status)
		r.countMessage(err)
		if err == nil && s.status == ticket.Solved {
			r.closeDue = append(r.closeDue, s.at.Add(autoCloseDays*24*time.Hour))
		}
	case stNote:
		_, err = r.tickets.AddNote(ctx, actor, t.id, s.body)
		r.countMessage(err)
	case stCustomerMsg:
		_, err = r.tickets.AddCustomerMessage(ctx, t.id, s.body, "")
		r.countMessage(err)
	case stTransfer:
		_, err = r.tickets.Transfer(ctx, actor, t.id, r.agentIDs[s.to], r.teamIDs[s.team], s.body, true)
	case stPriority:
		p := s.priority
		_, err = r.tickets.Update(ctx, actor, t.id, ticket.Update{Priority: &p})
	}
	return err
}

func (r *runner) countMessage(err error) {
	if err == nil {
		r.res.Messages++
	}
}

// setAvailability leaves some of the team online, as in a working day.
func (r *runner) setAvailability(ctx context.Context) error {
	states := []string{agent.Online, agent.Online, agent.Away, agent.Online, agent.Offline, agent.Online}
	for i, id := range r.agentIDs {
		st := states[i%len(states)]
		if _, err := r.agents.Update(ctx, id, agent.AgentUpdate{Availability: &st}); err != nil {
			return fmt.Errorf("demo: availability of %s: %w", roster[i].Email, err)
		}
	}
	return nil
}
