package demo

func init() {
	// Latvian addresses people by name in the vocative, which a template
	// cannot inflect, so replies open with a plain "Labdien!".
	texts["lv"] = &langText{
		AgentHello:    "Labdien!",
		AgentBye:      "Ar cieņu\n{agent}\n" + shopName,
		CustomerHello: []string{"Labdien!", "Sveiki!"},
		CustomerBye:   []string{"Paldies,\n{cname}", "Ar cieņu\n{cname}", "{cfirst}"},
		Working: []string{
			"Paldies par ziņu. Jau pārbaudu situāciju un atbildēšu Jums vēlākais rīt.",
			"Paldies, ka sazinājāties. Esmu [lūdzis|lūgusi] noliktavai visu pārbaudīt un uzrakstīšu, tiklīdz saņemšu atbildi.",
		},
		Rework: []string{
			"Atvainojiet, ka rakstu atkal, bet problēma joprojām nav atrisināta. No manas puses kopš Jūsu pēdējā e-pasta nekas nav mainījies. Lūdzu, pārbaudiet vēlreiz.",
			"Domāju, ka viss ir nokārtots, bet problēma saglabājas. Lūdzu, apskatiet to vēlreiz.",
		},
		Final: []string{
			"Atvainojiet, ka ar pirmo reizi neizdevās. Pārbaudīju visu no sākuma un atradu kļūdu: izmaiņas mūsu pusē nebija saglabājušās. Tagad viss ir izlabots, un es personīgi sekošu līdzi. Paldies par pacietību.",
			"Paldies, ka ziņojāt, un atvainojiet par liekajām raizēm. Šoreiz visu pārbaudīju kopā ar kolēģi no noliktavas: viss ir kārtībā, un šodien saņemsiet apstiprinājuma e-pastu.",
		},
		NoAnswer: []string{
			"Vēlējos pajautāt: no Jums vēl neesam saņēmuši atbildi. Pagaidām atzīmēšu pieprasījumu kā atrisinātu, bet, ja atbildēsiet uz šo e-pastu, tas automātiski tiks atvērts no jauna.",
		},
		dateOn: dateLVOn, dateBy: dateLVBy, money: moneyEU,
		Addresses: []string{"Brīvības iela 101-7, Rīga, LV-1001", "Lāčplēša iela 24-3, Rīga, LV-1011", "Rīgas iela 15, Valmiera, LV-4201", "Jomas iela 42, Jūrmala, LV-2015", "Liepājas iela 8-12, Kuldīga, LV-3301"},
		Scenarios: map[string]scenarioText{
			"late": {
				Subjects: []string{"Pasūtījums {order} vēl nav saņemts", "Kur ir mans pasūtījums {order}?", "Kavējas pasūtījuma {order} piegāde"},
				Opening: []string{
					"{date} pasūtīju preci „{product}” (pasūtījums {order}), bet izsekošanā joprojām redzams statuss „ceļā”. Apstiprinājumā bija solīta piegāde 3 darba dienu laikā. Vai varat pateikt, kur ir sūtījums?",
					"Manam pasūtījumam {order}, kas veikts {date}, jau sen vajadzēja būt klāt. Prece „{product}” man vajadzīga līdz nedēļas nogalei. Lūdzu, pārbaudiet, kas noticis.",
				},
				Ask:    []string{"Paldies par ziņu, un atvainojiet par kavēšanos. Esmu [lūdzis|lūgusi] kurjeru dienestam sūtījumu izsekot. Lai paātrinātu meklēšanu, lūdzu, apstipriniet piegādes adresi un pasakiet, vai sūtījumu nevarēja pieņemt kaimiņš. Tiklīdz saņemšu atbildi, Jums uzrakstīšu."},
				Answer: []string{"Adrese pasūtījumā ir pareiza, un esmu [pajautājis|pajautājusi] abiem kaimiņiem: sūtījuma nav nevienam. Paldies, ka palīdzat."},
				Solve: []string{
					"Atvainojiet par gaidīšanu. Pārbaudīju pie kurjeru dienesta: sūtījums šķirošanas kļūdas dēļ bija aizķēries vietējā noliktavā, un tagad tas jau ir ceļā pie Jums, to saņemsiet līdz {date2}. Atvainošanās nolūkā esmu [atmaksājis|atmaksājusi] pasūtījuma {order} piegādes izmaksas; nauda būs kontā 3-5 dienu laikā.",
					"Paldies par pacietību. Pasūtījums {order} no mūsu noliktavas izbrauca laikā, bet kurjers sajauca uzlīmi. Šodien nosūtīju Jums jaunu preci „{product}” ar ekspresspiegādi, un tā būs pie Jums līdz {date2}. Ja pirmais sūtījums tomēr parādās, vienkārši atsakieties to pieņemt, un tas atgriezīsies pie mums.",
				},
				SolveAfter: []string{"Paldies, ka pārbaudījāt. Kurjeru dienests apstiprināja, ka sūtījums pazudis ceļā, tāpēc nosūtīju Jums jaunu preci „{product}” ar ekspresspiegādi. Tā būs klāt līdz {date2}, un izsekošanas saite jau ir Jūsu e-pastā. Atmaksāju arī pasūtījuma {order} piegādes izmaksas."},
			},
			"damaged": {
				Subjects: []string{"Pasūtījumā {order} saņemta bojāta prece", "Bojāta prece: „{product}”", "Sūtījums saņemts bojāts"},
				Opening: []string{
					"Šodien saņēmu preci „{product}” no pasūtījuma {order}, un tai vienā pusē ir liela plaisa. No ārpuses kaste izskatījās vesela. Ko var darīt?",
					"Diemžēl saņemtā prece „{product}” (pasūtījums {order}) ir bojāta: izskatās, ka tā pārvadāšanas laikā nokritusi. Ja iespējams, labprāt saņemtu jaunu preci, nevis naudas atmaksu.",
				},
				Ask:    []string{"Man ļoti žēl, ka prece pienāca šādā stāvoklī. Lūdzu, atsūtiet vienu vai divas bojājuma un kastes fotogrāfijas. Ar to pietiks, lai noformētu apmaiņu, un neko atpakaļ sūtīt nevajadzēs."},
				Answer: []string{"Fotogrāfijas pielikumā. Redzama plaisa kreisajā pusē, un kastei bija iespiests stūris."},
				Solve: []string{
					"Man tiešām žēl, ka prece „{product}” pienāca bojāta. Esmu [noformējis|noformējusi] bezmaksas apmaiņu: jaunā prece šodien tiks nosūtīta no mūsu noliktavas un būs pie Jums līdz {date2}. Bojāto preci atpakaļ sūtīt nevajag: varat to nodot otrreizējai pārstrādei vai paturēt, ja tā vēl noder.",
					"Atvainojiet, šādā stāvoklī pasūtījumam nevajadzētu pienākt. Esmu [atmaksājis|atmaksājusi] {amount} uz Jūsu maksājuma karti; nauda būs kontā 5 darba dienu laikā. Bojāto preci varat paturēt vai nodot pārstrādei.",
				},
				SolveAfter: []string{"Paldies par fotogrāfijām, viss ir skaidrs. Jaunā prece „{product}” jau ir ceļā un būs pie Jums līdz {date2}. Bojāto varat paturēt vai nodot pārstrādei, un noliktavai esmu [lūdzis|lūgusi] šādus sūtījumus iepakot rūpīgāk."},
			},
			"refund": {
				Subjects: []string{"Naudas atmaksa par pasūtījumu {order}", "Joprojām gaidu naudas atmaksu", "Kad saņemšu atpakaļ naudu?"},
				Opening: []string{
					"Pirms divām nedēļām atgriezu preci „{product}” no pasūtījuma {order}, bet atmaksu {amount} apmērā joprojām neesmu [saņēmis|saņēmusi]. Izsekošanā redzams, ka sūtījums pie jums ir pienācis. Lūdzu, pārbaudiet.",
					"Pasūtījumu {order} nosūtīju atpakaļ {date}, bet nauda kartē joprojām nav atgriezta. Cik ilgi tas parasti aizņem?",
				},
				Ask:    []string{"Paldies, ka rakstījāt. Redzu pasūtījuma {order} atgriešanu, bet pašu sūtījumu vēl nevaru atrast. Lūdzu, atsūtiet atgriešanas sūtījuma izsekošanas numuru no čeka, ko saņēmāt nodošanas vietā."},
				Answer: []string{"Protams, atgriešanas sūtījuma izsekošanas numurs ir {ref}. Pastā to nodevu {date}."},
				Solve: []string{
					"Paldies par pacietību. Jūsu atgrieztā prece ir veiksmīgi saņemta, un es tikko noformēju atmaksu {amount} apmērā par pasūtījumu {order}. Atkarībā no bankas nauda kontā būs 3-5 darba dienu laikā.",
					"Atvainojiet par gaidīšanu: pēc noslogotas nedēļas nogales atgriešanas nodaļa nedaudz kavējās. Šodien atmaksa {amount} apmērā ir nosūtīta uz karti, ar kuru maksājāt. Drīzumā saņemsiet apstiprinājuma e-pastu.",
				},
				SolveAfter: []string{"Paldies, tas palīdzēja. Atradu sūtījumu: tas bija reģistrēts pie cita pasūtījuma. Atmaksa {amount} apmērā noformēta šodien, un nauda kontā būs 3-5 darba dienu laikā."},
			},
			"invoice": {
				Subjects: []string{"Rēķins par pasūtījumu {order}", "Nepieciešama rēķina kopija", "Rēķins uz uzņēmuma vārda"},
				Opening: []string{
					"Lūdzu, atsūtiet rēķinu par pasūtījumu {order}. Tas man vajadzīgs grāmatvedībai, bet savā kontā to nevaru atrast.",
					"Man vajadzīgs rēķins par pasūtījumu {order}, izrakstīts uz mana uzņēmuma vārda. Vai tas ir iespējams?",
				},
				Ask:    []string{"Labprāt palīdzēšu. Lai izrakstītu rēķinu uz uzņēmumu, lūdzu, atsūtiet uzņēmuma nosaukumu, adresi un PVN maksātāja numuru tieši tādā formā, kā tiem jābūt rēķinā."},
				Answer: []string{"Protams: uzņēmuma rekvizīti ir manā parakstā zemāk, PVN maksātāja numurs ir {vat}."},
				Solve: []string{
					"Pielikumā rēķins par pasūtījumu {order} PDF formātā. Visus rēķinus jebkurā laikā varat lejupielādēt arī sadaļā „Mans konts → Pasūtījumi”.",
					"Sūtu rēķinu par pasūtījumu {order} (PDF pielikumā). Ja tas vajadzīgs uz uzņēmumu, atsūtiet rekvizītus un PVN numuru, un es to izrakstīšu no jauna.",
				},
				SolveAfter: []string{"Paldies! Izrakstīju rēķinu par pasūtījumu {order} no jauna ar Jūsu uzņēmuma rekvizītiem un PVN numuru, tas ir pielikumā. Iepriekšējais rēķins ir anulēts, tāpēc grāmatvedībai, lūdzu, izmantojiet šo."},
			},
			"password": {
				Subjects: []string{"Nevaru pieslēgties savam kontam", "Nepienāk paroles atjaunošanas e-pasts", "Problēma ar pieslēgšanos"},
				Opening: []string{
					"Trīs reizes mēģināju atjaunot paroli, bet e-pasts tā arī nepienāca. Surogātpasta mapi arī pārbaudīju. Lūdzu, palīdziet!",
					"Kopš vakardienas nevaru pieslēgties: rāda, ka parole nav pareiza, lai gan to neesmu [mainījis|mainījusi]. Man jāpārbauda pasūtījuma {order} statuss.",
				},
				Ask:    []string{"Atvainojiet par neērtībām. Lūdzu, pasakiet, kāda e-pasta adrese ir piesaistīta kontam un kuru pārlūku izmantojat? Tad pārbaudīšu, vai mūsu e-pasti līdz Jums nonāk."},
				Answer: []string{"Tā pati adrese, no kuras rakstu. Izmantoju Chrome klēpjdatorā, bet arī telefonā nestrādā."},
				Solve: []string{
					"Paldies, ka ziņojāt. Jūsu e-pasta pakalpojums atraidīja mūsu vēstules: noņēmu bloķēšanu no mūsu puses un tikko nosūtīju jaunu paroles atjaunošanas saiti. Tā derīga vienu stundu. Ja e-pasts nepienāk, uzrakstiet man.",
					"Pārbaudīju Jūsu kontu: pēc vairākiem neveiksmīgiem mēģinājumiem tas drošības nolūkos bija bloķēts. Esmu to [atbloķējis|atbloķējusi], un tagad varat pieslēgties vai izvēlēties jaunu paroli, izmantojot „Aizmirsāt paroli?”.",
				},
				SolveAfter: []string{"Paldies par informāciju. Mūsu vēstules uz Jūsu adresi aizturēja surogātpasta filtrs; to novērsu un tikko nosūtīju jaunu paroles atjaunošanas saiti. Tā derīga vienu stundu."},
			},
			"product": {
				Subjects: []string{"Jautājums par preci „{product}”", "Vai „{product}” var atstāt ārā?", "„{product}”: izmēri un kopšana"},
				Opening: []string{
					"Mani interesē prece „{product}”. Vai to var atstāt ārā visu ziemu, vai salā labāk ienest iekšā?",
					"Pirms pasūtu preci „{product}”, lūdzu, pasakiet precīzus izmērus un vai tai vajadzīga īpaša kopšana.",
				},
				Ask:    []string{"Labs jautājums! Lai ieteiktu pareizi: vai prece atradīsies saulē vai aizsargātā vietā, un aptuveni kur Jūs dzīvojat? Ziemas mēdz būt ļoti dažādas."},
				Answer: []string{"Tā būtu uz dienvidu balkona, daļēji zem jumta. Sals pie mums ir dažas nedēļas katru ziemu."},
				Solve: []string{
					"Paldies par jautājumu! Prece „{product}” ir izturīga pret laikapstākļiem un var atrasties ārā no pavasara līdz rudenim. Ziemās ar salu iesakām to novietot šķūnī vai garāžā, tad tā kalpos daudzus gadus. Visi izmēri norādīti preces lapā sadaļā „Detaļas”.",
					"Lielisks jautājums. Precei „{product}” ir 2 gadu garantija, un vienīgā kopšana ir laiku pa laikam to noslaucīt ar mitru drānu. Ja pirms pasūtīšanas ir vēl kādi jautājumi, labprāt palīdzēšu.",
				},
				SolveAfter: []string{"Dienvidu balkons zem jumta ir ideāla vieta. Precei „{product}” tur būs labi lielāko gada daļu; sala nedēļās vienkārši pabīdiet to pie sienas vai apsedziet. Tad tā kalpos daudzas sezonas."},
			},
			"praise": {
				Subjects: []string{"Paldies, {praised}!", "Lielisks serviss", "Pateicība par palīdzību"},
				Opening: []string{
					"Gribu pateikt paldies: pagājušajā nedēļā {praised} man palīdzēja ar pasūtījumu {order}. Ātri, laipni, un viss tika atrisināts ar vienu e-pastu. Tieši tāpēc es pie jums iepērkos atkal un atkal!",
					"Rakstu, lai pateiktu, cik [apmierināts|apmierināta] esmu ar preci „{product}” un apkalpošanu. {praised} ļoti palīdzēja. Lūdzu, nododiet manu pateicību!",
				},
				Solve: []string{
					"Liels paldies par laipnajiem vārdiem, Jūs man padarījāt dienu gaišāku! Esmu [padalījies|padalījusies] ar Jūsu ziņu visā komandā. Mēs vienmēr esam gatavi palīdzēt.",
					"Cik jauka vēstule, paldies! Mums tas ļoti daudz nozīmē, un es to noteikti parādīšu visai komandai. Lai jauka dārza sezona!",
				},
			},
			"address": {
				Subjects: []string{"Piegādes adreses maiņa pasūtījumam {order}", "Nepareiza adrese pasūtījumā", "Vai var mainīt piegādes adresi?"},
				Opening: []string{
					"Tikko pamanīju, ka pasūtījumā {order}, kas veikts {date}, norādīta mana vecā adrese. Vai varat to nomainīt uz: {address}?",
					"Vai vēl var mainīt pasūtījuma {order} piegādes adresi? Es gribētu to saņemt šeit: {address}.",
				},
				Ask:    []string{"Mēģināšu pasūtījumu pārtvert pirms nosūtīšanas. Lūdzu, apstipriniet pilnu jauno adresi ar pasta indeksu un tālruņa numuru kurjeram."},
				Answer: []string{"Jā: {address}. Kurjers var zvanīt uz numuru, kas norādīts manā kontā."},
				Solve: []string{
					"Labas ziņas: pasūtījums vēl nebija izbraucis no noliktavas, tāpēc nomainīju piegādes adresi uz {address}. Kad pasūtījums tiks nosūtīts, saņemsiet jaunu e-pastu ar izsekošanas numuru.",
					"Pasūtījums {order} jau bija nodots kurjeram, bet palūdzu kurjeram to pāradresēt uz {address}. Tas var aizņemt vienu dienu vairāk, tāpēc gaidiet to līdz {date2}.",
				},
				SolveAfter: []string{"Paldies par apstiprinājumu. Atjaunoju pasūtījuma {order} adresi ({address}), un kurjers izmaiņas jau ir saņēmis. Piegāde gaidāma līdz {date2}."},
			},
			"wrong": {
				Subjects: []string{"Pasūtījumā {order} saņemta nepareiza prece", "Saņēmu ne to, ko pasūtīju", "Kļūda pasūtījumā {order}"},
				Opening: []string{
					"Pasūtīju preci „{product}” (pasūtījums {order}), bet kastē bija pavisam kas cits. Vai varat atsūtīt pareizo preci?",
					"Šodien saņēmu sūtījumu ar pasūtījumu {order}, bet preces „{product}” vietā iekšā ir kaut kas cits. Kā to varu atgriezt?",
				},
				Ask:    []string{"Atvainojiet par sajaukšanu! Lūdzu, pasakiet, kas rakstīts uz saņemtās preces etiķetes, vai atsūtiet fotogrāfiju. Tas palīdzēs noliktavai saprast, kur radās kļūda."},
				Answer: []string{"Uz etiķetes ir cits preces kods, nevis tas, kas pasūtījuma apstiprinājumā. Fotogrāfija pielikumā."},
				Solve: []string{
					"Atvainojiet, noliktavā tika iepakota nepareiza prece. Prece „{product}” jau nosūtīta ar ekspresspiegādi un būs pie Jums līdz {date2}. Kurjers reizē paņems nepareizo preci, tāpēc Jums nekas nav jādara.",
					"Atvainojiet par sajaukšanu. Nosūtīju Jums pa e-pastu apmaksātu atgriešanas uzlīmi; pareizā prece „{product}” jau ir ceļā un būs pie Jums līdz {date2}.",
				},
				SolveAfter: []string{"Paldies, fotogrāfija palīdzēja: tā bija komplektēšanas kļūda mūsu noliktavā. Pareizā prece „{product}” šodien tiek nosūtīta ar ekspresspiegādi (gaidāma līdz {date2}), un kurjers piegādes laikā paņems nepareizo."},
			},
			"gift": {
				Subjects: []string{"Jautājums par dāvanu karti", "Dāvanu kartes kods nedarbojas", "Dāvanu kartes atlikums"},
				Opening: []string{
					"Dzimšanas dienā saņēmu Aurora dāvanu karti (kods {code}). Kā to izmantot, un vai to var apvienot ar atlaides kodu?",
					"Dāvanu kartes kods {code} apmaksas laikā netiek pieņemts. Karte bija dāvana, nopirkta decembrī. Lūdzu, pārbaudiet.",
				},
				Ask:    []string{"Labprāt pārbaudīšu. Lūdzu, atsūtiet kartes aizmugures fotogrāfiju vai e-pastu, ar kuru tā tika saņemta. Dažām vecākām kartēm ir divi kodi, un tiešsaistē darbojas tikai viens."},
				Answer: []string{"Pārsūtu e-pastu, ar kuru saņēmu karti: tajā ir kods un pirkuma datums."},
				Solve: []string{
					"Jūsu dāvanu karte {code} ir aktīva, un tās atlikums ir {amount}. Noformējot pasūtījumu, ievadiet kodu laukā „Dāvanu karte”; to var apvienot ar vienu atlaides kodu. Karte derīga divus gadus no pirkuma dienas.",
					"Pārbaudīju dāvanu karti {code}: veikals, kurā tā pirkta, to nebija aktivizējis. Tagad esmu to [aktivizējis|aktivizējusi], un apmaksā pieejama visa summa, {amount}. Atvainojiet par neērtībām!",
				},
				SolveAfter: []string{"Paldies. Karte tirdzniecības vietā netika aktivizēta; esmu to [aktivizējis|aktivizējusi], un atlikumu {amount} jau var izmantot apmaksā."},
			},
		},
	}
}
