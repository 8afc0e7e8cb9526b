package demo

import (
	"context"
	"fmt"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/kb"
)

// kbText is one translation of a demo article.
type kbText struct{ Title, Body string }

// kbArticleDef is a demo article: its section (index in kbSections), and
// its text per language.
type kbArticleDef struct {
	Section  int
	Internal bool
	Texts    map[string]kbText
}

// kbCategories and kbSections are the demo shop's help center's shape.
var kbCategories = []kb.CategoryInput{
	{Slug: "orders", Position: 1, Names: kb.Names{"en": "Orders and delivery", "it": "Ordini e consegne", "ru": "Заказы и доставка", "lv": "Pasūtījumi un piegāde", "ca": "Comandes i lliuraments"}},
	{Slug: "account", Position: 2, Names: kb.Names{"en": "Your account", "it": "Il tuo account", "ru": "Ваш аккаунт", "lv": "Jūsu konts", "ca": "El vostre compte"}},
}

var kbSections = []kb.SectionInput{
	{CategoryID: 0, Position: 1, Names: kb.Names{"en": "Delivery", "it": "Consegna", "ru": "Доставка", "lv": "Piegāde", "ca": "Lliurament"}},
	{CategoryID: 0, Position: 2, Names: kb.Names{"en": "Returns and refunds", "it": "Resi e rimborsi", "ru": "Возвраты", "lv": "Atgriešana un atmaksa", "ca": "Devolucions i reemborsaments"}},
	{CategoryID: 1, Position: 1, Names: kb.Names{"en": "Signing in", "it": "Accesso", "ru": "Вход", "lv": "Pieteikšanās", "ca": "Inici de sessió"}},
}

