package demo

import (
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// The demo's customers have purchases, lifetime values from a real fit,
// some regulars, and re-commitments credited to the owners of the tickets
// they were earned on and valued at the customer's lifetime value.
func TestGenerateLoyalty(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		generate(t, db, 7, 60, 300)
		count := func(q string) int { return countRows(t, db, q) }
		if n := count(`SELECT count(DISTINCT customer_id) FROM purchases`); n < 45 {
			t.Errorf("%d of 60 customers bought something", n)
		}
		if n := count(`SELECT count(*) FROM purchases WHERE currency <> 'EUR' OR amount_minor <= 0`); n != 0 {
			t.Errorf("%d purchases not in EUR or without an amount", n)
		}
		if n := count(`SELECT count(*) FROM clv_fits`); n != 1 {
			t.Errorf("%d model fits, want 1", n)
		}
		scored := count(`SELECT count(*) FROM customer_values WHERE expected_value > 0 AND p_alive > 0 AND p_alive <= 1`)
		if scored < 45 || count(`SELECT count(*) FROM customer_values WHERE regular`) == 0 {
			t.Errorf("%d customers scored, %d regulars", scored, count(`SELECT count(*) FROM customer_values WHERE regular`))
		}
		confirmed := count(`SELECT count(*) FROM recommitments WHERE status = 'confirmed'`)
		if confirmed == 0 {
			t.Fatal("no confirmed re-commitments")
		}
		if n := count(`SELECT count(*) FROM recommitments r JOIN tickets t ON t.id = r.ticket_id
			JOIN customer_values v ON v.customer_id = r.customer_id
			WHERE r.status = 'confirmed' AND r.agent_id = t.owner_id AND r.value = v.expected_value AND r.currency = 'EUR'`); n != confirmed {
			t.Errorf("%d of %d re-commitments credited to the owner at the customer's value", n, confirmed)
		}
		if n := count(`SELECT count(*) FROM ticket_events WHERE type = 'recommitted'`); n != confirmed {
			t.Errorf("%d recommitted events for %d re-commitments", n, confirmed)
		}
	})
}
