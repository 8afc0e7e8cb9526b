package ticket_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

const day = 24 * time.Hour

func statusPtr(s ticket.Status) *ticket.Status { return &s }
func strPtr(s string) *string                  { return &s }
func idPtr(id int64) *int64                    { return &id }

func TestReply(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		tk := f.create(t, ticket.NewTicket{Subject: "Login"})
		f.clock.Advance(10 * time.Minute)
		replyAt := f.clock.Now()

		m, err := f.svc.Reply(ctx, f.by("al"), tk.ID, "  Try the link again. ", "")
		if err != nil {
			t.Fatal(err)
		}
		if m.Kind != ticket.Reply || m.AuthorAgentID != f.agents["al"] || m.AuthorName != "Al Agent" ||
			m.BodyText != "Try the link again." || m.TicketID != tk.ID || !m.CreatedAt.Equal(replyAt) {
			t.Errorf("message = %+v", m)
		}
		got := f.get(t, tk.ID)
		if got.Status != ticket.Open || got.OwnerID != f.agents["al"] || !got.FirstResponseAt.Equal(replyAt) ||
			!got.UpdatedAt.Equal(replyAt) || got.MessageCount != 2 {
			t.Errorf("after the first reply: %+v", got)
		}
		want := []string{ticket.EventCreated, ticket.EventReplied, ticket.EventAssigned, ticket.EventStatus}
		es := f.events(t, tk.ID)
		if types := f.eventTypes(t, tk.ID); !slices.Equal(types, want) {
			t.Fatalf("events = %v, want %v", types, want)
		}
		if num(es[1].Data["message_id"]) != m.ID || es[3].Data["from"] != "new" || es[3].Data["to"] != "open" ||
			es[1].ActorAgentID != f.agents["al"] || !es[1].CreatedAt.Equal(replyAt) {
			t.Errorf("events = %+v", es)
		}

		// A second reply by a manager keeps the first response and the owner.
		f.clock.Advance(time.Hour)
		if _, err := f.svc.Reply(ctx, f.by("mia"), tk.ID, "Any luck?", ticket.Pending); err != nil {
			t.Fatal(err)
		}
		got = f.get(t, tk.ID)
		if got.Status != ticket.Pending || got.OwnerID != f.agents["al"] || !got.FirstResponseAt.Equal(replyAt) || got.MessageCount != 3 {
			t.Errorf("after the second reply: %+v", got)
		}
		want = append(want, ticket.EventReplied, ticket.EventStatus)
		if types := f.eventTypes(t, tk.ID); !slices.Equal(types, want) {
			t.Fatalf("events = %v, want %v", types, want)
		}

		// Reply and solve in one go schedules the auto-close.
		if _, err := f.svc.Reply(ctx, f.by("al"), tk.ID, "Fixed.", ticket.Solved); err != nil {
			t.Fatal(err)
		}
		if got := f.get(t, tk.ID); got.Status != ticket.Solved || !got.SolvedAt.Equal(f.clock.Now()) {
			t.Errorf("after reply and solve: %+v", got)
		}
		if n := f.pendingJobs(t, "ticket.autoclose:"+itoa(tk.ID)); n != 1 {
			t.Errorf("pending auto-close jobs = %d, want 1", n)
		}

		for _, tc := range []struct {
			name   string
			body   string
			status ticket.Status
			fields []string
		}{
			{"empty", "  ", "", []string{"body"}},
			{"unknown status", "x", "done", []string{"status"}},
			{"close by hand", "x", ticket.Closed, []string{"status"}},
			{"back to new", "x", ticket.New, []string{"status"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.svc.Reply(ctx, f.by("al"), tk.ID, tc.body, tc.status)
				wantFields(t, err, tc.fields...)
			})
		}
		if n := f.count(t, "messages"); n != 4 {
			t.Errorf("messages = %d, want 4 (invalid replies write nothing)", n)
		}
	})
}

