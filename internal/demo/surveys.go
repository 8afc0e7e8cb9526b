package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/purchases"
	"github.com/rapport/rapport/internal/survey"
	"github.com/rapport/rapport/internal/ticket"
)

// Demo surveys: every solved ticket whose customer had no survey in the
// last surveyWindowDays got one (the shop's setting, saved with them), and
// surveyAnswerShare of those were answered, some only by the email's one
// click: about a third of all solved tickets. Scores follow how the ticket
// went: transfers, reopens and slow answers pull them down.
const (
	surveyWindowDays  = 7
	surveyAnswerShare = 0.5
	surveyClickOnly   = 0.2  // of the answered: only the one-click CSAT
	surveyCommented   = 0.45 // of the fully answered: a comment too
	referralShare     = 0.05 // customers brought by another customer
)

// seedSurveys records the demo's survey history and a few referrals. It
// draws from its own generator, seeded from the demo's seed, so the rest of
// the plan does not change with it.
func (r *runner) seedSurveys(ctx context.Context) error {
	rng := rand.New(rand.NewPCG(uint64(r.o.Seed), 0x5eed5eed))
	svc := survey.New(survey.Opts{DB: r.o.DB, Clock: r.clock, Log: r.o.Log, I18n: i18n.MustLoad(),
		Tickets: r.tickets})
	st := survey.DefaultSettings()
	st.WindowDays = surveyWindowDays
	if _, err := svc.SaveSettings(ctx, st); err != nil {
		return fmt.Errorf("demo: survey settings: %w", err)
	}
	window := time.Duration(surveyWindowDays) * 24 * time.Hour
	var solved []ticket.Ticket
	for _, tp := range r.p.tickets {
		if tp.id == 0 {
			continue
		}
		t, err := r.tickets.Get(ctx, tp.id)
		if err != nil {
			return fmt.Errorf("demo: surveys: %w", err)
		}
		if (t.Status == ticket.Solved || t.Status == ticket.Closed) && !t.SolvedAt.IsZero() {
			solved = append(solved, t)
		}
	}
	sort.Slice(solved, func(i, j int) bool {
		if !solved[i].SolvedAt.Equal(solved[j].SolvedAt) {
			return solved[i].SolvedAt.Before(solved[j].SolvedAt)
		}
		return solved[i].ID < solved[j].ID
	})
	last := map[int64]time.Time{} // customer: their last survey
	scores := map[int64][]int{}   // customer: their NPS answers
	sent, answered := 0, 0
	for _, t := range solved {
		if prev, ok := last[t.CustomerID]; ok && t.SolvedAt.Sub(prev) < window {
			continue
		}
		last[t.CustomerID] = t.SolvedAt
		h := survey.Historical{TicketID: t.ID, SentAt: t.SolvedAt}
		if rng.Float64() < surveyAnswerShare {
			h.AnsweredAt = t.SolvedAt.Add(time.Duration(math.Exp(rng.NormFloat64()*1.2+1.5) * float64(time.Hour))).Truncate(time.Second)
			if h.AnsweredAt.After(r.p.now) {
				h.AnsweredAt = r.p.now
			}
			h.Answers = demoAnswers(rng, t)
			if h.Answers.NPS != nil {
				scores[t.CustomerID] = append(scores[t.CustomerID], *h.Answers.NPS)
			}
			answered++
		}
		if _, err := svc.Record(ctx, h); err != nil {
			return fmt.Errorf("demo: survey of ticket %d: %w", t.ID, err)
		}
		sent++
	}
	referrals, err := r.seedReferrals(ctx, rng, scores)
	if err != nil {
		return err
	}
	r.o.Log.Info("demo surveys", "solved", len(solved), "sent", sent, "answered", answered, "referrals", referrals)
	return nil
}

