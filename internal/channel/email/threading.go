package email

import (
	"regexp"
	"strconv"
	"strings"
)

// maxTokenLen bounds a reply token; anything longer is not one of ours.
const maxTokenLen = 64

// Keys extracts the threading keys of m. mailboxes are the support addresses
// (for example "support@example.com") whose plus-addresses carry reply
// tokens; an address on any other mailbox, such as a customer's own
// "name+shop@gmail.com", yields none.
func Keys(m *Message, mailboxes []string) ThreadKeys {
	k := ThreadKeys{MessageIDs: []string{}, ReplyTokens: []string{}, TicketNumbers: []int64{}}
	seen := map[string]bool{"": true, m.MessageID: true}
	addID := func(id string) {
		if !seen[id] {
			seen[id] = true
			k.MessageIDs = append(k.MessageIDs, id)
		}
	}
	if m.Delivery != nil {
		addID(m.Delivery.OriginalMessageID)
	}
	for _, id := range m.InReplyTo {
		addID(id)
	}
	for i := len(m.References) - 1; i >= 0; i-- {
		addID(m.References[i])
	}

	boxes := make(map[string]bool, len(mailboxes))
	for _, mb := range mailboxes {
		if _, a := splitNameAddr(mb); a != "" {
			mb = a
		}
		if a := normaliseAddress(mb); a != "" {
			boxes[a] = true
		}
	}
	if len(boxes) > 0 {
		tokens := map[string]bool{}
		var candidates []string
		for _, a := range m.To {
			candidates = append(candidates, a.Address)
		}
		for _, a := range m.Cc {
			candidates = append(candidates, a.Address)
		}
		// Delivered-To and X-Original-To hold the address when the customer
		// put ours in Bcc.
		for _, name := range []string{"Delivered-To", "X-Original-To"} {
			for _, v := range m.Headers[name] {
				candidates = append(candidates, normaliseAddress(v))
			}
		}
		for _, addr := range candidates {
			if t := replyToken(addr, boxes); t != "" && !tokens[t] {
				tokens[t] = true
				k.ReplyTokens = append(k.ReplyTokens, t)
			}
		}
	}

	k.TicketNumbers = appendTicketNumbers(k.TicketNumbers, m.Subject)
	if m.Delivery != nil {
		k.TicketNumbers = appendTicketNumbers(k.TicketNumbers, m.Delivery.OriginalSubject)
	}
	return k
}

// replyToken returns TOKEN for mailbox+TOKEN@domain when mailbox@domain is
// one of boxes.
func replyToken(addr string, boxes map[string]bool) string {
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 {
		return ""
	}
	local, domain := addr[:at], addr[at+1:]
	plus := strings.IndexByte(local, '+')
	if plus <= 0 || !boxes[local[:plus]+"@"+domain] {
		return ""
	}
	token := local[plus+1:]
	if token == "" || len(token) > maxTokenLen {
		return ""
	}
	for _, c := range token {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '=') {
			return ""
		}
	}
	return token
}

var (
	bracketTicketRe  = regexp.MustCompile(`\[\s*#\s*(\d{1,18})\s*\]`)
	labelledTicketRe = regexp.MustCompile(`(?i)(?:^|[^\p{L}\p{N}])(?:ticket|case|request|richiesta|pratica|segnalazione|заявка|заявки|заявке|обращение|обращения|тикет|запрос|pieteikums|pieteikuma|pieprasījums|pieprasījuma|tiquet|sol·licitud|incidència|incidencia|caso)\s*:?\s*(?:#|№|n\.\s*|nº\s*|n°\s*|nr\.?\s*|no\.\s*)\s*(\d{1,18})(?:$|[^\p{L}\p{N}])`)
	bareTicketRe     = regexp.MustCompile(`(?:^|[^\p{L}\p{N}&#])#(\d{1,18})(?:$|[^\p{L}\p{N}])`)
)

// appendTicketNumbers adds the ticket numbers a subject names: "[#1234]"
// first, then "Ticket #1234" and its translations, then a bare "#1234".
func appendTicketNumbers(out []int64, subject string) []int64 {
	for _, re := range []*regexp.Regexp{bracketTicketRe, labelledTicketRe, bareTicketRe} {
		for _, m := range re.FindAllStringSubmatch(subject, 10) {
			n, err := strconv.ParseInt(m[1], 10, 64)
			if err != nil || n <= 0 {
				continue
			}
			dup := false
			for _, x := range out {
				dup = dup || x == n
			}
			if !dup {
				out = append(out, n)
			}
		}
	}
	return out
}
