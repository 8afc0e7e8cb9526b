package email

import (
	"bytes"
	"net/textproto"
	"regexp"
	"strings"

	"github.com/jhillyerd/enmime/v2"
)

// classify sets m.Class: a delivery report (standard or read from a bounce's
// prose), an auto-reply, or customer mail. Delivery reports are tested first:
// they carry auto-reply headers too, but belong to the bounced message's ticket.
func classify(m *Message, root *enmime.Part, b *bodyParts) {
	h := root.Header
	reportType := ""
	var statusPart, originalPart, mdnPart *enmime.Part
	_ = root.DepthMatchAll(func(p *enmime.Part) bool {
		switch p.ContentType {
		case "multipart/report":
			if reportType == "" {
				reportType = strings.ToLower(partParams(p)["report-type"])
			}
		case "message/delivery-status", "message/global-delivery-status":
			if statusPart == nil {
				statusPart = p
			}
		case "message/disposition-notification", "message/global-disposition-notification":
			mdnPart = p
		}
		return false
	})
	for _, p := range append(append([]*enmime.Part{}, b.report...), b.atts...) {
		if isOriginalPart(p) {
			originalPart = p
			break
		}
	}

	if statusPart != nil || reportType == "delivery-status" {
		d := &DeliveryReport{Standard: true}
		if statusPart != nil {
			readDeliveryStatus(statusPart.Content, d)
		}
		if originalPart != nil {
			readOriginal(originalPart.Content, d, firstDeclaredCharset(root, 0))
		}
		fillFromProse(m, h, d)
		m.Class, m.ClassReason, m.Delivery = ClassDeliveryReport, "delivery status notification (multipart/report)", d
		return
	}
	if mdnPart != nil || reportType == "disposition-notification" {
		m.Class, m.ClassReason = ClassAutoReply, "read receipt (message disposition notification)"
		return
	}
	if reason := bounceReason(m, h); reason != "" {
		d := &DeliveryReport{}
		if originalPart != nil {
			readOriginal(originalPart.Content, d, firstDeclaredCharset(root, 0))
		}
		fillFromProse(m, h, d)
		m.Class, m.ClassReason, m.Delivery = ClassDeliveryReport, reason, d
		return
	}
	if reason := autoReplyReason(m, h); reason != "" {
		m.Class, m.ClassReason = ClassAutoReply, reason
	}
}

// classifyHeaders classifies a message read without its MIME structure.
func classifyHeaders(m *Message, h textproto.MIMEHeader) {
	if reason := bounceReason(m, h); reason != "" {
		d := &DeliveryReport{}
		fillFromProse(m, h, d)
		m.Class, m.ClassReason, m.Delivery = ClassDeliveryReport, reason, d
		return
	}
	if reason := autoReplyReason(m, h); reason != "" {
		m.Class, m.ClassReason = ClassAutoReply, reason
	}
}

func isOriginalPart(p *enmime.Part) bool {
	switch p.ContentType {
	case "message/rfc822", "message/global", "text/rfc822-headers", "message/rfc822-headers", "message/global-headers":
		return true
	}
	return false
}

// readDeliveryStatus reads an RFC 3464 message/delivery-status body: one block
// of per-message fields, then a block per recipient. The first failed recipient
// is reported, else the first one.
func readDeliveryStatus(content []byte, d *DeliveryReport) {
	rest := content
	var recipients []textproto.MIMEHeader
	for i := 0; len(bytes.TrimSpace(rest)) > 0 && i < 1000; i++ {
		rest = bytes.TrimLeft(rest, "\r\n \t")
		var block textproto.MIMEHeader
		block, rest = parseHeaderBlock(rest)
		if len(block) == 0 {
			continue
		}
		if v := block.Get("Reporting-Mta"); v != "" && d.ReportingMTA == "" {
			d.ReportingMTA = cleanLine(afterType(v))
		}
		if block.Get("Final-Recipient") != "" || block.Get("Original-Recipient") != "" || block.Get("Action") != "" {
			recipients = append(recipients, block)
		}
	}
	if len(recipients) == 0 {
		return
	}
	chosen := recipients[0]
	for _, r := range recipients {
		if strings.EqualFold(strings.TrimSpace(r.Get("Action")), "failed") {
			chosen = r
			break
		}
	}
	for _, name := range []string{"Original-Recipient", "Final-Recipient", "X-Actual-Recipient"} {
		if v := afterType(chosen.Get(name)); v != "" {
			if a := normaliseAddress(v); a != "" {
				d.Recipient = a
				break
			}
		}
	}
	d.Action = strings.ToLower(cleanLine(chosen.Get("Action")))
	if f := strings.Fields(chosen.Get("Status")); len(f) > 0 {
		d.Status = cleanLine(f[0])
	}
	d.Diagnostic = clip(cleanLine(afterType(chosen.Get("Diagnostic-Code"))), 500)
	d.Failed = d.Action == "failed" || d.Action == "" && strings.HasPrefix(d.Status, "5")
}