func TestNote(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		tk := f.create(t, ticket.NewTicket{Subject: "Printer", OwnerID: f.agents["al"]})
		f.clock.Advance(time.Minute)
		m, err := f.svc.AddNote(ctx, f.by("bo"), tk.ID, "Called facilities.")
		if err != nil {
			t.Fatal(err)
		}
		if m.Kind != ticket.Note || m.AuthorAgentID != f.agents["bo"] || m.AuthorName != "Bo Agent" {
			t.Errorf("note = %+v", m)
		}
		got := f.get(t, tk.ID)
		if got.Status != ticket.Open || got.OwnerID != f.agents["al"] || !got.FirstResponseAt.IsZero() ||
			got.MessageCount != 2 || !got.UpdatedAt.Equal(f.clock.Now()) {
			t.Errorf("after a note: %+v", got)
		}
		if types := f.eventTypes(t, tk.ID); !slices.Equal(types, []string{ticket.EventCreated, ticket.EventAssigned, ticket.EventNoted}) {
			t.Errorf("events = %v", types)
		}
		if _, err := f.svc.AddNote(ctx, f.by("bo"), tk.ID, ""); err == nil {
			t.Error("an empty note was accepted")
		}
	})
}

func TestCustomerMessage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		tests := []struct {
			name        string
			from        ticket.Status
			wantStatus  ticket.Status
			wantEvents  []string // after the message
			wantReopens int
		}{
			{"new stays new", ticket.New, ticket.New, []string{ticket.EventCustomerMsg}, 0},
			{"open stays open", ticket.Open, ticket.Open, []string{ticket.EventCustomerMsg}, 0},
			{"pending becomes open", ticket.Pending, ticket.Open, []string{ticket.EventCustomerMsg, ticket.EventStatus}, 0},
			{"solved reopens", ticket.Solved, ticket.Open, []string{ticket.EventCustomerMsg, ticket.EventReopened}, 1},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				tk := f.create(t, ticket.NewTicket{Subject: tc.name})
				if tc.from != ticket.New {
					if _, err := f.svc.Update(ctx, f.by("al"), tk.ID, ticket.Update{Status: &tc.from}); err != nil {
						t.Fatal(err)
					}
				}
				before := len(f.events(t, tk.ID))
				f.clock.Advance(time.Hour)
				m, err := f.svc.AddCustomerMessage(ctx, tk.ID, "", "<p>Still <i>broken</i></p>")
				if err != nil {
					t.Fatal(err)
				}
				if m.Kind != ticket.CustomerMessage || m.AuthorCustomerID != f.carla || m.BodyText != "Still broken" ||
					m.BodyHTML != "<p>Still <i>broken</i></p>" {
					t.Errorf("message = %+v", m)
				}
				got := f.get(t, tk.ID)
				if got.Status != tc.wantStatus || got.ReopenCount != tc.wantReopens || got.MessageCount != 2 {
					t.Errorf("ticket = %+v, want status %s, %d reopens", got, tc.wantStatus, tc.wantReopens)
				}
				es := f.events(t, tk.ID)[before:]
				var types []string
				for _, e := range es {
					types = append(types, e.Type)
					if e.ActorKind != "customer" || e.ActorName != "Carla Client" {
						t.Errorf("event %s by %s %q, want the customer", e.Type, e.ActorKind, e.ActorName)
					}
				}
				if !slices.Equal(types, tc.wantEvents) {
					t.Fatalf("events = %v, want %v", types, tc.wantEvents)
				}
				if tc.from == ticket.Solved {
					if d := es[1].Data; d["from"] != "solved" || d["to"] != "open" || d["by"] != "customer" {
						t.Errorf("reopened data = %v", d)
					}
					if !got.SolvedAt.IsZero() {
						t.Errorf("solved_at = %v after the reopen", got.SolvedAt)
					}
					// The auto-close job is gone: days later the ticket stays open.
					f.clock.Advance(30 * day)
					if n, err := f.jobs.RunDue(ctx); err != nil || n != 0 {
						t.Errorf("RunDue = %d, %v; want no job after the reopen", n, err)
					}
					if got := f.get(t, tk.ID); got.Status != ticket.Open {
						t.Errorf("status = %s after 30 days, want open", got.Status)
					}
				}
			})
		}
		t.Run("closed", func(t *testing.T) {
			tk := f.create(t, ticket.NewTicket{Subject: "closed"})
			if _, err := f.svc.Update(ctx, ticket.SystemActor, tk.ID, ticket.Update{Status: statusPtr(ticket.Closed)}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.AddCustomerMessage(ctx, tk.ID, "Hello?", ""); !errors.Is(err, ticket.ErrClosed) {
				t.Errorf("err = %v, want ErrClosed", err)
			}
		})
		t.Run("inside the caller's transaction", func(t *testing.T) {
			tk := f.create(t, ticket.NewTicket{Subject: "tx"})
			boom := errors.New("boom")
			err := db.Tx(ctx, func(tx *sql.Tx) error {
				if _, err := f.svc.AddCustomerMessageTx(ctx, tx, tk.ID, "More", ""); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("err = %v", err)
			}
			if got := f.get(t, tk.ID); got.MessageCount != 1 || len(f.events(t, tk.ID)) != 1 {
				t.Errorf("the rolled back message left %d messages, %d events", got.MessageCount, len(f.events(t, tk.ID)))
			}
		})
	})
}

func TestUpdateEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		tk := f.create(t, ticket.NewTicket{Subject: "Printer", Tags: []string{"hardware", "old"}})
		tests := []struct {
			name     string
			u        ticket.Update
			wantType string // "" when nothing changes
			wantData map[string]any
			check    func(t *testing.T, got ticket.Ticket)
		}{
			{name: "subject", u: ticket.Update{Subject: strPtr(" Printer on fire ")}, wantType: ticket.EventSubject,
				wantData: map[string]any{"from": "Printer", "to": "Printer on fire"},
				check:    func(t *testing.T, got ticket.Ticket) { eq(t, got.Subject, "Printer on fire") }},
			{name: "same subject", u: ticket.Update{Subject: strPtr("Printer on fire")}},
			{name: "status", u: ticket.Update{Status: statusPtr(ticket.Pending)}, wantType: ticket.EventStatus,
				wantData: map[string]any{"from": "new", "to": "pending"}},
			{name: "priority", u: ticket.Update{Priority: strPtr("urgent")}, wantType: ticket.EventPriority,
				wantData: map[string]any{"from": "normal", "to": "urgent"}},
			{name: "kind", u: ticket.Update{Kind: strPtr("complaint")}, wantType: ticket.EventKind,
				wantData: map[string]any{"from": "question", "to": "complaint"}},
			{name: "language", u: ticket.Update{Language: strPtr("LV")}, wantType: ticket.EventLanguage,
				wantData: map[string]any{"from": "", "to": "lv"}},
			{name: "team", u: ticket.Update{TeamID: idPtr(f.teams["tech"])}, wantType: ticket.EventTeam,
				wantData: map[string]any{"from": 0.0, "to": float64(f.teams["tech"])},
				check:    func(t *testing.T, got ticket.Ticket) { eq(t, got.TeamName, "tech") }},
			{name: "no team", u: ticket.Update{TeamID: idPtr(0)}, wantType: ticket.EventTeam,
				wantData: map[string]any{"from": float64(f.teams["tech"]), "to": 0.0},
				check:    func(t *testing.T, got ticket.Ticket) { eq(t, got.TeamID, int64(0)) }},
			{name: "tags", u: ticket.Update{Tags: &[]string{"Hardware", "fire"}}, wantType: ticket.EventTags,
				wantData: map[string]any{"added": []any{"fire"}, "removed": []any{"old"}},
				check: func(t *testing.T, got ticket.Ticket) {
					eq(t, slices.Equal(got.Tags, []string{"fire", "hardware"}), true)
				}},
			{name: "same tags", u: ticket.Update{Tags: &[]string{"fire", "hardware"}}},
			{name: "nothing", u: ticket.Update{}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				f.clock.Advance(time.Minute)
				before := f.get(t, tk.ID)
				nBefore := len(f.events(t, tk.ID))
				got, err := f.svc.Update(ctx, f.by("mia"), tk.ID, tc.u)
				if err != nil {
					t.Fatal(err)
				}
				es := f.events(t, tk.ID)[nBefore:]
				if tc.wantType == "" {
					if len(es) != 0 || !got.UpdatedAt.Equal(before.UpdatedAt) {
						t.Errorf("a no-op update wrote %d events, updated_at %v -> %v", len(es), before.UpdatedAt, got.UpdatedAt)
					}
					return
				}
				if len(es) != 1 || es[0].Type != tc.wantType {
					t.Fatalf("events = %+v, want one %s", es, tc.wantType)
				}
				for k, v := range tc.wantData {
					if !equalJSON(es[0].Data[k], v) {
						t.Errorf("data[%s] = %#v, want %#v", k, es[0].Data[k], v)
					}
				}
				if !got.UpdatedAt.Equal(f.clock.Now()) || es[0].ActorName != "Mia Manager" {
					t.Errorf("updated_at = %v, actor %q", got.UpdatedAt, es[0].ActorName)
				}
				if tc.check != nil {
					tc.check(t, got)
				}
			})
		}
		t.Run("several fields at once", func(t *testing.T) {
			n := len(f.events(t, tk.ID))
			_, err := f.svc.Update(ctx, f.by("mia"), tk.ID, ticket.Update{
				Subject: strPtr("Printer fixed?"), Priority: strPtr("low"), Kind: strPtr("complaint"), Status: statusPtr(ticket.Open),
			})
			if err != nil {
				t.Fatal(err)
			}
			var types []string
			for _, e := range f.events(t, tk.ID)[n:] {
				types = append(types, e.Type)
			}
			// kind did not change: no event for it.
			if want := []string{ticket.EventSubject, ticket.EventStatus, ticket.EventPriority}; !slices.Equal(types, want) {
				t.Errorf("events = %v, want %v", types, want)
			}
		})
		t.Run("invalid", func(t *testing.T) {
			_, err := f.svc.Update(ctx, f.by("mia"), tk.ID, ticket.Update{Subject: strPtr(""), Status: statusPtr("burning"),
				Priority: strPtr("asap"), Kind: strPtr("x")})
			wantFields(t, err, "subject", "status", "priority", "kind")
			_, err = f.svc.Update(ctx, f.by("mia"), tk.ID, ticket.Update{TeamID: idPtr(999999)})
			wantFields(t, err, "team_id")
			_, err = f.svc.Update(ctx, f.by("mia"), tk.ID, ticket.Update{Status: statusPtr(ticket.Closed)})
			wantFields(t, err, "status")
			if _, err := f.svc.Update(ctx, f.by("mia"), 999999, ticket.Update{Priority: strPtr("low")}); !isNotFound(err) {
				t.Errorf("unknown ticket: %v", err)
			}
		})
	})
}