// kbArticleDefs are the demo shop's articles (demo content of the demo
// business), in all five languages; one is internal, for agents.
var kbArticleDefs = []kbArticleDef{
	{Section: 0, Texts: map[string]kbText{
		"en": {"Where is my parcel?", "Every order ships within **one working day**. The email confirming the shipment holds a tracking link; open it to see where your parcel is.\n\n- Standard delivery: 2–4 working days\n- Express delivery: next working day\n\nIf the tracking has not moved for three days, write to us and we will ask the courier."},
		"it": {"Dov'è il mio pacco?", "Ogni ordine parte entro **un giorno lavorativo**. La mail di conferma della spedizione contiene il link di tracciamento: aprilo per vedere dove si trova il pacco.\n\n- Consegna standard: 2–4 giorni lavorativi\n- Consegna espressa: il giorno lavorativo successivo\n\nSe il tracciamento è fermo da tre giorni, scrivici e contatteremo il corriere."},
		"ru": {"Где моя посылка?", "Каждый заказ отправляется в течение **одного рабочего дня**. В письме об отправке есть ссылка для отслеживания: откройте её, чтобы узнать, где посылка.\n\n- Обычная доставка: 2–4 рабочих дня\n- Экспресс-доставка: на следующий рабочий день\n\nЕсли статус не меняется три дня, напишите нам, и мы свяжемся с курьером."},
		"lv": {"Kur ir mana paka?", "Katrs pasūtījums tiek nosūtīts **vienas darba dienas** laikā. E-pastā par nosūtīšanu ir izsekošanas saite: atveriet to, lai redzētu, kur ir paka.\n\n- Standarta piegāde: 2–4 darba dienas\n- Ekspresspiegāde: nākamajā darba dienā\n\nJa izsekošana trīs dienas nemainās, rakstiet mums, un mēs sazināsimies ar kurjeru."},
		"ca": {"On és el meu paquet?", "Cada comanda surt en **un dia laborable**. El correu que confirma l'enviament conté un enllaç de seguiment: obriu-lo per veure on és el paquet.\n\n- Lliurament estàndard: 2–4 dies laborables\n- Lliurament urgent: l'endemà laborable\n\nSi el seguiment no es mou en tres dies, escriviu-nos i parlarem amb el transportista."},
	}},
	{Section: 1, Texts: map[string]kbText{
		"en": {"How to return an order", "You can return anything within **30 days** of delivery.\n\n1. Print the return label from your order confirmation email.\n2. Pack the items in their original box.\n3. Drop the parcel off at any post office.\n\nThe refund reaches the card you paid with 3 to 5 working days after we receive the parcel."},
		"it": {"Come restituire un ordine", "Puoi restituire qualsiasi articolo entro **30 giorni** dalla consegna.\n\n1. Stampa l'etichetta di reso dalla mail di conferma dell'ordine.\n2. Imballa gli articoli nella scatola originale.\n3. Consegna il pacco in un qualsiasi ufficio postale.\n\nIl rimborso arriva sulla carta usata per il pagamento 3–5 giorni lavorativi dopo che abbiamo ricevuto il pacco."},
		"ru": {"Как вернуть заказ", "Вернуть любой товар можно в течение **30 дней** после доставки.\n\n1. Распечатайте этикетку для возврата из письма с подтверждением заказа.\n2. Упакуйте товары в оригинальную коробку.\n3. Отнесите посылку в любое почтовое отделение.\n\nДеньги поступят на карту, которой вы платили, через 3–5 рабочих дней после получения посылки."},
		"lv": {"Kā atgriezt pasūtījumu", "Jebkuru preci varat atgriezt **30 dienu** laikā pēc piegādes.\n\n1. Izdrukājiet atgriešanas uzlīmi no pasūtījuma apstiprinājuma e-pasta.\n2. Iepakojiet preces oriģinālajā kastē.\n3. Nododiet paku jebkurā pasta nodaļā.\n\nNauda nonāks kartē, ar kuru maksājāt, 3–5 darba dienās pēc tam, kad saņemsim paku."},
		"ca": {"Com retornar una comanda", "Podeu retornar qualsevol article en un termini de **30 dies** des del lliurament.\n\n1. Imprimiu l'etiqueta de devolució del correu de confirmació de la comanda.\n2. Empaqueteu els articles a la capsa original.\n3. Deixeu el paquet a qualsevol oficina de correus.\n\nEl reemborsament arriba a la targeta amb què vau pagar 3–5 dies laborables després de rebre el paquet."},
	}},
	{Section: 1, Texts: map[string]kbText{
		"en": {"A product arrived damaged", "We are sorry! Take a photo of the damaged item and of the box, and send them to us through the contact form with your order number. We send a replacement the same day, at no cost; you do not need to send the damaged item back."},
		"it": {"Un prodotto è arrivato danneggiato", "Ci dispiace! Scatta una foto dell'articolo danneggiato e della scatola e inviacela dal modulo di contatto con il numero d'ordine. Spediamo la sostituzione in giornata, senza costi; non serve rispedire l'articolo danneggiato."},
		"ru": {"Товар пришёл повреждённым", "Нам очень жаль! Сфотографируйте повреждённый товар и коробку и отправьте фото через форму связи, указав номер заказа. Мы отправим замену в тот же день бесплатно; возвращать повреждённый товар не нужно."},
		"lv": {"Prece pienāca bojāta", "Mums ļoti žēl! Nofotografējiet bojāto preci un kasti un nosūtiet fotoattēlus, izmantojot saziņas formu, norādot pasūtījuma numuru. Aizvietotāju nosūtīsim tajā pašā dienā bez maksas; bojātā prece nav jāsūta atpakaļ."},
		"ca": {"Un producte ha arribat malmès", "Ho sentim! Feu una foto de l'article malmès i de la capsa i envieu-nos-la pel formulari de contacte amb el número de comanda. Enviem el recanvi el mateix dia, sense cap cost; no cal que ens retorneu l'article malmès."},
	}},
	{Section: 2, Texts: map[string]kbText{
		"en": {"Reset your password", "On the sign-in page choose **Forgot password** and enter your email address. The link we send works for one hour. No email after ten minutes? Look in your spam folder, then write to us."},
		"it": {"Reimposta la password", "Nella pagina di accesso scegli **Password dimenticata** e inserisci il tuo indirizzo email. Il link che ti inviamo vale un'ora. Nessuna mail dopo dieci minuti? Controlla lo spam, poi scrivici."},
		"ru": {"Как сбросить пароль", "На странице входа выберите **Забыли пароль** и введите адрес электронной почты. Ссылка из письма действует один час. Письма нет через десять минут? Проверьте папку «Спам», затем напишите нам."},
		"lv": {"Paroles atiestatīšana", "Pieteikšanās lapā izvēlieties **Aizmirsu paroli** un ievadiet savu e-pasta adresi. Nosūtītā saite ir derīga vienu stundu. Pēc desmit minūtēm e-pasta nav? Pārbaudiet surogātpasta mapi un tad rakstiet mums."},
		"ca": {"Restableix la contrasenya", "A la pàgina d'inici de sessió trieu **He oblidat la contrasenya** i escriviu la vostra adreça electrònica. L'enllaç que us enviem funciona durant una hora. Cap correu al cap de deu minuts? Mireu la carpeta de correu brossa i després escriviu-nos."},
	}},
	{Section: 1, Internal: true, Texts: map[string]kbText{
		"en": {"Refunds agents may give without asking", "Agents may refund up to **€50** or send a replacement without a manager's approval. Above that, use the compensation card on the ticket; a manager approves it."},
		"it": {"Rimborsi che gli operatori possono concedere da soli", "Gli operatori possono rimborsare fino a **50 €** o spedire una sostituzione senza approvazione. Oltre, usa la scheda compensazioni del ticket: la approva un responsabile."},
		"ru": {"Возвраты, которые сотрудник оформляет сам", "Сотрудник может вернуть до **50 €** или отправить замену без согласования. Больше — через карточку компенсации в обращении; её одобряет руководитель."},
		"lv": {"Atmaksas, ko darbinieki drīkst piešķirt paši", "Darbinieki drīkst atmaksāt līdz **50 €** vai nosūtīt aizvietotāju bez vadītāja apstiprinājuma. Virs tā izmantojiet pieteikuma kompensāciju karti; to apstiprina vadītājs."},
		"ca": {"Reemborsaments que els agents poden fer sols", "Els agents poden reemborsar fins a **50 €** o enviar un recanvi sense aprovació. Per sobre, feu servir la targeta de compensació del tiquet; l'aprova un responsable."},
	}},
}

