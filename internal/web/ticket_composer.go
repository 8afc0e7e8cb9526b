package web

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/savedreply"
	"github.com/rapport/rapport/internal/ticket"
)

// composerView is what the reply composer shows besides the draft: the
// recipients, the saved replies to insert, and what happened to files when
// the page came back.
type composerView struct {
	To    string // one address; the customer's by default
	Cc    string // addresses; by default those the customer's last mail copied
	Saved []savedreply.Reply
	// SavedPick is the saved reply just inserted (or asked for), 0 none.
	SavedPick int64
	// FilesDropped: the page came back after files were chosen, and a
	// browser cannot keep them; the agent attaches them again.
	FilesDropped bool
	MaxFiles     int
	MaxMB        int
	// Articles are the knowledge base's suggestions for the ticket, to
	// insert as a link or an excerpt (issue 16).
	Articles []kbSuggestion
}

// composerUploadRoutes are the routes the composer's form posts to (send,
// check, insert a saved reply): they read multipart bodies up to the
// reply's file limit; every other route keeps the usual body limit.
var composerUploadRoutes = map[string]bool{
	"POST /tickets/{id}/reply":   true,
	"POST /tickets/{id}/check":   true,
	"POST /tickets/{id}/compose": true,
}

// uploadSlack is room above ticket.MaxReplyBytes for the text fields and
// the multipart framing, so that files just under the limit get through to
// the service, which says precisely what is too large.
const uploadSlack = 1 << 20

// errFilesTooLarge is a composer post over even bodyLimit's allowance: the
// files are far over the limit, so the service never sees them.
var errFilesTooLarge = &webError{http.StatusRequestEntityTooLarge, "error.too_large", "composer.upload_too_large"}

// bodyLimit is the request body limit of r on the route pattern: the
// composer's multipart posts may carry files; everything else, the
// composer's plain posts too, keeps the usual limit.
func (s *server) bodyLimit(pattern string, r *http.Request) int64 {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if composerUploadRoutes[pattern] && mt == "multipart/form-data" && s.maxBody < ticket.MaxReplyBytes+uploadSlack {
		return ticket.MaxReplyBytes + uploadSlack
	}
	return s.maxBody
}

// parseForm parses a POST's form, multipart or not; the files of a
// multipart form beyond a small memory budget wait in temporary files,
// which net/http removes after the request.
func parseForm(r *http.Request) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return r.ParseForm()
	}
	err := r.ParseMultipartForm(2 << 20)
	if errors.Is(err, http.ErrNotMultipart) {
		return r.ParseForm()
	}
	return err
}

// postedFiles reads the files of the form field name; empty file inputs
// (a browser sends one when nothing was chosen) are left out.
func postedFiles(r *http.Request, name string) ([]attachment.File, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var out []attachment.File
	for _, fh := range r.MultipartForm.File[name] {
		if fh.Filename == "" && fh.Size == 0 {
			continue
		}
		data, err := readPart(fh)
		if err != nil {
			return nil, err
		}
		out = append(out, attachment.File{Filename: fh.Filename, ContentType: fh.Header.Get("Content-Type"), Data: data})
	}
	return out, nil
}

func readPart(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// hasFiles reports whether the form came with at least one chosen file.
func hasFiles(r *http.Request) bool {
	if r.MultipartForm == nil {
		return false
	}
	for _, fh := range r.MultipartForm.File["attachments"] {
		if fh.Filename != "" || fh.Size > 0 {
			return true
		}
	}
	return false
}

// composerFor fills the composer of ticket t: the recipients as posted
// when the page comes back from the composer's own form, else the
// customer's address and the Cc of their last email.
func (s *server) composerFor(ctx context.Context, r *http.Request, t ticket.Ticket, msgs []ticket.Message) (composerView, error) {
	v := composerView{To: t.CustomerEmail, MaxFiles: ticket.MaxReplyFiles, MaxMB: ticket.MaxReplyBytes >> 20}
	v.Articles = s.kbComposer(ctx, r, t, msgs)
	if s.saved != nil {
		list, err := s.saved.List(ctx)
		if err != nil {
			return v, err
		}
		v.Saved = list
	}
	if r.Method == http.MethodPost && composerUploadRoutes[r.Pattern] {
		v.To, v.Cc = r.PostForm.Get("to"), r.PostForm.Get("cc")
		v.FilesDropped = hasFiles(r)
		v.SavedPick, _ = strconv.ParseInt(r.PostForm.Get("saved_reply"), 10, 64)
		return v, nil
	}
	if s.intake == nil {
		return v, nil
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Kind != ticket.CustomerMessage || msgs[i].InboundID == 0 {
			continue
		}
		cc, err := s.intake.CcOf(ctx, msgs[i].InboundID)
		if err != nil {
			return v, err
		}
		v.Cc = strings.Join(cc, ", ")
		break
	}
	return v, nil
}

// ticketCompose serves POST /tickets/{id}/compose, the composer's "Insert"
// button without JavaScript: the ticket page comes back with the chosen
// saved reply in the draft (after what was already written), the
// recipients as they were. Nothing is sent.
func (s *server) ticketCompose(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	draft := r.PostForm.Get("body")
	if pick, _ := strconv.ParseInt(r.PostForm.Get("saved_reply"), 10, 64); pick > 0 {
		sr, err := s.saved.Get(r.Context(), pick)
		if err != nil && !errors.Is(err, savedreply.ErrNotFound) {
			return err
		}
		if err == nil {
			draft = insertSaved(draft, sr.Body)
		}
	}
	if pick := r.PostForm.Get("kb_insert"); pick != "" && s.kb != nil {
		text, err := s.kbInsert(r, pick)
		if err != nil {
			return err
		}
		draft = insertSaved(draft, text)
	}
	return s.renderTicket(w, r, rc, id, nil, func(v *ticketView) { v.Draft = draft })
}

// insertSaved puts a saved reply's body after what the draft already holds,
// a blank line between them.
func insertSaved(draft, body string) string {
	draft = strings.TrimRight(draft, " \t\r\n")
	if draft == "" {
		return body
	}
	return draft + "\n\n" + body
}
