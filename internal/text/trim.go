package text

import (
	"regexp"
	"strings"
)

var (
	// anchoredAttributionRe: "On <date>, <name> wrote:" and its translations,
	// which open with a fixed word.
	anchoredAttributionRe = regexp.MustCompile(`(?i)^(on|il|el|le|am|em|op)\s.*\s(wrote|ha scritto|hanno scritto|va escriure|escribió|a écrit|schrieb|escreveu|schreef)\s*:$`)
	// verbAttributionRe: attributions that end with the verb whatever precedes
	// it, as Russian, Latvian and Catalan clients write them.
	verbAttributionRe  = regexp.MustCompile(`(?i)^.+\s(wrote|ha scritto|va escriure|написал\(а\)|написал|написала|пишет|rakstīja|escribió|a écrit|schrieb)\s*:$`)
	attributionStartRe = regexp.MustCompile(`(?i)^(on|il|el|le|am|em|op)\s`)
	// originalMessageRe: the separator line clients put above quoted history.
	originalMessageRe = regexp.MustCompile(`(?i)^[-_=*\s]*(original message|messaggio originale|исходное сообщение|оригинальное сообщение|oriģinālā ziņa|oriģinālais ziņojums|sākotnējā ziņa|missatge original|mensaje original|message d'origine|ursprüngliche nachricht|mensagem original|oorspronkelijk bericht)[-_=*\s]*$`)
	underscoreLineRe  = regexp.MustCompile(`^[_\-=]{8,}$`)
	mobileFooterRe    = regexp.MustCompile(`(?i)^(sent from my |sent from (mail|outlook|yahoo)|get outlook for |inviato da |inviato dal mio |inviato da il mio |отправлено с |отправлено из |nosūtīts no |nosūtīts ar |enviat des de |enviat des del meu |enviado desde |von meinem |envoyé de mon )`)
)

// maxHeaderLine is longer than any quote header; longer lines are text.
const maxHeaderLine = 1000

// TrimQuoted returns the new part of a message's text for display: it cuts at
// the first quoted-history header ("On … wrote:", "Il giorno … ha scritto:",
// "… написал(а):", "… rakstīja:", "… va escriure:", "-----Original
// Message-----", an Outlook "From:/Sent:/To:" block) or signature delimiter,
// drops a trailing block of "> " quoted lines and a phone-client footer. A
// reply written between quoted lines keeps them, since the answers need their
// questions; a bottom-posted reply keeps only what is not quoted. When nothing
// would be left, the whole text is returned.
func TrimQuoted(text string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	lines := strings.Split(text, "\n")
	cut := len(lines)
	for i := 0; i < len(lines); i++ {
		if isSignatureDelimiter(lines[i]) {
			cut = i
			break
		}
		span, attribution := quoteHeaderAt(lines, i)
		if span == 0 {
			continue
		}
		cut = i
		if !attribution {
			break
		}
		answers := answersBetweenQuotes(lines, i+span)
		if answers == 0 || answers == 1 && finishTrim(lines[:i]) == "" {
			// Top-posted, or bottom-posted (then nothing is left above
			// the cut and the unquoted text is taken below).
			break
		}
		// Answers written between the quoted questions: keep them all.
		cut = len(lines)
		for j := i + span; j < len(lines); j++ {
			if isSignatureDelimiter(lines[j]) {
				cut = j
				break
			}
		}
		break
	}
	cut = trailingQuoteCut(lines, cut)
	if out := finishTrim(lines[:cut]); out != "" {
		return out
	}
	if out := unquoted(lines); out != "" {
		return out
	}
	return strings.TrimSpace(text)
}

func isSignatureDelimiter(line string) bool {
	return line == "-- " || line == "--" || line == "-- \r"
}

