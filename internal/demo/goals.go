package demo

import (
	"context"
	"fmt"

	"github.com/rapport/rapport/internal/goals"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/quality"
)

// serviceStandard is the demo shop's service standard, in each language.
var serviceStandard = map[string]string{
	"en": `At Aurora Home & Garden, good service means the customer leaves the conversation with their problem solved, or knowing exactly who is solving it and when.

We answer like people, not like a policy. We greet the customer by name, say what we understood of their problem and how it feels, and close with a name of our own.

We own the problem. We do not send customers to the website, the FAQ or another department when we can answer ourselves; when someone else must act, we hand over the whole story and tell the customer what happens next.

When a rule says no, we explain why in plain words and offer what we can do instead. We never blame the customer and never use our internal codes or jargon.

Our vision: every customer who writes to us once is glad to write to us again.`,
	"it": `Da Aurora Home & Garden, un buon servizio significa che il cliente chiude la conversazione con il problema risolto, o sapendo esattamente chi lo sta risolvendo e quando.

Rispondiamo come persone, non come un regolamento. Salutiamo il cliente per nome, diciamo che cosa abbiamo capito del suo problema e di come si sente, e ci congediamo con il nostro nome.

Il problema è nostro. Non mandiamo i clienti al sito, alle FAQ o a un altro reparto quando possiamo rispondere noi; quando deve intervenire qualcun altro, gli passiamo tutta la storia e diciamo al cliente che cosa succederà.

Quando una regola dice di no, spieghiamo il perché con parole semplici e proponiamo che cosa possiamo fare invece. Non diamo mai la colpa al cliente e non usiamo mai codici interni o gergo.

La nostra visione: ogni cliente che ci scrive una volta è contento di scriverci di nuovo.`,
	"ru": `В Aurora Home & Garden хорошее обслуживание означает, что клиент заканчивает разговор с решённой проблемой или точно знает, кто её решает и когда.

Мы отвечаем как люди, а не как регламент. Мы обращаемся к клиенту по имени, говорим, что поняли в его проблеме и в его чувствах, и подписываемся своим именем.

Проблема клиента — наша проблема. Мы не отправляем клиентов на сайт, в раздел вопросов и ответов или в другой отдел, если можем ответить сами; если нужен кто-то другой, мы передаём всю историю и говорим клиенту, что будет дальше.

Когда правило говорит «нет», мы простыми словами объясняем почему и предлагаем, что можем сделать вместо этого. Мы никогда не обвиняем клиента и не используем внутренние коды и жаргон.

Наше видение: каждый клиент, который написал нам однажды, с радостью напишет нам снова.`,
	"lv": `Aurora Home & Garden laba apkalpošana nozīmē, ka klients beidz sarunu ar atrisinātu problēmu vai precīzi zina, kurš to risina un kad.

Mēs atbildam kā cilvēki, nevis kā noteikumi. Mēs uzrunājam klientu vārdā, pasakām, ko sapratām par viņa problēmu un sajūtām, un parakstāmies ar savu vārdu.

Problēma ir mūsu. Mēs nesūtām klientus uz mājaslapu, biežāk uzdoto jautājumu sadaļu vai citu nodaļu, ja varam atbildēt paši; ja jārīkojas kādam citam, mēs nododam visu stāstu un pasakām klientam, kas notiks tālāk.

Ja noteikums saka “nē”, mēs vienkāršiem vārdiem paskaidrojam, kāpēc, un piedāvājam, ko varam darīt tā vietā. Mēs nekad nevainojam klientu un nelietojam iekšējos kodus vai žargonu.

Mūsu vīzija: katrs klients, kurš mums uzrakstījis vienreiz, ar prieku raksta mums atkal.`,
	"ca": `A Aurora Home & Garden, un bon servei vol dir que el client acaba la conversa amb el problema resolt, o sabent exactament qui l'està resolent i quan.

Responem com a persones, no com un reglament. Saludem el client pel nom, diem què hem entès del seu problema i de com se sent, i ens acomiadem amb el nostre nom.

El problema és nostre. No enviem els clients al web, a les preguntes freqüents o a un altre departament quan podem respondre nosaltres; quan ha d'actuar algú altre, li passem tota la història i expliquem al client què passarà.

Quan una norma diu que no, expliquem el perquè amb paraules senzilles i oferim què podem fer a canvi. Mai no culpem el client ni fem servir codis interns o argot.

La nostra visió: cada client que ens escriu una vegada està content de tornar-nos a escriure.`,
}

