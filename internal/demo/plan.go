package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/ticket"
)

// The plan is made first, from the seed alone, and then played against the
// services in time order. Keeping every random draw in the planning stage
// makes the data depend on the seed and nothing else.

// autoCloseDays is how long a solved ticket waits before the auto-close job.
const autoCloseDays = 4

// custPlan is a customer to create.
type custPlan struct {
	Name      string // as stored: a person or a business
	First     string // first name of the person who writes
	Full      string // how that person signs
	Lang      string
	Gender    byte
	VIP       bool
	Wholesale bool
	Tags      []string
	Notes     string
	Emails    []string
	Phones    []string

	weight      float64
	firstTicket time.Time
	id          int64 // set when created
}

// ticketPlan is a ticket to create and everything that happens to it.
type ticketPlan struct {
	at        time.Time
	cust      *custPlan
	lang      string
	channel   string
	sc        *scenario
	priority  string
	team      int // the team that should handle it
	initTeam  int // the team it arrives in; -1 for none
	initOwner int // roster index of the owner on arrival; -1 for none
	subject   string
	body      string
	tags      []string
	target    ticket.Status // state it should be left in, for recent tickets
	vars      map[string]string

	id int64 // set when created
}

type stepKind uint8

const (
	stCustomer stepKind = iota
	stCreate
	stAssign
	stSetTeam
	stReply
	stNote
	stCustomerMsg
	stTransfer
	stPriority
)

var stepNames = [...]string{"create customer", "create ticket", "assign", "set team", "reply", "note", "customer message", "transfer", "set priority"}

func (k stepKind) String() string { return stepNames[k] }

// step is one call to a service at one moment.
type step struct {
	at       time.Time
	seq      int
	kind     stepKind
	t        *ticketPlan
	c        *custPlan
	actor    int // roster index of the acting agent
	to       int // roster index of the agent assigned or transferred to
	team     int // team index for stSetTeam and stTransfer
	body     string
	status   ticket.Status // for stReply; "" keeps the status
	priority string
	after    ticket.Status // the ticket's status once the step is done
}

// planner holds the state of planning.
type planner struct {
	rng        *rand.Rand
	now        time.Time
	start      time.Time // first day of the demo period
	setup      time.Time // when the team and its tools were set up
	customers  []*custPlan
	tickets    []*ticketPlan
	steps      []*step
	seq        int
	usedEmails map[string]bool
	usedPhones map[string]bool
	usedBiz    map[string]int
}

func newPlanner(seed int64, now time.Time) *planner {
	start := now.AddDate(0, -6, 0)
	return &planner{
		rng:        rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15)),
		now:        now,
		start:      start,
		setup:      start.AddDate(0, 0, -21),
		usedEmails: map[string]bool{},
		usedPhones: map[string]bool{},
		usedBiz:    map[string]int{},
	}
}

// plan makes the whole timeline: customers, tickets and their steps, sorted
// by time.
func (p *planner) plan(nCustomers, nTickets int) {
	for i := range nCustomers {
		p.customers = append(p.customers, p.newCustomer(i))
	}
	p.planTickets(nTickets)
	p.planCustomerSignups()
	sort.SliceStable(p.steps, func(i, j int) bool {
		a, b := p.steps[i], p.steps[j]
		if !a.at.Equal(b.at) {
			return a.at.Before(b.at)
		}
		return a.seq < b.seq
	})
}

// Random helpers.

func (p *planner) pick(s []string) string { return s[p.rng.IntN(len(s))] }

func (p *planner) chance(prob float64) bool { return p.rng.Float64() < prob }

// between returns a duration uniformly in [lo, hi), to the second.
func (p *planner) between(lo, hi time.Duration) time.Duration {
	return (lo + time.Duration(p.rng.Int64N(int64(hi-lo)))).Truncate(time.Second)
}