// quoteHeaderAt reports whether a quoted-history header starts at lines[i]:
// how many lines it spans (attributions wrap) and whether it is an
// attribution line, which is followed by "> " quoting.
func quoteHeaderAt(lines []string, i int) (int, bool) {
	line := normHeaderLine(lines[i])
	if line == "" || len(line) > maxHeaderLine {
		return 0, false
	}
	// Cheap tests first: most lines are plain text.
	if strings.ContainsAny(line, "-_=") {
		if originalMessageRe.MatchString(line) {
			return 1, false
		}
		if underscoreLineRe.MatchString(line) {
			if j := nextNonBlank(lines, i+1); j >= 0 && outlookBlockAt(lines, j) {
				return 1, false
			}
			return 0, false
		}
	}
	if outlookBlockAt(lines, i) {
		return 1, false
	}
	// An attribution ends with a colon: on this line or, wrapped, on one of
	// the next two.
	last := -1
	for k := i; k < i+3 && k < len(lines); k++ {
		if strings.HasSuffix(strings.TrimSpace(lines[k]), ":") {
			last = k
			break
		}
	}
	if last < 0 {
		return 0, false
	}
	// A wrapped attribution opens with its fixed word or a date.
	if last > i && !attributionStartRe.MatchString(line) && !strings.ContainsAny(line, "0123456789@") {
		return 0, false
	}
	joined := line
	for k := i + 1; k <= last; k++ {
		next := normHeaderLine(lines[k])
		if next == "" || endsSentence(normHeaderLine(lines[k-1])) {
			return 0, false
		}
		joined += " " + next
	}
	if len(joined) <= 500 && isAttribution(joined, lines, last+1) {
		return last - i + 1, true
	}
	return 0, false
}

func isAttribution(s string, lines []string, after int) bool {
	if !strings.HasSuffix(s, ":") {
		return false
	}
	if anchoredAttributionRe.MatchString(s) {
		return true
	}
	quotedNext := false
	if j := nextNonBlank(lines, after); j >= 0 {
		quotedNext = strings.HasPrefix(strings.TrimSpace(lines[j]), ">")
	}
	if verbAttributionRe.MatchString(s) {
		return quotedNext || strings.ContainsAny(s, "0123456789@")
	}
	// "03.02.2025, 10:12, "Иван" <ivan@example.ru>:" (Yandex, Mail.ru).
	return quotedNext && strings.Contains(s, "@") && strings.ContainsAny(s, "0123456789")
}

// outlookBlockAt reports whether lines[i] opens an Outlook-style header block:
// From, then Sent or Date, then To or Subject, in any of the languages served.
func outlookBlockAt(lines []string, i int) bool {
	label, value := headerLabel(lines[i])
	if !outlookFrom[label] || value == "" {
		return false
	}
	sent, to := false, false
	seen := 0
	for j := i + 1; j < len(lines) && seen < 6; j++ {
		if strings.TrimSpace(lines[j]) == "" {
			continue
		}
		seen++
		label, _ := headerLabel(lines[j])
		sent = sent || outlookSent[label]
		to = to || outlookTo[label]
	}
	return sent && to
}

// The labels of an Outlook-style header block, in the languages served and a
// few more.
var (
	outlookFrom = labelSet("from", "da", "от", "no", "sūtītājs", "de", "von", "van", "från")
	outlookSent = labelSet("sent", "date", "inviato", "data", "отправлено", "дата", "nosūtīts", "datums",
		"enviat", "enviat el", "enviado", "enviado el", "gesendet", "envoyé", "verzonden")
	outlookTo = labelSet("to", "a", "кому", "kam", "per a", "per", "para", "an", "à", "aan", "cc",
		"subject", "oggetto", "тема", "temats", "tēma", "assumpte", "asunto", "betreff", "objet", "onderwerp")
)

func labelSet(labels ...string) map[string]bool {
	set := make(map[string]bool, len(labels))
	for _, l := range labels {
		set[l] = true
	}
	return set
}