func TestAutoClose(t *testing.T) {
	for _, days := range []int{0, 2} {
		t.Run("days="+itoa(int64(days)), func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				f := newFixtureDays(t, db, days)
				want := time.Duration(days) * day
				if days == 0 {
					want = 4 * day // the default
				}
				ctx := context.Background()
				tk := f.create(t, ticket.NewTicket{Subject: "Solve me", OwnerID: f.agents["al"]})
				other := f.create(t, ticket.NewTicket{Subject: "Keep me"})
				solvedAt := f.clock.Now()
				if _, err := f.svc.Update(ctx, f.by("al"), tk.ID, ticket.Update{Status: statusPtr(ticket.Solved)}); err != nil {
					t.Fatal(err)
				}
				f.clock.Advance(want - time.Millisecond)
				if _, err := f.jobs.RunDue(ctx); err != nil {
					t.Fatal(err)
				}
				if got := f.get(t, tk.ID); got.Status != ticket.Solved {
					t.Fatalf("status = %s a millisecond before the auto-close, want solved", got.Status)
				}
				f.clock.Advance(time.Millisecond)
				if n, err := f.jobs.RunDue(ctx); err != nil || n != 1 {
					t.Fatalf("RunDue = %d, %v; want the auto-close job", n, err)
				}
				got := f.get(t, tk.ID)
				if got.Status != ticket.Closed || !got.ClosedAt.Equal(solvedAt.Add(want)) || !got.SolvedAt.Equal(solvedAt) {
					t.Fatalf("after auto-close: %+v", got)
				}
				es := f.events(t, tk.ID)
				last := es[len(es)-1]
				if last.Type != ticket.EventClosed || last.ActorKind != "system" || last.ActorAgentID != 0 || last.Data["from"] != "solved" {
					t.Errorf("last event = %+v, want closed by the system", last)
				}
				if got := f.get(t, other.ID); got.Status != ticket.New {
					t.Errorf("the other ticket is %s", got.Status)
				}
				if n, err := f.jobs.RunDue(ctx); err != nil || n != 0 {
					t.Errorf("RunDue again = %d, %v", n, err)
				}
			})
		})
	}
}

