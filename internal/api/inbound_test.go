package api

import (
	"context"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestInboundMessage takes messages from an SMS gateway through the same
// pipeline as email: new ticket, threading by thread_key, de-duplication by
// message_id, and bad input refused whole.
func TestInboundMessage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.run(t, []scenario{
			{name: "no token", method: "POST", path: "/inbound/message", status: 401,
				body: `{"channel":"sms","from":{"phone":"+371 2000 0001"},"text":"Hello"}`},
			{name: "new conversation opens a ticket", method: "POST", path: "/inbound/message", as: "agent", status: 201,
				body: `{"channel":"sms","from":{"phone":"+371 2000 0001","name":"Ilze"},"text":"Vai mans pasūtījums ir ceļā?","thread_key":"conv-1","message_id":"sms-1","language":"lv"}`,
				json: map[string]string{"outcome": "ticket", "duplicate": "false", "ticket_id": "*"}, save: map[string]string{"sms": "ticket_id"}},
			{name: "the ticket is in the inbox with its channel", method: "GET", path: "/tickets/{sms}", as: "agent", status: 200,
				json: map[string]string{"channel": "hook", "language": "lv", "tags.0": "sms", "customer_name": "Ilze"}},
			{name: "same conversation joins the ticket", method: "POST", path: "/inbound/message", as: "agent", status: 200,
				body: `{"channel":"sms","from":{"phone":"+37120000001"},"text":"Paldies!","thread_key":"conv-1","message_id":"sms-2"}`,
				json: map[string]string{"outcome": "reply", "ticket_id": "{sms}"}},
			{name: "a repeated message is stored once", method: "POST", path: "/inbound/message", as: "agent", status: 200,
				body: `{"channel":"sms","from":{"phone":"+37120000001"},"text":"Paldies!","thread_key":"conv-1","message_id":"sms-2"}`,
				json: map[string]string{"duplicate": "true", "ticket_id": "{sms}"}},
			{name: "two messages in the thread", method: "GET", path: "/tickets/{sms}/messages", as: "agent", status: 200,
				json: map[string]string{"data.1.body_text": "Paldies!"}, not: []string{`"data.2"`}},
			{name: "chat keeps its own channel", method: "POST", path: "/inbound/message", as: "agent", status: 201,
				body: `{"channel":"chat","from":{"email":"marta@example.cat","name":"Marta"},"text":"Hola, teniu estoc?"}`,
				json: map[string]string{"outcome": "ticket"}, save: map[string]string{"chat": "ticket_id"}},
			{name: "chat ticket", method: "GET", path: "/tickets/{chat}", as: "agent", status: 200, json: map[string]string{"channel": "chat"}},
			{name: "missing sender and text", method: "POST", path: "/inbound/message", as: "agent", status: 400,
				body: `{"channel":"sms","from":{}}`, json: map[string]string{"error.fields.from": "*", "error.fields.text": "*"}},
			{name: "bad phone", method: "POST", path: "/inbound/message", as: "agent", status: 400,
				body: `{"channel":"sms","from":{"phone":"call me"},"text":"x"}`, want: []string{`"from.phone":"is not a phone number"`}},
			{name: "bad channel name", method: "POST", path: "/inbound/message", as: "agent", status: 400,
				body: `{"channel":"SMS gateway!","from":{"phone":"+37120000001"},"text":"x"}`, json: map[string]string{"error.fields.channel": "*"}},
			{name: "unknown field", method: "POST", path: "/inbound/message", as: "agent", status: 400,
				body: `{"channel":"sms","from":{"phone":"+37120000001"},"text":"x","priority":"high"}`, json: map[string]string{"error.code": "invalid_json"}},
			{name: "not json", method: "POST", path: "/inbound/message", as: "agent", status: 400,
				body: `channel=sms`, json: map[string]string{"error.code": "invalid_json"}},
		})
		var n int
		db.R.QueryRow(`SELECT count(*) FROM inbound_messages`).Scan(&n)
		if n != 3 {
			t.Fatalf("%d inbound messages stored, want 3 (the refused ones leave nothing)", n)
		}
	})
}

func rawMail(headers, body string) string {
	return strings.ReplaceAll(headers, "\n", "\r\n") + "\r\n" + body
}

// TestInboundEmail posts raw mail as a provider's inbound hook would.
func TestInboundEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		first := rawMail("From: Giulia Rossi <giulia@example.it>\nTo: support@rapport.test\nSubject: Ordine in ritardo\nMessage-ID: <g1@example.it>\nContent-Type: text/plain; charset=utf-8\n",
			"Il mio ordine non è ancora arrivato.\r\n")
		answer := rawMail("From: giulia@example.it\nTo: someone@else.example\nCc: support+{token}@rapport.test\nSubject: cambio oggetto\nMessage-ID: <g2@example.it>\n",
			"Ecco il numero d'ordine: 4411\r\n")
		vacation := rawMail("From: giulia@example.it\nTo: support@rapport.test\nSubject: Fuori ufficio\nAuto-Submitted: auto-replied\nMessage-ID: <g3@example.it>\n",
			"Sono in ferie.\r\n")
		f.run(t, []scenario{
			{name: "new mail opens a ticket", method: "POST", path: "/inbound/email", as: "agent", status: 201, body: first,
				json: map[string]string{"outcome": "ticket"}, save: map[string]string{"mail": "ticket_id"}},
			{name: "its ticket", method: "GET", path: "/tickets/{mail}", as: "agent", status: 200,
				json: map[string]string{"channel": "email", "subject": "Ordine in ritardo", "customer_email": "giulia@example.it"}},
			{name: "the same mail again is a duplicate", method: "POST", path: "/inbound/email", as: "agent", status: 200, body: first,
				json: map[string]string{"duplicate": "true", "ticket_id": "{mail}"}},
			{name: "an auto-reply opens nothing", method: "POST", path: "/inbound/email", as: "agent", status: 200, body: vacation,
				json: map[string]string{"outcome": "auto_reply", "ticket_id": "0"}},
			{name: "empty body", method: "POST", path: "/inbound/email", as: "agent", status: 400, body: " "},
			{name: "too large", method: "POST", path: "/inbound/email", as: "agent", status: 413,
				body: rawMail("From: a@example.com\nSubject: big\n", strings.Repeat("x\r\n", testMaxBody))},
			{name: "no token", method: "POST", path: "/inbound/email", status: 401, body: first},
		})
		// The answer, with a new subject and our address only in Cc,
		// threads by its reply token.
		token, err := f.tickets.ReplyToken(context.Background(), f.ids["mail"])
		if err != nil {
			t.Fatal(err)
		}
		f.run(t, []scenario{
			{name: "answer with the reply token in Cc", method: "POST", path: "/inbound/email", as: "agent", status: 200,
				body: strings.ReplaceAll(answer, "{token}", token), json: map[string]string{"outcome": "reply", "ticket_id": "{mail}"}},
		})
	})
}