// logNormal returns a duration around median, clamped to [lo, hi].
func (p *planner) logNormal(median time.Duration, sigma float64, lo, hi time.Duration) time.Duration {
	d := time.Duration(float64(median) * math.Exp(sigma*p.rng.NormFloat64()))
	return min(max(d, lo), hi).Truncate(time.Second)
}

func pickWeighted[T any](p *planner, ws []weighted[T]) T {
	total := 0
	for _, w := range ws {
		total += w.W
	}
	n := p.rng.IntN(total)
	for _, w := range ws {
		if n < w.W {
			return w.V
		}
		n -= w.W
	}
	return ws[len(ws)-1].V
}

// Customers.

var languageShares = []weighted[string]{{"en", 38}, {"it", 17}, {"ru", 15}, {"lv", 16}, {"ca", 14}}

func (p *planner) newCustomer(i int) *custPlan {
	lang := pickWeighted(p, languageShares)
	if i < len(languages) {
		lang = languages[i] // every language has customers, however few
	}
	c := &custPlan{Lang: lang, Gender: 'm'}
	if p.chance(0.5) {
		c.Gender = 'f'
	}
	nl := nameLists[lang]
	first := p.pick(nl.Male)
	if c.Gender == 'f' {
		first = p.pick(nl.Female)
	}
	last, mailLast := p.surname(nl, c.Gender)
	c.First, c.Full, c.Name = first, first+" "+last, first+" "+last
	local := p.emailLocal(first, mailLast)
	domain := p.pick(mailDomains[lang])

	if biz := businesses[lang]; i >= len(languages) && p.usedBiz[lang] < len(biz) && p.chance(0.025) {
		b := biz[p.usedBiz[lang]]
		p.usedBiz[lang]++
		c.Name, c.Wholesale = b.Name, true
		c.Full = c.Full + "\n" + b.Name
		c.Tags = append(c.Tags, "wholesale")
		c.Notes = "Wholesale account: invoices on 30-day terms."
		c.Emails = append(c.Emails, p.uniqueEmail("orders", b.Domain+".example.com"))
		local, domain = mailLocal(first), b.Domain+".example.com"
	}
	c.Emails = append(c.Emails, p.uniqueEmail(local, domain))
	if p.chance(0.04) {
		// A second, older address that still writes in now and then.
		c.Emails = append(c.Emails, p.uniqueEmail(p.emailLocal(first, mailLast), p.pick(mailDomains[lang])))
	}
	if p.chance(0.32) {
		if ph := p.phone(lang); ph != "" {
			c.Phones = append(c.Phones, ph)
		}
	}
	c.VIP = p.chance(0.04)
	if p.chance(0.35) {
		c.Tags = append(c.Tags, "newsletter")
	}
	if p.chance(0.12) {
		c.Tags = append(c.Tags, "garden-club")
	}
	if p.chance(0.15) {
		c.Tags = append(c.Tags, "repeat-buyer")
	}
	if c.Notes == "" && p.chance(0.06) {
		c.Notes = p.pick(customerNotes)
	}
	c.weight = math.Exp(0.9 * p.rng.NormFloat64())
	if c.Wholesale {
		c.weight *= 5
	}
	if c.VIP {
		c.weight *= 2
	}
	return c
}

// surname returns a surname and the part of it that goes into an email
// address (the first of two Catalan surnames).
func (p *planner) surname(nl names, gender byte) (string, string) {
	one := func() string {
		m, f, ok := strings.Cut(p.pick(nl.Surnames), "/")
		if ok && gender == 'f' {
			return f
		}
		return m
	}
	s := one()
	mail := s
	if nl.TwoSurnames && p.chance(0.5) {
		s += " " + one()
	}
	return s, mail
}

func (p *planner) emailLocal(first, last string) string {
	f, l := mailLocal(first), mailLocal(last)
	switch p.rng.IntN(6) {
	case 0:
		return f + l
	case 1:
		return f[:1] + "." + l
	case 2:
		return fmt.Sprintf("%s.%s%d", f, l, 70+p.rng.IntN(30))
	case 3:
		return l + "." + f
	default:
		return f + "." + l
	}
}

