package seed

import (
	"math/rand/v2"
	"strings"
)

// tailWords is how many made-up words follow each language's real ones:
// with Zipf frequencies the last of them turn up in a handful of messages
// of a million-ticket database, or in none.
const tailWords = 60_000

// words draws message text: per language, its common words first and then
// a long tail of made-up ones, picked with Zipf-like frequencies (the k-th
// word about 1/k^1.1 as often as the first).
type words struct {
	vocab map[string][]string
	zipf  map[string]*rand.Zipf
}

func newWords(rng *rand.Rand) *words {
	w := &words{vocab: map[string][]string{}, zipf: map[string]*rand.Zipf{}}
	for lang, common := range commonWords {
		v := strings.Fields(common)
		syl := syllables[lang]
		for i := range tailWords {
			v = append(v, madeUp(syl, i))
		}
		w.vocab[lang] = v
		w.zipf[lang] = rand.NewZipf(rng, 1.1, 2, uint64(len(v)-1))
	}
	return w
}

// madeUp is the i-th made-up word of a syllable set: three or four
// syllables, so that no two are the same and none is a real word of the
// lists here.
func madeUp(syl []string, i int) string {
	var b strings.Builder
	n := len(syl)
	b.WriteString(syl[i%n])
	i /= n
	b.WriteString(syl[i%n])
	i /= n
	b.WriteString(syl[i%n])
	if i /= n; i > 0 {
		b.WriteString(syl[i%n])
	}
	return b.String()
}

// sentence is n words of lang, capitalised, with a full stop.
func (w *words) sentence(rng *rand.Rand, lang string, n int) string {
	v, z := w.vocab[lang], w.zipf[lang]
	var b strings.Builder
	for i := range n {
		if i > 0 {
			if rng.IntN(9) == 0 {
				b.WriteByte(',')
			}
			b.WriteByte(' ')
		}
		b.WriteString(v[z.Uint64()])
	}
	b.WriteByte('.')
	return b.String()
}

var (
	commonWords = map[string]string{
		"en": `the order please thanks refund parcel delivery account invoice payment help
			issue problem received item email password login card subscription price
			return shipping address week today yesterday tracking number support update
			broken damaged wrong missing late cancel change replace store app website
			discount code warranty receipt size colour battery screen charger manual
			courier warehouse customs label voucher balance statement contract renewal`,
		"it": `ordine grazie rimborso pacco consegna conto fattura pagamento aiuto problema
			ricevuto articolo password accesso carta abbonamento prezzo reso spedizione
			indirizzo settimana oggi ieri tracciamento numero assistenza aggiornamento
			rotto danneggiato sbagliato mancante ritardo annullare cambiare sostituire
			negozio sconto codice garanzia ricevuta taglia colore batteria schermo corriere`,
		"ru": `заказ спасибо возврат посылка доставка счёт оплата помощь проблема получил
			товар пароль вход карта подписка цена адрес неделя сегодня вчера номер
			поддержка обновление сломан повреждён неправильный отсутствует опоздание
			отменить заменить магазин скидка код гарантия чек размер цвет батарея экран курьер`,
		"lv": `pasūtījums paldies atmaksa paka piegāde konts rēķins maksājums palīdzība
			problēma saņēmu prece parole pieteikšanās karte abonements cena adrese nedēļa
			šodien vakar numurs atbalsts atjauninājums salauzts bojāts nepareizs trūkst
			kavējas atcelt nomainīt veikals atlaide kods garantija čeks izmērs krāsa kurjers`,
		"ca": `comanda gràcies reemborsament paquet lliurament compte factura pagament ajuda
			problema rebut article contrasenya accés targeta subscripció preu devolució
			enviament adreça setmana avui ahir seguiment número suport actualització
			trencat danyat equivocat falta retard cancel·lar canviar botiga descompte codi
			garantia tiquet talla color bateria pantalla missatger`,
	}
	syllables = map[string][]string{
		"en": {"ba", "ken", "lo", "mar", "ti", "dor", "sen", "pa", "ril", "vo", "ga", "nim", "cor", "fe", "dal", "wen", "ho", "bir", "sta", "lun"},
		"it": {"ta", "lle", "ri", "no", "mo", "ven", "ca", "si", "pe", "ghi", "lu", "dra", "ce", "bo", "fio", "ste", "gna", "ro", "vi", "za"},
		"ru": {"ка", "ло", "ми", "ров", "ст", "на", "де", "жу", "по", "ры", "тя", "бе", "гл", "ща", "во", "ни", "ск", "да", "чи", "ус"},
		"lv": {"ka", "lē", "mi", "ras", "tu", "ņa", "dzi", "pe", "ļo", "vī", "ga", "ši", "ze", "bū", "nā", "čo", "ri", "sta", "ju", "ķe"},
		"ca": {"ba", "rel", "ma", "noi", "cat", "ta", "pi", "llu", "ser", "ge", "mo", "ra", "vi", "dor", "ny", "ce", "fa", "lla", "gu", "sol"},
	}
)