func TestReopenCancelsAutoClose(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		tk := f.create(t, ticket.NewTicket{Subject: "Flaky", OwnerID: f.agents["al"]})
		key := "ticket.autoclose:" + itoa(tk.ID)
		if _, err := f.svc.Update(ctx, f.by("al"), tk.ID, ticket.Update{Status: statusPtr(ticket.Solved)}); err != nil {
			t.Fatal(err)
		}
		if n := f.pendingJobs(t, key); n != 1 {
			t.Fatalf("pending auto-close jobs = %d, want 1", n)
		}
		f.clock.Advance(day)
		got, err := f.svc.Update(ctx, f.by("mia"), tk.ID, ticket.Update{Status: statusPtr(ticket.Pending)})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != ticket.Pending || got.ReopenCount != 1 || !got.SolvedAt.IsZero() {
			t.Errorf("after the reopen: %+v", got)
		}
		es := f.events(t, tk.ID)
		last := es[len(es)-1]
		if last.Type != ticket.EventReopened || last.Data["by"] != "agent" || last.Data["from"] != "solved" ||
			last.Data["to"] != "pending" || last.ActorAgentID != f.agents["mia"] {
			t.Errorf("last event = %+v", last)
		}
		if n := f.pendingJobs(t, key); n != 0 {
			t.Errorf("pending auto-close jobs = %d after the reopen, want 0", n)
		}
		f.clock.Advance(10 * day)
		if n, err := f.jobs.RunDue(ctx); err != nil || n != 0 {
			t.Errorf("RunDue = %d, %v", n, err)
		}
		if got := f.get(t, tk.ID); got.Status != ticket.Pending {
			t.Errorf("status = %s, want pending", got.Status)
		}

		// Solving again schedules a fresh job from the new solve time.
		if _, err := f.svc.Update(ctx, f.by("al"), tk.ID, ticket.Update{Status: statusPtr(ticket.Solved)}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(4 * day)
		if n, err := f.jobs.RunDue(ctx); err != nil || n != 1 {
			t.Fatalf("RunDue = %d, %v", n, err)
		}
		if got := f.get(t, tk.ID); got.Status != ticket.Closed || got.ReopenCount != 1 {
			t.Errorf("after the second solve: %+v", got)
		}
	})
}

