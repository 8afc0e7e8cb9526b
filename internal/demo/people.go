package demo

import (
	"strings"

	"github.com/rapport/rapport/internal/agent"
)

// The demo logins printed by `rapport demo`.
const (
	adminEmail   = "admin@demo.example.com"
	managerEmail = "manager@demo.example.com"
	agentEmail   = "agent@demo.example.com"
)

// staff is one person of the demo team.
type staff struct {
	Name, Email string
	Role        agent.Role
	Gender      byte
	Locale      string
	Languages   []string
	Teams       []int // indexes into teamDefs
}

// First returns the first name, used when a customer praises the agent.
func (s staff) First() string { first, _, _ := strings.Cut(s.Name, " "); return first }

// roster is the demo team. Every team has someone for every language, so
// every ticket finds an owner who speaks it in the right team.
var roster = []staff{
	{"Laura Bianchi", adminEmail, agent.RoleAdmin, 'f', "it", []string{"it", "en"}, nil},
	{"Jordi Puig", managerEmail, agent.RoleManager, 'm', "ca", []string{"ca", "en"}, []int{teamOrders, teamReturns}},
	{"Ilze Kalniņa", "ilze.kalnina@demo.example.com", agent.RoleManager, 'f', "lv", []string{"lv", "ru", "en"}, []int{teamBilling, teamTech}},
	{"Emma Walsh", agentEmail, agent.RoleAgent, 'f', "en", []string{"en", "it"}, []int{teamOrders, teamReturns}},
	{"Giulia Romano", "giulia.romano@demo.example.com", agent.RoleAgent, 'f', "it", []string{"it", "en"}, []int{teamOrders, teamBilling}},
	{"Marco Esposito", "marco.esposito@demo.example.com", agent.RoleAgent, 'm', "it", []string{"it", "en"}, []int{teamTech, teamReturns}},
	{"Dmitri Volkov", "dmitri.volkov@demo.example.com", agent.RoleAgent, 'm', "ru", []string{"ru", "lv", "en"}, []int{teamTech, teamOrders}},
	{"Anna Sokolova", "anna.sokolova@demo.example.com", agent.RoleAgent, 'f', "ru", []string{"ru", "en"}, []int{teamBilling, teamReturns}},
	{"Jānis Bērziņš", "janis.berzins@demo.example.com", agent.RoleAgent, 'm', "lv", []string{"lv", "ru", "en"}, []int{teamOrders, teamBilling}},
	{"Līga Ozola", "liga.ozola@demo.example.com", agent.RoleAgent, 'f', "lv", []string{"lv", "en"}, []int{teamTech, teamReturns}},
	{"Montserrat Vidal", "montserrat.vidal@demo.example.com", agent.RoleAgent, 'f', "ca", []string{"ca", "en"}, []int{teamBilling, teamTech}},
	{"Pau Ferrer", "pau.ferrer@demo.example.com", agent.RoleAgent, 'm', "ca", []string{"ca", "en", "it"}, []int{teamOrders, teamReturns}},
}

// names are first names (by gender) and surnames of one language community.
// Surnames with a feminine form give it after a slash ("Ozoliņš/Ozoliņa").
type names struct {
	Male, Female, Surnames []string
	// TwoSurnames makes some people carry two surnames, as in Catalan.
	TwoSurnames bool
}