// afterType strips the type of a typed DSN field: "rfc822; a@b" is "a@b".
func afterType(v string) string {
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[i+1:]
	}
	return strings.TrimSpace(v)
}

// readOriginal reads the Message-ID and subject of the returned message (a
// message/rfc822 part or only its headers).
func readOriginal(content []byte, d *DeliveryReport, charset string) {
	h, _ := parseHeaderBlock(bytes.TrimLeft(content, "\r\n"))
	if d.OriginalMessageID == "" {
		if ids := messageIDs(h.Get("Message-Id")); len(ids) > 0 {
			d.OriginalMessageID = ids[0]
		}
	}
	if d.OriginalSubject == "" {
		dec := &headerDecoder{fallback: charset}
		d.OriginalSubject = cleanLine(dec.decode(h.Get("Subject")))
	}
}

var (
	daemonNameRe    = regexp.MustCompile(`(?i)\b(mail delivery (system|subsystem|service)|mailer[- ]daemon|mail administrator|postmaster|mail delivery)\b`)
	bounceSubjectRe = regexp.MustCompile(`(?i)(undeliver|returned mail|delivery status notification|delivery (has )?fail|mail delivery fail|failure notice|non remis|unzustellbar|could not be delivered|not delivered|message delayed|delivery delayed|warning: could not send|mancato recapito|impossibile recapitare|недоставлен|не доставлен|не удалось доставить|nav piegādāt|no s'ha pogut lliurar|no lliurat)`)
	bounceBodyRe    = regexp.MustCompile(`(?i)(this is the mail system at host|i'm afraid i wasn't able to deliver|this message was created automatically by mail delivery software|delivery to the following recipients? failed|delivery has failed to these recipients|your message (wasn't|was not|could not be) delivered|the following address\(es\) failed|permanent fatal errors|could not be delivered to one or more recipients|message could not be delivered|address not found|has not yet been delivered)`)
	delayRe         = regexp.MustCompile(`(?i)(delay|has not yet been delivered|will (be )?retry|still trying)`)
	quotedMsgRe     = regexp.MustCompile(`(?im)^.*(below this line is a copy of the message|this is a copy of the message|original message follows|original message headers|-+ ?original message ?-+|the original message was received|message headers follow|a copy of the original message|----- the following addresses had)`)
	qmailRcptRe     = regexp.MustCompile(`(?m)^\s*<([^<>\s]+@[^<>\s]+)>:?`)
	failedListRe    = regexp.MustCompile(`(?i)(?:following address(?:\(es\))? failed|recipients? failed permanently|failed to these recipients or groups|could not be delivered to|following recipients?|wasn't delivered to|was not delivered to|couldn't be delivered to)[:\s]*`)
	anyAddrRe       = regexp.MustCompile(`[A-Za-z0-9._%+'=-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
	enhancedRe      = regexp.MustCompile(`\b([245]\.\d{1,3}\.\d{1,3})\b`)
	smtpCodeRe      = regexp.MustCompile(`(?m)(?:^|\s)([45]\d\d)[ -][^\n]*`)
	bodyMsgIDRe     = regexp.MustCompile(`(?im)^\s*Message-ID:\s*(.+)$`)
	bodySubjectRe   = regexp.MustCompile(`(?im)^\s*Subject:\s*(.+)$`)
)

// bounceReason says why a message without an RFC 3464 report is a bounce: an
// Exim X-Failed-Recipients header, or a mail-system sender or null sender
// together with a bounce subject or bounce wording (qmail, old Exim, Exchange,
// Gmail and others write only prose).
func bounceReason(m *Message, h textproto.MIMEHeader) string {
	if h.Get("X-Failed-Recipients") != "" {
		return "bounce (X-Failed-Recipients)"
	}
	local := m.From.Address
	if i := strings.LastIndexByte(local, '@'); i >= 0 {
		local = local[:i]
	}
	daemon := false
	switch local {
	case "mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon", "maildaemon", "mailer_daemon":
		daemon = true
	}
	if !daemon && daemonNameRe.MatchString(m.From.Name) {
		daemon = true
	}
	if !daemon && m.ReturnPath != "<>" {
		return ""
	}
	if bounceSubjectRe.MatchString(m.Subject) {
		return "bounce from mail system (subject)"
	}
	if bounceBodyRe.MatchString(m.Text) {
		return "bounce from mail system (text)"
	}
	return ""
}

// fillFromProse completes d from the human-readable text of a bounce.
func fillFromProse(m *Message, h textproto.MIMEHeader, d *DeliveryReport) {
	text := m.Text
	explanation, original := text, text
	if loc := quotedMsgRe.FindStringIndex(text); loc != nil {
		explanation, original = text[:loc[0]], text[loc[0]:]
	}
	if d.Recipient == "" {
		if v := h.Get("X-Failed-Recipients"); v != "" {
			for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
				if a := normaliseAddress(f); a != "" {
					d.Recipient = a
					break
				}
			}
		}
	}
	if d.Recipient == "" {
		d.Recipient = failedRecipient(m, explanation)
	}
	if d.Action == "" {
		d.Action = "failed"
		if delayRe.MatchString(m.Subject) || delayRe.MatchString(explanation) && !strings.Contains(strings.ToLower(explanation), "permanent") {
			d.Action = "delayed"
		}
		d.Failed = d.Action == "failed"
	}
	if d.Status == "" {
		if loc := enhancedRe.FindStringSubmatchIndex(explanation); loc != nil {
			d.Status = explanation[loc[2]:loc[3]]
			if d.Diagnostic == "" {
				d.Diagnostic = clip(cleanLine(lineAround(explanation, loc[2])), 500)
			}
		} else if loc := smtpCodeRe.FindStringSubmatchIndex(explanation); loc != nil {
			d.Status = explanation[loc[2]:loc[3]]
			if d.Diagnostic == "" {
				d.Diagnostic = clip(cleanLine(lineAround(explanation, loc[2])), 500)
			}
		}
	}
	if d.OriginalMessageID == "" {
		if mm := bodyMsgIDRe.FindStringSubmatch(original); mm != nil {
			if ids := messageIDs(mm[1]); len(ids) > 0 {
				d.OriginalMessageID = ids[0]
			}
		}
	}
	if d.OriginalSubject == "" && original != explanation {
		if mm := bodySubjectRe.FindStringSubmatch(original); mm != nil {
			dec := &headerDecoder{}
			d.OriginalSubject = cleanLine(dec.decode(mm[1]))
		}
	}
}

// failedRecipient finds the undeliverable address in a bounce's explanation:
// qmail and Postfix write "<a@b>:", Exim, Gmail and Exchange put it after a
// phrase; else the first address that is neither the reporter nor us.
func failedRecipient(m *Message, explanation string) string {
	if mm := qmailRcptRe.FindStringSubmatch(explanation); mm != nil {
		if a := normaliseAddress(mm[1]); a != "" {
			return a
		}
	}
	if loc := failedListRe.FindStringIndex(explanation); loc != nil {
		after := explanation[loc[1]:]
		if len(after) > 600 {
			after = after[:600]
		}
		if a := normaliseAddress(anyAddrRe.FindString(after)); a != "" {
			return a
		}
	}
	skip := map[string]bool{m.From.Address: true}
	for _, a := range append(append([]Address{}, m.To...), m.Cc...) {
		skip[a.Address] = true
	}
	for _, s := range anyAddrRe.FindAllString(explanation, 20) {
		a := normaliseAddress(s)
		if a == "" || skip[a] || strings.HasPrefix(a, "mailer-daemon@") || strings.HasPrefix(a, "postmaster@") {
			continue
		}
		return a
	}
	return ""
}

func lineAround(s string, i int) string {
	start := strings.LastIndexByte(s[:i], '\n') + 1
	end := strings.IndexByte(s[i:], '\n')
	if end < 0 {
		return s[start:]
	}
	return s[start : i+end]
}

var (
	autoHeaderNames = []string{
		"X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Autoreply-From",
		"X-Mail-Autoreply", "X-Autogenerated", "X-Auto-Reply", "X-Fc-Machinegenerated",
	}
	vacationSubjectRe = regexp.MustCompile(`(?i)^\s*\[?\s*(auto(matic|matische)?[- ]?(reply|response|answer|antwort)|autoreply|autorespond|out of (the )?office|ooo|vacation( reply)?|abwesenheit(snotiz)?|réponse automatique|respuesta automática|resposta automàtica|risposta automatica|fuori (sede|ufficio)|assente|автоответ|автоматический ответ|нет на месте|в отпуске|automātiskā atbilde|automātiska atbilde|atvaļinājumā|fora de l'oficina)\s*\]?\s*(:|-|–|—|$)`)
)

// autoReplyReason says why a message is machine-written, following RFC 3834
// and the headers autoresponders actually send.
func autoReplyReason(m *Message, h textproto.MIMEHeader) string {
	if v := strings.TrimSpace(h.Get("Auto-Submitted")); v != "" && firstWord(v) != "no" {
		return "Auto-Submitted: " + clip(cleanLine(v), 60)
	}
	for _, name := range autoHeaderNames {
		if v := strings.ToLower(strings.TrimSpace(h.Get(name))); v != "" && v != "no" && v != "false" && v != "0" {
			return name + " header"
		}
	}
	for _, name := range []string{"Precedence", "X-Precedence"} {
		switch v := firstWord(h.Get(name)); v {
		case "bulk", "junk", "list", "auto_reply", "auto-reply":
			return name + ": " + v
		}
	}
	if m.ReturnPath == "<>" {
		return "null envelope sender (Return-Path: <>)"
	}
	if vacationSubjectRe.MatchString(m.Subject) {
		return "out-of-office subject"
	}
	return ""
}

// firstWord is the lower-cased keyword that opens a header value, before any
// parameter or comment: "no (human)" is "no".
func firstWord(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	if i := strings.IndexAny(v, " \t;(,"); i >= 0 {
		v = v[:i]
	}
	return v
}
