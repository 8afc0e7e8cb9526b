package intake

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
)

// maxCcHeaderBytes is how much of a stored email is read for its headers
// (the inbound-for-cc query reads no more).
const maxCcHeaderBytes = 64 << 10

// CcOf returns who inbound email id was copied to, as an agent's reply to
// it should copy them: the addresses of its Cc header, less the sender and
// the support mailbox it came to (with or without a +token). Other
// channels, and mail without a Cc, give none.
func (s *Service) CcOf(ctx context.Context, id int64) ([]string, error) {
	var channel, sender, mailbox string
	var raw []byte
	var rawBlob string
	err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("inbound-for-cc"), id).Scan(&channel, &sender, &mailbox, &raw, &rawBlob)
	if errors.Is(err, sql.ErrNoRows) || channel != "email" {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("intake: cc of %d: %w", id, err)
	}
	if rawBlob != "" {
		r, err := s.blobs.Open(ctx, rawBlob)
		if err != nil {
			return nil, fmt.Errorf("intake: cc of %d: %w", id, err)
		}
		raw, err = io.ReadAll(io.LimitReader(r, maxCcHeaderBytes))
		r.Close()
		if err != nil {
			return nil, fmt.Errorf("intake: cc of %d: %w", id, err)
		}
	}
	if len(raw) > maxCcHeaderBytes {
		raw = raw[:maxCcHeaderBytes]
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, nil // the parser kept it as unreadable; nothing to copy
	}
	list, err := msg.Header.AddressList("Cc")
	if err != nil {
		return nil, nil
	}
	// The sender column holds the identity key, "email:ann@example.com".
	_, from, _ := strings.Cut(sender, ":")
	var out []string
	seen := map[string]bool{}
	for _, a := range list {
		addr := strings.ToLower(a.Address)
		if seen[addr] || strings.EqualFold(addr, from) || (mailbox != "" && onMailbox(addr, []string{mailbox})) {
			continue
		}
		seen[addr] = true
		out = append(out, a.Address)
	}
	return out, nil
}