// demoAnswers makes up one customer's answers to ticket t.
func demoAnswers(rng *rand.Rand, t ticket.Ticket) survey.Answers {
	quality := 0.0
	quality -= 0.8 * float64(t.TransferCount)
	quality -= 1.1 * float64(t.ReopenCount)
	if !t.FirstResponseAt.IsZero() {
		switch wait := t.FirstResponseAt.Sub(t.CreatedAt); {
		case wait > 24*time.Hour:
			quality -= 1.0
		case wait > 8*time.Hour:
			quality -= 0.4
		case wait < time.Hour:
			quality += 0.3
		}
	}
	if t.SolvedAt.Sub(t.CreatedAt) > 5*24*time.Hour {
		quality -= 0.5
	}
	if t.Kind == "complaint" {
		quality -= 0.6
	}
	clamp := func(v float64, lo, hi int) *int {
		n := int(math.Round(v))
		n = max(lo, min(hi, n))
		return &n
	}
	csat := clamp(4.5+quality+rng.NormFloat64()*0.8, 1, 5)
	a := survey.Answers{CSAT: csat}
	if rng.Float64() < surveyClickOnly {
		return a
	}
	a.NPS = clamp(2.1*float64(*csat)-1.2+rng.NormFloat64()*1.3, 0, 10)
	speed := 4.4 + rng.NormFloat64()*0.7
	if !t.FirstResponseAt.IsZero() && t.FirstResponseAt.Sub(t.CreatedAt) > 8*time.Hour {
		speed -= 1.5
	}
	a.Speed = clamp(speed, 1, 5)
	switch {
	case *csat >= 4 && rng.Float64() < 0.9, *csat == 3 && rng.Float64() < 0.3:
		a.Return = "yes"
	case *csat <= 2 && rng.Float64() < 0.7:
		a.Return = "no"
	default:
		a.Return = "maybe"
	}
	if rng.Float64() < surveyCommented {
		mood := 1
		switch {
		case *csat >= 4:
			mood = 2
		case *csat <= 2:
			mood = 0
		}
		bank, ok := surveyComments[t.Language]
		if !ok {
			bank = surveyComments["en"]
		}
		c := bank[mood][rng.IntN(len(bank[mood]))]
		a.Comment = &c
	}
	return a
}

// seedReferrals makes referralShare of the customers (at least one)
// referred by another, preferring customers who gave a high NPS as the referrers.
func (r *runner) seedReferrals(ctx context.Context, rng *rand.Rand, nps map[int64][]int) (int, error) {
	var promoters, all []int64
	for _, c := range r.p.customers {
		if c.id == 0 {
			continue
		}
		all = append(all, c.id)
		for _, v := range nps[c.id] {
			if v >= 9 {
				promoters = append(promoters, c.id)
				break
			}
		}
	}
	if len(all) < 2 {
		return 0, nil
	}
	if len(promoters) == 0 {
		promoters = all
	}
	want := max(1, int(math.Round(float64(len(all))*referralShare)))
	n := 0
	for _, i := range rng.Perm(len(all)) {
		if n == want {
			break
		}
		id, by := all[i], promoters[rng.IntN(len(promoters))]
		if by == id {
			continue
		}
		if err := r.custs.SetReferrer(ctx, id, by); err != nil {
			return n, fmt.Errorf("demo: referral of customer %d: %w", id, err)
		}
		n++
	}
	// A friend of a promoter bought through the promoter's referral link
	// (the shop sent its code with the purchase) and has not written yet.
	if err := r.seedReferralPurchase(ctx, promoters[0]); err != nil {
		return n, err
	}
	return n + 1, nil
}

