package demo

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The shop every demo ticket is about. It is made up, and its addresses live
// in domains reserved for examples (RFC 2606, RFC 6761).
const shopName = "Aurora Home & Garden"

// languages are the five language communities of the demo, in a fixed order
// so that iteration never depends on a map.
var languages = []string{"en", "it", "ru", "lv", "ca"}

// langText is everything a language needs: how its people greet and sign,
// how it writes dates and money, and the texts of each scenario.
type langText struct {
	// AgentHello opens an agent's reply; {name} is the customer's first name.
	AgentHello string
	// AgentBye closes it; {agent} is the agent's full name.
	AgentBye string
	// CustomerHello and CustomerBye frame a customer's first message
	// ({cname} is the customer's full name, {cfirst} the first name).
	CustomerHello []string
	CustomerBye   []string
	// Working is an interim reply that leaves the ticket open.
	Working []string
	// Rework is the customer writing again after the ticket was solved.
	Rework []string
	// Final is the agent's answer to Rework.
	Final []string
	// NoAnswer solves a pending ticket the customer never answered.
	NoAnswer []string
	// dateOn writes "on that day", dateBy the form that follows the
	// language's "by" (they differ in Latvian); money writes an amount.
	dateOn, dateBy func(time.Time) string
	money          func(cents int) string
	// Addresses are delivery addresses a customer may ask to change to.
	Addresses []string
	// Scenarios holds the texts of each scenario, by scenario key.
	Scenarios map[string]scenarioText
}

// scenarioText holds the texts of one scenario in one language. Texts are
// templates: {slot} is filled from the ticket, [m|f] agrees with the gender
// of the writer and <m|f> with the gender of the agent being praised.
type scenarioText struct {
	Subjects   []string
	Opening    []string // the customer's first message
	Ask        []string // the agent asks for something (pending)
	Answer     []string // the customer answers it
	Solve      []string // the agent solves it at once
	SolveAfter []string // the agent solves it after the answer
}

// scenario is a kind of customer contact with the team that handles it.
type scenario struct {
	Key      string
	Team     int // index into teamDefs
	Kind     string
	Weight   int
	Priority []weighted[string]
	Tag      string
	Notes    []string // internal notes, in English (the team's common language)
	// Reason is why a ticket of this scenario that arrived in another team
	// is transferred to Team.
	Reason string
}

// weighted is a choice with a weight.
type weighted[T any] struct {
	V T
	W int
}

// product is one thing the shop sells, named in each language.
type product struct {
	Cents int
	Names map[string]string
}

var products = []product{
	{2990, map[string]string{"en": "garden hose (25 m)", "it": "Tubo da giardino 25 m", "ru": "Садовый шланг 25 м", "lv": "Dārza šļūtene 25 m", "ca": "Mànega de jardí de 25 m"}},
	{3450, map[string]string{"en": "terracotta pot (40 cm)", "it": "Vaso in terracotta 40 cm", "ru": "Терракотовый горшок 40 см", "lv": "Terakotas pods 40 cm", "ca": "Test de terracota de 40 cm"}},
	{2490, map[string]string{"en": "solar garden lights (set of 6)", "it": "Luci solari da giardino (set da 6)", "ru": "Садовые солнечные фонари (6 шт.)", "lv": "Saules dārza lampas (6 gab.)", "ca": "Llums solars de jardí (joc de 6)"}},
	{1990, map[string]string{"en": "pruning shears", "it": "Forbici da potatura", "ru": "Секатор", "lv": "Dārza šķēres", "ca": "Tisores de podar"}},
	{18900, map[string]string{"en": "rattan armchair", "it": "Poltrona in rattan", "ru": "Кресло из ротанга", "lv": "Rotangpalmas krēsls", "ca": "Butaca de vímet"}},
	{1290, map[string]string{"en": "herb seed kit", "it": "Kit di semi di erbe aromatiche", "ru": "Набор семян пряных трав", "lv": "Garšaugu sēklu komplekts", "ca": "Kit de llavors d'herbes aromàtiques"}},
	{1590, map[string]string{"en": "watering can (10 l)", "it": "Annaffiatoio 10 l", "ru": "Лейка 10 л", "lv": "Lejkanna 10 l", "ca": "Regadora de 10 l"}},
	{2290, map[string]string{"en": "bird feeder", "it": "Mangiatoia per uccelli", "ru": "Кормушка для птиц", "lv": "Putnu barotava", "ca": "Menjadora per a ocells"}},
	{5490, map[string]string{"en": "outdoor cushions (set of 4)", "it": "Cuscini da esterno (set da 4)", "ru": "Уличные подушки (4 шт.)", "lv": "Āra spilveni (4 gab.)", "ca": "Coixins d'exterior (joc de 4)"}},
	{8990, map[string]string{"en": "raised garden bed", "it": "Orto rialzato", "ru": "Высокая грядка", "lv": "Paaugstināta dobe", "ca": "Bancal elevat"}},
	{6490, map[string]string{"en": "compost bin (300 l)", "it": "Compostiera 300 l", "ru": "Компостер 300 л", "lv": "Komposta kaste 300 l", "ca": "Compostador de 300 l"}},
	{24900, map[string]string{"en": "electric lawn mower", "it": "Tosaerba elettrico", "ru": "Электрическая газонокосилка", "lv": "Elektriskais zāles pļāvējs", "ca": "Tallagespa elèctric"}},
	{11900, map[string]string{"en": "hammock with stand", "it": "Amaca con supporto", "ru": "Гамак с подставкой", "lv": "Šūpuļtīkls ar statīvu", "ca": "Hamaca amb suport"}},
	{2790, map[string]string{"en": "scented candle set", "it": "Set di candele profumate", "ru": "Набор ароматических свечей", "lv": "Aromātisko sveču komplekts", "ca": "Joc d'espelmes aromàtiques"}},
}