func TestAssign(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		tests := []struct {
			name      string
			owner     string // key of the owner at the start, "" for none
			actor     string
			to        string // key of the agent to assign, "" to unassign
			toID      int64  // instead of to, when set
			wantErr   error
			wantField string
			wantOwner string
			wantEvent bool
		}{
			{name: "unowned to al", actor: "al", to: "al", wantOwner: "al", wantEvent: true},
			{name: "unowned to bo by al", actor: "al", to: "bo", wantOwner: "bo", wantEvent: true},
			{name: "same owner is a no-op", owner: "al", actor: "al", to: "al", wantOwner: "al"},
			{name: "owned by another", owner: "bo", actor: "al", to: "al", wantErr: ticket.ErrNeedsTransfer, wantOwner: "bo"},
			{name: "unknown agent", actor: "al", toID: 999999, wantField: "agent_id"},
			{name: "inactive agent", actor: "al", to: "ina", wantField: "agent_id"},
			{name: "unassign by the owner", owner: "al", actor: "al", to: "", wantOwner: "", wantEvent: true},
			{name: "unassign by a manager", owner: "al", actor: "mia", to: "", wantOwner: "", wantEvent: true},
			{name: "unassign by another agent", owner: "al", actor: "bo", to: "", wantErr: ticket.ErrNeedsTransfer, wantOwner: "al"},
			{name: "unassign unowned is a no-op", actor: "bo", to: "", wantOwner: ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				tk := f.create(t, ticket.NewTicket{Subject: tc.name, OwnerID: f.agents[tc.owner]})
				n := len(f.events(t, tk.ID))
				to := f.agents[tc.to]
				if tc.toID != 0 {
					to = tc.toID
				}
				f.clock.Advance(time.Minute)
				_, err := f.svc.Assign(ctx, f.by(tc.actor), tk.ID, to)
				switch {
				case tc.wantField != "":
					wantFields(t, err, tc.wantField)
				case tc.wantErr != nil:
					if !errors.Is(err, tc.wantErr) {
						t.Fatalf("err = %v, want %v", err, tc.wantErr)
					}
				case err != nil:
					t.Fatal(err)
				}
				got := f.get(t, tk.ID)
				if got.OwnerID != f.agents[tc.wantOwner] {
					t.Errorf("owner = %d, want %s", got.OwnerID, tc.wantOwner)
				}
				if got.Status != tk.Status {
					t.Errorf("status %s -> %s: assigning changes no status", tk.Status, got.Status)
				}
				es := f.events(t, tk.ID)[n:]
				if !tc.wantEvent {
					if len(es) != 0 || !got.UpdatedAt.Equal(tk.UpdatedAt) {
						t.Errorf("events = %+v, updated_at moved: %v", es, got.UpdatedAt != tk.UpdatedAt)
					}
					return
				}
				if len(es) != 1 || es[0].Type != ticket.EventAssigned || num(es[0].Data["to"]) != to ||
					num(es[0].Data["from"]) != f.agents[tc.owner] || es[0].ActorAgentID != f.agents[tc.actor] {
					t.Errorf("events = %+v", es)
				}
				if !got.UpdatedAt.Equal(f.clock.Now()) {
					t.Errorf("updated_at = %v", got.UpdatedAt)
				}
			})
		}
	})
}