func (p *planner) uniqueEmail(local, domain string) string {
	e := local + "@" + domain
	for n := 2; p.usedEmails[e]; n++ {
		e = fmt.Sprintf("%s%d@%s", local, n, domain)
	}
	p.usedEmails[e] = true
	return e
}

// phone returns a mobile number of the customer's country, without spaces,
// or "" when no unused one turns up. British numbers come from Ofcom's range
// reserved for drama, which has only a thousand.
func (p *planner) phone(lang string) string {
	for range 50 {
		var s string
		switch lang {
		case "en":
			s = fmt.Sprintf("+447700900%03d", p.rng.IntN(1000))
		case "it":
			s = fmt.Sprintf("+393%09d", p.rng.IntN(1e9))
		case "ru":
			if p.chance(0.6) {
				s = fmt.Sprintf("+3712%07d", p.rng.IntN(1e7))
			} else {
				s = fmt.Sprintf("+79%09d", p.rng.IntN(1e9))
			}
		case "lv":
			s = fmt.Sprintf("+3712%07d", p.rng.IntN(1e7))
		default:
			s = fmt.Sprintf("+346%08d", p.rng.IntN(1e8))
		}
		if !p.usedPhones[s] {
			p.usedPhones[s] = true
			return s
		}
	}
	return ""
}

// planCustomerSignups creates each customer some time before their first
// ticket (or at any time, for those who never write).
func (p *planner) planCustomerSignups() {
	for _, c := range p.customers {
		at := p.setup.Add(p.between(time.Hour, p.now.Sub(p.setup)))
		if !c.firstTicket.IsZero() {
			at = c.firstTicket.Add(-p.between(10*time.Minute, 60*24*time.Hour))
		}
		if lo := p.setup.Add(time.Hour); at.Before(lo) {
			at = lo.Add(p.between(0, time.Hour))
		}
		p.add(&step{at: at, kind: stCustomer, c: c})
	}
}

// Time.

// ticketHourWeight is how often customers write at each UTC hour.
var ticketHourWeight = [24]float64{0.08, 0.05, 0.03, 0.03, 0.05, 0.15, 0.35, 0.6, 0.85, 1, 1, 0.95, 0.85, 0.8, 0.8, 0.8, 0.75, 0.8, 0.9, 0.9, 0.8, 0.6, 0.35, 0.15}

var weekdayWeight = [7]float64{0.55, 1.25, 1.1, 1, 1, 0.95, 0.6} // Sunday first

// ticketTime draws when a ticket arrives: more on weekdays and in daytime,
// and more as the shop grows.
func (p *planner) ticketTime() time.Time {
	span := p.now.Sub(p.start)
	for {
		t := p.start.Add(time.Duration(p.rng.Int64N(int64(span)))).Truncate(time.Second)
		growth := 0.75 + 0.5*float64(t.Sub(p.start))/float64(span)
		w := ticketHourWeight[t.Hour()] * weekdayWeight[t.Weekday()] * growth / 1.6
		if p.rng.Float64() < w {
			return t
		}
	}
}

// workingTime moves t into the team's working hours (UTC): weekdays 7 to 17,
// Saturdays 8 to 12.
func (p *planner) workingTime(t time.Time) time.Time {
	for {
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		open, close := 7, 17
		switch t.Weekday() {
		case time.Saturday:
			open, close = 8, 12
		case time.Sunday:
			open, close = 0, 0
		}
		if open < close {
			if t.Hour() >= open && t.Hour() < close {
				return t
			}
			if t.Hour() < open {
				return day.Add(time.Duration(open)*time.Hour + p.between(3*time.Minute, 80*time.Minute))
			}
		}
		t = day.AddDate(0, 0, 1)
	}
}