// teamDef is a team of the demo shop.
type teamDef struct {
	Name, Description string
}

// The team indexes used by scenarios and the roster.
const (
	teamOrders = iota
	teamBilling
	teamTech
	teamReturns
)

var teamDefs = []teamDef{
	teamOrders:  {"Orders & Delivery", "Demo team of " + shopName + ": order status, couriers, delivery dates and address changes."},
	teamBilling: {"Billing", "Demo team of " + shopName + ": invoices, payments, refunds and gift cards."},
	teamTech:    {"Technical Support", "Demo team of " + shopName + ": accounts, logins, the website and product advice."},
	teamReturns: {"Returns", "Demo team of " + shopName + ": damaged or wrong items, returns and replacements."},
}

// handoverReasons explain a transfer within the same team.
var handoverReasons = []string{
	"Handing over: I am off from tomorrow and {to} will follow it up.",
	"Rebalancing the queue before the weekend; {to} has capacity.",
	"{to} handled this customer's last order and knows the background.",
}

var scenarios = []scenario{
	{Key: "late", Team: teamOrders, Kind: "complaint", Weight: 22, Tag: "delivery",
		Priority: []weighted[string]{{"normal", 60}, {"high", 35}, {"urgent", 5}},
		Reason:   "Delivery problem: Orders & Delivery owns courier claims.",
		Notes: []string{"Tracking for {order} has shown no scan for four days. Opened a claim with the courier.",
			"Courier confirms the parcel for {order} is at their local depot; asked them to prioritise it."}},
	{Key: "damaged", Team: teamReturns, Kind: "complaint", Weight: 12, Tag: "damaged",
		Priority: []weighted[string]{{"normal", 50}, {"high", 45}, {"urgent", 5}},
		Reason:   "Item arrived damaged; Returns handles replacements.",
		Notes: []string{"Photos show the {product_en} cracked. Approved a free replacement, no return needed.",
			"Another damaged {product_en} this month; flagged the packaging to the warehouse lead."}},
	{Key: "refund", Team: teamBilling, Kind: "request", Weight: 12, Tag: "refund",
		Priority: []weighted[string]{{"normal", 70}, {"high", 30}},
		Reason:   "Needs a refund approved, which only Billing can do.",
		Notes: []string{"Return for {order} is in the warehouse system; refund of {amount_en} approved.",
			"Payment provider shows the refund for {order} as pending; chasing it."}},
	{Key: "invoice", Team: teamBilling, Kind: "request", Weight: 9, Tag: "invoice",
		Priority: []weighted[string]{{"low", 60}, {"normal", 40}},
		Reason:   "Invoice request; Billing can reissue invoices.",
		Notes: []string{"Customer needs the company VAT number on the invoice; regenerated it from the shop admin.",
			"Old invoice for {order} cancelled and reissued."}},
	{Key: "password", Team: teamTech, Kind: "request", Weight: 9, Tag: "login",
		Priority: []weighted[string]{{"normal", 75}, {"high", 25}},
		Reason:   "Login problem on the website, not an order issue; Technical Support has the account tools.",
		Notes: []string{"Our reset emails to this address were bouncing; removed it from the suppression list.",
			"Account was locked after five failed logins; unlocked it."}},
	{Key: "product", Team: teamTech, Kind: "question", Weight: 14, Tag: "product-info",
		Priority: []weighted[string]{{"low", 55}, {"normal", 45}},
		Reason:   "Product advice needed; Technical Support has the spec sheets.",
		Notes: []string{"Checked the spec sheet with the supplier: frost-resistant down to -10 °C.",
			"Suggested the matching cover as well."}},
	{Key: "praise", Team: -1, Kind: "praise", Weight: 5, Tag: "praise",
		Priority: []weighted[string]{{"low", 90}, {"normal", 10}},
		Notes: []string{"Lovely feedback for {praised}; shared it in the team channel.",
			"Adding this to the monthly recognition list."}},
	{Key: "address", Team: teamOrders, Kind: "request", Weight: 7, Tag: "address-change",
		Priority: []weighted[string]{{"normal", 50}, {"high", 50}},
		Reason:   "Address change before dispatch; Orders & Delivery can stop the parcel.",
		Notes: []string{"Caught it before dispatch; the warehouse reprinted the label.",
			"Parcel already with the courier; redirect requested, fee waived."}},
	{Key: "wrong", Team: teamReturns, Kind: "complaint", Weight: 6, Tag: "wrong-item",
		Priority: []weighted[string]{{"normal", 60}, {"high", 40}},
		Reason:   "Wrong item sent; Returns arranges the pickup and the replacement.",
		Notes: []string{"Picking error: bin labels swapped at the warehouse. Sent the right item by express.",
			"Booked a courier pickup for the wrong item."}},
	{Key: "gift", Team: teamBilling, Kind: "other", Weight: 4, Tag: "gift-card",
		Priority: []weighted[string]{{"low", 70}, {"normal", 30}},
		Reason:   "Gift card activation is done by Billing.",
		Notes: []string{"Gift card {code} was never activated at the point of sale; activated it manually.",
			"Balance checked: {amount_en} left."}},
}

