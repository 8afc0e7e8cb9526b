package ticket_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// searchIDs runs a search over every ticket and returns the ids found, in
// order.
func searchIDs(t *testing.T, f *fixture, q string, o ticket.ListOptions) []int64 {
	t.Helper()
	o.View, o.Query = ticket.ViewAll, q
	p, err := f.svc.List(context.Background(), o)
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	ids := []int64{}
	for _, tk := range p.Tickets {
		ids = append(ids, tk.ID)
	}
	return ids
}

// TestSearchFullText checks that the search box finds what a person looks
// for: words only in a message body or a note, phrases, left-out words,
// the customer's address and phone, the number and tags; combined with the
// filters, ranked, with snippets, and in step after a reply and after the
// customer's details change.
func TestSearchFullText(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		dora := f.newCustomer(t, "Dora Díaz", "dora@example.com")
		if _, err := f.customers.AddIdentity(ctx, dora, customer.Phone, "+39 333 123 4567"); err != nil {
			t.Fatal(err)
		}
		refund := f.create(t, ticket.NewTicket{Subject: "Order problem", Body: "The zanzibar parcel never arrived; I want a refund.", Language: "en"})
		blender := f.create(t, ticket.NewTicket{Subject: "Blender broken", Body: "The blender makes a loud noise.", CustomerID: dora, Tags: []string{"hardware"}, Language: "en"})
		both := f.create(t, ticket.NewTicket{Subject: "Refund for the blender", Body: "Please refund the blender quickly, refund refund.", TeamID: f.teams["billing"], Language: "en"})
		italian := f.create(t, ticket.NewTicket{Subject: "Rimborso", Body: "Vorrei un rimborso per le scarpe rosse.", Language: "it"})

		cases := []struct {
			name string
			q    string
			o    ticket.ListOptions
			want []int64
		}{
			{"word only in a message body", "zanzibar", ticket.ListOptions{}, []int64{refund.ID}},
			{"absent word", "xylophone", ticket.ListOptions{}, []int64{}},
			{"ranked: more hits first", "refund", ticket.ListOptions{}, []int64{both.ID, refund.ID}},
			{"two words, both needed", "refund blender", ticket.ListOptions{}, []int64{both.ID}},
			{"phrase", `"loud noise"`, ticket.ListOptions{}, []int64{blender.ID}},
			{"phrase in the wrong order", `"noise loud"`, ticket.ListOptions{}, []int64{}},
			{"negation", "blender -refund", ticket.ListOptions{}, []int64{blender.ID}},
			{"negation alone", "-blender", ticket.ListOptions{Sort: "created"}, []int64{italian.ID, refund.ID}},
			{"from: address", "from:DORA@example.com", ticket.ListOptions{}, []int64{blender.ID}},
			{"bare address", "dora@example.com", ticket.ListOptions{}, []int64{blender.ID}},
			{"bare phone", "+393331234567", ticket.ListOptions{}, []int64{blender.ID}},
			{"number", "#" + itoa(both.ID), ticket.ListOptions{}, []int64{both.ID}},
			{"tag", "tag:hardware", ticket.ListOptions{}, []int64{blender.ID}},
			{"tag and word", "tag:hardware refund", ticket.ListOptions{}, []int64{}},
			{"customer name, accents folded", "diaz", ticket.ListOptions{}, []int64{blender.ID}},
			{"prefix", "zanzi*", ticket.ListOptions{}, []int64{refund.ID}},
			{"with the team filter", "refund", ticket.ListOptions{TeamID: f.teams["billing"]}, []int64{both.ID}},
			{"with the status filter", "refund", ticket.ListOptions{Status: ticket.Solved}, []int64{}},
			{"with dates", "refund", ticket.ListOptions{CreatedFrom: start, CreatedBefore: start.Add(time.Hour)}, []int64{both.ID, refund.ID}},
			{"before the dates", "refund", ticket.ListOptions{CreatedBefore: start}, []int64{}},
			{"bad syntax is words", `refund "unclosed`, ticket.ListOptions{}, []int64{}},
			{"only punctuation", `-- "" ::`, ticket.ListOptions{Sort: "created"}, []int64{italian.ID, both.ID, blender.ID, refund.ID}},
		}
		if db.Dialect == store.Postgres {
			// Italian stemming: "rimborsi" finds "rimborso".
			cases = append(cases, struct {
				name string
				q    string
				o    ticket.ListOptions
				want []int64
			}{"italian stem", "rimborsi", ticket.ListOptions{}, []int64{italian.ID}})
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				if got := searchIDs(t, f, tc.q, tc.o); !slices.Equal(got, tc.want) {
					t.Errorf("search %q = %v, want %v", tc.q, got, tc.want)
				}
			})
		}

		// Snippets mark the hits, escaped.
		evil := f.create(t, ticket.NewTicket{Subject: "Script", Body: "quokka <script>alert(1)</script> here", Language: "en"})
		p, err := f.svc.List(ctx, ticket.ListOptions{View: ticket.ViewAll, Query: "quokka"})
		if err != nil || len(p.Tickets) != 1 {
			t.Fatalf("quokka: %v %v", p, err)
		}
		h := string(p.Tickets[0].Snippet.HTML())
		if !strings.Contains(h, "<mark>quokka</mark>") || strings.Contains(h, "<script>") || p.Tickets[0].Rank <= 0 {
			t.Errorf("snippet %q rank %v: want the hit marked and the script escaped", h, p.Tickets[0].Rank)
		}
		_ = evil

		// A reply and a note are found at once; so is the new name.
		if _, err := f.svc.Reply(ctx, f.by("al"), blender.ID, "We will send a wombat replacement.", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AddNote(ctx, f.by("al"), italian.ID, "Internal: check the platypus stock."); err != nil {
			t.Fatal(err)
		}
		name := "Dora Quetzal"
		if _, err := f.customers.Update(ctx, dora, customer.Update{Name: &name}); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string][]int64{
			"wombat":   {blender.ID},
			"platypus": {italian.ID},
			"quetzal":  {blender.ID},
			"díaz":     {},
		} {
			if got := searchIDs(t, f, q, ticket.ListOptions{}); !slices.Equal(got, want) {
				t.Errorf("after the changes, search %q = %v, want %v", q, got, want)
			}
		}
	})
}