// agentAt is when an agent acts after after: seconds on chat (the visitor
// waits on the line: most are greeted within the 30-second target, some
// not), minutes on the phone, hours by email, always within working
// hours. One draw each, whatever the channel.
func (p *planner) agentAt(after time.Time, channel string) time.Time {
	var d time.Duration
	switch channel {
	case "chat":
		d = p.between(4*time.Second, 28*time.Second)
	case "phone":
		d = p.between(2*time.Minute, 25*time.Minute)
	default:
		d = p.logNormal(2*time.Hour, 1, 8*time.Minute, 30*time.Hour)
	}
	return p.workingTime(after.Add(d))
}

// customerAt is when a customer writes back after after, in waking hours.
func (p *planner) customerAt(after time.Time, maxDelay time.Duration) time.Time {
	t := after.Add(p.logNormal(6*time.Hour, 1.1, 15*time.Minute, maxDelay))
	if h := t.Hour(); h < 6 || h >= 23 {
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		if h >= 23 {
			day = day.AddDate(0, 0, 1)
		}
		if w := day.Add(7*time.Hour + p.between(0, 3*time.Hour)); w.Sub(after) < maxDelay {
			t = w
		}
	}
	return t
}

// Staff.

// eligible lists the staff of team who speak lang.
func eligible(team int, lang string) []int {
	var out []int
	for i, s := range roster {
		if s.Role != agent.RoleAdmin && slices.Contains(s.Teams, team) && slices.Contains(s.Languages, lang) {
			out = append(out, i)
		}
	}
	return out
}

// pickOwner chooses an owner for a ticket of team in lang; managers take
// fewer tickets than agents.
func (p *planner) pickOwner(team int, lang string, not int) int {
	var ws []weighted[int]
	for _, i := range eligible(team, lang) {
		if i == not {
			continue
		}
		w := 3
		if roster[i].Role == agent.RoleManager {
			w = 1
		}
		ws = append(ws, weighted[int]{i, w})
	}
	if len(ws) == 0 {
		return -1
	}
	return pickWeighted(p, ws)
}

// managerOf returns the manager who triages tickets of team.
func managerOf(team int) int {
	for i, s := range roster {
		if s.Role == agent.RoleManager && slices.Contains(s.Teams, team) {
			return i
		}
	}
	return 0 // the admin
}

// Tickets.

var channelShares = []weighted[string]{{"email", 50}, {"web", 25}, {"chat", 12}, {"phone", 13}}

func (p *planner) planTickets(n int) {
	cum := make([]float64, len(p.customers))
	total := 0.0
	for i, c := range p.customers {
		total += c.weight
		cum[i] = total
	}
	for i := range n {
		c := p.customers[sort.SearchFloat64s(cum, p.rng.Float64()*total)]
		if i < len(languages) && i < len(p.customers) {
			c = p.customers[i] // every language has tickets
		}
		t := &ticketPlan{at: p.ticketTime(), cust: c, lang: c.Lang, channel: pickWeighted(p, channelShares)}
		if t.channel == "phone" && len(c.Phones) == 0 {
			t.channel = "email"
		}
		if t.channel == "phone" || t.channel == "chat" {
			t.at = p.workingTime(t.at)
			if t.at.After(p.now) {
				t.channel, t.at = "web", p.now.Add(-p.between(time.Minute, 3*time.Hour))
			}
		}
		p.tickets = append(p.tickets, t)
	}
	sort.SliceStable(p.tickets, func(i, j int) bool { return p.tickets[i].at.Before(p.tickets[j].at) })

	sw := make([]weighted[*scenario], len(scenarios))
	for i := range scenarios {
		sw[i] = weighted[*scenario]{&scenarios[i], scenarios[i].Weight}
	}
	for _, t := range p.tickets {
		t.sc = pickWeighted(p, sw)
		if t.cust.firstTicket.IsZero() {
			t.cust.firstTicket = t.at
		}
	}
	p.chooseTargets()
	for _, t := range p.tickets {
		p.planTicket(t)
	}
}