// demoKudos are thanks the demo staff gave each other, by roster index,
// each in the giver's language.
var demoKudos = []struct {
	from, to int
	message  string
}{
	{1, 3, "Gràcies per cobrir la cua de devolucions divendres, Emma!"},
	{6, 8, "Спасибо, что помог с латышскими письмами в понедельник!"},
	{3, 4, "Thanks for the clear handover notes on the garden-furniture order, Giulia."},
	{8, 9, "Paldies, ka palīdzēji ar sarežģīto rēķinu!"},
}

// seedGoals writes the shop's service standard in every language, a few
// goals with Rapport's suggested targets (some already met), thanks between
// colleagues and leaderboard opt-ins, then collects the kudos the history
// earned (survey comments, saves, goals met).
func (r *runner) seedGoals(ctx context.Context) error {
	m := metrics.New(metrics.Opts{DB: r.o.DB, Clock: r.clock, Log: r.o.Log})
	if _, err := m.Rebuild(ctx); err != nil {
		return fmt.Errorf("demo: metrics: %w", err)
	}
	an, err := quality.New(quality.Opts{})
	if err != nil {
		return err
	}
	g, err := goals.New(goals.Opts{DB: r.o.DB, Metrics: m, Analyzer: an, Clock: r.clock, Log: r.o.Log})
	if err != nil {
		return err
	}
	for _, lang := range languages {
		if _, err := g.SaveStandard(office(ctx, r.agentIDs[0]), lang, serviceStandard[lang], r.agentIDs[0]); err != nil {
			return fmt.Errorf("demo: service standard %s: %w", lang, err)
		}
	}
	now := r.p.now
	manager := r.agentIDs[1]
	type plan struct {
		sub      goals.Subject
		metric   goals.Metric
		period   goals.Period
		last     bool // the period before the current one
		fallback float64
		note     string
	}
	emma := goals.Subject{AgentID: r.agentIDs[3]}
	plans := []plan{
		{emma, goals.FRTCalendar, goals.Week, false, 60, "Answer first, then look things up."},
		{emma, goals.CSAT, goals.Month, false, 85, ""},
		{emma, goals.Solved, goals.Week, true, 10, ""},
		{goals.Subject{AgentID: r.agentIDs[4]}, goals.Solved, goals.Week, false, 10, ""},
		{goals.Subject{AgentID: r.agentIDs[6]}, goals.SinRate, goals.Month, false, 10, "Fewer policy quotes, more alternatives."},
		{goals.Subject{TeamID: r.teamIDs[teamOrders]}, goals.Solved, goals.Month, false, 100, ""},
	}
	loc, err := g.Zone(ctx)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	for _, pl := range plans {
		start := pl.period.Start(now, loc)
		if pl.last {
			start = pl.period.Prev(start)
		}
		sg, err := g.Suggest(ctx, pl.sub, pl.metric, pl.period, start)
		if err != nil {
			return fmt.Errorf("demo: suggest %s: %w", pl.metric, err)
		}
		n := goals.NewGoal{Subject: pl.sub, Metric: pl.metric, Period: pl.period, Start: start, Target: pl.fallback,
			Note: pl.note, CreatedBy: manager}
		if sg.OK {
			n.Target, n.Baseline, n.Suggested = sg.Target, &sg.Baseline, &sg.Target
		}
		if _, err := g.Create(ctx, n); err != nil {
			return fmt.Errorf("demo: goal %s: %w", pl.metric, err)
		}
	}
	for _, k := range demoKudos {
		if _, err := g.Give(ctx, r.agentIDs[k.from], r.agentIDs[k.to], k.message); err != nil {
			return fmt.Errorf("demo: kudos: %w", err)
		}
	}
	for _, i := range []int{3, 4, 6, 8, 11} {
		if err := g.SetLeaderboard(ctx, r.agentIDs[i], true); err != nil {
			return fmt.Errorf("demo: leaderboard: %w", err)
		}
	}
	if _, err := g.Collect(ctx); err != nil {
		return fmt.Errorf("demo: kudos: %w", err)
	}
	return nil
}
