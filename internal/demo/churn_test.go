package demo

import (
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// The demo trains the churn model on its own history: every customer who
// bought something has a churn risk with reasons, and the lapsed ones
// (no purchase for months) are riskier on average than the rest.
func TestGenerateChurn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		generate(t, db, 7, 120, 400)
		count := func(q string) int { return countRows(t, db, q) }
		buyers := count(`SELECT count(DISTINCT customer_id) FROM purchases`)
		scored := count(`SELECT count(*) FROM customer_values WHERE churn_risk IS NOT NULL AND churn_reasons LIKE '[{"feature":%'`)
		if buyers < 80 || scored != buyers {
			t.Fatalf("%d customers with a churn risk and reasons, %d who bought", scored, buyers)
		}
		var lapsed, recent float64
		if err := db.R.QueryRow(`SELECT
			avg(CASE WHEN last < $1 THEN v.churn_risk END), avg(CASE WHEN last >= $1 THEN v.churn_risk END)
			FROM customer_values v JOIN (SELECT customer_id, max(purchased_at) AS last FROM purchases GROUP BY customer_id) p
			ON p.customer_id = v.customer_id`, demoLapsedBefore(t, db)).Scan(&lapsed, &recent); err != nil {
			t.Fatal(err)
		}
		if lapsed <= recent {
			t.Errorf("mean churn risk of customers lapsed for 120 days %.3f, of the others %.3f", lapsed, recent)
		}
	})
}

// demoLapsedBefore is the time 120 days before the demo's last purchase,
// in Unix milliseconds.
func demoLapsedBefore(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var last int64
	if err := db.R.QueryRow(`SELECT max(purchased_at) FROM purchases`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	return last - 120*24*3600*1000
}