// chooseTargets decides the state of recent tickets: the newer, the more
// likely still new, open or pending. The four newest tickets that can be in
// any state are one of each, so a small demo shows every state too.
func (p *planner) chooseTargets() {
	forced := []ticket.Status{ticket.New, ticket.Open, ticket.Pending, ticket.Solved}
	p.rng.Shuffle(len(forced), func(i, j int) { forced[i], forced[j] = forced[j], forced[i] })
	for i := len(p.tickets) - 1; i >= 0; i-- {
		t := p.tickets[i]
		age := p.now.Sub(t.at)
		if age > 7*24*time.Hour {
			break
		}
		if len(forced) > 0 && t.sc.Key != "praise" {
			t.target, forced = forced[0], forced[1:]
			continue
		}
		var ws []weighted[ticket.Status]
		switch {
		case age < 24*time.Hour:
			ws = []weighted[ticket.Status]{{ticket.New, 50}, {ticket.Open, 25}, {ticket.Pending, 15}, {ticket.Solved, 10}}
		case age < 3*24*time.Hour:
			ws = []weighted[ticket.Status]{{ticket.New, 15}, {ticket.Open, 30}, {ticket.Pending, 30}, {ticket.Solved, 25}}
		default:
			ws = []weighted[ticket.Status]{{ticket.New, 3}, {ticket.Open, 15}, {ticket.Pending, 20}, {ticket.Solved, 62}}
		}
		t.target = pickWeighted(p, ws)
	}
}

type flow uint8

const (
	flowSimple   flow = iota // reply and solve
	flowWorking              // interim reply, then solve
	flowPending              // ask, the customer answers, solve
	flowNoAnswer             // ask, no answer, solve a week later
	flowTransfer             // transferred with a reason, then solved
	flowReopen               // solved, the customer writes again, solved again
)

var flowShares = []weighted[flow]{{flowSimple, 38}, {flowWorking, 14}, {flowPending, 20}, {flowNoAnswer, 5}, {flowTransfer, 9}, {flowReopen, 8}}

// reaches reports whether a flow passes through status s.
func (f flow) reaches(s ticket.Status) bool {
	switch s {
	case ticket.Open:
		return f == flowWorking || f == flowPending || f == flowReopen
	case ticket.Pending:
		return f == flowPending || f == flowNoAnswer
	}
	return true
}

