package web

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"time"

	"github.com/rapport/rapport/internal/store"
)

// ticketAttachment serves one file of a ticket's messages, always as a
// download: files from customers are never rendered in the agent's session.
func (s *server) ticketAttachment(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	if s.files == nil {
		return errNotFound
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	fileID, err := pathID(r, "file")
	if err != nil {
		return err
	}
	a, rc, err := s.files.Get(r.Context(), id, fileID)
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound
	}
	if err != nil {
		return err
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename}))
	h.Set("Cache-Control", "private, no-store")
	h.Set("ETag", `"`+a.SHA256+`"`)
	// ServeContent answers ranges (a resumed download) and HEAD; the
	// reader holds one chunk of the file at a time.
	http.ServeContent(w, r, "", time.Time{}, rc)
	return nil
}

// messageOriginal serves a message exactly as its channel delivered it (an
// email as an .eml file), so that nothing the parser could not show is lost.
func (s *server) messageOriginal(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	if s.intake == nil {
		return errNotFound
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	msgID, err := pathID(r, "message")
	if err != nil {
		return err
	}
	msgs, err := s.tickets.Messages(r.Context(), id)
	if err != nil {
		return err
	}
	var inbound int64
	for _, m := range msgs {
		if m.ID == msgID {
			inbound = m.InboundID
		}
	}
	if inbound == 0 {
		return errNotFound
	}
	raw, rc, err := s.intake.OpenRaw(r.Context(), inbound)
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound
	}
	if err != nil {
		return err
	}
	defer rc.Close()
	name, ctype := fmt.Sprintf("ticket-%d-message-%d.txt", id, msgID), "application/octet-stream"
	if raw.Channel == "email" {
		name = fmt.Sprintf("ticket-%d-message-%d.eml", id, msgID)
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Cache-Control", "private, no-store")
	http.ServeContent(w, r, "", time.Time{}, rc)
	return nil
}
