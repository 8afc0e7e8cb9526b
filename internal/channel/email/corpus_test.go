package email

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// testMailboxes are the support mailboxes the corpus is addressed to.
var testMailboxes = []string{"support@example.com", "Help Desk <help@rapport.example>"}

// mailCase is what Rapport must read from one file of testdata/mail.
type mailCase struct {
	file    string
	subject string
	from    string // "Name <address>", or the address alone
	to, cc  []string
	class   Class
	reason  string // part of ClassReason

	text      []string // parts of Text
	notText   []string
	noText    bool   // Text must be empty
	trimmed   string // TrimmedText exactly
	html      []string
	notHTML   []string
	remoteImg int

	attachments []string // "filename|content type", in order

	ids     []string
	tokens  []string
	tickets []int64

	delivery *DeliveryReport // the fields set here must match

	unreadable bool
	warning    string // part of one warning
	noWarnings bool
}

var corpus = []mailCase{
	// Charsets and encodings.
	{
		file: "plain-ascii-en.eml", subject: "Order 5532 arrived damaged",
		from: "Jane Doe <jane.doe@example.org>", to: []string{"Support <support@example.com>"}, class: ClassCustomer,
		text: []string{"the lid of the kettle is cracked"}, trimmed: "Hello,\n\nMy order arrived this morning and the lid of the kettle is cracked.\nI have attached nothing yet, but I can send photos if you need them.\n\nCould you send a replacement?\n\nThanks,\nJane",
		noWarnings: true,
	},
	{
		file: "utf8-qp-italian.eml", subject: "Ordine non ricevuto – già pagato",
		from: "Giulia Ferrè <giulia.ferre@example.it>", class: ClassCustomer,
		text: []string{"non è ancora arrivato", "Perché non ricevo più", "È già successo"}, noWarnings: true,
	},
	{
		file: "koi8r-russian.eml", subject: "Счёт для заказа 4410",
		from: "Алексей Смирнов <a.smirnov@example.ru>", class: ClassCustomer,
		text: []string{"Здравствуйте!", "не получил счёт", "С уважением,\nАлексей Смирнов"}, noWarnings: true,
	},
	{
		file: "windows1251-russian.eml", subject: "Двойное списание за подписку",
		from: "Ольга Кузнецова <olga.k@example.ru>", to: []string{"Support <support@example.com>"}, class: ClassCustomer,
		text: []string{"прошу вернуть деньги за подписку", "12 и 13 февраля"}, noWarnings: true,
	},
	{
		file: "iso8859-2-english.eml", subject: "Invoice name łódż",
		from: "Łukasz Wójcik <lukasz@example.net>", class: ClassCustomer,
		text: []string{"Wójcik i Syn Sp. z o.o.", "Łukasz Wójcik\nKraków"}, noWarnings: true,
	},
	{
		file: "windows1252-catalan.eml", subject: "Només he rebut una entrada – comanda 3390",
		from: "Núria Vilaplana <nuria@example.cat>", class: ClassCustomer,
		text: []string{"només n'he rebut una", "Què he de fer?", "Moltes gràcies per l'atenció"}, noWarnings: true,
	},
	{
		file: "iso8859-1-catalan-base64.eml", subject: "Enviament de la col·lecció",
		from: "Jordi Puigcercós <jordi@example.cat>", class: ClassCustomer,
		text: []string{"l'enviament de la col·lecció de tardor", "Podríeu confirmar-me", "És un regal"}, noWarnings: true,
	},
	{
		file: "iso8859-13-latvian.eml", subject: "Pasūtījums nav piegādāts",
		from: "Kārlis Ozoliņš <karlis@example.lv>", class: ClassCustomer,
		text: []string{"Pasūtījums Nr. 8812 vēl nav piegādāts", "mana paciņa. Šis ir jau otrais", "Ar cieņu"}, noWarnings: true,
	},
	{
		file: "windows1257-latvian-base64.eml", subject: "Piegādes adreses maiņa",
		from: "Ieva Bērziņa <ieva.b@example.lv>", class: ClassCustomer,
		text: []string{"vai varu mainīt piegādes adresi?", "Rīgā, Ģertrūdes ielā 12"}, noWarnings: true,
	},
	{
		file: "utf7-russian.eml", subject: "Пароль не приходит",
		from: "Ivan Petrov <ivan.petrov@example.ru>", class: ClassCustomer,
		text: []string{"Здравствуйте! Пароль не приходит на почту. Ivan Petrov, a+b=c"}, notText: []string{"+BB"}, noWarnings: true,
	},
	{
		file: "shift-jis-japanese.eml", subject: "注文 9921 について",
		from: "山田太郎 <taro.yamada@example.jp>", class: ClassCustomer,
		text: []string{"Order name: 山田太郎 (Taro Yamada). お願いします。"}, noWarnings: true,
	},
	{
		file: "utf8-base64-latvian.eml", subject: "Rēķinā trūkst PVN numura",
		from: "Anna Kalniņa <anna.kalnina@example.lv>", class: ClassCustomer,
		text: []string{"paldies par ātro piegādi!", "SIA “Zaļā pļava”"}, noWarnings: true,
	},
	{
		file: "unknown-charset.eml", subject: "Missing item in order 4402",
		from: "Rene Martin <rene@example.org>", class: ClassCustomer,
		text:    []string{"the café order 4402 is missing the crème brûlée set. Thanks, René"},
		warning: `unknown charset "x-mystery-8bit"; decoded as windows-1252`,
	},
	{
		file: "no-content-type-utf8.eml", subject: "Consegna al piano sbagliato",
		from: "Marco Bianchi <marco.b@example.it>", class: ClassCustomer,
		text: []string{"è la terza volta"}, notText: []string{"Ã"}, noWarnings: true,
	},
	{
		file: "raw-8bit-header-koi8r.eml", subject: "Не работает доставка",
		from: "Пётр <petr@example.ru>", class: ClassCustomer,
		text: []string{"Курьер не приехал"}, warning: "raw 8-bit text read as koi8-r",
	},
	{
		file: "mislabelled-utf8-catalan.eml", subject: "Factura incorrecta",
		from: "Pau Serra <pau@example.cat>", class: ClassCustomer,
		text:    []string{"té l'import equivocat: hi diu 120 € però vaig pagar 102 €. Gràcies, Pau"},
		warning: "content is not UTF-8; decoded as windows-1252",
	},
	{
		file: "split-encoded-word.eml", subject: "Привет, поддержка",
		from: "Dmitry <dmitry@example.ru>", class: ClassCustomer,
		text: []string{"Вопрос по возврату."}, noWarnings: true,
	},
	{
		file: "iso2022jp-raw-header.eml", subject: "返品について",
		from: "Kenji <kenji@example.jp>", class: ClassCustomer,
		text: []string{"返品したいです。注文番号 8811。"}, warning: "raw ISO-2022-JP text decoded",
	},

	// Structure, line endings, attachments.
	{
		file: "multipart-alternative-crlf.eml", subject: "Cannot log in after password reset",
		from: "Tom Baker <tom.baker@example.org>", class: ClassCustomer,
		text:    []string{"I reset my password twice today and still get \"invalid credentials\".\nBrowser: Firefox 135"},
		notText: []string{"\r", "<b>"}, html: []string{"<b>&#34;invalid credentials&#34;</b>"}, noWarnings: true,
	},
	{
		file: "bare-cr-endings.eml", subject: "Printer driver question",
		from: "Old Mac User <oldmac@example.org>", class: ClassCustomer,
		trimmed: "Hello,\nIs there a driver for OS 9?\nRegards,\nBill", warning: "bare CR line endings",
	},
	{
		file: "html-only-tracking.eml", subject: "Wrong size delivered",
		from: "Sarah Lee <sarah.lee@example.net>", class: ClassCustomer,
		text:      []string{"I ordered the jacket in size *M* but received XL.", "Could you exchange it?"},
		notText:   []string{"alert", "color:red"},
		html:      []string{"<strong>M</strong>", `src="cid:logo@example.net"`, `rel="nofollow noreferrer noopener"`},
		notHTML:   []string{"<script", "onload", "onclick", "tracker.example.net", "<iframe", "javascript:", "<style"},
		remoteImg: 1, noWarnings: true,
	},
	{
		file: "html-only-meta-charset-1251.eml", subject: "Вопрос о гарантии",
		from: "Nina <nina@example.ru>", class: ClassCustomer,
		text: []string{"Сколько длится гарантия на чайник?"}, html: []string{"<p>Здравствуйте!"}, noWarnings: true,
	},
	{
		file: "nested-mixed-related-pdf.eml", subject: "Fattura con errore",
		from: "Paolo Rossi <paolo.rossi@example.it>", class: ClassCustomer,
		text: []string{"la partita IVA è sbagliata."}, html: []string{`<img src="cid:evidenza@example.it"`},
		attachments: []string{"attachment-1.png|image/png", "fattura-2025-118.pdf|application/pdf"}, noWarnings: true,
	},
	{
		file: "attachment-only-pdf.eml", subject: "Scanned document",
		from: "Scanner <scanner@example.org>", class: ClassCustomer, noText: true,
		attachments: []string{"scan_0001.pdf|application/pdf"}, noWarnings: true,
	},
	{
		file: "forwarded-rfc822-attachment.eml", subject: "Look at what the courier sent me",
		from: "Elena Costa <elena@example.org>", class: ClassCustomer,
		text: []string{"I was at home all day."}, notText: []string{"nobody was home"},
		attachments: []string{"message.eml|message/rfc822"}, noWarnings: true,
	},
	{
		file: "apple-mail-inline-parts.eml", subject: "Scratch on the screen",
		from: "Chris Wong <chris@example.org>", class: ClassCustomer,
		trimmed:     "Here is the scratch, top left corner:\n\nIt was like this out of the box.\nChris",
		attachments: []string{"IMG_2041.png|image/png"}, noWarnings: true,
	},
	{
		file: "text-and-csv-attachments.eml", subject: "Invoices we could not match",
		from: "Accounts <accounts@example.net>", class: ClassCustomer,
		text: []string{"Please find the unmatched invoices attached"}, notText: []string{"INV-9001", "SECRET-AUDITOR-NOTE"},
		attachments: []string{"unmatched.csv|text/csv", "auditor-notes.txt|text/plain"}, noWarnings: true,
	},
	{
		file: "multipart-signed.eml", subject: "Please delete my account",
		from: "Security Minded <sec@example.org>", class: ClassCustomer,
		text: []string{"GDPR art. 17"}, notText: []string{"PGP SIGNATURE"},
		attachments: []string{"signature.asc|application/pgp-signature"}, noWarnings: true,
	},
	{
		file: "calendar-invite.eml", subject: "Invito: chiamata per il rimborso",
		from: "Martina Esposito <martina@example.it>", class: ClassCustomer,
		text: []string{"giovedì alle 15"}, notText: []string{"VCALENDAR"}, html: []string{"<b>giovedì alle 15</b>"},
		attachments: []string{"invite.ics|text/calendar"}, noWarnings: true,
	},
	{
		file: "format-flowed.eml", subject: "Long line question",
		from: "Thunder Bird <tb@example.org>", class: ClassCustomer,
		trimmed:    "This is a long paragraph that my mail client wrapped at seventy-two characters, and it should come back as one line when you read it.\n\nSecond paragraph.",
		noWarnings: true,
	},
	{
		file: "missing-final-boundary.eml", subject: "Photos of the damage",
		from: "Truncated Sender <trunc@example.org>", class: ClassCustomer,
		text: []string{"the box was crushed"}, attachments: []string{"box.png|image/png"}, warning: "was not closed correctly",
	},
	{
		file: "no-header-garbage.eml", class: ClassCustomer, unreadable: true,
		text: []string{"this is not an email at all"},
	},
	{
		file: "unreadable-lost-part.eml", subject: "Form submission 5521",
		from: "Broken Gateway <gw@example.org>", class: ClassCustomer, unreadable: true,
		text: []string{"Name: Laura Conti\nMessage: the order form keeps timing out."}, warning: "malformed MIME header",
	},
	{
		file: "empty-body.eml", subject: "(no text)",
		from: "Silent <silent@example.org>", class: ClassCustomer, noText: true, noWarnings: true,
	},
	{
		file: "bad-date-and-addresses.eml", subject: "Reso",
		from: "Rossi, Mario <mario.rossi@example.it>", class: ClassCustomer,
		cc:   []string{"support@example.com", "Bianchi, Anna <anna.bianchi@example.it>", "Luca Verdi <luca@example.it>"},
		text: []string{"Vorrei rendere le scarpe"}, warning: "unreadable Date header",
	},
	{
		file: "mbox-from-line.eml", subject: "Exported from my mail archive",
		from: "Kate Moss <kate@example.org>", class: ClassCustomer,
		trimmed: "This message was saved in mbox format.", noWarnings: true,
	},
	{
		file: "encoded-display-names.eml", subject: "Pregunta sobre l'enviament",
		from: "Joël Puig <joel.puig@example.cat>", to: []string{"Suport Tècnic <support@example.com>"},
		cc:    []string{"Bianchi, Anna <anna@example.it>", "Лена <lena@example.ru>"},
		class: ClassCustomer, text: []string{"Quan arribarà el paquet?"}, noWarnings: true,
	},
	{
		file: "rfc2231-filename.eml", subject: "Fattura allegata",
		from: "Chiara Galli <chiara@example.it>", class: ClassCustomer, text: []string{"In allegato la fattura."},
		attachments: []string{"Fattura n. 12 – città.pdf|application/pdf", "passwd|application/octet-stream"}, noWarnings: true,
	},
	{
		file: "malformed-base64-body.eml", subject: "Base64 gone wrong",
		from: "Broken Client <broken@example.org>", class: ClassCustomer,
		text: []string{"Hello, my order is late. It was due on Monday."}, warning: "Malformed Base64",
	},

	// Replies and quoted history.
	{
		file: "reply-gmail-en.eml", subject: "Re: [#1042] Order 5532 arrived damaged",
		from: "Jane Doe <jane.doe@example.org>", class: ClassCustomer,
		text:    []string{"> We are sorry about the kettle."},
		trimmed: "Thanks, the replacement sounds good. Please ship it to the same address.\n\nJane",
		ids:     []string{"ticket-1042-msg-2@rapport.example.com", "CAF7k2pQ-plain-1@mail.example.org"},
		tokens:  []string{"k7f3q9xa"}, tickets: []int64{1042}, noWarnings: true,
	},
	{
		file: "reply-outlook-en.eml", subject: "RE: Your request about the warranty",
		from: "Brown, Peter <peter.brown@example.net>", class: ClassCustomer,
		text:    []string{"Could you send us the serial number"},
		trimmed: "Hi,\n\nThe serial number is SN-449-210. I bought it in March 2023.\n\nKind regards\nPeter Brown",
		html:    []string{"<b>From:</b>"}, ids: []string{"ticket-2001-msg-1@rapport.example.com"}, noWarnings: true,
	},
	{
		file: "reply-original-message.eml", subject: "RE: Delivery date",
		from: "Greg Hall <greg@example.org>", class: ClassCustomer,
		trimmed: "Friday works for me.\n\nGreg", ids: []string{"ticket-2020-msg-3@rapport.example.com"}, noWarnings: true,
	},
	{
		file: "reply-italian-il-giorno.eml", subject: "Re: [#1077] Ordine non ricevuto",
		from: "Giulia Ferrè <giulia.ferre@example.it>", to: []string{"Assistenza <support+p2m8ty@example.com>"}, class: ClassCustomer,
		trimmed: "Perfetto, allora aspetto il corriere domani.\nGrazie ancora!",
		ids:     []string{"ticket-1077-msg-1@rapport.example.com", "20250204100241.58231@example.it"},
		tokens:  []string{"p2m8ty"}, tickets: []int64{1077}, noWarnings: true,
	},
	{
		file: "reply-italian-outlook-html.eml", subject: "R: Richiesta n. 3310 - sostituzione",
		from: "Stefano Greco <s.greco@example.it>", class: ClassCustomer,
		text:    []string{"*Inviato:* mercoledì 5 febbraio 2025 17:02"},
		trimmed: "Va bene, procedete pure con la sostituzione.\n\nStefano",
		ids:     []string{"ticket-3310-msg-1@rapport.example.com"}, tickets: []int64{3310}, noWarnings: true,
	},
	{
		file: "reply-russian-gmail.eml", subject: "Re: [#1099] Счёт",
		from: "Алексей Смирнов <a.smirnov@example.ru>", class: ClassCustomer,
		trimmed: "Спасибо, счёт получил. Оплачу сегодня.",
		ids:     []string{"ticket-1099-msg-1@rapport.example.com"}, tickets: []int64{1099}, noWarnings: true,
	},
	{
		file: "reply-russian-napisal.eml", subject: "Re: Двойное списание",
		from: "Olga <olga.k@example.ru>", class: ClassCustomer,
		trimmed: "Деньги вернулись, спасибо!\nОльга", ids: []string{"ticket-2210-msg-1@rapport.example.com"}, noWarnings: true,
	},
	{
		file: "reply-russian-yandex.eml", subject: "Re: Пароль",
		from: "Иван <ivan@example.ru>", class: ClassCustomer,
		trimmed: "Всё заработало, письмо пришло.", ids: []string{"ticket-2230-msg-1@rapport.example.com"}, noWarnings: true,
	},
	{
		file: "reply-latvian.eml", subject: "Re: [#1120] Pasūtījums nav piegādāts",
		from: "Kārlis Ozoliņš <karlis@example.lv>", class: ClassCustomer,
		trimmed: "Paldies, paciņu saņēmu šorīt.",
		ids:     []string{"ticket-1120-msg-1@rapport.example.com"}, tickets: []int64{1120}, noWarnings: true,
	},
	{
		file: "reply-latvian-outlook.eml", subject: "RE: Piegādes adreses maiņa",
		from: "Ieva <ieva.b@example.lv>", class: ClassCustomer,
		trimmed: "Jā, jaunā adrese ir pareiza.", ids: []string{"ticket-1150-msg-1@rapport.example.com"}, noWarnings: true,
	},
	{
		file: "reply-catalan.eml", subject: "Re: [#1130] Només he rebut una entrada",
		from: "Núria Vilaplana <nuria@example.cat>", class: ClassCustomer,
		trimmed: "Ja l'he rebuda, gràcies!",
		ids:     []string{"ticket-1130-msg-1@rapport.example.com"}, tickets: []int64{1130}, noWarnings: true,
	},
	{
		file: "reply-catalan-outlook.eml", subject: "RE: Enviament de la col·lecció",
		from: "Jordi <jordi@example.cat>", class: ClassCustomer,
		trimmed: "D'acord, espero fins dijous.", ids: []string{"ticket-1140-msg-1@rapport.example.com"}, noWarnings: true,
	},
	{
		file: "reply-signature-mobile.eml", subject: "Re: Replacement shipped",
		from: "John Smith <john.smith@example.org>", class: ClassCustomer,
		text: []string{"Smith & Co."}, trimmed: "Got it, thanks!", ids: []string{"ticket-1160-msg-2@rapport.example.com"}, noWarnings: true,
	},
	{
		file: "reply-bottom-posted.eml", subject: "Re: Your question",
		from: "Old School <oldschool@example.org>", class: ClassCustomer,
		trimmed: "The blue one, please.", ids: []string{"ticket-1170-msg-1@rapport.example.com"}, noWarnings: true,
	},
	{
		file: "reply-interleaved.eml", subject: "Re: A few questions",
		from: "Precise Person <precise@example.org>", class: ClassCustomer,
		trimmed: "Answers below.\n\nOn Fri, 21 Feb 2025 at 17:00, Rapport Support <support@example.com> wrote:\n> 1. What is your order number?\n\nORD-7712\n\n> 2. Would you like a refund or a replacement?\n\nA refund, please.",
		ids:     []string{"ticket-1180-msg-1@rapport.example.com"}, noWarnings: true,
	},
	{
		file: "reply-html-blockquote.eml", subject: "Re: Refund status",
		from: "Web Mailer <webmailer@example.net>", class: ClassCustomer,
		text:    []string{"> The refund was issued on Friday."},
		trimmed: "I still have not seen the refund on my card.",
		html:    []string{"<blockquote>"}, ids: []string{"ticket-1190-msg-1@rapport.example.com"}, noWarnings: true,
	},
	{
		file: "forward-gmail.eml", subject: "Fwd: Your parcel could not be delivered",
		from: "Elena Costa <elena@example.org>", class: ClassCustomer,
		trimmed:    "Is this message from you? It looks like phishing.\n\n---------- Forwarded message ---------\nFrom: Courier <noreply@courier.example.net>\nDate: Sun, 23 Feb 2025 at 08:00\nSubject: Your parcel could not be delivered\nTo: <elena@example.org>\n\nPay 1.99 EUR at http://courier-fees.example.net to receive your parcel.",
		noWarnings: true,
	},

	// Threading.
	{
		file: "thread-references-only.eml", subject: "Re: Order 5532 arrived damaged",
		from: "Jane Doe <jane.doe@example.org>", class: ClassCustomer, text: []string{"spare filter"},
		ids:        []string{"ticket-1042-msg-4@rapport.example.com", "CAF7k2pQ-reply-2@mail.example.org", "ticket-1042-msg-2@rapport.example.com", "CAF7k2pQ-plain-1@mail.example.org"},
		noWarnings: true,
	},
	{
		file: "thread-token-in-cc.eml", subject: "Re: Consegna al piano sbagliato",
		from:  "Anna Bianchi <anna+shop@example.it>",
		to:    []string{"Marco Bianchi <marco.b@example.it>", "anna+shop@example.it"},
		cc:    []string{"Assistenza <support+q7w2e9r4@example.com>"},
		class: ClassCustomer, text: []string{"ho messo in copia l'assistenza"}, tokens: []string{"q7w2e9r4"}, noWarnings: true,
	},
	{
		file: "thread-token-in-to.eml", subject: "Still cannot log in",
		from: "Tom Baker <tom.baker@example.org>", to: []string{"Help Desk <help+zx81ab@rapport.example>"},
		class: ClassCustomer, text: []string{"Your link expired"}, tokens: []string{"zx81ab"}, noWarnings: true,
	},
	{
		file: "thread-token-other-domain.eml", subject: "Question",
		from: "Someone <someone@example.org>", to: []string{"support+notours@other.example.net", "news+weekly@example.com"},
		class: ClassCustomer, text: []string{"carry no token"}, noWarnings: true,
	},
	{
		file: "thread-subject-bracket-number.eml", subject: "Fw: Re: [#1042] Order 5532 arrived damaged",
		from: "Jane Doe <jane.doe@example.org>", class: ClassCustomer,
		trimmed: "My husband asks whether the replacement has shipped.", tickets: []int64{1042}, noWarnings: true,
	},
	{
		file: "thread-subject-ticket-words.eml", subject: "Richiesta n. 3310 / Ticket #3311 - sostituzione",
		from: "Stefano Greco <s.greco@example.it>", class: ClassCustomer,
		text: []string{"Scrivo di nuovo"}, tickets: []int64{3310, 3311}, noWarnings: true,
	},
	{
		file: "thread-subject-russian-number.eml", subject: "Заявка №4521 — возврат",
		from: "Olga <olga.k@example.ru>", class: ClassCustomer,
		text: []string{"Напоминаю о возврате."}, tickets: []int64{4521}, noWarnings: true,
	},
	{
		file: "thread-changed-subject.eml", subject: "New address for the replacement",
		from: "Jane Doe <jane.doe@example.org>", class: ClassCustomer, text: []string{"12 Oak Street"},
		ids:        []string{"ticket-1042-msg-4@rapport.example.com", "CAF7k2pQ-plain-1@mail.example.org"},
		noWarnings: true,
	},
	{
		file: "thread-newsletter-reply.eml", subject: "Re: Spring sale starts today",
		from: "Bob Reader <bob@example.net>", class: ClassCustomer, text: []string{"include the kettles"},
		ids: []string{"newsletter-2025-spring@rapport.example.com"}, noWarnings: true,
	},
	{
		file: "thread-in-reply-to-no-brackets.eml", subject: "Re: Your ticket",
		from: "Legacy Client <legacy@example.org>", class: ClassCustomer, text: []string{"angle brackets"},
		ids: []string{"ticket-1200-msg-1@rapport.example.com"}, noWarnings: true,
	},
	{
		file: "duplicate-delivery-a.eml", subject: "Delivered twice",
		from: "Jane Doe <jane.doe@example.org>", class: ClassCustomer, text: []string{"reached you twice"}, noWarnings: true,
	},
	{
		file: "duplicate-delivery-b.eml", subject: "Delivered twice",
		from: "Jane Doe <jane.doe@example.org>", class: ClassCustomer, text: []string{"reached you twice"}, noWarnings: true,
	},
	{
		file: "no-message-id.eml", subject: "No Message-ID here",
		from: "Minimal Mailer <minimal@example.org>", class: ClassCustomer, text: []string{"without a Message-ID"}, noWarnings: true,
	},

	// Auto-replies and other machine mail.
	{
		file: "autoreply-auto-submitted.eml", subject: "Re: [#1042] Your replacement has shipped",
		from: "Jane Doe <jane.doe@example.org>", class: ClassAutoReply, reason: "Auto-Submitted: auto-replied",
		text: []string{"I am on holiday"}, ids: []string{"ticket-1042-msg-6@rapport.example.com"},
		tokens: []string{"k7f3q9xa"}, tickets: []int64{1042}, noWarnings: true,
	},
	{
		file: "autoreply-exchange-oof-italian.eml", subject: "Risposta automatica: Richiesta n. 3310 - sostituzione",
		from: "Stefano Greco <s.greco@example.it>", class: ClassAutoReply, reason: "out-of-office subject",
		text: []string{"Sono fuori ufficio"}, ids: []string{"ticket-3310-msg-2@rapport.example.com"}, tickets: []int64{3310}, noWarnings: true,
	},
	{
		file: "autoreply-subject-only-russian.eml", subject: "Автоответ: Re: Двойное списание",
		from: "Ольга <olga.k@example.ru>", class: ClassAutoReply, reason: "out-of-office subject",
		text: []string{"Я в отпуске до 1 марта"}, noWarnings: true,
	},
	{
		file: "autoreply-x-autoreply-latvian.eml", subject: "Re: Pasūtījums",
		from: "Kārlis Ozoliņš <karlis@example.lv>", class: ClassAutoReply, reason: "X-Autoreply",
		text: []string{"Esmu atvaļinājumā"}, noWarnings: true,
	},
	{
		file: "precedence-bulk-newsletter.eml", subject: "20% off all kettles this week",
		from: "Kettle World <news@kettles.example.net>", class: ClassAutoReply, reason: "Precedence: bulk",
		text: []string{"All kettles 20% off until Sunday."}, html: []string{`alt="Sale"`}, notHTML: []string{"kettles.example.net/banner.jpg", "px.gif"},
		remoteImg: 2, noWarnings: true,
	},
	{
		file: "precedence-list-catalan.eml", subject: "[socis] Assemblea anual",
		from: "Llista de socis <socis@example.cat>", class: ClassAutoReply, reason: "Precedence: list",
		text: []string{"L'assemblea anual serà el 10 de març"}, noWarnings: true,
	},
	{
		file: "autoreply-null-return-path.eml", subject: "Re: Invoice 2025-118",
		from: "Help Desk of Example Corp <helpdesk@corp.example.net>", class: ClassAutoReply, reason: "Return-Path: <>",
		text: []string{"CASE-55120"}, noWarnings: true,
	},
	{
		file: "read-receipt-mdn.eml", subject: "Read: Your request about the warranty",
		from: "Peter Brown <peter.brown@example.net>", class: ClassAutoReply, reason: "read receipt",
		text: []string{"Your message was read"}, attachments: []string{"disposition-notification.txt|message/disposition-notification"},
		noWarnings: true,
	},
	{
		file: "auto-submitted-no.eml", subject: "Question about my plan",
		from: "Grace Hopper <grace@example.org>", class: ClassCustomer, text: []string{"yearly plan"}, noWarnings: true,
	},
	{
		file: "customer-mentions-auto-reply.eml", subject: "Your auto-reply says you are closed?",
		from: "Frank Ocean <frank@example.org>", class: ClassCustomer, text: []string{"out of office message"}, noWarnings: true,
	},

	// Delivery reports.
	{
		file: "dsn-postfix.eml", subject: "Undelivered Mail Returned to Sender",
		from: "Mail Delivery System <mailer-daemon@mx.example.com>", class: ClassDeliveryReport, reason: "multipart/report",
		text:        []string{"This is the mail system at host mx.example.com."},
		attachments: []string{"delivery-status.txt|message/delivery-status", "message.eml|message/rfc822"},
		ids:         []string{"ticket-1042-msg-6@rapport.example.com"}, tickets: []int64{1042},
		delivery: &DeliveryReport{OriginalMessageID: "ticket-1042-msg-6@rapport.example.com", OriginalSubject: "Re: [#1042] Your replacement has shipped",
			Recipient: "jane.doe@example.org", Action: "failed", Status: "5.1.1", ReportingMTA: "mx.example.com", Failed: true, Standard: true,
			Diagnostic: "550 5.1.1 <jane.doe@example.org>: Recipient address rejected: User unknown"},
		noWarnings: true,
	},
	{
		file: "dsn-exim-text.eml", subject: "Mail delivery failed: returning message to sender",
		from: "Mail Delivery System <mailer-daemon@mx1.example.net>", class: ClassDeliveryReport, reason: "X-Failed-Recipients",
		text: []string{"The following address(es) failed"}, ids: []string{"ticket-2040-msg-1@rapport.example.com"}, tickets: []int64{2040},
		delivery: &DeliveryReport{OriginalMessageID: "ticket-2040-msg-1@rapport.example.com", OriginalSubject: "Re: [#2040] Your invoice",
			Recipient: "nosuchuser@example.net", Action: "failed", Status: "5.1.1", Failed: true},
		noWarnings: true,
	},
	{
		file: "dsn-qmail.eml", subject: "failure notice",
		from: "mailer-daemon@mail.example.org", class: ClassDeliveryReport, reason: "bounce from mail system",
		text: []string{"qmail-send program"}, ids: []string{"ticket-2050-msg-3@rapport.example.com"}, tickets: []int64{2050},
		delivery: &DeliveryReport{OriginalMessageID: "ticket-2050-msg-3@rapport.example.com", Recipient: "old.customer@example.org",
			Action: "failed", Status: "5.1.1", Failed: true},
	},
	{
		file: "dsn-gmail.eml", subject: "Delivery Status Notification (Failure)",
		from: "Mail Delivery Subsystem <mailer-daemon@googlemail.com>", class: ClassDeliveryReport, reason: "multipart/report",
		text:        []string{"Your message wasn't delivered to tom.baker.typo@example.org"},
		html:        []string{"<h2>Address not found</h2>"},
		attachments: []string{"delivery-status.txt|message/delivery-status", "message-headers.txt|text/rfc822-headers"},
		ids:         []string{"ticket-2060-msg-1@rapport.example.com"}, tickets: []int64{2060},
		delivery: &DeliveryReport{OriginalMessageID: "ticket-2060-msg-1@rapport.example.com", Recipient: "tom.baker.typo@example.org",
			Action: "failed", Status: "5.1.1", Failed: true, Standard: true},
		noWarnings: true,
	},
	{
		file: "dsn-exchange.eml", subject: "Undeliverable: Re: [#2070] Quote request",
		from: "Microsoft Outlook <postmaster@corp.example.net>", class: ClassDeliveryReport, reason: "multipart/report",
		text:        []string{"Delivery has failed to these recipients or groups"},
		attachments: []string{"delivery-status.txt|message/delivery-status", "message.eml|message/rfc822"},
		ids:         []string{"ticket-2070-msg-2@rapport.example.com"}, tickets: []int64{2070},
		delivery: &DeliveryReport{OriginalMessageID: "ticket-2070-msg-2@rapport.example.com", Recipient: "purchasing@corp.example.net",
			Action: "failed", Status: "5.1.10", ReportingMTA: "EX01.corp.example.net", Failed: true, Standard: true},
		noWarnings: true,
	},
	{
		file: "dsn-delayed.eml", subject: "Delayed Mail (still being retried)",
		from: "Mail Delivery System <mailer-daemon@mx.example.com>", class: ClassDeliveryReport, reason: "multipart/report",
		text: []string{"THIS IS A WARNING ONLY"}, attachments: []string{"delivery-status.txt|message/delivery-status", "message-headers.txt|text/rfc822-headers"},
		ids: []string{"ticket-2080-msg-1@rapport.example.com"}, tickets: []int64{2080},
		delivery: &DeliveryReport{OriginalMessageID: "ticket-2080-msg-1@rapport.example.com", Recipient: "slow@example.org",
			Action: "delayed", Status: "4.4.1", Failed: false, Standard: true},
		noWarnings: true,
	},
	{
		file: "dsn-sendmail-multi-recipient.eml", subject: "Returned mail: see transcript for details",
		from: "Mail Delivery Subsystem <mailer-daemon@relay.example.org>", class: ClassDeliveryReport, reason: "multipart/report",
		text: []string{"permanent fatal errors"}, attachments: []string{"delivery-status.txt|message/delivery-status", "message-headers.txt|text/rfc822-headers"},
		ids: []string{"ticket-2090-msg-1@rapport.example.com"}, tickets: []int64{2090},
		delivery: &DeliveryReport{OriginalMessageID: "ticket-2090-msg-1@rapport.example.com", Recipient: "gone@example.org",
			Action: "failed", Status: "5.2.1", Diagnostic: "550 5.2.1 Mailbox disabled", Failed: true, Standard: true},
		warning: "Missing Content-Type",
	},
	{
		file: "dsn-italian-provider-text.eml", subject: "Messaggio non recapitato - mancato recapito",
		from: "Mailer Daemon <mailer-daemon@posta.example.it>", class: ClassDeliveryReport, reason: "bounce from mail system",
		text: []string{"non è stato consegnato"}, ids: []string{"ticket-2100-msg-2@rapport.example.com"}, tickets: []int64{2100},
		delivery: &DeliveryReport{OriginalMessageID: "ticket-2100-msg-2@rapport.example.com", Recipient: "m.verdi@example.it",
			Action: "failed", Status: "5.2.2", Failed: true},
		noWarnings: true,
	},
	{
		file: "dsn-yandex-russian.eml", subject: "Недоставленное сообщение",
		from: "Yandex Mail <mailer-daemon@yandex.example.ru>", class: ClassDeliveryReport, reason: "multipart/report",
		text: []string{"Ваше письмо не удалось доставить"}, ids: []string{"ticket-2110-msg-1@rapport.example.com"}, tickets: []int64{2110},
		attachments: []string{"delivery-status.txt|message/delivery-status", "message.eml|message/rfc822"},
		delivery: &DeliveryReport{OriginalMessageID: "ticket-2110-msg-1@rapport.example.com", OriginalSubject: "Re: [#2110] Пароль",
			Recipient: "ivan.old@example.ru", Action: "failed", Status: "5.1.1", Failed: true, Standard: true},
		noWarnings: true,
	},
}