func (p *planner) planTicket(t *ticketPlan) {
	lt := texts[t.lang]
	st := lt.Scenarios[t.sc.Key]
	c := t.cust
	prod := products[p.rng.IntN(len(products))]
	orderDate := t.at.Add(-p.between(2*24*time.Hour, 14*24*time.Hour))
	cents := prod.Cents
	if t.sc.Key == "gift" {
		cents = []int{2500, 5000, 7500, 10000}[p.rng.IntN(4)]
	}
	t.vars = map[string]string{
		"name": c.First, "cname": c.Full, "cfirst": c.First,
		"order":   fmt.Sprintf("AH-%d", 100000+int(orderDate.Sub(p.setup).Minutes()/9)+p.rng.IntN(9)),
		"product": prod.Names[t.lang], "product_en": prod.Names["en"],
		"date":   lt.dateOn(orderDate),
		"amount": lt.money(cents), "amount_en": moneyEN(cents),
		"ref":     fmt.Sprintf("RT%09dLV", p.rng.IntN(1e9)),
		"vat":     vatNumber(p, t.lang),
		"code":    fmt.Sprintf("AURO-%04d-%04d", p.rng.IntN(1e4), p.rng.IntN(1e4)),
		"address": p.pick(lt.Addresses),
		"praised": "", "agent": "", "date2": "",
	}

	// Team and owner.
	t.team, t.initTeam, t.initOwner = t.sc.Team, t.sc.Team, -1
	praised := -1
	if t.sc.Key == "praise" {
		praised = p.praisedAgent(t.lang)
		t.team, t.initTeam = roster[praised].Teams[0], roster[praised].Teams[0]
		t.vars["praised"] = roster[praised].First()
	}
	owner := p.pickOwner(t.team, t.lang, -1)
	if praised >= 0 {
		owner = praised
	}

	f := flowSimple
	if len(st.Ask) > 0 {
		f = pickWeighted(p, flowShares)
		if t.target != "" && !f.reaches(t.target) {
			f = []flow{flowWorking, flowPending, flowReopen}[p.rng.IntN(3)]
		}
		if t.target == ticket.Pending {
			f = flowPending // a cut "no answer" flow would carry its closing note
		}
	}
	otherGender := byte('m')
	if praised >= 0 {
		otherGender = roster[praised].Gender
	}

	t.priority = pickWeighted(p, t.sc.Priority)
	t.tags = []string{t.sc.Tag}
	if c.VIP {
		t.tags = append(t.tags, "vip")
	}
	if c.Wholesale {
		t.tags = append(t.tags, "wholesale")
	}
	t.subject = render(p.pick(st.Subjects), t.vars, c.Gender, otherGender)
	opening := render(p.pick(st.Opening), t.vars, c.Gender, otherGender)
	switch t.channel {
	case "email", "web":
		t.body = render(p.pick(lt.CustomerHello), t.vars, c.Gender, 0) + "\n\n" + opening + "\n\n" +
			render(p.pick(lt.CustomerBye), t.vars, c.Gender, 0)
	default:
		t.body = opening
	}

	// How the ticket reaches its owner.
	b := &flowBuilder{p: p, t: t, at: t.at, status: ticket.New, priority: t.priority}
	mode := p.rng.IntN(100)
	switch {
	case f == flowTransfer:
		// It arrives in the wrong team, whose agent passes it on.
		from := (t.team + 1 + p.rng.IntN(len(teamDefs)-1)) % len(teamDefs)
		if p.chance(0.25) && len(eligible(t.team, t.lang)) > 1 {
			from = t.team // a hand-over within the team
		}
		t.initTeam, t.initOwner = from, p.pickOwner(from, t.lang, owner)
	case t.channel == "phone":
		t.initOwner = owner // whoever took the call
	case mode < 7 && praised < 0:
		t.initTeam = -1 // no routing rule matched: a manager triages it
	case mode < 40:
		t.initOwner = owner // routed on arrival
	}
	if f == flowTransfer && t.initOwner < 0 {
		f, t.initTeam = flowSimple, t.team
	}
	if t.channel == "phone" && t.initOwner < 0 {
		t.initOwner = owner
	}
	b.add(&step{kind: stCreate, after: ticket.New})
	if t.initTeam < 0 {
		m := managerOf(t.team)
		b.agentStep(&step{kind: stSetTeam, actor: m, team: t.team, after: ticket.New})
		b.quickStep(&step{kind: stAssign, actor: m, to: owner, after: ticket.New})
	} else if t.initOwner < 0 && mode < 65 {
		m := managerOf(t.team)
		b.agentStep(&step{kind: stAssign, actor: m, to: owner, after: ticket.New})
	}
	if c.VIP && p.chance(0.5) {
		first := owner
		if t.initOwner >= 0 {
			first = t.initOwner
		}
		b.quickStep(&step{kind: stNote, actor: first, body: vipNote, after: ticket.New})
		if b.priority == ticket.Low || b.priority == ticket.Normal {
			b.quickStep(&step{kind: stPriority, actor: first, priority: ticket.High, after: ticket.New})
			b.priority = ticket.High
		}
	}

	// What happens next.
	switch f {
	case flowSimple:
		if p.chance(0.2) {
			b.agentStep(&step{kind: stNote, actor: owner, body: p.note(t), after: b.status})
		}
		b.reply(owner, st.Solve, ticket.Solved, otherGender)
	case flowWorking:
		b.reply(owner, lt.Working, "", otherGender)
		if p.chance(0.5) {
			b.later(&step{kind: stNote, actor: owner, body: p.note(t), after: ticket.Open}, 20*time.Minute, 6*time.Hour)
		}
		b.at = b.at.Add(p.between(time.Hour, 30*time.Hour))
		b.reply(owner, st.Solve, ticket.Solved, otherGender)
	case flowPending:
		b.reply(owner, st.Ask, ticket.Pending, otherGender)
		b.customer(st.Answer, ticket.Open)
		b.reply(owner, st.SolveAfter, ticket.Solved, otherGender)
	case flowNoAnswer:
		b.reply(owner, st.Ask, ticket.Pending, otherGender)
		b.at = b.at.Add(p.between(6*24*time.Hour, 8*24*time.Hour))
		b.agentStep(&step{kind: stNote, actor: owner, body: noAnswerNote, after: ticket.Pending})
		b.reply(owner, lt.NoAnswer, ticket.Solved, otherGender)
	case flowTransfer:
		first := t.initOwner
		reason := t.sc.Reason
		if t.initTeam == t.team {
			reason = strings.ReplaceAll(p.pick(handoverReasons), "{to}", roster[owner].First())
		}
		if t.initTeam != t.team && p.chance(0.4) {
			b.agentStep(&step{kind: stNote, actor: first, body: "Not for " + teamDefs[t.initTeam].Name + ". " + reason, after: ticket.New})
		}
		b.agentStep(&step{kind: stTransfer, actor: first, to: owner, team: t.team, body: reason, after: ticket.New})
		b.reply(owner, st.Solve, ticket.Solved, otherGender)
	case flowReopen:
		b.reply(owner, st.Solve, ticket.Solved, otherGender)
		b.customerWithin(lt.Rework, ticket.Open, (autoCloseDays-1)*24*time.Hour)
		if b.priority != ticket.Urgent && b.priority != ticket.High {
			b.quickStep(&step{kind: stPriority, actor: owner, priority: ticket.High, after: ticket.Open})
		}
		if p.chance(0.5) {
			b.quickStep(&step{kind: stNote, actor: owner, body: "Rework: the first fix did not hold. " + p.note(t), after: ticket.Open})
		}
		b.reply(owner, lt.Final, ticket.Solved, otherGender)
	}
	b.finish()
}

