package widget

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/chat"
)

// texts are the catalogue keys the widget shows, sent with its settings
// in the visitor's language (keys without the "widget.w." prefix).
var texts = []string{
	"open", "close", "title", "subtitle", "prechat_intro", "name", "email", "start", "placeholder", "send",
	"attach", "typing", "agent_typing", "delivered", "read", "sending", "failed", "retry", "ended", "rate",
	"rate_1", "rate_2", "rate_3", "rate_4", "rate_5", "comment", "submit_rating", "thanks", "transcript",
	"transcript_sent", "offline", "nobody", "offline_sent", "leave_message", "reconnecting", "you", "file_too_large",
	"file_type", "too_many", "error", "new_chat", "articles", "articles_label", "new_tab", "question",
}

// config gives the widget its settings and texts in the visitor's language
// (?lang=, from the browser or the page's data-lang), and whether the chat
// is open now.
func (h *Handler) config(w http.ResponseWriter, r *http.Request, c *call) error {
	cs := h.o.Chat
	lang := cs.Language(c.widget, r.URL.Query().Get("lang"))
	closed := cs.Closed(r.Context(), c.widget)
	tr := map[string]string{}
	if cat := cs.Catalog(); cat != nil {
		for _, k := range texts {
			tr[k] = cat.T(lang, "widget.w."+k)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"name": c.widget.Name, "color": c.widget.Color, "position": c.widget.Position,
		"prechat": c.widget.PreChat, "language": lang, "open": closed == "", "closed": closed,
		"max_file": chat.MaxFile, "max_text": chat.MaxText, "texts": tr,
	})
	return nil
}

// startSession opens a visitor's session and returns its token.
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, c *call) error {
	if !h.allow(r.Context(), "chat-start:"+c.addr, startsPerAddr, 10*time.Minute) {
		return errLimited
	}
	var st chat.Start
	if err := readJSON(w, r, 8<<10, &st); err != nil {
		return err
	}
	token, sess, err := h.o.Chat.StartSession(r.Context(), c.widget, st)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": token, "language": sess.Language, "verified": sess.Verified})
	return nil
}

// afterParam reads ?after= (0 when absent).
func afterParam(r *http.Request) (int64, error) {
	v := r.URL.Query().Get("after")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, errBadInput
	}
	return n, nil
}

// messages returns the chat's messages after ?after=: the resume after a
// reconnection, and the fallback where no live connection holds.
func (h *Handler) messages(w http.ResponseWriter, r *http.Request, c *call) error {
	after, err := afterParam(r)
	if err != nil {
		return err
	}
	msgs, err := h.o.Chat.Messages(r.Context(), c.sess, after)
	if err != nil {
		return err
	}
	st, err := h.o.Chat.TicketStatus(r.Context(), c.sess)
	if err != nil {
		return err
	}
	if msgs == nil {
		msgs = []chat.Message{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": msgs, "ended": chat.Ended(st), "read": c.sess.AgentRead,
		"ticket": c.sess.TicketID != 0})
	return nil
}

// sendLimited counts one message of the session.
func (h *Handler) sendLimited(r *http.Request, c *call) bool {
	return !h.allow(r.Context(), "chat-msg:"+strconv.FormatInt(c.sess.ID, 10), messagesPerSess, time.Minute)
}

// send stores a visitor's message; the same client_id again returns the
// message stored the first time. The first message carries ?kb=, the
// widget's deflection key: the articles opened before did not deflect.
func (h *Handler) send(w http.ResponseWriter, r *http.Request, c *call) error {
	if h.sendLimited(r, c) {
		return errLimited
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, chat.MaxBody))
	if err != nil {
		return err
	}
	o, err := chat.ParseOutgoing(b)
	if err != nil {
		return err
	}
	m, _, err := h.o.Chat.Send(r.Context(), c.widget, c.sess, o, nil)
	if err != nil {
		return err
	}
	h.chatStarted(r)
	writeJSON(w, http.StatusCreated, map[string]any{"message": m})
	return nil
}

// allowedTypes are the files a visitor may send, told by their content
// (http.DetectContentType), never by their name or the browser's word.
var allowedTypes = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
	"application/pdf": true, "text/plain; charset=utf-8": true,
}

