package demo

func init() {
	texts["it"] = &langText{
		AgentHello:    "Buongiorno {name},",
		AgentBye:      "Cordiali saluti,\n{agent}\n" + shopName,
		CustomerHello: []string{"Buongiorno,", "Salve,", "Buonasera,"},
		CustomerBye:   []string{"Grazie,\n{cname}", "Cordiali saluti,\n{cname}", "Saluti,\n{cfirst}"},
		Working: []string{
			"Grazie per il messaggio. Sto verificando e le rispondo al più tardi entro domani.",
			"Grazie per averci contattato. Ho chiesto al magazzino di controllare e la aggiorno appena ho una risposta.",
		},
		Rework: []string{
			"Mi scuso se scrivo di nuovo, ma il problema non è ancora risolto. Da parte mia non è cambiato nulla dall'ultima e-mail. Potete ricontrollare?",
			"Pensavo fosse tutto sistemato, ma ho ancora lo stesso problema. Potete verificare di nuovo, per favore?",
		},
		Final: []string{
			"Mi dispiace che non sia stato risolto al primo tentativo. Ho ricontrollato tutto dall'inizio e ho trovato l'errore: la modifica non era stata salvata dal nostro lato. Ora è sistemato e lo seguirò personalmente. Grazie per la pazienza.",
			"Grazie per avermelo segnalato e mi scusi per il disturbo in più. Questa volta l'ho verificato insieme al collega del magazzino ed è fatto: oggi riceverà un'e-mail di conferma.",
		},
		NoAnswer: []string{
			"Le scrivo per un breve aggiornamento: non abbiamo ancora ricevuto sue notizie. Per ora segno la richiesta come risolta, ma se risponde a questa e-mail si riaprirà automaticamente.",
		},
		dateOn: dateIT, dateBy: dateIT, money: moneyEU,
		Addresses: []string{"Via Garibaldi 12, 40124 Bologna", "Corso Vittorio Emanuele II 85, 10128 Torino", "Via dei Mille 7, 80121 Napoli", "Viale Mazzini 140, 00195 Roma", "Via San Vitale 33, 48121 Ravenna"},
		Scenarios: map[string]scenarioText{
			"late": {
				Subjects: []string{"Ordine {order} non ancora arrivato", "Dov'è il mio ordine {order}?", "Ritardo nella consegna dell'ordine {order}"},
				Opening: []string{
					"Ho ordinato l'articolo \"{product}\" {date} (ordine {order}), ma il tracciamento indica ancora \"in transito\". Nella conferma la consegna era prevista entro 3 giorni lavorativi. Potete dirmi dove si trova il pacco?",
					"Il mio ordine {order}, fatto {date}, doveva arrivare già da qualche giorno. Mi serve l'articolo \"{product}\" per questo fine settimana. Potete verificare cosa sta succedendo?",
				},
				Ask:    []string{"La ringrazio per il messaggio e mi scuso per il ritardo. Ho chiesto al corriere di rintracciare il pacco. Per accelerare, può confermarmi l'indirizzo di consegna e dirmi se un vicino potrebbe averlo ritirato? La ricontatto appena ho una risposta."},
				Answer: []string{"L'indirizzo dell'ordine è corretto e ho chiesto ai vicini: nessuno l'ha ricevuto. Grazie per l'aiuto."},
				Solve: []string{
					"Mi scuso per l'attesa. Ho verificato con il corriere: il pacco è rimasto fermo nel deposito locale per un errore di smistamento ed è ora in consegna, quindi dovrebbe arrivare entro {date2}. Come scusa le ho rimborsato le spese di spedizione dell'ordine {order}: le vedrà sull'estratto conto entro 3-5 giorni.",
					"Grazie per la pazienza. L'ordine {order} è partito in tempo dal nostro magazzino, ma il corriere ha sbagliato l'etichetta. Oggi le ho spedito un nuovo articolo \"{product}\" con corriere espresso: arriverà entro {date2}. Se il primo pacco dovesse arrivare, lo rifiuti pure e tornerà a noi.",
				},
				SolveAfter: []string{"Grazie per la verifica. Il corriere ha confermato che il pacco è andato perso durante il trasporto, quindi le ho spedito un articolo \"{product}\" sostitutivo con corriere espresso: arriverà entro {date2} e trova il link di tracciamento nella sua casella di posta. Le ho anche rimborsato la spedizione dell'ordine {order}."},
			},
			"damaged": {
				Subjects: []string{"Articolo danneggiato nell'ordine {order}", "\"{product}\" arrivato rotto", "Consegna danneggiata"},
				Opening: []string{
					"Oggi è arrivato l'articolo \"{product}\" dell'ordine {order}, con una grossa crepa su un lato. La scatola sembrava intatta dall'esterno. Come possiamo risolvere?",
					"Purtroppo l'articolo \"{product}\" che ho ricevuto (ordine {order}) è danneggiato: sembra che sia caduto durante il trasporto. Se possibile preferirei una sostituzione piuttosto che un rimborso.",
				},
				Ask:    []string{"Mi dispiace molto che l'articolo sia arrivato in queste condizioni. Può inviarmi una o due foto del danno e della scatola? Mi servono solo per organizzare la sostituzione: non dovrà rispedire nulla."},
				Answer: []string{"Ecco le foto in allegato. Si vede la crepa sul lato sinistro, e la scatola era ammaccata in un angolo."},
				Solve: []string{
					"Mi dispiace davvero che l'articolo \"{product}\" sia arrivato danneggiato. Ho organizzato una sostituzione gratuita, che parte oggi dal nostro magazzino e dovrebbe arrivare entro {date2}. Non serve restituire quello rotto: può riciclarlo o tenerlo, se le è ancora utile.",
					"Mi scuso, non è così che dovrebbe arrivare un ordine. Le ho rimborsato {amount} sul metodo di pagamento originale: lo vedrà entro 5 giorni lavorativi. Può tenere o riciclare l'articolo danneggiato.",
				},
				SolveAfter: []string{"Grazie per le foto, sono chiarissime. Un nuovo articolo \"{product}\" è già in viaggio e dovrebbe arrivare entro {date2}. Può tenere o riciclare quello danneggiato; ho anche chiesto al magazzino un imballaggio più protettivo."},
			},
			"refund": {
				Subjects: []string{"Rimborso per il reso dell'ordine {order}", "Sto ancora aspettando il rimborso", "Quando riceverò il rimborso?"},
				Opening: []string{
					"Due settimane fa ho restituito l'articolo \"{product}\" dell'ordine {order} e non ho ancora ricevuto il rimborso di {amount}. Dal tracciamento risulta che il pacco vi è arrivato. Potete controllare?",
					"Ho rispedito l'ordine {order} {date}, ma sulla carta non vedo ancora nessun rimborso. Quanto tempo ci vuole di solito?",
				},
				Ask:    []string{"Grazie per averci scritto. Vedo il reso dell'ordine {order}, ma non riesco ancora ad abbinare il pacco. Può inviarmi il numero di tracciamento del reso indicato sulla ricevuta del punto di consegna?"},
				Answer: []string{"Certo, il numero di tracciamento del reso è {ref}. L'ho consegnato all'ufficio postale {date}."},
				Solve: []string{
					"Grazie per la pazienza. Il suo reso è arrivato correttamente e ho appena elaborato il rimborso di {amount} per l'ordine {order}. A seconda della banca, lo vedrà sul conto entro 3-5 giorni lavorativi.",
					"Mi scuso per l'attesa: dopo un fine settimana molto intenso il reparto resi era in ritardo. Il rimborso di {amount} è stato emesso oggi sulla carta usata per il pagamento e a breve riceverà un'e-mail di conferma.",
				},
				SolveAfter: []string{"Grazie, mi è stato molto utile. Ho trovato il pacco: era stato registrato sotto un altro ordine. Il rimborso di {amount} è stato emesso oggi e arriverà sul suo conto entro 3-5 giorni lavorativi."},
			},
			"invoice": {
				Subjects: []string{"Fattura per l'ordine {order}", "Copia della fattura", "Richiesta di fattura intestata all'azienda"},
				Opening: []string{
					"Potete inviarmi la fattura dell'ordine {order}? Mi serve per la contabilità e non la trovo nella mia area clienti.",
					"Avrei bisogno della fattura dell'ordine {order} intestata alla mia azienda. È possibile?",
				},
				Ask:    []string{"Con piacere. Per intestare la fattura all'azienda, può inviarmi ragione sociale, indirizzo e partita IVA esattamente come devono comparire?"},
				Answer: []string{"Certo: i dati dell'azienda sono nella firma qui sotto e la partita IVA è {vat}."},
				Solve: []string{
					"Le allego la fattura dell'ordine {order} in formato PDF. Può scaricare tutte le sue fatture in qualsiasi momento da Il mio account → Ordini.",
					"Ecco la fattura dell'ordine {order} (PDF in allegato). Se le serve intestata a un'azienda, mi mandi ragione sociale e partita IVA e gliela riemetto.",
				},
				SolveAfter: []string{"Grazie! Ho riemesso la fattura dell'ordine {order} con i dati della sua azienda e la partita IVA: la trova in allegato. La precedente è stata annullata, quindi usi questa versione per la contabilità."},
			},
			"password": {
				Subjects: []string{"Non riesco ad accedere al mio account", "L'e-mail per reimpostare la password non arriva", "Problema di accesso"},
				Opening: []string{
					"Ho provato tre volte a reimpostare la password, ma l'e-mail non arriva mai. Ho controllato anche lo spam. Potete aiutarmi?",
					"Da ieri non riesco più ad accedere: dice che la password è sbagliata, ma non l'ho cambiata. Devo controllare lo stato dell'ordine {order}.",
				},
				Ask:    []string{"Mi dispiace per il problema di accesso. Può dirmi quale indirizzo e-mail usa per l'account e con quale browser accede? Così verifico se le nostre e-mail di reimpostazione le arrivano."},
				Answer: []string{"È questo indirizzo, quello da cui le scrivo. Uso Chrome sul portatile, ma non funziona nemmeno dal telefono."},
				Solve: []string{
					"Grazie per la segnalazione. Il suo provider di posta respingeva i nostri messaggi: ho rimosso il blocco dal nostro lato e le ho appena inviato un nuovo link di reimpostazione, valido per un'ora. Mi faccia sapere se non arriva.",
					"Ho controllato il suo account: era stato bloccato per sicurezza dopo diversi tentativi falliti. L'ho sbloccato e ora può accedere oppure usare \"Password dimenticata\" per sceglierne una nuova.",
				},
				SolveAfter: []string{"Grazie per le informazioni. Le nostre e-mail di reimpostazione verso il suo indirizzo venivano trattenute da un filtro antispam; ho risolto e le ho appena inviato un nuovo link, valido per un'ora."},
			},
			"product": {
				Subjects: []string{"Domanda sull'articolo \"{product}\"", "\"{product}\" si può tenere all'aperto?", "\"{product}\": misure e manutenzione"},
				Opening: []string{
					"Mi interessa l'articolo \"{product}\". Può restare all'aperto tutto l'inverno o va messo al riparo quando gela?",
					"Prima di ordinare l'articolo \"{product}\", potete dirmi le misure esatte e se richiede una manutenzione particolare?",
				},
				Ask:    []string{"Ottima domanda! Per darle il consiglio giusto: sarà in pieno sole o in un posto riparato, e più o meno in che zona vive? Gli inverni cambiano molto da zona a zona."},
				Answer: []string{"Sarebbe su un balcone esposto a sud, in parte coperto. Da noi gela per qualche settimana ogni inverno."},
				Solve: []string{
					"Grazie della domanda! L'articolo \"{product}\" è resistente alle intemperie e può stare all'aperto dalla primavera all'autunno. Per gli inverni con gelate consigliamo di riporlo in una rimessa o in garage: così resta come nuovo per anni. Le misure complete sono nella pagina del prodotto, alla voce \"Dettagli\".",
					"Ottima domanda. L'articolo \"{product}\" ha una garanzia di 2 anni e l'unica manutenzione necessaria è una passata con un panno umido ogni tanto. Se ha altre domande prima dell'ordine, sono a sua disposizione.",
				},
				SolveAfter: []string{"Un balcone coperto esposto a sud è l'ideale. L'articolo \"{product}\" starà bene lì per gran parte dell'anno; nelle settimane di gelo basta spostarlo contro il muro o coprirlo. Così durerà molte stagioni."},
			},
			"praise": {
				Subjects: []string{"Grazie, {praised}!", "Servizio eccellente", "Complimenti a {praised}"},
				Opening: []string{
					"Volevo ringraziare {praised}, che la settimana scorsa mi ha aiutato con l'ordine {order}: veloce, gentile e ha risolto tutto con una sola e-mail. È per questo che continuo a comprare da voi!",
					"Due righe per dirvi quanto sono [soddisfatto|soddisfatta] dell'articolo \"{product}\" e del servizio. {praised} mi ha aiutato moltissimo. Per favore, riferite il mio grazie!",
				},
				Solve: []string{
					"Grazie di cuore per le sue parole, mi hanno davvero rallegrato la giornata! Ho condiviso il suo messaggio con tutto il team. Siamo qui ogni volta che ha bisogno.",
					"Che bel messaggio, grazie! Per noi significa molto e mi assicurerò che lo legga tutto il team. Buon giardinaggio!",
				},
			},
			"address": {
				Subjects: []string{"Cambio indirizzo di consegna per l'ordine {order}", "Indirizzo sbagliato nell'ordine", "Posso cambiare l'indirizzo di consegna?"},
				Opening: []string{
					"Ho appena notato che nell'ordine {order}, fatto {date}, c'è il mio vecchio indirizzo. Potete cambiarlo in: {address}?",
					"È ancora possibile cambiare l'indirizzo di consegna dell'ordine {order}? Vorrei riceverlo in {address}.",
				},
				Ask:    []string{"Provo a bloccarlo prima che parta. Può confermarmi il nuovo indirizzo completo di CAP e un numero di telefono per il corriere?"},
				Answer: []string{"Sì: {address}. Il corriere può chiamarmi al numero che trova nel mio account."},
				Solve: []string{
					"Buone notizie: l'ordine non era ancora partito dal magazzino, quindi ho cambiato l'indirizzo di consegna in {address}. Riceverà una nuova e-mail di tracciamento alla spedizione.",
					"L'ordine {order} era già stato affidato al corriere, ma ho chiesto di reindirizzarlo a {address}. Potrebbe servire un giorno in più: lo aspetti entro {date2}.",
				},
				SolveAfter: []string{"Grazie della conferma. Ho aggiornato l'ordine {order} con il nuovo indirizzo, {address}, e il corriere ha ricevuto la modifica. La consegna è prevista entro {date2}."},
			},
			"wrong": {
				Subjects: []string{"Articolo sbagliato nell'ordine {order}", "Non è quello che ho ordinato", "Ho ricevuto un prodotto diverso"},
				Opening: []string{
					"Ho ordinato l'articolo \"{product}\" (ordine {order}), ma nella scatola c'era un prodotto completamente diverso. Potete inviarmi quello giusto?",
					"Oggi ho ricevuto il pacco dell'ordine {order}, ma al posto dell'articolo \"{product}\" c'è un altro prodotto. Come faccio a restituirlo?",
				},
				Ask:    []string{"Mi scuso per lo scambio! Può dirmi cosa c'è scritto sull'etichetta dell'articolo ricevuto, o mandarmi una foto? Aiuta il magazzino a capire dove è nato l'errore."},
				Answer: []string{"L'etichetta riporta un codice prodotto diverso da quello della mia conferma d'ordine. Allego una foto."},
				Solve: []string{
					"Mi scuso: il nostro magazzino ha imballato l'articolo sbagliato. L'articolo \"{product}\" è in viaggio con corriere espresso e dovrebbe arrivare entro {date2}. Il corriere ritirerà contemporaneamente quello sbagliato, quindi non deve fare nulla.",
					"Mi scuso per lo scambio. Le ho inviato via e-mail un'etichetta di reso prepagata; l'articolo \"{product}\" corretto è già partito e dovrebbe arrivare entro {date2}.",
				},
				SolveAfter: []string{"Grazie, la foto è stata utile: si è trattato di un errore di prelievo in magazzino. L'articolo \"{product}\" corretto parte oggi con corriere espresso (consegna prevista entro {date2}) e il corriere ritirerà l'articolo sbagliato alla consegna."},
			},
			"gift": {
				Subjects: []string{"Domanda su una carta regalo", "Il codice della carta regalo non funziona", "Saldo della mia carta regalo"},
				Opening: []string{
					"Ho ricevuto una carta regalo Aurora per il mio compleanno (codice {code}). Come si usa? Si può combinare con un codice sconto?",
					"Il codice della carta regalo {code} viene rifiutato al momento del pagamento. È un regalo, acquistato a dicembre. Potete controllare?",
				},
				Ask:    []string{"Controllo volentieri. Può mandarmi una foto del retro della carta o l'e-mail con cui l'ha ricevuta? Alcune carte più vecchie hanno due codici e online ne funziona solo uno."},
				Answer: []string{"Ecco l'e-mail con cui l'ho ricevuta, con il codice e la data di acquisto."},
				Solve: []string{
					"La sua carta regalo {code} è attiva, con un saldo di {amount}. Inserisca il codice nel campo \"Carta regalo\" al momento del pagamento; si può combinare con un codice sconto. È valida due anni dall'acquisto.",
					"Ho controllato la carta regalo {code}: il negozio che l'ha venduta non l'aveva attivata. L'ho attivata ora, quindi al pagamento ha a disposizione l'intero importo di {amount}. Mi scusi per il disagio!",
				},
				SolveAfter: []string{"Grazie. La carta non era mai stata attivata nel punto vendita; l'ho attivata ora e il saldo di {amount} è pronto da usare al pagamento."},
			},
		},
	}
}
