package intake

import (
	"strings"

	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/channel/email"
	"github.com/rapport/rapport/internal/customer"
)

// FromEmail reads a raw RFC 5322 message, however it arrived (SMTP, IMAP,
// the inbound API), into an Inbound. It never fails: a message the parser
// cannot read comes back as ClassUnreadable with the reason, its raw bytes
// kept.
func FromEmail(raw []byte, mailboxes []string) Inbound {
	in := Inbound{Channel: "email", Raw: raw}
	m, err := email.ParseWith(raw, email.ParseOpts{Mailboxes: mailboxes})
	if m == nil {
		in.Class, in.Reason = ClassUnreadable, errText(err, "the message could not be parsed")
		return in
	}
	in.From = Sender{Kind: customer.Email, Value: m.From.Address, Name: m.From.Name}
	if len(m.ReplyTo) > 0 && m.ReplyTo[0].Address != "" && m.Class == email.ClassCustomer {
		// Answers go where the customer asked; the From stays the name.
		in.From.Value = m.ReplyTo[0].Address
		if m.ReplyTo[0].Name != "" {
			in.From.Name = m.ReplyTo[0].Name
		}
	}
	in.Subject = m.Subject
	in.Text = m.Text
	in.HTML = m.HTML
	in.MessageKey = m.MessageID
	in.Keys = ThreadKeys{MessageIDs: m.Keys.MessageIDs, ReplyTokens: m.Keys.ReplyTokens, TicketNumbers: m.Keys.TicketNumbers}
	for _, a := range m.Attachments {
		in.Attachments = append(in.Attachments, attachment.File{Filename: a.Filename, ContentType: a.ContentType,
			ContentID: a.ContentID, Inline: a.Inline, Data: a.Data})
	}
	for _, to := range m.To {
		if in.Mailbox == "" && onMailbox(to.Address, mailboxes) {
			in.Mailbox = to.Address
		}
	}
	switch {
	case m.Unreadable:
		in.Class, in.Reason = ClassUnreadable, m.UnreadableReason
	case m.Class == email.ClassAutoReply:
		in.Class, in.Reason = ClassAutoReply, m.ClassReason
	case m.Class == email.ClassDeliveryReport:
		in.Class, in.Reason = ClassDeliveryReport, m.ClassReason
		if d := m.Delivery; d != nil {
			in.Bounce = &Bounce{MessageID: d.OriginalMessageID, Recipient: d.Recipient, Status: d.Status, Reason: d.Diagnostic}
		}
	default:
		in.Class = ClassCustomer
	}
	return in
}

func onMailbox(addr string, mailboxes []string) bool {
	local, domain, ok := strings.Cut(strings.ToLower(addr), "@")
	if !ok {
		return false
	}
	base, _, _ := strings.Cut(local, "+")
	for _, m := range mailboxes {
		if strings.EqualFold(m, base+"@"+domain) {
			return true
		}
	}
	return false
}

func errText(err error, fallback string) string {
	if err != nil {
		return err.Error()
	}
	return fallback
}