// kbEditorEmail is the demo agent the admin gave the right to write the
// knowledge base: she writes its Italian texts.
const kbEditorEmail = "giulia.romano@demo.example.com"

// seedKB writes the demo shop's help center, by its first manager and, in
// Italian, by an agent the admin gave the right: the categories, sections
// and articles above in every language, published, with a few views, votes
// and searches that found nothing, so that the help-center report has
// something to show.
func (r *runner) seedKB(ctx context.Context) error {
	var manager, editor int64
	for i, s := range roster {
		if s.Role == agent.RoleManager && manager == 0 {
			manager = r.agentIDs[i]
		}
		if s.Email == kbEditorEmail {
			editor = r.agentIDs[i]
		}
	}
	yes := true
	if _, err := r.agents.Update(office(ctx, r.agentIDs[0]), editor, agent.AgentUpdate{KBEditor: &yes}); err != nil {
		return fmt.Errorf("demo: help center editor: %w", err)
	}
	svc := kb.New(kb.Opts{DB: r.o.DB, Clock: r.clock})
	var cats []int64
	for _, c := range kbCategories {
		id, err := svc.SaveCategory(ctx, 0, c)
		if err != nil {
			return fmt.Errorf("demo: help center: %w", err)
		}
		cats = append(cats, id)
	}
	var secs []int64
	for _, s := range kbSections {
		s.CategoryID = cats[s.CategoryID]
		id, err := svc.SaveSection(ctx, 0, s)
		if err != nil {
			return fmt.Errorf("demo: help center: %w", err)
		}
		secs = append(secs, id)
	}
	langs := []string{"en", "it", "ru", "lv", "ca"}
	for n, def := range kbArticleDefs {
		en := def.Texts["en"]
		a, err := svc.CreateArticle(ctx, manager, kb.ArticleInput{SectionID: secs[def.Section], Internal: def.Internal,
			Language: "en", Title: en.Title, Body: en.Body})
		if err != nil {
			return fmt.Errorf("demo: help center: %w", err)
		}
		for _, l := range langs {
			if l != "en" {
				t, by := def.Texts[l], manager
				if l == "it" {
					by = editor
				}
				if err := svc.SaveText(ctx, by, a.ID, l, kb.TextInput{Title: t.Title, Body: t.Body}); err != nil {
					return fmt.Errorf("demo: help center: %w", err)
				}
			}
			if err := svc.Publish(ctx, a.ID, l); err != nil {
				return fmt.Errorf("demo: help center: %w", err)
			}
		}
		a, err = svc.Article(ctx, a.ID)
		if err != nil {
			return err
		}
		for i, t := range a.Translations {
			for v := 0; v < (n*7+i*3)%11+2; v++ {
				if err := svc.CountView(ctx, t.ID); err != nil {
					return err
				}
			}
			if err := svc.Vote(ctx, t.ID, (n+i)%4 != 0, ""); err != nil {
				return err
			}
			if !def.Internal {
				if err := seedDeflections(ctx, svc, t.ID, fmt.Sprintf("demo-%d-%d", n, i), n+i); err != nil {
					return err
				}
			}
		}
	}
	for _, m := range []struct{ lang, q string }{{"en", "gift wrapping"}, {"it", "fattura aziendale"}, {"en", "gift wrapping"}, {"lv", "dāvanu karte"}} {
		if err := svc.RecordMissed(ctx, m.lang, m.q); err != nil {
			return err
		}
	}
	return svc.SaveSettings(ctx, kb.Settings{Accent: "#1f6f5c", PublishStandard: true})
}

// seedDeflections has visitors open translation id from the contact
// form's and the chat widget's suggestions: most leave without writing (a
// deflection), and one in three of each writes all the same, so that the
// report's opened and deflected columns differ.
func seedDeflections(ctx context.Context, svc *kb.Service, id int64, prefix string, k int) error {
	for v := 0; v < k%3+2; v++ {
		for _, src := range []string{kb.FromContact, kb.FromWidget} {
			token := fmt.Sprintf("%s-%s-%d", prefix, src, v)
			if err := svc.Opened(ctx, id, token, src); err != nil {
				return fmt.Errorf("demo: help center deflections: %w", err)
			}
			if v%3 == 2 {
				if err := svc.ContactSent(ctx, token); err != nil {
					return fmt.Errorf("demo: help center deflections: %w", err)
				}
			}
		}
	}
	return nil
}