// headerLabel splits a "Label: value" line, as Outlook quotes headers (bold
// labels come out of HTML as "*Label:*"), into the lower-cased label and the
// value. Lines without a short label give "".
func headerLabel(line string) (string, string) {
	line = normHeaderLine(line)
	colon := strings.IndexByte(line, ':')
	if colon <= 0 || colon > 24 {
		return "", ""
	}
	value := strings.TrimSpace(strings.TrimPrefix(line[colon+1:], "*"))
	return strings.ToLower(strings.TrimSpace(strings.TrimSuffix(line[:colon], "*"))), value
}

// answersBetweenQuotes counts the runs of new text that follow quoted lines
// from lines[start] on; attribution lines of deeper history do not count.
func answersBetweenQuotes(lines []string, start int) int {
	answers := 0
	inQuote := false
	for j := start; j < len(lines); j++ {
		t := strings.TrimSpace(lines[j])
		switch {
		case t == "":
		case isSignatureDelimiter(lines[j]):
			return answers
		case strings.HasPrefix(t, ">"):
			inQuote = true
		case inQuote:
			if span, _ := quoteHeaderAt(lines, j); span > 0 {
				j += span - 1
				continue
			}
			if mobileFooterRe.MatchString(t) {
				continue
			}
			answers++
			inQuote = false
		}
	}
	return answers
}

// trailingQuoteCut moves cut above a trailing run of quoted lines and the
// attribution above them.
func trailingQuoteCut(lines []string, cut int) int {
	k := cut
	sawQuote := false
	for k > 0 {
		t := strings.TrimSpace(lines[k-1])
		if t == "" {
			k--
			continue
		}
		if strings.HasPrefix(t, ">") {
			sawQuote = true
			k--
			continue
		}
		break
	}
	if !sawQuote {
		return cut
	}
	// An attribution line (possibly wrapped on two lines) just above.
	j := k - 1
	if j >= 0 {
		last := normHeaderLine(lines[j])
		if isAttribution(last, lines, j+1) {
			return j
		}
		if j >= 1 && !endsSentence(normHeaderLine(lines[j-1])) {
			if isAttribution(normHeaderLine(lines[j-1])+" "+last, lines, j+1) {
				return j - 1
			}
		}
	}
	return k
}

// finishTrim joins the kept lines without trailing blank lines or a phone
// client's footer.
func finishTrim(lines []string) string {
	end := len(lines)
	for end > 0 && strings.TrimSpace(lines[end-1]) == "" {
		end--
	}
	if end > 0 && mobileFooterRe.MatchString(strings.TrimSpace(lines[end-1])) {
		end--
		for end > 0 && strings.TrimSpace(lines[end-1]) == "" {
			end--
		}
	}
	start := 0
	for start < end && strings.TrimSpace(lines[start]) == "" {
		start++
	}
	out := strings.Join(lines[start:end], "\n")
	return strings.TrimRight(out, " \t\n")
}

// unquoted is the text of a bottom-posted reply: every line that is neither
// quoted nor an attribution, up to the signature.
func unquoted(lines []string) string {
	var keep []string
	for i := 0; i < len(lines); i++ {
		if isSignatureDelimiter(lines[i]) {
			break
		}
		if strings.HasPrefix(strings.TrimSpace(lines[i]), ">") {
			continue
		}
		if span, attribution := quoteHeaderAt(lines, i); span > 0 && attribution {
			i += span - 1
			continue
		}
		keep = append(keep, lines[i])
	}
	return finishTrim(keep)
}

func nextNonBlank(lines []string, i int) int {
	for ; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "" {
			return i
		}
	}
	return -1
}

// normHeaderLine trims a line and drops the asterisks that HTML-to-text
// conversion puts around bold labels ("*From:*").
func normHeaderLine(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "*") {
		s = strings.TrimSpace(strings.Replace(s, "*", "", 2))
	}
	return s
}

func endsSentence(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return true
	}
	switch s[len(s)-1] {
	case '.', '!', '?':
		return true
	}
	return false
}
