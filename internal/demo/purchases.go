package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/rapport/rapport/internal/clv"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/purchases"
	"github.com/rapport/rapport/internal/recommit"
	"github.com/rapport/rapport/internal/ticket"
)

// buyer is how a demo customer shops: how many purchases, how often, how
// much, and whether they have stopped.
type buyer struct {
	purchases int
	meanGap   float64 // days between purchases
	meanSpend float64 // EUR
	lapsedFor int     // days since the last purchase for those who stopped; 0 buys to date
}

// buyerFor draws a customer's shopping habit: most buy a few times, some
// are regulars, wholesale and VIP customers buy often and more.
func buyerFor(rng *rand.Rand, c *custPlan) buyer {
	switch {
	case c.Wholesale:
		return buyer{purchases: 12 + rng.IntN(20), meanGap: 18, meanSpend: 320}
	case c.VIP:
		return buyer{purchases: 10 + rng.IntN(15), meanGap: 25, meanSpend: 110}
	}
	switch x := rng.Float64(); {
	case x < 0.06:
		return buyer{} // has asked, never bought
	case x < 0.62:
		return buyer{purchases: 1 + rng.IntN(3), meanGap: 120, meanSpend: 45, lapsedFor: rng.IntN(300)}
	case x < 0.85:
		return buyer{purchases: 3 + rng.IntN(6), meanGap: 60, meanSpend: 55}
	case x < 0.93:
		return buyer{purchases: 8 + rng.IntN(18), meanGap: 21, meanSpend: 60}
	default:
		// A regular who stopped buying some months ago: the ones at risk.
		return buyer{purchases: 5 + rng.IntN(8), meanGap: 30, meanSpend: 70, lapsedFor: 120 + rng.IntN(150)}
	}
}

// recommitWords are what customers said when they stayed, by language.
var recommitWords = map[string][]string{
	"en": {"Thanks for sorting it out, I'll order again.", "All good now, I'll definitely keep buying from you.", "Great service, you'll see me again."},
	"it": {"Grazie, ordinerò di nuovo da voi.", "Tutto risolto, continuerò sicuramente a comprare da voi.", "Ottimo servizio, tornerò sicuramente."},
	"ru": {"Спасибо, закажу снова.", "Всё решилось, обязательно буду и дальше заказывать у вас.", "Отличный сервис, обязательно вернусь."},
	"lv": {"Paldies, noteikti pasūtīšu vēlreiz!", "Viss atrisināts, noteikti turpināšu pirkt pie jums.", "Lielisks serviss, es atgriezīšos."},
	"ca": {"Gràcies, tornaré a comprar.", "Tot resolt, segur que continuaré comprant amb vosaltres.", "Molt bon servei, tornaré segur."},
}

// seedPurchases gives the demo customers two years of purchases, fits the
// lifetime-value models on them (as the nightly refit would), and records
// re-commitments on some complaints the team turned around, plus a few
// proposals waiting for an agent.
func (r *runner) seedPurchases(ctx context.Context) error {
	// The business's days, as the server counts them.
	zone := metrics.New(metrics.Opts{DB: r.o.DB, Clock: r.clock, Log: r.o.Log}).Zone
	bought, err := purchases.New(purchases.Opts{DB: r.o.DB, Clock: r.clock, Customers: r.custs, Zone: zone})
	if err != nil {
		return err
	}
	values, err := clv.New(clv.Opts{DB: r.o.DB, Clock: r.clock, Jobs: r.queue, Log: r.o.Log, Zone: zone})
	if err != nil {
		return err
	}
	recommits, err := recommit.New(recommit.Opts{DB: r.o.DB, Clock: r.clock, Jobs: r.queue, Tickets: r.tickets,
		Values: values, Log: r.o.Log})
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(uint64(r.o.Seed), 0x10ba17))
	now := r.p.now
	var ns []purchases.NewPurchase
	order := 100000
	for _, c := range r.p.customers {
		b := buyerFor(rng, c)
		if b.purchases == 0 || c.id == 0 {
			continue
		}
		// Purchases run back from the last one at gaps around the mean.
		last := now.Add(-time.Duration(1+rng.IntN(10)+b.lapsedFor) * 24 * time.Hour)
		at := last
		var times []time.Time
		for range b.purchases {
			if at.Before(now.AddDate(-2, 0, 0)) {
				break
			}
			times = append(times, at)
			gap := b.meanGap * (0.4 + 1.2*rng.Float64())
			at = at.Add(-time.Duration(gap*24) * time.Hour)
		}
		slices.Reverse(times)
		for _, t := range times {
			// Spend per purchase: log-normal around the customer's mean.
			amount := b.meanSpend * math.Exp(0.45*rng.NormFloat64()-0.1)
			channel := "shop"
			if rng.IntN(5) == 0 {
				channel = "pos"
			}
			order++
			ns = append(ns, purchases.NewPurchase{
				Customer:    purchases.CustomerRef{ID: c.id},
				PurchasedAt: t.Truncate(24 * time.Hour).Add(time.Duration(9*60+rng.IntN(11*60)) * time.Minute),
				Amount:      fmt.Sprintf("%.2f", math.Max(2.5, amount)), Currency: "EUR",
				Reference: fmt.Sprintf("AHG-%d", order), Channel: channel,
			})
		}
	}
	if _, err := bought.AddBatch(ctx, ns, purchases.AddOpts{}); err != nil {
		return fmt.Errorf("demo: purchases: %w", err)
	}
	fit, err := values.Refit(ctx)
	if err != nil {
		return fmt.Errorf("demo: lifetime values: %w", err)
	}
	r.o.Log.Info("demo purchases", "purchases", len(ns), "customers", fit.Customers, "regulars", fit.Regulars)
	return r.seedRecommitments(ctx, values, recommits, rng)
}

