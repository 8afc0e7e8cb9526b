package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rapport/rapport/internal/channel/email"
)

const mailUsage = `usage: rapport mail parse [--mailbox ADDRESS ...] FILE...

Prints, as JSON, how Rapport reads each raw message (.eml): decoded headers,
sender and recipients, text and sanitised HTML, attachments, classification
(customer, auto_reply, delivery_report) and the threading keys it would use.
One file gives one object, several give an array. "-" reads standard input.
`

// mailCmd runs "rapport mail": for now the parse subcommand, a window on the
// inbound mail parser for support staff and for debugging a customer's mail.
func mailCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "parse" {
		fmt.Fprint(stderr, mailUsage)
		return errors.New("mail: want parse")
	}
	fs := flag.NewFlagSet("mail parse", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, mailUsage)
		fs.PrintDefaults()
	}
	var mailboxes mailboxList
	fs.Var(&mailboxes, "mailbox", "a support address whose plus-addresses (support+TOKEN@…) carry reply tokens; repeatable")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		fs.Usage()
		return errors.New("mail parse: no files given")
	}

	opts := email.ParseOpts{Mailboxes: mailboxes}
	reports := make([]mailReport, 0, len(files))
	failed := 0
	for _, file := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		raw, err := readMailFile(file, stdin)
		if err != nil {
			failed++
			fmt.Fprintf(stderr, "rapport mail parse: %s: %v\n", file, err)
			reports = append(reports, mailReport{File: file, Error: err.Error()})
			continue
		}
		// An unreadable message still yields a Message; it is reported, not failed.
		m, _ := email.ParseWith(raw, opts)
		reports = append(reports, newMailReport(file, m))
	}

	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	var err error
	if len(reports) == 1 {
		err = enc.Encode(reports[0])
	} else {
		err = enc.Encode(reports)
	}
	if err != nil {
		return fmt.Errorf("mail parse: %w", err)
	}
	if failed > 0 {
		return fmt.Errorf("mail parse: %d of %d files could not be read", failed, len(files))
	}
	return nil
}

func readMailFile(file string, stdin io.Reader) ([]byte, error) {
	if file == "-" {
		return io.ReadAll(stdin)
	}
	fi, err := os.Stat(file)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return nil, errors.New("is a directory, not a message file")
	}
	return os.ReadFile(file)
}

// mailReport is one file's entry in the output: the parsed message, with
// attachments described rather than dumped.
type mailReport struct {
	File           string `json:"file"`
	Error          string `json:"error,omitempty"`
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	*email.Message
	// Attachments shadows Message.Attachments in the JSON.
	Attachments []attachmentInfo `json:"attachments,omitempty"`
}

type attachmentInfo struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
	SHA256      string `json:"sha256"`
	ContentID   string `json:"content_id,omitempty"`
	Inline      bool   `json:"inline"`
}

func newMailReport(file string, m *email.Message) mailReport {
	r := mailReport{File: file, IdempotencyKey: m.IdempotencyKey(), Message: m}
	for _, a := range m.Attachments {
		sum := sha256.Sum256(a.Data)
		r.Attachments = append(r.Attachments, attachmentInfo{
			Filename: a.Filename, ContentType: a.ContentType, Size: a.Size,
			SHA256: hex.EncodeToString(sum[:]), ContentID: a.ContentID, Inline: a.Inline,
		})
	}
	return r
}

// mailboxList is a repeatable --mailbox flag; a comma-separated value counts
// as several.
type mailboxList []string

func (l *mailboxList) String() string { return strings.Join(*l, ",") }

func (l *mailboxList) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			if !strings.Contains(s, "@") {
				return fmt.Errorf("%q is not an address", s)
			}
			*l = append(*l, s)
		}
	}
	return nil
}