var nameLists = map[string]names{
	"en": {
		Male:     []string{"James", "Oliver", "Harry", "George", "Thomas", "Daniel", "Matthew", "Samuel", "Jack", "William", "Liam", "Ben", "Arthur", "Noah"},
		Female:   []string{"Emily", "Olivia", "Sophie", "Charlotte", "Amelia", "Grace", "Hannah", "Lucy", "Chloe", "Megan", "Sarah", "Rachel", "Isla", "Ruby"},
		Surnames: []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Hughes", "Edwards", "Murphy", "O'Brien", "Patel", "Khan"},
	},
	"it": {
		Male:     []string{"Marco", "Luca", "Giuseppe", "Francesco", "Alessandro", "Andrea", "Matteo", "Lorenzo", "Davide", "Stefano", "Niccolò", "Simone", "Riccardo", "Fabio"},
		Female:   []string{"Giulia", "Francesca", "Chiara", "Sara", "Martina", "Valentina", "Alessia", "Elena", "Federica", "Silvia", "Paola", "Beatrice", "Ilaria", "Noemi"},
		Surnames: []string{"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti", "Fabbri", "Barbieri", "Santoro", "D'Angelo"},
	},
	"ru": {
		Male:     []string{"Алексей", "Дмитрий", "Сергей", "Андрей", "Иван", "Михаил", "Николай", "Павел", "Артём", "Владимир", "Олег", "Юрий"},
		Female:   []string{"Анна", "Мария", "Екатерина", "Ольга", "Наталья", "Татьяна", "Елена", "Ирина", "Юлия", "Светлана", "Алёна", "Ксения"},
		Surnames: []string{"Иванов/Иванова", "Смирнов/Смирнова", "Кузнецов/Кузнецова", "Попов/Попова", "Соколов/Соколова", "Лебедев/Лебедева", "Козлов/Козлова", "Новиков/Новикова", "Морозов/Морозова", "Петров/Петрова", "Волков/Волкова", "Фёдоров/Фёдорова", "Орлов/Орлова", "Беляев/Беляева"},
	},
	"lv": {
		Male:     []string{"Jānis", "Andris", "Mārtiņš", "Edgars", "Kārlis", "Artūrs", "Raimonds", "Māris", "Roberts", "Gints", "Valdis", "Aivars"},
		Female:   []string{"Anna", "Līga", "Ilze", "Inese", "Kristīne", "Laura", "Dace", "Sanita", "Zane", "Evija", "Agnese", "Baiba"},
		Surnames: []string{"Bērziņš/Bērziņa", "Kalniņš/Kalniņa", "Ozoliņš/Ozoliņa", "Jansons/Jansone", "Ozols/Ozola", "Liepiņš/Liepiņa", "Krūmiņš/Krūmiņa", "Balodis/Balode", "Zariņš/Zariņa", "Eglītis/Eglīte", "Pētersons/Pētersone", "Vītols/Vītola", "Kļaviņš/Kļaviņa", "Siliņš/Siliņa"},
	},
	"ca": {
		Male:        []string{"Jordi", "Pere", "Joan", "Marc", "Pau", "Oriol", "Arnau", "Xavier", "Albert", "Jaume", "Roger", "Martí"},
		Female:      []string{"Núria", "Montserrat", "Laia", "Mercè", "Anna", "Marta", "Roser", "Aina", "Júlia", "Clara", "Meritxell", "Neus"},
		Surnames:    []string{"Puig", "Vila", "Soler", "Ferrer", "Serra", "Vidal", "Font", "Roca", "Pujol", "Casals", "Mas", "Riera", "Camps", "Bosch", "Batlle", "Sabaté", "Martí", "Castells", "Comas", "Prat", "Coll", "Ribas"},
		TwoSurnames: true,
	},
}

// businesses are wholesale customers; the mailbox is under example.com.
var businesses = map[string][]struct{ Name, Domain string }{
	"en": {{"Greenway Landscaping Ltd", "greenway"}, {"Hilltop Garden Centre", "hilltop-garden"}, {"Bramble & Oak Interiors", "bramble-oak"}},
	"it": {{"Vivai Verdi S.r.l.", "vivaiverdi"}, {"Il Giardino di Marta", "giardinodimarta"}},
	"ru": {{"SIA «Зелёный сад»", "zelenyj-sad"}},
	"lv": {{"SIA Zaļā Dārzniecība", "zala-darzn"}, {"SIA Mājas un Dārzs", "majasundarzs"}},
	"ca": {{"Vivers del Vallès SL", "vivers-valles"}, {"Jardineria Montseny SL", "jardineria-montseny"}},
}

// mailDomains are the mailbox providers people of each language use; all are
// reserved for examples.
var mailDomains = map[string][]string{
	"en": {"example.com", "example.org", "example.net", "mail.test"},
	"it": {"example.com", "example.org", "posta.test"},
	"ru": {"example.com", "example.net", "pochta.test"},
	"lv": {"example.com", "example.org", "pasts.test"},
	"ca": {"example.com", "example.net", "correu.test"},
}

// customerNotes are internal notes kept on a few customers.
var customerNotes = []string{
	"Prefers phone calls after 17:00.",
	"Received a goodwill voucher after a damaged delivery.",
	"Prefers email: hard to reach by phone during the day.",
	"Asked not to receive marketing calls.",
	"Customer since the shop opened; orders every spring.",
	"Often orders for a community garden; ask before splitting shipments.",
}

// translit turns a name into the ASCII letters of an email address.
var translit = strings.NewReplacer(
	"ā", "a", "č", "c", "ē", "e", "ģ", "g", "ī", "i", "ķ", "k", "ļ", "l", "ņ", "n", "š", "s", "ū", "u", "ž", "z",
	"à", "a", "è", "e", "é", "e", "í", "i", "ï", "i", "ò", "o", "ó", "o", "ú", "u", "ü", "u", "ç", "c", "l·l", "ll",
	"а", "a", "б", "b", "в", "v", "г", "g", "д", "d", "е", "e", "ё", "e", "ж", "zh", "з", "z", "и", "i", "й", "y",
	"к", "k", "л", "l", "м", "m", "н", "n", "о", "o", "п", "p", "р", "r", "с", "s", "т", "t", "у", "u", "ф", "f",
	"х", "kh", "ц", "ts", "ч", "ch", "ш", "sh", "щ", "shch", "ъ", "", "ы", "y", "ь", "", "э", "e", "ю", "yu", "я", "ya",
	"'", "", " ", "", "-", "",
)

// mailLocal gives the ASCII form of a name part for an email address.
func mailLocal(s string) string { return translit.Replace(strings.ToLower(s)) }
