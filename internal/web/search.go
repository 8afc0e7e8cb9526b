package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// search serves GET /search?q=: a ticket number goes straight to that
// ticket; anything else is a full-text search (search.Parse's syntax) over
// subjects, messages, notes, customers' names, addresses and phones,
// best match first with the passage that matched, with the inbox's
// filters.
func (s *server) search(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	errs := valid.Fields{}
	f := parseInboxFilters(r.URL.Query(), errs)
	f.View = ticket.ViewAll
	if strings.TrimSpace(r.URL.Query().Get("sort")) == "" {
		f.Sort = "relevance"
	}
	if n, err := strconv.ParseInt(strings.TrimPrefix(f.Query, "#"), 10, 64); err == nil && n > 0 && f.Cursor == "" {
		_, err := s.tickets.Get(r.Context(), n)
		switch {
		case err == nil:
			http.Redirect(w, r, "/tickets/"+strconv.FormatInt(n, 10), http.StatusSeeOther)
			return nil
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
	}
	return s.renderInbox(w, r, rc, "/search", f, errs)
}
