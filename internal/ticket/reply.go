package ticket

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// Reply adds a public reply by the acting agent to the customer's own
// address; ReplyWith says what more a reply can carry.
func (s *Service) Reply(ctx context.Context, a Actor, id int64, body string, setStatus Status) (Message, error) {
	return s.ReplyWith(ctx, a, id, ReplyDraft{Body: body, SetStatus: setStatus})
}

// MaxReplyFiles and MaxReplyBytes bound the files of one reply: what mail
// servers commonly accept once the files are base64-encoded.
const (
	MaxReplyFiles = 10
	MaxReplyBytes = 10 << 20
)

// MaxReplyText bounds a reply's text, which the files' larger allowance
// of the request body would otherwise let through.
const MaxReplyText = 1 << 20

// ReplyDraft is a public reply as the composer sends it.
type ReplyDraft struct {
	Body      string
	SetStatus Status // "" keeps the status (a new ticket becomes open)
	// To is the one address the reply goes to; "" means the customer's.
	To string
	// Cc is a list of addresses as ParseAddresses reads it.
	Cc    string
	Files []attachment.File
}

// ReplyWith adds a public reply by the acting agent. The first public reply
// sets first_response_at; a new ticket becomes open; an unowned ticket
// becomes the replying agent's. d.SetStatus, when not empty, is applied in
// the same transaction (e.g. reply and solve); it may be open, pending or
// solved. The recipients and the files are kept with the message, in the
// same transaction, for the mail subscriber to send. A closed ticket gives
// ErrClosed. Wrong input gives a valid.Fields and changes nothing.
func (s *Service) ReplyWith(ctx context.Context, a Actor, id int64, d ReplyDraft) (Message, error) {
	errs := valid.Fields{}
	b := s.cleanBody(d.Body, "")
	switch {
	case b.Text == "":
		errs.Add("body", valid.Msg("valid.required", "is required"))
	case len(b.Text) > MaxReplyText:
		errs.Add("body", valid.Message{Key: "valid.too_long", Text: fmt.Sprintf("is longer than %d bytes", MaxReplyText)})
	}
	if d.SetStatus != "" {
		checkSetStatus(errs, a, d.SetStatus)
		if d.SetStatus == New {
			errs.Add("status", valid.Msg("valid.reply_not_new", "a ticket with a reply is no longer new"))
		}
	}
	var to string
	if strings.TrimSpace(d.To) != "" {
		list, msg := ParseAddresses(d.To)
		switch {
		case msg != nil:
			errs.Add("to", *msg)
		case len(list) != 1:
			errs.Add("to", valid.Msg("valid.one_address", "must be one address"))
		default:
			to = list[0].Address
		}
	}
	cc, msg := ParseAddresses(d.Cc)
	if msg != nil {
		errs.Add("cc", *msg)
	}
	checkFiles(errs, d.Files)
	if len(d.Files) > 0 && s.o.Attachments == nil {
		errs.Add("attachments", valid.Msg("valid.attachments_off", "files are not kept here"))
	}
	if a.Kind != "agent" {
		return Message{}, fmt.Errorf("ticket: reply %d: only an agent replies", id)
	}
	if err := errs.Err(); err != nil {
		return Message{}, err
	}
	var m Message
	err := s.run(ctx, a, func(c *change) error {
		r, err := c.lockOpen(id)
		if err != nil {
			return err
		}
		if d.SetStatus != "" && d.SetStatus != r.Status {
			if err := c.mayChange(r); err != nil {
				return err
			}
		}
		mid, err := c.addMessage(&r, Reply, a.AgentID, 0, b.Text, b.HTML)
		if err != nil {
			return err
		}
		if to != "" || len(cc) > 0 {
			if _, err := c.tx.ExecContext(c.ctx, c.s.q.Get("set-message-recipients"), mid, to, FormatAddresses(cc)); err != nil {
				return err
			}
		}
		if len(d.Files) > 0 {
			if err := s.o.Attachments.AddTx(c.ctx, c.tx, mid, d.Files); err != nil {
				return err
			}
		}
		if err := c.event(r.ID, EventReplied, map[string]any{"message_id": mid}); err != nil {
			return err
		}
		if !r.FirstResponseAt.Valid {
			r.FirstResponseAt = store.NullMillis(c.now)
		}
		if r.OwnerID == 0 {
			r.OwnerID = a.AgentID
			if err := c.event(r.ID, EventAssigned, map[string]any{"to": a.AgentID, "from": 0}); err != nil {
				return err
			}
		}
		st := d.SetStatus
		if st == "" && r.Status == New {
			st = Open
		}
		if st != "" {
			if err := c.setStatus(&r, st); err != nil {
				return err
			}
		}
		if err := c.save(&r); err != nil {
			return err
		}
		m, err = c.message(mid)
		return err
	})
	if err != nil {
		return Message{}, changeErr("reply", id, err)
	}
	return m, nil
}

