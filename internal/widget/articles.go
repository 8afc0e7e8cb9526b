package widget

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/kb"
)

// Limits of the article suggestions, per address.
const (
	suggestsPerAddr = 120 // searches of an address in a minute (one per pause in typing)
	opensPerAddr    = 30  // articles opened by an address in a minute
	maxSuggestions  = 3
	minQuery        = 3   // characters typed before anything is searched
	maxQuery        = 200 // characters of a query searched
)

// article is one suggestion as the widget shows it: a title and the help
// center's address of the article, relative to the server.
type article struct {
	Title    string `json:"title"`
	Slug     string `json:"slug"`
	Language string `json:"lang"`
	Path     string `json:"path"`
}

// languages are the help center's languages and its default, as the
// contact form's suggestions have them.
func (h *Handler) languages(ctx context.Context) ([]string, string) {
	if h.o.Languages != nil {
		return h.o.Languages.Served(ctx)
	}
	return nil, i18n.Default
}

// kbLanguage is the help center's language for a visitor of w who asked
// for asked: the chat's language when the help center is in it, else the
// business's default.
func (h *Handler) kbLanguage(ctx context.Context, c *call, asked string) (lang, def string) {
	served, def := h.languages(ctx)
	lang = h.o.Chat.Language(c.widget, asked)
	if len(served) > 0 && !slices.Contains(served, lang) {
		lang = def
	}
	return lang, def
}

// articles serves GET …/articles?lang=&q=: up to three published public
// articles matching what the visitor is typing before the chat starts,
// found by the help center's search (and, when it finds nothing, by the
// related articles of the longest words, as on the contact form).
func (h *Handler) articles(w http.ResponseWriter, r *http.Request, c *call) error {
	if h.o.KB == nil {
		writeJSON(w, http.StatusOK, map[string]any{"articles": []article{}})
		return nil
	}
	if !h.allow(r.Context(), "chat-kb:"+c.addr, suggestsPerAddr, time.Minute) {
		return errLimited
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if utf8.RuneCountInString(q) > maxQuery {
		q = string([]rune(q)[:maxQuery])
	}
	lang, def := h.kbLanguage(r.Context(), c, r.URL.Query().Get("lang"))
	out := []article{}
	if utf8.RuneCountInString(q) >= minQuery {
		query := kb.Query{Text: q, Language: lang, Default: def, Limit: maxSuggestions}
		res, err := h.o.KB.Search(r.Context(), query)
		if err != nil {
			return err
		}
		hits := res.Hits
		if len(hits) == 0 {
			if hits, err = h.o.KB.Related(r.Context(), query); err != nil {
				return err
			}
		}
		for _, hit := range hits {
			if hit.Internal {
				continue // never to the public, whatever the search gave
			}
			out = append(out, article{Title: hit.Title, Slug: hit.Slug, Language: lang,
				Path: "/help/" + url.PathEscape(lang) + "/articles/" + url.PathEscape(hit.Slug)})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"articles": out, "language": lang})
	return nil
}

// validVisitor reports whether v is a widget's deflection key: 32 to 64
// lowercase hex digits, made at random by the widget and kept in the
// site's localStorage.
func validVisitor(v string) bool {
	if len(v) < 32 || len(v) > 64 {
		return false
	}
	for _, r := range v {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

// opened serves POST …/articles/opened {"lang","slug","visitor"}: the
// visitor opened a suggested article. Unless the same visitor then starts
// the chat (a message sent with ?kb=visitor), it counts as a deflection by
// the widget in the help center's report.
func (h *Handler) opened(w http.ResponseWriter, r *http.Request, c *call) error {
	if h.o.KB == nil {
		return errNotFound
	}
	if r.Header.Get("Origin") == "" {
		return errOrigin // sent by a page; a browser always names its origin on a POST
	}
	if !h.allow(r.Context(), "chat-kb-open:"+c.addr, opensPerAddr, time.Minute) {
		return errLimited
	}
	var in struct {
		Lang    string `json:"lang"`
		Slug    string `json:"slug"`
		Visitor string `json:"visitor"`
	}
	if err := readJSON(w, r, 1024, &in); err != nil {
		return err
	}
	if !validVisitor(in.Visitor) {
		return errBadInput
	}
	lang, def := h.kbLanguage(r.Context(), c, in.Lang)
	page, err := h.o.KB.Read(r.Context(), in.Slug, lang, def, false)
	if errors.Is(err, kb.ErrNotFound) {
		return errNotFound
	}
	if err != nil {
		return err
	}
	if err := h.o.KB.Opened(r.Context(), page.TranslationID, in.Visitor, kb.FromWidget); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// chatStarted records that the visitor of ?kb= started the chat (or left
// a message): the articles they opened before did not deflect them. A
// failure is logged, never the visitor's problem.
func (h *Handler) chatStarted(r *http.Request) {
	v := r.URL.Query().Get("kb")
	if h.o.KB == nil || !validVisitor(v) {
		return
	}
	if err := h.o.KB.ContactSent(r.Context(), v); err != nil {
		h.o.Log.Warn("widget deflection not closed", "error", err)
	}
}
