package api

import (
	"bytes"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// inboundMessageRequest is the body of POST /inbound/message: one message
// from SMS, social media or any other source, in the same pipeline as email.
type inboundMessageRequest struct {
	Channel string `json:"channel"`
	From    struct {
		Email      string `json:"email"`
		Phone      string `json:"phone"`
		ExternalID string `json:"external_id"`
		Name       string `json:"name"`
	} `json:"from"`
	Subject   string `json:"subject"`
	Text      string `json:"text"`
	ThreadKey string `json:"thread_key"`
	MessageID string `json:"message_id"`
	Language  string `json:"language"`
}

// inboundResultJSON says what became of an inbound message.
type inboundResultJSON struct {
	InboundID int64  `json:"inbound_id"`
	TicketID  int64  `json:"ticket_id"`
	MessageID int64  `json:"message_id"`
	Outcome   string `json:"outcome"`
	Duplicate bool   `json:"duplicate"`
}

var channelName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,29}$`)

// MaxInboundText is the longest text POST /inbound/message accepts.
const MaxInboundText = 64 << 10

// inboundMessage serves POST /inbound/message.
func (s *server) inboundMessage(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.intake == nil {
		return &apiError{status: http.StatusServiceUnavailable, code: "unavailable", message: "inbound messages are not enabled on this server"}
	}
	// The body is kept as it came, like an email's raw message.
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	r.Body = io.NopCloser(bytes.NewReader(raw))
	var req inboundMessageRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	errs := valid.Fields{}
	ch := strings.ToLower(strings.TrimSpace(req.Channel))
	if !channelName.MatchString(ch) {
		errs.Add("channel", valid.Msg("valid.api_channel_name", "must be a name of 1 to 30 letters, digits, - or _ (sms, whatsapp, …)"))
	}
	from := intake.Sender{Name: strings.TrimSpace(req.From.Name)}
	switch {
	case strings.TrimSpace(req.From.Email) != "":
		from.Kind, from.Value = customer.Email, req.From.Email
	case strings.TrimSpace(req.From.Phone) != "":
		from.Kind, from.Value = customer.Phone, req.From.Phone
	case strings.TrimSpace(req.From.ExternalID) != "":
		from.Kind, from.Value = customer.External, req.From.ExternalID
	default:
		errs.Add("from", valid.Msg("valid.api_sender", "give the sender's email, phone or external_id"))
	}
	if from.Kind != "" {
		if _, msg := customer.NormalizeIdentity(from.Kind, from.Value); msg != "" {
			field := map[string]string{customer.Email: "from.email", customer.Phone: "from.phone", customer.External: "from.external_id"}[from.Kind]
			key := map[string]string{customer.Email: "valid.email", customer.Phone: "valid.phone", customer.External: "valid.invalid"}[from.Kind]
			errs.Add(field, valid.Message{Key: key, Text: msg})
		}
	}
	text := strings.TrimSpace(req.Text)
	switch {
	case text == "":
		errs.Add("text", valid.Msg("valid.required", "is required"))
	case len(text) > MaxInboundText:
		errs.Add("text", valid.Msg("valid.api_too_many_bytes", "is longer than %d bytes", MaxInboundText))
	case !utf8.ValidString(text):
		errs.Add("text", valid.Msg("valid.not_text", "is not valid UTF-8"))
	}
	if len(req.ThreadKey) > 200 {
		errs.Add("thread_key", valid.Msg("valid.longer_than", "is longer than %d characters", 200))
	}
	if len(req.MessageID) > 200 {
		errs.Add("message_id", valid.Msg("valid.longer_than", "is longer than %d characters", 200))
	}
	if err := errs.Err(); err != nil {
		return err
	}
	in := intake.Inbound{
		Channel: "hook", Mailbox: ch, From: from, Subject: req.Subject, Text: text,
		Language: strings.ToLower(strings.TrimSpace(req.Language)), Tags: []string{ch},
	}
	if slices.Contains(ticket.Channels, ch) {
		in.Channel, in.Tags = ch, nil
	}
	if k := strings.TrimSpace(req.ThreadKey); k != "" {
		in.ThreadKey = "hook:" + ch + ":" + k
	}
	if id := strings.TrimSpace(req.MessageID); id != "" {
		in.MessageKey = "hook:" + ch + ":" + id
	}
	in.Raw = raw
	res, err := s.intake.Receive(r.Context(), in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if res.Outcome == intake.OutcomeTicket && !res.Duplicate {
		status = http.StatusCreated
	}
	writeJSON(w, status, inboundResultJSON{InboundID: res.InboundID, TicketID: res.TicketID,
		MessageID: res.MessageID, Outcome: res.Outcome, Duplicate: res.Duplicate})
	return nil
}

// inboundEmail serves POST /inbound/email: a raw RFC 5322 message, as mail
// providers' inbound hooks deliver it, through the same pipeline as SMTP.
func (s *server) inboundEmail(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.intake == nil {
		return &apiError{status: http.StatusServiceUnavailable, code: "unavailable", message: "inbound messages are not enabled on this server"}
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return &apiError{status: http.StatusBadRequest, code: "invalid_input", message: "the body is empty; send the raw message (message/rfc822)"}
	}
	in := intake.FromEmail(raw, s.mailboxes)
	res, err := s.intake.Receive(r.Context(), in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if res.Outcome == intake.OutcomeTicket && !res.Duplicate {
		status = http.StatusCreated
	}
	writeJSON(w, status, inboundResultJSON{InboundID: res.InboundID, TicketID: res.TicketID,
		MessageID: res.MessageID, Outcome: res.Outcome, Duplicate: res.Duplicate})
	return nil
}