func TestTransfer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		tk := f.create(t, ticket.NewTicket{Subject: "Refund", OwnerID: f.agents["bo"], TeamID: f.teams["tech"]})
		n := len(f.events(t, tk.ID))

		for _, tc := range []struct {
			name     string
			to, team int64
			reason   string
			wantErr  error
			fields   []string
		}{
			{name: "no reason", to: f.agents["al"], reason: "  ", wantErr: ticket.ErrReasonRequired},
			{name: "nobody", reason: "x", fields: []string{"agent_id"}},
			{name: "inactive agent", to: f.agents["ina"], reason: "x", fields: []string{"agent_id"}},
			{name: "unknown team", team: 999999, reason: "x", fields: []string{"team_id"}},
			{name: "same owner and team", to: f.agents["bo"], team: f.teams["tech"], reason: "x", fields: []string{"agent_id"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.svc.Transfer(ctx, f.by("bo"), tk.ID, tc.to, tc.team, tc.reason, false)
				if tc.wantErr != nil {
					if !errors.Is(err, tc.wantErr) {
						t.Fatalf("err = %v, want %v", err, tc.wantErr)
					}
				} else {
					wantFields(t, err, tc.fields...)
				}
				if got := len(f.events(t, tk.ID)); got != n {
					t.Errorf("a failed transfer wrote %d events", got-n)
				}
			})
		}

		got, err := f.svc.Transfer(ctx, f.by("bo"), tk.ID, f.agents["al"], f.teams["billing"], " Billing knows refunds ", false)
		if err != nil {
			t.Fatal(err)
		}
		if got.OwnerID != f.agents["al"] || got.TeamID != f.teams["billing"] || got.TransferCount != 1 {
			t.Errorf("after transfer: %+v", got)
		}
		es := f.events(t, tk.ID)[n:]
		if len(es) != 1 || es[0].Type != ticket.EventTransferred {
			t.Fatalf("events = %+v", es)
		}
		d := es[0].Data
		if num(d["from"]) != f.agents["bo"] || num(d["to"]) != f.agents["al"] || num(d["from_team"]) != f.teams["tech"] ||
			num(d["to_team"]) != f.teams["billing"] || d["reason"] != "Billing knows refunds" || es[0].ActorName != "Bo Agent" {
			t.Errorf("transferred data = %v by %q", d, es[0].ActorName)
		}

		// A second transfer needs the agent's confirmation: the customer
		// has already been passed on once.
		n = len(f.events(t, tk.ID))
		if _, err := f.svc.Transfer(ctx, f.by("al"), tk.ID, 0, f.teams["tech"], "Hardware after all", false); !errors.Is(err, ticket.ErrTransferAgain) {
			t.Fatalf("unconfirmed second transfer: err = %v, want ErrTransferAgain", err)
		}
		if got, _ := f.svc.Get(ctx, tk.ID); got.TransferCount != 1 || got.OwnerID != f.agents["al"] || len(f.events(t, tk.ID)) != n {
			t.Fatalf("an unconfirmed second transfer changed the ticket: %+v", got)
		}

		// To a team only: the team's members pick it up; no owner.
		got, err = f.svc.Transfer(ctx, f.by("al"), tk.ID, 0, f.teams["tech"], "Hardware after all", true)
		if err != nil {
			t.Fatal(err)
		}
		if got.OwnerID != 0 || got.TeamID != f.teams["tech"] || got.TransferCount != 2 {
			t.Errorf("after the team transfer: %+v", got)
		}
	})
}

// TestClosedIsImmutable: nothing but reading works on a closed ticket.
func TestClosedIsImmutable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		tk := f.create(t, ticket.NewTicket{Subject: "Old", OwnerID: f.agents["al"]})
		if _, err := f.svc.Update(ctx, ticket.SystemActor, tk.ID, ticket.Update{Status: statusPtr(ticket.Closed)}); err != nil {
			t.Fatal(err)
		}
		closed := f.get(t, tk.ID)
		if closed.Status != ticket.Closed || closed.ClosedAt.IsZero() {
			t.Fatalf("closed = %+v", closed)
		}
		n := len(f.events(t, tk.ID))
		f.clock.Advance(time.Hour)
		changes := []struct {
			name string
			do   func() error
		}{
			{"update", func() error {
				_, err := f.svc.Update(ctx, f.by("al"), tk.ID, ticket.Update{Priority: strPtr("low")})
				return err
			}},
			{"reopen", func() error {
				_, err := f.svc.Update(ctx, f.by("al"), tk.ID, ticket.Update{Status: statusPtr(ticket.Open)})
				return err
			}},
			{"reply", func() error { _, err := f.svc.Reply(ctx, f.by("al"), tk.ID, "Still there?", ""); return err }},
			{"note", func() error { _, err := f.svc.AddNote(ctx, f.by("al"), tk.ID, "x"); return err }},
			{"customer", func() error { _, err := f.svc.AddCustomerMessage(ctx, tk.ID, "x", ""); return err }},
			{"assign", func() error { _, err := f.svc.Assign(ctx, f.by("al"), tk.ID, 0); return err }},
			{"transfer", func() error {
				_, err := f.svc.Transfer(ctx, f.by("al"), tk.ID, f.agents["bo"], 0, "x", false)
				return err
			}},
		}
		for _, c := range changes {
			t.Run(c.name, func(t *testing.T) {
				if err := c.do(); !errors.Is(err, ticket.ErrClosed) {
					t.Errorf("err = %v, want ErrClosed", err)
				}
			})
		}
		got := f.get(t, tk.ID)
		if !got.UpdatedAt.Equal(closed.UpdatedAt) || got.MessageCount != closed.MessageCount || len(f.events(t, tk.ID)) != n {
			t.Errorf("the closed ticket changed: %+v", got)
		}
	})
}