// seedReferralPurchase records a new customer's first purchase, two days
// ago, made through promoter by's referral link: the purchase carries the
// link's code, which records the referrer.
func (r *runner) seedReferralPurchase(ctx context.Context, by int64) error {
	code, err := r.custs.ReferralCode(ctx, by)
	if err != nil {
		return err
	}
	bought, err := purchases.New(purchases.Opts{DB: r.o.DB, Clock: r.clock, Customers: r.custs})
	if err != nil {
		return err
	}
	promoter, err := r.custs.Get(ctx, by)
	if err != nil {
		return err
	}
	r.clock.Set(r.p.now.Add(-50 * time.Hour))
	defer r.clock.Set(r.p.now)
	friend, err := r.custs.Create(ctx, customer.NewCustomer{Name: "Nora Lind", Language: promoter.Language,
		Emails: []string{"nora.lind@example.com"}})
	if err != nil {
		return err
	}
	_, err = bought.Add(ctx, purchases.NewPurchase{Customer: purchases.CustomerRef{ID: friend.ID},
		PurchasedAt: r.p.now.Add(-50 * time.Hour), Amount: "48.00", Currency: "EUR", Reference: "AHG-REF-1", Channel: "shop",
		ReferralCode: code}, purchases.AddOpts{})
	if err != nil {
		return fmt.Errorf("demo: purchase through a referral link: %w", err)
	}
	return nil
}

// surveyComments are customers' comments by language and mood: unhappy,
// middling, happy.
var surveyComments = map[string][3][]string{
	"en": {
		{"I had to explain my problem three times to different people.", "It took far too long to get an answer.", "The parcel is still damaged and nobody called me back."},
		{"It was solved in the end, but it took a while.", "Polite staff, but I had to chase you.", "OK, although the first answer did not help."},
		{"Quick, friendly and solved at the first try. Thank you!", "The agent was very helpful and kept me informed.", "Great service, I will order again."},
	},
	"it": {
		{"Ho dovuto spiegare il problema tre volte a persone diverse.", "Ci è voluto troppo tempo per avere una risposta.", "Il pacco è ancora danneggiato e nessuno mi ha richiamato."},
		{"Alla fine è stato risolto, ma ci è voluto un po'.", "Personale gentile, ma ho dovuto sollecitare.", "Va bene, anche se la prima risposta non mi ha aiutato."},
		{"Veloci, cortesi e risolto al primo tentativo. Grazie!", "Molto disponibili, mi hanno tenuto sempre informato.", "Ottimo servizio, ordinerò di nuovo."},
	},
	"ru": {
		{"Пришлось трижды объяснять проблему разным сотрудникам.", "Ответа пришлось ждать слишком долго.", "Посылка всё ещё повреждена, и мне так и не перезвонили."},
		{"В итоге решили, но на это ушло время.", "Вежливо, но пришлось напоминать о себе.", "Нормально, хотя первый ответ не помог."},
		{"Быстро, вежливо и с первого раза. Спасибо!", "Очень помогли и держали меня в курсе.", "Отличный сервис, закажу ещё."},
	},
	"lv": {
		{"Man problēma bija jāskaidro trīs reizes dažādiem cilvēkiem.", "Uz atbildi bija jāgaida pārāk ilgi.", "Paka joprojām ir bojāta, un neviens man neatzvanīja."},
		{"Beigās atrisināja, bet tas prasīja laiku.", "Laipni, bet man nācās atgādināt.", "Labi, lai gan pirmā atbilde nepalīdzēja."},
		{"Ātri, laipni un atrisināts ar pirmo reizi. Paldies!", "Ļoti izpalīdzīgi, mani visu laiku informēja.", "Lielisks serviss, pasūtīšu vēl."},
	},
	"ca": {
		{"Vaig haver d'explicar el problema tres vegades a persones diferents.", "Vaig haver d'esperar massa per tenir una resposta.", "El paquet continua malmès i ningú no m'ha trucat."},
		{"Al final es va resoldre, però va trigar.", "Personal amable, però vaig haver d'insistir.", "Bé, tot i que la primera resposta no em va ajudar."},
		{"Ràpids, amables i resolt a la primera. Gràcies!", "M'han ajudat molt i m'han tingut informat.", "Molt bon servei, tornaré a comprar."},
	},
}
