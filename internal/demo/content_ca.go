package demo

func init() {
	texts["ca"] = &langText{
		AgentHello:    "Hola, {name}:",
		AgentBye:      "Salutacions cordials,\n{agent}\n" + shopName,
		CustomerHello: []string{"Bon dia,", "Hola,", "Bona tarda,"},
		CustomerBye:   []string{"Gràcies,\n{cname}", "Salutacions,\n{cname}", "{cfirst}"},
		Working: []string{
			"Gràcies pel missatge. Ja ho estic revisant i li respondré com a molt tard demà.",
			"Gràcies per contactar amb nosaltres. He demanat al magatzem que ho comprovi i li diré alguna cosa tan aviat com tingui resposta.",
		},
		Rework: []string{
			"Perdoni que torni a escriure, però el problema encara no està resolt. Per part meva no ha canviat res des del seu últim correu. Ho pot tornar a mirar?",
			"Em pensava que ja estava tot solucionat, però continuo amb el mateix problema. Ho podeu tornar a revisar, si us plau?",
		},
		Final: []string{
			"Em sap greu que no s'hagués resolt a la primera. Ho he tornat a revisar tot des del principi i he trobat l'error: el canvi no s'havia desat per part nostra. Ara ja està solucionat i en faré el seguiment personalment. Gràcies per la paciència.",
			"Gràcies per avisar-me i disculpi les molèsties. Aquesta vegada ho he revisat amb un company del magatzem i ja està fet: avui rebrà un correu de confirmació.",
		},
		NoAnswer: []string{
			"Li escric per fer-ne el seguiment: encara no hem rebut resposta seva. De moment marcaré la consulta com a resolta, però si respon aquest correu es tornarà a obrir automàticament.",
		},
		dateOn: dateCA, dateBy: dateCA, money: moneyEU,
		Addresses: []string{"Carrer de Mallorca 221, 3r 2a, 08008 Barcelona", "Carrer Major 14, 17001 Girona", "Rambla Nova 45, 43001 Tarragona", "Carrer de Sant Antoni 8, 25002 Lleida", "Carrer de la Pau 3, 08301 Mataró"},
		Scenarios: map[string]scenarioText{
			"late": {
				Subjects: []string{"La comanda {order} encara no ha arribat", "On és la meva comanda {order}?", "Retard en el lliurament de la comanda {order}"},
				Opening: []string{
					"Vaig demanar l'article «{product}» {date} (comanda {order}) i el seguiment encara diu «en trànsit». A la confirmació es prometia el lliurament en 3 dies laborables. Em podeu dir on és el paquet?",
					"La meva comanda {order}, feta {date}, ja hauria d'haver arribat. Necessito l'article «{product}» per a aquest cap de setmana. Podeu comprovar què passa?",
				},
				Ask:    []string{"Gràcies pel missatge i disculpi el retard. He demanat a la missatgeria que localitzi el paquet. Per anar més de pressa, em pot confirmar l'adreça de lliurament i si potser l'ha recollit algun veí? Li escriuré tan aviat com tingui resposta."},
				Answer: []string{"L'adreça de la comanda és correcta i he preguntat als dos veïns: ningú no el té. Gràcies per l'ajuda."},
				Solve: []string{
					"Disculpi l'espera. He comprovat amb la missatgeria: el paquet s'havia quedat al magatzem local per un error de classificació i ara ja està en repartiment, així que l'hauria de rebre, com a molt tard, {date2}. Com a disculpa, li he retornat les despeses d'enviament de la comanda {order}; les veurà al compte en 3-5 dies.",
					"Gràcies per la paciència. La comanda {order} va sortir a temps del nostre magatzem, però la missatgeria es va equivocar d'etiqueta. Avui li he enviat un article «{product}» nou per missatgeria urgent i arribarà, com a molt tard, {date2}. Si el primer paquet apareix, simplement rebutgi'l i tornarà cap a nosaltres.",
				},
				SolveAfter: []string{"Gràcies per comprovar-ho. La missatgeria ha confirmat que el paquet es va perdre durant el trajecte, així que li he enviat un article «{product}» nou per missatgeria urgent: arribarà, com a molt tard, {date2}, i té l'enllaç de seguiment al correu. També li he retornat les despeses d'enviament de la comanda {order}."},
			},
			"damaged": {
				Subjects: []string{"Article danyat a la comanda {order}", "«{product}» ha arribat trencat", "Lliurament amb danys"},
				Opening: []string{
					"Avui ha arribat l'article «{product}» de la comanda {order} amb una esquerda grossa en un costat. Per fora la caixa semblava intacta. Què es pot fer?",
					"Malauradament, l'article «{product}» que he rebut (comanda {order}) està danyat: sembla que va caure durant el transport. Si és possible, preferiria un recanvi en lloc d'un reemborsament.",
				},
				Ask:    []string{"Em sap molt de greu que l'article hagi arribat així. Em pot enviar una o dues fotos del dany i de la caixa? Només les necessito per gestionar el recanvi; no caldrà que ens torni res."},
				Answer: []string{"Aquí té les fotos adjuntes. Es veu l'esquerda al costat esquerre, i la caixa tenia una cantonada aixafada."},
				Solve: []string{
					"Em sap molt de greu que l'article «{product}» hagi arribat danyat. He gestionat un recanvi gratuït que surt avui del nostre magatzem i arribarà, com a molt tard, {date2}. No cal que torni el que està trencat: el pot reciclar o quedar-se'l si encara li fa servei.",
					"Disculpi, una comanda no hauria d'arribar mai així. Li he reemborsat {amount} al mateix mitjà de pagament i ho veurà en un termini de 5 dies laborables. Es pot quedar l'article danyat o reciclar-lo.",
				},
				SolveAfter: []string{"Gràcies per les fotos, es veu molt clar. Un article «{product}» nou ja és de camí i arribarà, com a molt tard, {date2}. Es pot quedar o reciclar el danyat, i he demanat al magatzem que protegeixi millor aquests paquets."},
			},
			"refund": {
				Subjects: []string{"Reemborsament de la devolució de la comanda {order}", "Encara espero el reemborsament", "Quan em retornareu els diners?"},
				Opening: []string{
					"Fa dues setmanes vaig tornar l'article «{product}» de la comanda {order} i encara no he rebut el reemborsament de {amount}. Segons el seguiment, el paquet ja us ha arribat. Ho podeu comprovar?",
					"Vaig tornar la comanda {order} {date}, però encara no veig cap reemborsament a la targeta. Quant sol trigar?",
				},
				Ask:    []string{"Gràcies per escriure'ns. Veig la devolució de la comanda {order}, però encara no trobo el paquet. Em pot enviar el número de seguiment de la devolució que surt al rebut del punt de lliurament?"},
				Answer: []string{"És clar, el número de seguiment de la devolució és {ref}. El vaig deixar a l'oficina de correus {date}."},
				Solve: []string{
					"Gràcies per la paciència. La seva devolució ha arribat correctament i acabo de tramitar el reemborsament de {amount} de la comanda {order}. Segons el banc, el veurà al compte en 3-5 dies laborables.",
					"Disculpi l'espera: després d'un cap de setmana de molta feina, el departament de devolucions anava endarrerit. Avui hem emès el reemborsament de {amount} a la targeta amb què va pagar, i aviat rebrà un correu de confirmació.",
				},
				SolveAfter: []string{"Gràcies, m'ha estat molt útil. He trobat el paquet: estava registrat amb una altra comanda. El reemborsament de {amount} s'ha emès avui i arribarà al compte en 3-5 dies laborables."},
			},
			"invoice": {
				Subjects: []string{"Factura de la comanda {order}", "Necessito una còpia de la factura", "Factura a nom de l'empresa"},
				Opening: []string{
					"Em podeu enviar la factura de la comanda {order}? La necessito per a la comptabilitat i no la trobo a la meva àrea de client.",
					"Necessito la factura de la comanda {order} a nom de la meva empresa. És possible?",
				},
				Ask:    []string{"Amb molt de gust. Per fer la factura a nom de l'empresa, em pot enviar el nom, l'adreça i el NIF tal com han de sortir a la factura?"},
				Answer: []string{"És clar: les dades de l'empresa són a la signatura i el NIF és {vat}."},
				Solve: []string{
					"Li adjunto la factura de la comanda {order} en PDF. També pot descarregar totes les seves factures en qualsevol moment des d'El meu compte → Comandes.",
					"Aquí té la factura de la comanda {order} (PDF adjunt). Si la necessita a nom d'una empresa, enviï'm el nom i el NIF i la hi tornaré a emetre.",
				},
				SolveAfter: []string{"Gràcies! He tornat a emetre la factura de la comanda {order} amb les dades i el NIF de la seva empresa; la té adjunta. L'anterior ha quedat anul·lada, així que faci servir aquesta versió per a la comptabilitat."},
			},
			"password": {
				Subjects: []string{"No puc entrar al meu compte", "No m'arriba el correu per restablir la contrasenya", "Problema per iniciar sessió"},
				Opening: []string{
					"He intentat restablir la contrasenya tres vegades, però el correu no arriba mai. També he mirat la carpeta de correu brossa. Em podeu ajudar?",
					"Des d'ahir no puc entrar: diu que la contrasenya és incorrecta, però no l'he canviada. Necessito consultar l'estat de la comanda {order}.",
				},
				Ask:    []string{"Disculpi les molèsties per entrar al compte. Em pot dir quina adreça de correu fa servir per al compte i amb quin navegador hi entra? Així comprovaré si li arriben els nostres correus."},
				Answer: []string{"És aquesta mateixa adreça, des d'on li escric. Faig servir Chrome a l'ordinador portàtil, però des del mòbil tampoc no funciona."},
				Solve: []string{
					"Gràcies per avisar-nos. El seu proveïdor de correu rebutjava els nostres missatges: he tret el bloqueig per part nostra i fa un minut li he enviat un enllaç nou per restablir la contrasenya. És vàlid durant una hora; si no li arriba, digui-m'ho.",
					"He revisat el seu compte: s'havia bloquejat per seguretat després de diversos intents fallits. L'he desbloquejat i ara ja pot entrar o triar una contrasenya nova amb «He oblidat la contrasenya».",
				},
				SolveAfter: []string{"Gràcies per les dades. Un filtre de correu brossa retenia els nostres missatges a la seva adreça; ho he solucionat i ara mateix li he enviat un enllaç nou per restablir la contrasenya, vàlid durant una hora."},
			},
			"product": {
				Subjects: []string{"Pregunta sobre l'article «{product}»", "«{product}» es pot deixar a l'exterior?", "«{product}»: mides i manteniment"},
				Opening: []string{
					"M'interessa l'article «{product}». Es pot deixar a fora tot l'hivern o s'ha de guardar quan glaça?",
					"Abans de demanar l'article «{product}», em podeu dir les mides exactes i si necessita algun manteniment especial?",
				},
				Ask:    []string{"Bona pregunta! Per donar-li un bon consell: estarà al sol o en un lloc protegit, i més o menys on viu? Els hiverns canvien molt d'un lloc a un altre."},
				Answer: []string{"Seria en un balcó orientat al sud, en part cobert. A casa nostra glaça unes quantes setmanes cada hivern."},
				Solve: []string{
					"Gràcies per la pregunta! L'article «{product}» resisteix la intempèrie i pot estar a l'exterior de la primavera a la tardor. Per als hiverns amb glaçades, recomanem guardar-lo en un cobert o al garatge: així es conservarà bé durant anys. Totes les mides són a la pàgina del producte, a l'apartat «Detalls».",
					"Molt bona pregunta. L'article «{product}» té una garantia de 2 anys i l'únic manteniment que necessita és passar-hi un drap humit de tant en tant. Si té cap altra pregunta abans de fer la comanda, l'ajudaré amb molt de gust.",
				},
				SolveAfter: []string{"Un balcó cobert orientat al sud és ideal. L'article «{product}» hi estarà bé la major part de l'any; durant les setmanes de glaçades, només cal acostar-lo a la paret o tapar-lo. Així durarà moltes temporades."},
			},
			"praise": {
				Subjects: []string{"Gràcies, {praised}!", "Un servei excel·lent", "Agraïment per l'atenció rebuda"},
				Opening: []string{
					"Només volia donar les gràcies a {praised}, que la setmana passada em va ajudar amb la comanda {order} amb rapidesa i amabilitat, i ho va resoldre tot en un sol correu. Per això continuo comprant a la vostra botiga!",
					"Us escric per dir-vos que estic molt [content|contenta] amb l'article «{product}» i amb el servei. {praised} m'ha ajudat moltíssim. Si us plau, transmeteu-li el meu agraïment!",
				},
				Solve: []string{
					"Moltíssimes gràcies per les seves paraules, m'han alegrat el dia! He compartit el seu missatge amb tot l'equip. Som aquí sempre que ens necessiti.",
					"Quin missatge tan bonic, gràcies! Per a nosaltres significa molt i m'asseguraré que el vegi tot l'equip. Bona temporada de jardí!",
				},
			},
			"address": {
				Subjects: []string{"Canvi d'adreça de lliurament de la comanda {order}", "Adreça equivocada a la comanda", "Puc canviar l'adreça de lliurament?"},
				Opening: []string{
					"M'acabo d'adonar que a la comanda {order}, que vaig fer {date}, hi ha la meva adreça antiga. La podeu canviar per: {address}?",
					"Encara es pot canviar l'adreça de lliurament de la comanda {order}? M'agradaria rebre-la a {address}.",
				},
				Ask:    []string{"Intentaré aturar-la abans que surti. Em pot confirmar l'adreça nova completa, amb el codi postal, i un telèfon per a la missatgeria?"},
				Answer: []string{"Sí: {address}. La missatgeria em pot trucar al número que consta al meu compte."},
				Solve: []string{
					"Bones notícies: la comanda encara no havia sortit del magatzem, així que he canviat l'adreça de lliurament per {address}. Quan s'enviï, rebrà un correu nou amb el seguiment.",
					"La comanda {order} ja s'havia lliurat a la missatgeria, però els he demanat que la desviïn a {address}. Pot trigar un dia més, així que l'esperi, com a molt tard, {date2}.",
				},
				SolveAfter: []string{"Gràcies per confirmar-ho. He actualitzat la comanda {order} amb l'adreça nova, {address}, i la missatgeria ja té el canvi. El lliurament està previst, com a molt tard, {date2}."},
			},
			"wrong": {
				Subjects: []string{"Article equivocat a la comanda {order}", "No és el que vaig demanar", "He rebut un producte diferent"},
				Opening: []string{
					"Vaig demanar l'article «{product}» (comanda {order}), però a la caixa hi havia una cosa completament diferent. Em podeu enviar el correcte?",
					"Avui he rebut el paquet de la comanda {order}, però en lloc de l'article «{product}» n'hi ha un altre. Com el puc tornar?",
				},
				Ask:    []string{"Disculpi la confusió! Em pot dir què posa l'etiqueta de l'article que ha rebut, o enviar-me'n una foto? Això ajudarà el magatzem a trobar on va ser l'error."},
				Answer: []string{"L'etiqueta té un codi de producte diferent del de la confirmació de la comanda. Li adjunto una foto."},
				Solve: []string{
					"Disculpi: el nostre magatzem va empaquetar un article equivocat. L'article «{product}» ja és de camí per missatgeria urgent i arribarà, com a molt tard, {date2}. La missatgeria recollirà alhora l'article equivocat, així que no cal que faci res.",
					"Disculpi la confusió. Li he enviat per correu una etiqueta de devolució prepagada; l'article «{product}» correcte ja ha sortit i arribarà, com a molt tard, {date2}.",
				},
				SolveAfter: []string{"Gràcies, la foto ens ha ajudat: va ser un error de preparació al magatzem. L'article «{product}» correcte surt avui per missatgeria urgent (previst, com a molt tard, {date2}) i la missatgeria recollirà l'equivocat en el lliurament."},
			},
			"gift": {
				Subjects: []string{"Pregunta sobre una targeta regal", "El codi de la targeta regal no funciona", "Saldo de la meva targeta regal"},
				Opening: []string{
					"Per l'aniversari em van regalar una targeta regal d'Aurora (codi {code}). Com la puc fer servir? Es pot combinar amb un codi de descompte?",
					"El codi de la targeta regal {code} no s'accepta en el pagament. Va ser un regal, comprat al desembre. Ho podeu comprovar?",
				},
				Ask:    []string{"Ho comprovo amb molt de gust. Em pot enviar una foto del revers de la targeta o el correu amb què la va rebre? Algunes targetes antigues tenen dos codis i en línia només en funciona un."},
				Answer: []string{"Li reenvio el correu amb què la vaig rebre, amb el codi i la data de compra."},
				Solve: []string{
					"La seva targeta regal {code} està activa i té un saldo de {amount}. Introdueixi el codi al camp «Targeta regal» quan faci el pagament; es pot combinar amb un codi de descompte. És vàlida durant dos anys des de la compra.",
					"He comprovat la targeta regal {code}: la botiga que la va vendre no l'havia activada. Ara ja està activada i té disponible tot l'import, {amount}, per pagar. Disculpi les molèsties!",
				},
				SolveAfter: []string{"Gràcies. La targeta no s'havia activat mai al punt de venda; l'he activada ara i el saldo de {amount} ja es pot fer servir en el pagament."},
			},
		},
	}
}
