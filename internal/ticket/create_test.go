package ticket_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

func TestCreate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		tests := []struct {
			name       string
			n          ticket.NewTicket
			wantFields []string // invalid input
			check      func(t *testing.T, tk ticket.Ticket)
		}{
			{
				name: "defaults",
				n:    ticket.NewTicket{Subject: "  Printer on fire ", Body: "It smokes.", CustomerID: f.carla},
				check: func(t *testing.T, tk ticket.Ticket) {
					if tk.Subject != "Printer on fire" || tk.Channel != "web" || tk.Priority != "normal" ||
						tk.Kind != "question" || tk.Status != ticket.New {
						t.Errorf("ticket = %+v, want trimmed subject and defaults web/normal/question/new", tk)
					}
					if tk.CustomerName != "Carla Client" || tk.CustomerEmail != "carla@example.com" {
						t.Errorf("customer = %q <%s>", tk.CustomerName, tk.CustomerEmail)
					}
					if tk.MessageCount != 1 || !tk.CreatedAt.Equal(start) || !tk.UpdatedAt.Equal(start) ||
						!tk.FirstResponseAt.IsZero() || tk.OwnerID != 0 || len(tk.Tags) != 0 {
						t.Errorf("ticket = %+v", tk)
					}
					es := f.events(t, tk.ID)
					if len(es) != 1 || es[0].Type != ticket.EventCreated || es[0].Data["channel"] != "web" ||
						num(es[0].Data["customer_id"]) != f.carla || es[0].ActorName != "Al Agent" {
						t.Errorf("events = %+v, want one created event", es)
					}
					ms, err := f.svc.Messages(ctx, tk.ID)
					if err != nil || len(ms) != 1 || ms[0].Kind != ticket.CustomerMessage || ms[0].BodyText != "It smokes." ||
						ms[0].AuthorCustomerID != f.carla || ms[0].AuthorName != "Carla Client" {
						t.Errorf("messages = %+v, %v", ms, err)
					}
				},
			},
			{
				name: "owner team tags",
				n: ticket.NewTicket{Subject: "Invoice", Body: "Copy please", CustomerID: f.carla, Channel: "phone",
					Priority: "high", Kind: "request", Language: "IT", OwnerID: f.agents["bo"], TeamID: f.teams["billing"],
					Tags: []string{"Invoice", " vip ", "invoice", ""}},
				check: func(t *testing.T, tk ticket.Ticket) {
					if tk.Status != ticket.Open || tk.OwnerName != "Bo Agent" || tk.TeamName != "billing" ||
						tk.Language != "it" || tk.Channel != "phone" || tk.Priority != "high" || tk.Kind != "request" {
						t.Errorf("ticket = %+v", tk)
					}
					if !slices.Equal(tk.Tags, []string{"invoice", "vip"}) {
						t.Errorf("tags = %q", tk.Tags)
					}
					es := f.events(t, tk.ID)
					if got := f.eventTypes(t, tk.ID); !slices.Equal(got, []string{ticket.EventCreated, ticket.EventAssigned}) {
						t.Fatalf("events = %v", got)
					}
					if num(es[1].Data["to"]) != f.agents["bo"] || num(es[1].Data["from"]) != 0 {
						t.Errorf("assigned data = %v", es[1].Data)
					}
				},
			},
			{
				name: "new customer by email",
				n:    ticket.NewTicket{Subject: "Cannot log in", Body: "Reset fails", CustomerEmail: "Dora@Example.com", CustomerName: "Dora"},
				check: func(t *testing.T, tk ticket.Ticket) {
					if tk.CustomerID == 0 || tk.CustomerID == f.carla || tk.CustomerName != "Dora" ||
						tk.CustomerEmail != "dora@example.com" {
						t.Errorf("customer = %d %q <%s>", tk.CustomerID, tk.CustomerName, tk.CustomerEmail)
					}
				},
			},
			{
				name: "existing customer by email",
				n:    ticket.NewTicket{Subject: "Again", Body: "Hi", CustomerEmail: "carla@example.com"},
				check: func(t *testing.T, tk ticket.Ticket) {
					if tk.CustomerID != f.carla {
						t.Errorf("customer = %d, want carla %d", tk.CustomerID, f.carla)
					}
				},
			},
			{
				name: "html body is sanitised and gives the text",
				n: ticket.NewTicket{Subject: "HTML", CustomerID: f.carla,
					BodyHTML: `<p onclick="x()">Hello <b>there</b> &amp; welcome</p><script>alert(1)</script><p>Line two</p>`},
				check: func(t *testing.T, tk ticket.Ticket) {
					ms, err := f.svc.Messages(ctx, tk.ID)
					if err != nil {
						t.Fatal(err)
					}
					m := ms[0]
					if strings.Contains(m.BodyHTML, "script") || strings.Contains(m.BodyHTML, "onclick") ||
						!strings.Contains(m.BodyHTML, "<b>there</b>") {
						t.Errorf("html = %q", m.BodyHTML)
					}
					if m.BodyText != "Hello there & welcome\n\nLine two" {
						t.Errorf("text = %q", m.BodyText)
					}
				},
			},
			{name: "missing subject and body", n: ticket.NewTicket{Subject: " ", Body: " ", CustomerID: f.carla},
				wantFields: []string{"subject", "body"}},
			{name: "subject too long", n: ticket.NewTicket{Subject: strings.Repeat("é", 251), Body: "x", CustomerID: f.carla},
				wantFields: []string{"subject"}},
			{name: "subject of 250 characters", n: ticket.NewTicket{Subject: strings.Repeat("é", 250), Body: "x", CustomerID: f.carla},
				check: func(t *testing.T, tk ticket.Ticket) {}},
			{name: "html without words", n: ticket.NewTicket{Subject: "x", BodyHTML: "<script>x</script><p> </p>", CustomerID: f.carla},
				wantFields: []string{"body"}},
			{name: "bad lists", n: ticket.NewTicket{Subject: "x", Body: "y", CustomerID: f.carla, Channel: "fax", Priority: "asap", Kind: "rant"},
				wantFields: []string{"channel", "priority", "kind"}},
			{name: "no customer", n: ticket.NewTicket{Subject: "x", Body: "y"}, wantFields: []string{"customer_id"}},
			{name: "unknown customer", n: ticket.NewTicket{Subject: "x", Body: "y", CustomerID: 999999}, wantFields: []string{"customer_id"}},
			{name: "unknown owner and team", n: ticket.NewTicket{Subject: "x", Body: "y", CustomerID: f.carla, OwnerID: 999999, TeamID: 999999},
				wantFields: []string{"owner_id", "team_id"}},
			{name: "inactive owner", n: ticket.NewTicket{Subject: "x", Body: "y", CustomerID: f.carla, OwnerID: f.agents["ina"]},
				wantFields: []string{"owner_id"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before := f.count(t, "tickets")
				tk, err := f.svc.Create(ctx, f.by("al"), tc.n)
				if tc.wantFields != nil {
					wantFields(t, err, tc.wantFields...)
					if n := f.count(t, "tickets"); n != before {
						t.Errorf("tickets = %d after a failed create, want %d", n, before)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if got := f.get(t, tk.ID); got.ID != tk.ID || got.Subject != tk.Subject {
					t.Errorf("Get = %+v, Create returned %+v", got, tk)
				}
				tc.check(t, tk)
			})
		}
	})
}