// seedRecommitments credits re-commitments on tickets solved in the last
// ten weeks, recorded just before each was solved (as the agent would), so
// scorecards show them: first on customers the models see as slipping away
// (the saved ones), then on other complaints. It leaves proposals on a few
// open tickets for an agent to confirm.
func (r *runner) seedRecommitments(ctx context.Context, values *clv.Service, recommits *recommit.Service, rng *rand.Rand) error {
	const wantConfirmed, wantProposed, wantSaved = 14, 4, 6
	confirmed, proposed := 0, 0
	since := r.p.now.AddDate(0, 0, -70)
	defer r.clock.Set(r.p.now)
	done := map[int64]bool{}
	for pass := range 2 {
		for _, tp := range r.p.tickets {
			if confirmed >= wantConfirmed || (pass == 0 && confirmed >= wantSaved) {
				break
			}
			if tp.id == 0 || done[tp.id] {
				continue
			}
			t, err := r.tickets.Get(ctx, tp.id)
			if err != nil {
				return err
			}
			if t.OwnerID == 0 || (t.Status != ticket.Solved && t.Status != ticket.Closed) || !t.SolvedAt.After(since) {
				continue
			}
			if pass == 0 {
				v, err := values.Value(ctx, t.CustomerID)
				if err != nil || v.Frequency == 0 || v.PAlive >= 0.5 {
					continue
				}
			} else if t.Kind != "complaint" && rng.IntN(12) != 0 {
				continue
			}
			// A minute before the solve, or half-way on a chat solved within
			// a minute of its start.
			at := t.SolvedAt.Add(-time.Minute)
			if !at.After(t.CreatedAt) {
				at = t.CreatedAt.Add(t.SolvedAt.Sub(t.CreatedAt) / 2)
			}
			r.clock.Set(at)
			if _, err := recommits.Recommit(ctx, ticket.AgentActor(t.OwnerID), t.ID, pickWords(rng, tp.lang)); err != nil {
				return fmt.Errorf("demo: re-commitment on %d: %w", t.ID, err)
			}
			done[t.ID] = true
			confirmed++
		}
	}
	r.clock.Set(r.p.now)
	for _, tp := range r.p.tickets {
		if proposed >= wantProposed {
			break
		}
		if tp.id == 0 || rng.IntN(6) != 0 {
			continue
		}
		t, err := r.tickets.Get(ctx, tp.id)
		if err != nil {
			return err
		}
		if t.Status != ticket.Open && t.Status != ticket.Pending {
			continue
		}
		if _, _, err := recommits.Propose(ctx, t.ID, pickWords(rng, tp.lang), recommit.SourceMessage, 0); err != nil {
			return fmt.Errorf("demo: proposal on %d: %w", t.ID, err)
		}
		proposed++
	}
	r.o.Log.Info("demo re-commitments", "confirmed", confirmed, "proposed", proposed)
	return nil
}

// pickWords is something a customer writing in lang says when they stay.
func pickWords(rng *rand.Rand, lang string) string {
	words := recommitWords[lang]
	if len(words) == 0 {
		words = recommitWords["en"]
	}
	return words[rng.IntN(len(words))]
}
