// Package email reads inbound mail. Parse turns the raw bytes of one RFC 5322
// message, however it arrived (SMTP, IMAP, the inbound API), into a Message:
// decoded headers, plain text, sanitised HTML, the new part of the text without
// quoted history, attachments, a classification (customer message, auto-reply,
// delivery report) and the keys the intake uses to thread it.
//
// The package does no I/O and keeps no state; the caller keeps the raw bytes,
// so that a message this package cannot read is stored and shown as such, never
// dropped.
package email

import (
	"errors"
	"time"
)

// ErrUnreadable is wrapped by the error Parse returns for a message it could
// read only in part; the Message it returns alongside says what it got.
var ErrUnreadable = errors.New("email: unreadable message")

// Class is what kind of mail a message is, which decides whether it may open a
// ticket and be acknowledged.
type Class string

// The classes of inbound mail.
const (
	// ClassCustomer is mail a person wrote: it opens or continues a ticket.
	ClassCustomer Class = "customer"
	// ClassAutoReply is machine-written mail (out-of-office, autoresponders,
	// bulk and list mail, read receipts): it never opens a ticket and is never
	// acknowledged, which breaks mail loops.
	ClassAutoReply Class = "auto_reply"
	// ClassDeliveryReport is a bounce or other delivery status notification:
	// it belongs to the ticket of the message it reports on.
	ClassDeliveryReport Class = "delivery_report"
)

// Address is a mailbox: a display name and a lower-cased address.
type Address struct {
	Name    string `json:"name,omitempty"`
	Address string `json:"address"`
}

// Attachment is a non-body part of a message: a file, an inline image, a
// forwarded message or the parts of a delivery report. Data holds the decoded
// bytes, exactly as sent.
type Attachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
	ContentID   string `json:"content_id,omitempty"`
	Inline      bool   `json:"inline"`
	Data        []byte `json:"-"`
}

// DeliveryReport is what a delivery status notification says about the message
// it reports on. Fields the report does not carry are empty.
type DeliveryReport struct {
	// OriginalMessageID is the Message-ID of the message that bounced.
	OriginalMessageID string `json:"original_message_id,omitempty"`
	// OriginalSubject is the subject of that message, when the report quotes it.
	OriginalSubject string `json:"original_subject,omitempty"`
	// Recipient is the address that could not be reached.
	Recipient string `json:"recipient,omitempty"`
	// Action is the RFC 3464 action: failed, delayed, delivered, relayed or expanded.
	Action string `json:"action,omitempty"`
	// Status is the enhanced status code, such as 5.1.1, or a bare SMTP code.
	Status string `json:"status,omitempty"`
	// Diagnostic is the remote server's explanation, when given.
	Diagnostic string `json:"diagnostic,omitempty"`
	// ReportingMTA names the server that wrote the report.
	ReportingMTA string `json:"reporting_mta,omitempty"`
	// Failed is true when the message was not and will not be delivered.
	Failed bool `json:"failed"`
	// Standard is true for an RFC 3464 report, false for one read from prose.
	Standard bool `json:"standard"`
}

// ThreadKeys are the facts intake matches, in this order, to find the ticket a
// message continues. Every match must also be scoped to the customer.
type ThreadKeys struct {
	// MessageIDs are In-Reply-To, then References newest first; for a delivery
	// report, the bounced message's ID comes first.
	MessageIDs []string `json:"message_ids"`
	// ReplyTokens are the TOKEN parts of To and Cc addresses of the form
	// mailbox+TOKEN@domain, for the configured mailboxes only, lower-cased.
	ReplyTokens []string `json:"reply_tokens"`
	// TicketNumbers are ticket numbers named in the subject, most explicit first.
	TicketNumbers []int64 `json:"ticket_numbers"`
}

// Message is how Rapport reads one inbound mail.
type Message struct {
	// MessageID is the Message-ID without angle brackets; empty if absent.
	MessageID  string    `json:"message_id"`
	InReplyTo  []string  `json:"in_reply_to,omitempty"`
	References []string  `json:"references,omitempty"`
	From       Address   `json:"from"`
	ReplyTo    []Address `json:"reply_to,omitempty"`
	To         []Address `json:"to,omitempty"`
	Cc         []Address `json:"cc,omitempty"`
	// ReturnPath is the envelope sender as delivered: an address, "<>" for the
	// null sender of bounces and auto-replies, or empty if the header is absent.
	ReturnPath string `json:"return_path,omitempty"`
	// Subject is the decoded subject.
	Subject string `json:"subject"`
	// Date is the Date header; zero if absent or unreadable.
	Date time.Time `json:"date,omitzero"`
	// Headers holds every header, decoded, by canonical name.
	Headers map[string][]string `json:"headers,omitempty"`

	// Text is the plain-text body, made from the HTML when there is no text part.
	Text string `json:"text"`
	// HTML is the HTML body, sanitised; remote images are not loaded.
	HTML string `json:"html,omitempty"`
	// RemoteImages counts the remote images the sanitiser blocked in HTML.
	RemoteImages int `json:"remote_images,omitempty"`
	// TrimmedText is the new part of Text, without quoted history or signature,
	// for display. Text stays whole.
	TrimmedText string `json:"trimmed_text"`

	Attachments []Attachment `json:"attachments,omitempty"`

	Class Class `json:"class"`
	// ClassReason says which header or pattern decided Class.
	ClassReason string `json:"class_reason,omitempty"`
	// Delivery is set for ClassDeliveryReport.
	Delivery *DeliveryReport `json:"delivery,omitempty"`

	Keys ThreadKeys `json:"thread_keys"`

	// Unreadable is set when the message could not be read in full; Reason says
	// why. Whatever could be read is still filled in.
	Unreadable       bool   `json:"unreadable,omitempty"`
	UnreadableReason string `json:"unreadable_reason,omitempty"`
	// Warnings are the deviations the parser worked around: unknown charsets,
	// malformed parts, unparseable dates.
	Warnings []string `json:"warnings,omitempty"`

	// Size and SHA256 describe the raw bytes.
	Size   int    `json:"size"`
	SHA256 string `json:"sha256"`
}

// IdempotencyKey identifies a delivery of this message, so that the same mail
// delivered twice is stored once: the sender and the Message-ID, or, for mail
// without a Message-ID, the hash of its bytes.
func (m *Message) IdempotencyKey() string {
	if m.MessageID != "" {
		return m.From.Address + " " + m.MessageID
	}
	return "sha256:" + m.SHA256
}

// ParseOpts configures ParseWith.
type ParseOpts struct {
	// Mailboxes are this installation's support addresses; a reply token is
	// only read from an address on one of them.
	Mailboxes []string
}