// checkFiles adds an "attachments" message to errs when files are too many,
// too large in all, or one is empty.
func checkFiles(errs valid.Fields, files []attachment.File) {
	if len(files) > MaxReplyFiles {
		errs.Add("attachments", valid.Msg("valid.too_many_files", "holds more than %d files", MaxReplyFiles))
		return
	}
	total := 0
	for _, f := range files {
		if len(f.Data) == 0 {
			errs.Add("attachments", valid.Msg("valid.empty_file", "%s is empty", f.Filename))
			return
		}
		total += len(f.Data)
	}
	if total > MaxReplyBytes {
		errs.Add("attachments", valid.Msg("valid.files_too_large", "the files are larger than %d MB in all", MaxReplyBytes>>20))
	}
}

// AddNote adds an internal note by any agent, never shown to the customer.
// It changes no status; a closed ticket gives ErrClosed.
func (s *Service) AddNote(ctx context.Context, a Actor, id int64, body string) (Message, error) {
	b := s.cleanBody(body, "")
	if b.Text == "" {
		return Message{}, valid.Field("body", valid.Msg("valid.required", "is required"))
	}
	if a.Kind != "agent" {
		return Message{}, fmt.Errorf("ticket: note %d: only an agent writes notes", id)
	}
	var m Message
	err := s.run(ctx, a, func(c *change) error {
		r, err := c.lockOpen(id)
		if err != nil {
			return err
		}
		mid, err := c.addMessage(&r, Note, a.AgentID, 0, b.Text, b.HTML)
		if err != nil {
			return err
		}
		if err := c.event(r.ID, EventNoted, map[string]any{"message_id": mid}); err != nil {
			return err
		}
		if err := c.save(&r); err != nil {
			return err
		}
		m, err = c.message(mid)
		return err
	})
	if err != nil {
		return Message{}, changeErr("note", id, err)
	}
	return m, nil
}

// AddCustomerMessage appends the customer's message. A solved ticket
// reopens (EventReopened by the customer: rework) and its auto-close job is
// cancelled; a pending one becomes open. A closed ticket gives ErrClosed:
// the caller opens a new ticket instead.
func (s *Service) AddCustomerMessage(ctx context.Context, id int64, body, bodyHTML string) (Message, error) {
	var m Message
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		m, err = s.AddCustomerMessageTx(ctx, tx, id, body, bodyHTML)
		return err
	})
	return m, err
}

// AddCustomerMessageTx is AddCustomerMessage inside the caller's
// transaction, for intake that also writes its own rows.
func (s *Service) AddCustomerMessageTx(ctx context.Context, tx *sql.Tx, id int64, body, bodyHTML string) (Message, error) {
	return s.AppendCustomerTx(ctx, tx, id, Incoming{Body: body, BodyHTML: bodyHTML})
}

// changeErr wraps the error of change op on ticket id; validation errors
// go back as they are, for the caller to show field by field.
func changeErr(op string, id int64, err error) error {
	var ve valid.Fields
	if errors.As(err, &ve) {
		return ve
	}
	return fmt.Errorf("ticket: %s %d: %w", op, id, err)
}
