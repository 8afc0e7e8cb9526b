// Package metricstest gives tests and benchmarks of the metrics ready-made
// data: a small week for the dashboard and API tests, and a generator of
// a million tickets for the performance figures.
package metricstest

import (
	"context"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
)

// Week is the first day (a Monday) of the seeded week; the week before it
// is the previous period.
var Week = time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)

// Seeded are the ids Seed made.
type Seeded struct {
	Customer int64
	Tickets  []int64
}

// Seed inserts, by SQL, a week of tickets and survey answers for agents a
// and b; the caller rebuilds the rollups (metrics.Service.Rebuild). The
// figures, with the week 3–9 March 2025 against 24 February – 2 March:
//
//	first response: 1,800 s (a), 600 s (b, by phone), 3,600 s (b)
//	    → median 1,800 s (30 min); b alone: 600 s (10 min); the week
//	    before one ticket of a's, 3,600 s (1 h)
//	solved: 2; complaints: 2 (1 written, 1 oral)
//	CSAT: 5 (a) and 2 (b) → 50 %; NPS: 10 (a) and 3 (b) → 0; b alone −100
func Seed(t testing.TB, db *store.DB, a, b int64) Seeded {
	t.Helper()
	ctx := context.Background()
	ms := func(d, h, m int) int64 {
		return Week.AddDate(0, 0, d).Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute).UnixMilli()
	}
	var s Seeded
	if err := db.W.QueryRowContext(ctx, `INSERT INTO customers (name, created_at, updated_at) VALUES ('Sara Seed', $1, $1) RETURNING id`,
		ms(-7, 0, 0)).Scan(&s.Customer); err != nil {
		t.Fatal(err)
	}
	type tk struct {
		channel, kind      string
		owner              int64
		created, responded int64
		solved             any
	}
	for _, x := range []tk{
		{"email", "question", a, ms(-7, 9, 0), ms(-7, 10, 0), nil},
		{"email", "question", a, ms(0, 9, 0), ms(0, 9, 30), ms(0, 11, 0)},
		{"phone", "complaint", b, ms(1, 10, 0), ms(1, 10, 10), ms(1, 12, 0)},
		{"email", "complaint", b, ms(2, 10, 0), ms(2, 11, 0), nil},
	} {
		status := "open"
		if x.solved != nil {
			status = "solved"
		}
		var id int64
		if err := db.W.QueryRowContext(ctx, `INSERT INTO tickets (subject, channel, status, priority, kind, language, customer_id,
			owner_id, created_at, updated_at, first_response_at, solved_at, message_count)
			VALUES ($1, $2, $3, 'normal', $4, 'en', $5, $6, $7, $7, $8, $9, 2) RETURNING id`,
			"Seeded "+x.kind, x.channel, status, x.kind, s.Customer, x.owner, x.created, x.responded, x.solved).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if _, err := db.W.ExecContext(ctx, `INSERT INTO messages (ticket_id, kind, author_customer_id, body_text, created_at)
			VALUES ($1, 'customer', $2, $3, $4)`, id, s.Customer, "Seeded message about a "+x.kind, x.created); err != nil {
			t.Fatal(err)
		}
		s.Tickets = append(s.Tickets, id)
	}
	for i, x := range []struct {
		ticket, agent int64
		channel       string
		csat, nps     int
		comment       string
		answered      int64
	}{
		{s.Tickets[1], a, "email", 5, 10, "Lovely", ms(0, 12, 0)},
		{s.Tickets[2], b, "phone", 2, 3, "Too slow", ms(1, 13, 0)},
	} {
		if _, err := db.W.ExecContext(ctx, `INSERT INTO surveys (ticket_id, customer_id, agent_id, channel, language, token_hash,
			sent_at, expires_at, answered_at, updated_at, csat, nps, comment)
			VALUES ($1, $2, $3, $4, 'en', $5, $6, $7, $6, $6, $8, $9, $10)`, x.ticket, s.Customer, x.agent, x.channel,
			"seed-"+string(rune('a'+i)), x.answered, x.answered+30*86400000, x.csat, x.nps, x.comment); err != nil {
			t.Fatal(err)
		}
	}
	return s
}