// genericNotes may be added to any ticket.
var genericNotes = []string{
	"Second contact about this order; offer a goodwill voucher if it drags on.",
	"Checked the order history: nothing unusual.",
}

// vipNote is added to some tickets of VIP customers.
const vipNote = "VIP customer: keep them updated at least daily."

// noAnswerNote explains solving a ticket the customer never answered.
const noAnswerNote = "No reply from the customer in a week; solving. It reopens if they write back."

// texts holds every language's texts, filled in by the content_*.go files.
var texts = map[string]*langText{}

// render fills a template. vars gives the {slot} values; speaker is the
// gender ('m' or 'f') of whoever writes, other that of the agent praised.
func render(tpl string, vars map[string]string, speaker, other byte) string {
	var b strings.Builder
	b.Grow(len(tpl) + 32)
	for i := 0; i < len(tpl); {
		c := tpl[i]
		switch c {
		case '{':
			if j := strings.IndexByte(tpl[i:], '}'); j > 0 {
				key := tpl[i+1 : i+j]
				v, ok := vars[key]
				if !ok {
					panic(fmt.Sprintf("demo: template %q: no value for {%s}", tpl, key))
				}
				b.WriteString(v)
				i += j + 1
				continue
			}
		case '[', '<':
			end := byte(']')
			g := speaker
			if c == '<' {
				end, g = '>', other
			}
			if j := strings.IndexByte(tpl[i:], end); j > 0 {
				m, f, ok := strings.Cut(tpl[i+1:i+j], "|")
				if !ok {
					panic(fmt.Sprintf("demo: template %q: gender choice without |", tpl))
				}
				if g == 'f' {
					b.WriteString(f)
				} else {
					b.WriteString(m)
				}
				i += j + 1
				continue
			}
		}
		b.WriteByte(c)
		i++
	}
	return upperFirst(b.String())
}

// upperFirst capitalises the first letter, for templates that open with a
// slot such as an English product name.
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError || unicode.IsUpper(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// Month names for each language's dates.
var (
	monthsEN   = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	monthsIT   = []string{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"}
	monthsRU   = []string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"}
	monthsLVOn = []string{"janvārī", "februārī", "martā", "aprīlī", "maijā", "jūnijā", "jūlijā", "augustā", "septembrī", "oktobrī", "novembrī", "decembrī"}
	monthsLVBy = []string{"janvārim", "februārim", "martam", "aprīlim", "maijam", "jūnijam", "jūlijam", "augustam", "septembrim", "oktobrim", "novembrim", "decembrim"}
	monthsCA   = []string{"de gener", "de febrer", "de març", "d'abril", "de maig", "de juny", "de juliol", "d'agost", "de setembre", "d'octubre", "de novembre", "de desembre"}
)

func dateEN(t time.Time) string { return fmt.Sprintf("%d %s", t.Day(), monthsEN[t.Month()-1]) }

// dateIT includes the article, which elides before 8 and 11 ("l'8 marzo").
func dateIT(t time.Time) string {
	switch d := t.Day(); d {
	case 1:
		return "il 1º " + monthsIT[t.Month()-1]
	case 8, 11:
		return fmt.Sprintf("l'%d %s", d, monthsIT[t.Month()-1])
	default:
		return fmt.Sprintf("il %d %s", d, monthsIT[t.Month()-1])
	}
}

func dateRU(t time.Time) string   { return fmt.Sprintf("%d %s", t.Day(), monthsRU[t.Month()-1]) }
func dateLVOn(t time.Time) string { return fmt.Sprintf("%d. %s", t.Day(), monthsLVOn[t.Month()-1]) }
func dateLVBy(t time.Time) string { return fmt.Sprintf("%d. %s", t.Day(), monthsLVBy[t.Month()-1]) }

// dateCA includes the article, which elides before 1 and 11 ("l'1 de març").
func dateCA(t time.Time) string {
	art := "el "
	if d := t.Day(); d == 1 || d == 11 {
		art = "l'"
	}
	return fmt.Sprintf("%s%d %s", art, t.Day(), monthsCA[t.Month()-1])
}

func moneyEN(cents int) string { return fmt.Sprintf("€%d.%02d", cents/100, cents%100) }

// moneyEU is the continental way: decimal comma, the sign after a space.
func moneyEU(cents int) string { return fmt.Sprintf("%d,%02d\u00a0€", cents/100, cents%100) }