// praisedAgent picks a member of staff who speaks lang and works tickets.
func (p *planner) praisedAgent(lang string) int {
	var ws []weighted[int]
	for i, s := range roster {
		if s.Role != agent.RoleAdmin && slices.Contains(s.Languages, lang) {
			ws = append(ws, weighted[int]{i, 1})
		}
	}
	return pickWeighted(p, ws)
}

// note writes an internal note for t, in English.
func (p *planner) note(t *ticketPlan) string {
	if p.chance(0.15) {
		return p.pick(genericNotes)
	}
	return render(p.pick(t.sc.Notes), t.vars, 'm', 'm')
}

func vatNumber(p *planner, lang string) string {
	switch lang {
	case "en":
		return fmt.Sprintf("GB%09d", p.rng.IntN(1e9))
	case "it":
		return fmt.Sprintf("IT%011d", p.rng.Int64N(1e11))
	case "ca":
		return fmt.Sprintf("B%08d", p.rng.IntN(1e8))
	default:
		return fmt.Sprintf("LV4000%07d", p.rng.IntN(1e7))
	}
}

// flowBuilder lays out one ticket's steps in time.
type flowBuilder struct {
	p        *planner
	t        *ticketPlan
	at       time.Time // time of the last step
	status   ticket.Status
	priority string
	steps    []*step
}