// TestEventsInOrder walks a ticket through its life and checks the whole
// history: one event per change, in order, with who made it.
func TestEventsInOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		tk := f.create(t, ticket.NewTicket{Subject: "Life"})
		step := func(err error) {
			t.Helper()
			f.clock.Advance(time.Minute)
			if err != nil {
				t.Fatal(err)
			}
		}
		_, err := f.svc.AddNote(ctx, f.by("bo"), tk.ID, "Looks like billing.")
		step(err)
		_, err = f.svc.Update(ctx, f.by("bo"), tk.ID, ticket.Update{TeamID: idPtr(f.teams["billing"]), Priority: strPtr("high")})
		step(err)
		_, err = f.svc.Assign(ctx, f.by("bo"), tk.ID, f.agents["bo"])
		step(err)
		_, err = f.svc.Transfer(ctx, f.by("bo"), tk.ID, f.agents["al"], 0, "Al knows", false)
		step(err)
		_, err = f.svc.Reply(ctx, f.by("al"), tk.ID, "Done.", ticket.Solved)
		step(err)
		_, err = f.svc.AddCustomerMessage(ctx, tk.ID, "Not done.", "")
		step(err)
		_, err = f.svc.Reply(ctx, f.by("al"), tk.ID, "Now it is.", ticket.Solved)
		step(err)
		f.clock.Advance(5 * day)
		_, err = f.jobs.RunDue(ctx)
		step(err)

		want := []struct {
			typ, actor string
		}{
			{ticket.EventCreated, "Al Agent"},
			{ticket.EventNoted, "Bo Agent"},
			{ticket.EventPriority, "Bo Agent"},
			{ticket.EventTeam, "Bo Agent"},
			{ticket.EventAssigned, "Bo Agent"},
			{ticket.EventTransferred, "Bo Agent"},
			{ticket.EventReplied, "Al Agent"},
			{ticket.EventStatus, "Al Agent"}, // new -> solved
			{ticket.EventCustomerMsg, "Carla Client"},
			{ticket.EventReopened, "Carla Client"},
			{ticket.EventReplied, "Al Agent"},
			{ticket.EventStatus, "Al Agent"}, // open -> solved
			{ticket.EventClosed, ""},
		}
		es := f.events(t, tk.ID)
		if len(es) != len(want) {
			t.Fatalf("events = %v, want %d", f.eventTypes(t, tk.ID), len(want))
		}
		for i, w := range want {
			if es[i].Type != w.typ || es[i].ActorName != w.actor || es[i].TicketID != tk.ID {
				t.Errorf("event %d = %s by %q, want %s by %q", i, es[i].Type, es[i].ActorName, w.typ, w.actor)
			}
			if i > 0 && (es[i].ID <= es[i-1].ID || es[i].CreatedAt.Before(es[i-1].CreatedAt)) {
				t.Errorf("event %d is out of order", i)
			}
		}
		if d := es[7].Data; d["from"] != "new" || d["to"] != "solved" {
			t.Errorf("status data = %v", d)
		}
		got := f.get(t, tk.ID)
		if got.Status != ticket.Closed || got.ReopenCount != 1 || got.TransferCount != 1 || got.MessageCount != 5 {
			t.Errorf("final ticket = %+v", got)
		}
	})
}
