package demo

import (
	"context"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/text"
	"github.com/rapport/rapport/internal/ticket"
)

// TestDemoPromises: the demo has action plans kept, broken and still
// pending, made and resolved by the ticket service on the demo's clock:
// the broken ones have their event and told their people, and the
// customer read the promised time in the ticket's language.
func TestDemoPromises(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		generate(t, db, 7, 60, 300)
		_, _, ts := services(db)
		byStatus := map[string]int{}
		rows, err := db.R.QueryContext(ctx, "SELECT status, count(*) FROM promises GROUP BY status")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			var n int
			if err := rows.Scan(&s, &n); err != nil {
				t.Fatal(err)
			}
			byStatus[s] = n
		}
		rows.Close()
		t.Logf("promises by status: %v", byStatus)
		for _, s := range []string{ticket.PromiseOpen, ticket.PromiseKept, ticket.PromiseBroken} {
			if byStatus[s] == 0 {
				t.Errorf("no %s promise: %v", s, byStatus)
			}
		}
		var broken, told int64
		var id int64
		if err := db.R.QueryRowContext(ctx, "SELECT count(*), min(ticket_id) FROM ticket_events WHERE type = $1", ticket.EventPromiseBroken).Scan(&broken, &id); err != nil {
			t.Fatal(err)
		}
		if err := db.R.QueryRowContext(ctx, "SELECT count(DISTINCT ticket_id) FROM notifications WHERE kind = $1", ticket.NotifyPromiseBroken).Scan(&told); err != nil {
			t.Fatal(err)
		}
		if broken != int64(byStatus[ticket.PromiseBroken]) || told != broken {
			t.Errorf("%d broken promises, %d broken events, %d tickets with people told", byStatus[ticket.PromiseBroken], broken, told)
		}
		tk, err := ts.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		msgs, err := ts.Messages(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		sentence := strings.SplitN(i18nCatalog.T(tk.Language, "promise.mail"), "%s", 2)[0]
		found := false
		for _, m := range msgs {
			found = found || (m.Kind == ticket.Reply && strings.Contains(m.BodyText, sentence))
		}
		if !found {
			t.Errorf("ticket %d (%s): no reply states the promise (%q)", id, tk.Language, sentence)
		}

		// Two open promises whose ticket says the thing is done, by the
		// customer and by the agent's reply: their card offers "Mark kept".
		var byCustomer, byAgent int
		rows, err = db.R.QueryContext(ctx, "SELECT ticket_id, created_at FROM promises WHERE status = $1", ticket.PromiseOpen)
		if err != nil {
			t.Fatal(err)
		}
		type open struct{ ticket, made int64 }
		var opens []open
		for rows.Next() {
			var o open
			if err := rows.Scan(&o.ticket, &o.made); err != nil {
				t.Fatal(err)
			}
			opens = append(opens, o)
		}
		rows.Close()
		for _, o := range opens {
			msgs, err := ts.Messages(ctx, o.ticket)
			if err != nil {
				t.Fatal(err)
			}
			tk, err := ts.Get(ctx, o.ticket)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range msgs {
				if m.CreatedAt.UnixMilli() <= o.made {
					continue
				}
				if _, done := text.SaysDone(m.BodyText, tk.Language); done {
					switch m.Kind {
					case ticket.CustomerMessage:
						byCustomer++
					case ticket.Reply:
						byAgent++
					}
				}
			}
		}
		if byCustomer != 1 || byAgent != 1 {
			t.Errorf("open promises said done by %d customer messages and %d replies, want 1 and 1", byCustomer, byAgent)
		}
	})
}

var i18nCatalog = i18n.MustLoad()