// TestSearchPaging pages through a ranked search with the cursor: every
// match once, best first.
func TestSearchPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		var want []int64
		for i := range 7 {
			tk := f.create(t, ticket.NewTicket{Subject: "Ticket", Body: strings.Repeat("gizmo ", i+1) + strings.Repeat("filler ", 20)})
			want = append([]int64{tk.ID}, want...)
		}
		var got []int64
		cur := ""
		for range 10 {
			p, err := f.svc.List(ctx, ticket.ListOptions{View: ticket.ViewAll, Query: "gizmo", Limit: 3, Cursor: cur})
			if err != nil {
				t.Fatal(err)
			}
			for _, tk := range p.Tickets {
				got = append(got, tk.ID)
			}
			if cur = p.NextCursor; cur == "" {
				break
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("pages = %v, want %v (most hits first)", got, want)
		}
	})
}

// TestSearchSnippetsOfAPage: a word in every ticket, more than a page of
// them: every ticket of each page has its own passage with the word
// marked (a phrase marked whole on SQLite, word by word on PostgreSQL; a
// prefix's words marked), on both databases.
func TestSearchSnippetsOfAPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		for i := range 30 {
			f.create(t, ticket.NewTicket{Subject: "Ticket " + itoa(int64(i)), Language: "en",
				Body: strings.Repeat("filler words here. ", i%7) + "Hello, the kettle whistles loudly number " + itoa(int64(i)) + "."})
		}
		for _, tc := range []struct{ q, mark string }{
			{"kettle", "<mark>kettle</mark>"},
			{`"kettle whistles"`, "<mark>kettle whistles</mark>"},
			{"whistl*", "<mark>whistles</mark>"},
		} {
			if db.Dialect == store.Postgres && strings.Contains(tc.mark, " ") {
				// ts_headline marks a phrase's words one by one.
				tc.mark = "<mark>kettle</mark> <mark>whistles</mark>"
			}
			seen, cur := 0, ""
			for range 5 {
				p, err := f.svc.List(ctx, ticket.ListOptions{View: ticket.ViewAll, Query: tc.q, Cursor: cur})
				if err != nil {
					t.Fatal(err)
				}
				for _, tk := range p.Tickets {
					h := string(tk.Snippet.HTML())
					if !strings.Contains(h, tc.mark) || !strings.Contains(h, "number "+strings.TrimPrefix(tk.Subject, "Ticket ")) {
						t.Errorf("%s: ticket %q snippet %q: want %s and its own number", tc.q, tk.Subject, h, tc.mark)
					}
					seen++
				}
				if cur = p.NextCursor; cur == "" {
					break
				}
			}
			if seen != 30 {
				t.Errorf("%s: %d tickets over the pages, want 30", tc.q, seen)
			}
		}
	})
}