// upload stores a message with one file (multipart: file, client_id, text).
func (h *Handler) upload(w http.ResponseWriter, r *http.Request, c *call) error {
	if h.sendLimited(r, c) {
		return errLimited
	}
	r.Body = http.MaxBytesReader(w, r.Body, chat.MaxFile+chat.MaxBody)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return errTooLarge
		}
		return errBadInput
	}
	defer r.MultipartForm.RemoveAll()
	o := chat.Outgoing{ClientID: r.FormValue("client_id"), Text: r.FormValue("text")}
	fhs := r.MultipartForm.File["file"]
	if len(fhs) != 1 {
		return errBadInput
	}
	fh := fhs[0]
	if fh.Size > chat.MaxFile {
		return errTooLarge
	}
	f, err := fh.Open()
	if err != nil {
		return errBadInput
	}
	data, err := io.ReadAll(io.LimitReader(f, chat.MaxFile+1))
	f.Close()
	if err != nil {
		return errBadInput
	}
	if len(data) > chat.MaxFile {
		return errTooLarge
	}
	typ := http.DetectContentType(data)
	if !allowedTypes[typ] {
		return errFileType
	}
	if typ == "text/plain; charset=utf-8" && !utf8.Valid(data) {
		return errFileType
	}
	name := fileName(fh.Filename)
	m, _, err := h.o.Chat.Send(r.Context(), c.widget, c.sess, o, []attachment.File{{Filename: name, ContentType: strings.Split(typ, ";")[0], Data: data}})
	if err != nil {
		return err
	}
	h.chatStarted(r)
	writeJSON(w, http.StatusCreated, map[string]any{"message": m})
	return nil
}

// fileName is a safe file name: the last part of name, without control
// characters, at most 100 characters; "file" when nothing is left.
func fileName(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, name)
	if utf8.RuneCountInString(name) > 100 {
		name = string([]rune(name)[:100])
	}
	if name == "" || name == "." || name == "/" {
		return "file"
	}
	return name
}

// download serves a file of the chat as a download, never inline.
func (h *Handler) download(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return errNotFound
	}
	a, rc, err := h.o.Chat.OpenFile(r.Context(), c.sess, id)
	if err != nil {
		return errNotFound
	}
	defer rc.Close()
	hd := w.Header()
	hd.Set("Content-Type", "application/octet-stream")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename}))
	hd.Set("Cache-Control", "private, no-store")
	http.ServeContent(w, r, "", time.Time{}, rc)
	return nil
}

// typing tells the agents the visitor started or stopped typing (never
// what): {"typing": true}.
func (h *Handler) typing(w http.ResponseWriter, r *http.Request, c *call) error {
	if !h.allow(r.Context(), "chat-typing:"+strconv.FormatInt(c.sess.ID, 10), typingPerSess, time.Minute) {
		return errLimited
	}
	var in struct {
		Typing bool `json:"typing"`
	}
	if err := readJSON(w, r, 256, &in); err != nil {
		return err
	}
	if err := h.o.Chat.Typing(r.Context(), c.sess.TicketID, 0, in.Typing); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// read records that the visitor has seen the messages up to {"message": id}.
func (h *Handler) read(w http.ResponseWriter, r *http.Request, c *call) error {
	if !h.allow(r.Context(), "chat-typing:"+strconv.FormatInt(c.sess.ID, 10), typingPerSess, time.Minute) {
		return errLimited
	}
	var in struct {
		Message int64 `json:"message"`
	}
	if err := readJSON(w, r, 256, &in); err != nil {
		return err
	}
	if err := h.o.Chat.VisitorRead(r.Context(), c.sess, in.Message); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// rate records the one-question rating: {"score": 1..5, "comment": ""}.
func (h *Handler) rate(w http.ResponseWriter, r *http.Request, c *call) error {
	var in struct {
		Score   int    `json:"score"`
		Comment string `json:"comment"`
	}
	if err := readJSON(w, r, 16<<10, &in); err != nil {
		return err
	}
	if err := h.o.Chat.Rate(r.Context(), c.sess, in.Score, in.Comment); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// transcript mails the chat to {"email": ...}.
func (h *Handler) transcript(w http.ResponseWriter, r *http.Request, c *call) error {
	if !h.allow(r.Context(), "chat-transcript:"+strconv.FormatInt(c.sess.ID, 10), 3, time.Hour) {
		return errLimited
	}
	var in struct {
		Email string `json:"email"`
	}
	if err := readJSON(w, r, 1024, &in); err != nil {
		return err
	}
	if err := h.o.Chat.Transcript(r.Context(), c.widget, c.sess, in.Email); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// offline leaves a message while the chat is closed: an email ticket.
func (h *Handler) offline(w http.ResponseWriter, r *http.Request, c *call) error {
	if h.sendLimited(r, c) {
		return errLimited
	}
	var in chat.Offline
	if err := readJSON(w, r, chat.MaxBody, &in); err != nil {
		return err
	}
	id, err := h.o.Chat.LeaveMessage(r.Context(), c.widget, c.sess, in)
	if err != nil {
		return err
	}
	h.chatStarted(r)
	writeJSON(w, http.StatusCreated, map[string]any{"ticket": id})
	return nil
}
