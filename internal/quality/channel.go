package quality

import "strings"

// conversationalChannels are the channels where a reply is one turn of a
// running exchange, as a chat message or a post is, not a letter: a short,
// warm answer there is not cold for leaving out "Dear …" and "Kind
// regards". The real-reply set (testdata/real.jsonl) is where this was
// measured: on forum, social, chat and phone replies the greeting rule was
// wrong 37 times out of 37.
var conversationalChannels = map[string]bool{
	"chat": true, "phone": true, "sms": true, "social": true, "forum": true,
	"messaging": true, "whatsapp": true,
}

// normChannel folds a channel name as tickets and callers spell it.
func normChannel(ch string) string {
	return strings.ToLower(strings.TrimSpace(ch))
}

// Conversational reports whether replies on channel ch are read as turns
// of a conversation (chat, phone, sms, social, forum) rather than as
// letters (email, web, and any channel the analyzer does not know).
func Conversational(ch string) bool {
	return conversationalChannels[normChannel(ch)]
}

// channelTerm reports whether the folded word w is part of the reply
// channel's own vocabulary, in the reply's language or in English.
func (c *check) channelTerm(w string) bool {
	if c.channel == "" {
		return false
	}
	for _, l := range []*language{c.lang, c.a.langs["en"]} {
		if l == nil {
			continue
		}
		for _, t := range l.chanTerms[c.channel] {
			if t == w || (strings.HasSuffix(t, "*") && strings.HasPrefix(w, strings.TrimSuffix(t, "*"))) {
				return true
			}
		}
	}
	return false
}

// technicalChannels are the channels whose readers write in the product's
// own technical register: a public tracker or community forum, where the
// customer files logs, versions and error codes. There an acronym or a
// technical term is the shared language of the thread, not talking down
// (realheldout2.jsonl: ANPR, CIE, RFID, SPAM, "backend" on trackers were
// 10 of 28 false alarms). Lecturing and the other condescension phrases
// still apply.
var technicalChannels = map[string]bool{"forum": true}

// Technical reports whether channel ch is one where jargon and acronyms
// are the customer's own register (forum).
func Technical(ch string) bool {
	return technicalChannels[normChannel(ch)]
}

// corroboratedRules name rules that fire on the channels named only with a
// corroborating signal, because alone they were more often wrong than right
// there (the evidence gate, evidence.go, then judges what is left).
//
//   - apathy.problem_ignored: forum 4 right of 22 alone, 4 of 7 with the
//     signal (chat 1 of 1). A turn in a public thread is terse by habit
//     ("we're already working on it", "это уже исправляли вчера", "ora
//     dovrebbe essere a posto, potreste riprovare?"): lacking a word of
//     acknowledgement there does not show the problem was ignored. It
//     does when the reply also ends the matter for the customer: closes
//     the thread, calls the report no bug, tells them to wait (the
//     dismissal markers), or (another finding) sends them elsewhere,
//     quotes the rules or talks down. apathy.feeling_ignored has no such
//     condition; like every rule, it is then judged by the evidence gate.
var corroboratedRules = map[string]map[string]bool{
	ruleProblemIgnored: {"forum": true},
}

// Corroborated reports whether rule id needs a corroborating signal to
// fire on channel ch.
func Corroborated(id, ch string) bool {
	return corroboratedRules[id][normChannel(ch)]
}