// TestCreateFailureLeavesNothing makes Create fail after it has created the
// customer: the whole change must roll back.
func TestCreateFailureLeavesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		tables := []string{"tickets", "customers", "customer_identities", "messages", "ticket_events", "ticket_tags", "jobs"}
		before := map[string]int{}
		for _, tb := range tables {
			before[tb] = f.count(t, tb)
		}
		_, err := f.svc.Create(context.Background(), f.by("al"), ticket.NewTicket{
			Subject: "Lost", Body: "Where is my parcel?", CustomerEmail: "new@example.com", CustomerName: "New Person",
			OwnerID: f.agents["ina"], Tags: []string{"parcel"},
		})
		wantFields(t, err, "owner_id")
		for _, tb := range tables {
			if n := f.count(t, tb); n != before[tb] {
				t.Errorf("%s: %d rows after the failed create, want %d", tb, n, before[tb])
			}
		}
		if _, err := f.customers.FindByIdentity(context.Background(), "email", "new@example.com"); err == nil {
			t.Error("the customer made by the failed create exists")
		}
	})
}

func TestGetUnknown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		if _, err := f.svc.Get(ctx, 424242); !isNotFound(err) {
			t.Errorf("Get = %v, want ErrNotFound", err)
		}
		if _, err := f.svc.Messages(ctx, 424242); !isNotFound(err) {
			t.Errorf("Messages = %v, want ErrNotFound", err)
		}
		if _, err := f.svc.Events(ctx, 424242); !isNotFound(err) {
			t.Errorf("Events = %v, want ErrNotFound", err)
		}
		if _, err := f.svc.Reply(ctx, f.by("al"), 424242, "hi", ""); !isNotFound(err) {
			t.Errorf("Reply = %v, want ErrNotFound", err)
		}
	})
}