// add appends s at b.at.
func (b *flowBuilder) add(s *step) {
	s.t = b.t
	s.at = b.at
	if s.after == "" {
		s.after = b.status
	}
	b.status = s.after
	b.steps = append(b.steps, s)
}

// agentStep adds s when an agent gets to it.
func (b *flowBuilder) agentStep(s *step) {
	b.at = b.p.agentAt(b.at, b.t.channel)
	b.add(s)
}

// quickStep adds s a moment after the last step.
func (b *flowBuilder) quickStep(s *step) {
	b.at = b.at.Add(b.p.between(20*time.Second, 4*time.Minute))
	b.add(s)
}

// later adds s between lo and hi after the last step, in working hours.
func (b *flowBuilder) later(s *step, lo, hi time.Duration) {
	b.at = b.p.workingTime(b.at.Add(b.p.between(lo, hi)))
	b.add(s)
}

// reply adds a public reply by agent from one of tpls, setting status.
func (b *flowBuilder) reply(agent int, tpls []string, status ticket.Status, other byte) {
	b.at = b.p.agentAt(b.at, b.t.channel)
	after := status
	if after == "" {
		after = b.status
		if after == ticket.New {
			after = ticket.Open
		}
	}
	b.add(&step{kind: stReply, actor: agent, body: b.agentText(agent, tpls, other), status: status, after: after})
}

func (b *flowBuilder) agentText(agent int, tpls []string, other byte) string {
	t, lt := b.t, texts[b.t.lang]
	t.vars["agent"] = roster[agent].Name
	t.vars["date2"] = lt.dateBy(b.at.Add(b.p.between(2*24*time.Hour, 4*24*time.Hour)))
	body := render(b.p.pick(tpls), t.vars, roster[agent].Gender, other)
	if t.channel == "chat" {
		return body
	}
	return render(lt.AgentHello, t.vars, 0, 0) + "\n\n" + body + "\n\n" + render(lt.AgentBye, t.vars, 0, 0)
}

// customer adds the customer's message from one of tpls.
func (b *flowBuilder) customer(tpls []string, after ticket.Status) {
	b.customerWithin(tpls, after, 4*24*time.Hour)
}

func (b *flowBuilder) customerWithin(tpls []string, after ticket.Status, maxDelay time.Duration) {
	t := b.t
	b.at = b.p.customerAt(b.at, maxDelay)
	body := render(b.p.pick(tpls), t.vars, t.cust.Gender, 0)
	if t.channel == "email" || t.channel == "web" {
		body += "\n\n" + t.cust.First
	}
	b.add(&step{kind: stCustomerMsg, body: body, after: after})
}

// finish cuts the flow where the ticket's target state or the end of the
// demo period says, and hands the steps to the planner.
func (b *flowBuilder) finish() {
	steps, now := b.steps, b.p.now
	if target := b.t.target; target != "" {
		last := 0
		for i, s := range steps {
			if s.after == target {
				last = i
			}
		}
		steps = steps[:last+1]
		// Squeeze a recent ticket's steps into the time left before now.
		first, end := steps[0].at, steps[len(steps)-1].at
		limit := now.Add(-time.Minute)
		if !limit.After(first) {
			limit = first.Add(now.Sub(first) / 2)
		}
		if end.After(limit) && len(steps) > 1 {
			span, room := end.Sub(first), limit.Sub(first)
			for i, s := range steps[1:] {
				at := first.Add(time.Duration(float64(s.at.Sub(first)) * float64(room) / float64(span))).Truncate(time.Second)
				if prev := steps[i].at; !at.After(prev) {
					at = prev.Add(time.Second)
				}
				s.at = at
			}
		}
	}
	for _, s := range steps {
		if s.at.After(now) {
			break
		}
		b.p.add(s)
	}
}

// add puts s on the timeline.
func (p *planner) add(s *step) {
	s.seq = p.seq
	p.seq++
	p.steps = append(p.steps, s)
}