func formatAddress(a Address) string {
	if a.Name == "" {
		return a.Address
	}
	return a.Name + " <" + a.Address + ">"
}

func formatAddresses(as []Address) []string {
	var out []string
	for _, a := range as {
		out = append(out, formatAddress(a))
	}
	return out
}

func readCorpus(t testing.TB, file string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "mail", file))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestCorpus checks how every message of testdata/mail is read.
func TestCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "mail", "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 60 {
		t.Fatalf("corpus has %d messages, want at least 60", len(files))
	}
	covered := map[string]bool{}
	for _, tc := range corpus {
		if covered[tc.file] {
			t.Errorf("%s has two expectations", tc.file)
		}
		covered[tc.file] = true
		if len(tc.text) == 0 && tc.trimmed == "" && len(tc.html) == 0 && !tc.noText {
			t.Errorf("%s: expectation checks no body text", tc.file)
		}
	}
	for _, f := range files {
		if !covered[filepath.Base(f)] {
			t.Errorf("%s has no expectation in corpus_test.go", filepath.Base(f))
		}
	}

	for _, tc := range corpus {
		t.Run(tc.file, func(t *testing.T) {
			m, err := ParseWith(readCorpus(t, tc.file), ParseOpts{Mailboxes: testMailboxes})
			if m == nil {
				t.Fatal("nil message")
			}
			if tc.unreadable != m.Unreadable || tc.unreadable != errors.Is(err, ErrUnreadable) {
				t.Errorf("unreadable = %v (%q), err = %v; want %v", m.Unreadable, m.UnreadableReason, err, tc.unreadable)
			}
			if !tc.unreadable && err != nil {
				t.Errorf("err = %v", err)
			}
			if m.Subject != tc.subject {
				t.Errorf("subject = %q, want %q", m.Subject, tc.subject)
			}
			if got := formatAddress(m.From); tc.from != "" && got != tc.from {
				t.Errorf("from = %q, want %q", got, tc.from)
			}
			if tc.to != nil && !slices.Equal(formatAddresses(m.To), tc.to) {
				t.Errorf("to = %q, want %q", formatAddresses(m.To), tc.to)
			}
			if tc.cc != nil && !slices.Equal(formatAddresses(m.Cc), tc.cc) {
				t.Errorf("cc = %q, want %q", formatAddresses(m.Cc), tc.cc)
			}
			if m.Class != tc.class {
				t.Errorf("class = %s (%s), want %s", m.Class, m.ClassReason, tc.class)
			}
			if !strings.Contains(m.ClassReason, tc.reason) {
				t.Errorf("class reason = %q, want it to contain %q", m.ClassReason, tc.reason)
			}
			for _, s := range tc.text {
				if !strings.Contains(m.Text, s) {
					t.Errorf("text lacks %q; text:\n%s", s, m.Text)
				}
			}
			for _, s := range tc.notText {
				if strings.Contains(m.Text, s) {
					t.Errorf("text has %q; text:\n%s", s, m.Text)
				}
			}
			if tc.noText && m.Text != "" {
				t.Errorf("text = %q, want none", m.Text)
			}
			if tc.trimmed != "" && m.TrimmedText != tc.trimmed {
				t.Errorf("trimmed text = %q\nwant %q", m.TrimmedText, tc.trimmed)
			}
			for _, s := range tc.html {
				if !strings.Contains(m.HTML, s) {
					t.Errorf("html lacks %q; html:\n%s", s, m.HTML)
				}
			}
			for _, s := range tc.notHTML {
				if strings.Contains(m.HTML, s) {
					t.Errorf("html has %q; html:\n%s", s, m.HTML)
				}
			}
			if m.RemoteImages != tc.remoteImg {
				t.Errorf("remote images = %d, want %d", m.RemoteImages, tc.remoteImg)
			}
			var atts []string
			for _, a := range m.Attachments {
				atts = append(atts, a.Filename+"|"+a.ContentType)
				if a.Size != len(a.Data) || a.Size == 0 {
					t.Errorf("attachment %s: size %d, %d bytes", a.Filename, a.Size, len(a.Data))
				}
			}
			if !slices.Equal(atts, tc.attachments) {
				t.Errorf("attachments = %q, want %q", atts, tc.attachments)
			}
			if !slices.Equal(m.Keys.MessageIDs, orEmpty(tc.ids)) {
				t.Errorf("message ids = %q, want %q", m.Keys.MessageIDs, tc.ids)
			}
			if !slices.Equal(m.Keys.ReplyTokens, orEmpty(tc.tokens)) {
				t.Errorf("reply tokens = %q, want %q", m.Keys.ReplyTokens, tc.tokens)
			}
			if !slices.Equal(m.Keys.TicketNumbers, tc.tickets) && !(len(tc.tickets) == 0 && len(m.Keys.TicketNumbers) == 0) {
				t.Errorf("ticket numbers = %v, want %v", m.Keys.TicketNumbers, tc.tickets)
			}
			checkDelivery(t, m.Delivery, tc.delivery)
			if tc.warning != "" && !slices.ContainsFunc(m.Warnings, func(w string) bool { return strings.Contains(w, tc.warning) }) {
				t.Errorf("warnings %q lack %q", m.Warnings, tc.warning)
			}
			if tc.noWarnings && len(m.Warnings) > 0 {
				t.Errorf("warnings = %q, want none", m.Warnings)
			}
		})
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func checkDelivery(t *testing.T, got, want *DeliveryReport) {
	t.Helper()
	if want == nil {
		if got != nil {
			t.Errorf("delivery report %+v, want none", *got)
		}
		return
	}
	if got == nil {
		t.Fatalf("no delivery report, want %+v", *want)
	}
	check := func(field, g, w string) {
		if w != "" && g != w {
			t.Errorf("delivery %s = %q, want %q", field, g, w)
		}
	}
	check("original message id", got.OriginalMessageID, want.OriginalMessageID)
	check("original subject", got.OriginalSubject, want.OriginalSubject)
	check("recipient", got.Recipient, want.Recipient)
	check("action", got.Action, want.Action)
	check("status", got.Status, want.Status)
	check("diagnostic", got.Diagnostic, want.Diagnostic)
	check("reporting MTA", got.ReportingMTA, want.ReportingMTA)
	if got.Failed != want.Failed || got.Standard != want.Standard {
		t.Errorf("delivery failed=%v standard=%v, want %v %v", got.Failed, got.Standard, want.Failed, want.Standard)
	}
}

// TestDuplicateDelivery checks that one message delivered twice by two
// relays has one idempotency key, and a message without Message-ID keys on
// its bytes.
func TestDuplicateDelivery(t *testing.T) {
	a, _ := Parse(readCorpus(t, "duplicate-delivery-a.eml"))
	b, _ := Parse(readCorpus(t, "duplicate-delivery-b.eml"))
	if a.SHA256 == b.SHA256 {
		t.Fatal("the two deliveries should differ in their bytes")
	}
	if a.IdempotencyKey() != b.IdempotencyKey() || a.IdempotencyKey() != "jane.doe@example.org dup-7781@mail.example.org" {
		t.Errorf("keys %q and %q, want both jane.doe@example.org dup-7781@mail.example.org", a.IdempotencyKey(), b.IdempotencyKey())
	}
	n, _ := Parse(readCorpus(t, "no-message-id.eml"))
	if n.IdempotencyKey() != "sha256:"+n.SHA256 || len(n.SHA256) != 64 {
		t.Errorf("key without Message-ID = %q", n.IdempotencyKey())
	}
	other, _ := Parse(readCorpus(t, "thread-changed-subject.eml"))
	if other.IdempotencyKey() == a.IdempotencyKey() {
		t.Error("different messages share a key")
	}
}

// TestLineEndings checks that one message parses the same with CRLF, LF and
// bare CR line endings.
func TestLineEndings(t *testing.T) {
	raw := strings.ReplaceAll(string(readCorpus(t, "nested-mixed-related-pdf.eml")), "\r\n", "\n")
	want, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, eol string }{{"crlf", "\r\n"}, {"cr", "\r"}} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse([]byte(strings.ReplaceAll(raw, "\n", tc.eol)))
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != want.Subject || m.Text != want.Text || m.HTML != want.HTML || len(m.Attachments) != len(want.Attachments) {
				t.Errorf("%s: got %q %q %d attachments, want %q %q %d", tc.name, m.Subject, m.Text, len(m.Attachments), want.Subject, want.Text, len(want.Attachments))
			}
			for i, a := range m.Attachments {
				if i < len(want.Attachments) && string(a.Data) != string(want.Attachments[i].Data) {
					t.Errorf("attachment %s differs", a.Filename)
				}
			}
		})
	}
}
