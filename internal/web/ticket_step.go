package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// inboxCookie remembers the inbox view (or search) an agent last listed,
// so that the ticket page can step to the previous and next ticket of that
// list in its order, and lead back to it. A cookie rather than a query on
// every ticket link: the ticket page's forms redirect to the plain ticket
// URL, and the order must survive them.
const inboxCookie = "rapport_inbox"

// stepPages bounds how many pages of the list ticketStep reads looking for
// the current ticket; past them it is treated as not in the list.
const stepPages = 10

// rememberInbox keeps the list just shown (action "/" or "/search" with
// its filters, without the page cursor) for the ticket page.
func (s *server) rememberInbox(w http.ResponseWriter, action string, f inboxFilters) {
	http.SetCookie(w, &http.Cookie{Name: inboxCookie, Value: url.QueryEscape(action + "?" + f.query("").Encode()),
		Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure})
}

// inboxOrder reads the remembered list: its action and filters. Without a
// cookie, or with one that does not parse, it is the inbox's default view.
func inboxOrder(r *http.Request) (string, inboxFilters) {
	def := inboxFilters{View: ticket.ViewMine, Sort: "updated"}
	c, err := r.Cookie(inboxCookie)
	if err != nil {
		return "/", def
	}
	raw, err := url.QueryUnescape(c.Value)
	if err != nil {
		return "/", def
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Path != "/" && u.Path != "/search") || u.Host != "" || u.Scheme != "" {
		return "/", def
	}
	errs := valid.Fields{}
	f := parseInboxFilters(u.Query(), errs)
	if errs.Err() != nil {
		return "/", def
	}
	f.Cursor = ""
	if u.Path == "/search" {
		f.View = ticket.ViewAll
	} else if f.View == "" {
		f.View = ticket.ViewMine
	}
	return u.Path, f
}

// inboxOrderURL is the remembered list as a link, rebuilt from its parsed
// filters so that the cookie can only ever lead to an inbox page.
func inboxOrderURL(r *http.Request) string {
	return inboxLink(inboxOrder(r))
}

// inboxLink is the list of action with filters f, its first page.
func inboxLink(action string, f inboxFilters) string {
	q := f.query("")
	if action == "/" && f.View == ticket.ViewMine {
		q.Del("view")
	}
	if len(q) == 0 {
		return action
	}
	return action + "?" + q.Encode()
}

// ticketNext serves GET /tickets/{id}/next: the ticket after this one in
// the remembered inbox list.
func (s *server) ticketNext(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.ticketStep(w, r, rc, 1)
}

// ticketPrevious serves GET /tickets/{id}/previous: the ticket before
// this one in the remembered inbox list.
func (s *server) ticketPrevious(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.ticketStep(w, r, rc, -1)
}

// ticketStep redirects to the ticket one step (+1 next, -1 previous) from
// ticket id in the remembered list. A ticket that has left the list (it
// was solved, or someone took it) steps to the top of the list, the next
// one waiting; at either end of the list the agent goes back to the list
// with a word that there is no further ticket.
func (s *server) ticketStep(w http.ResponseWriter, r *http.Request, rc *reqCtx, step int) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	if _, err := s.tickets.Get(ctx, id); err != nil {
		return err
	}
	action, f := inboxOrder(r)
	o := ticket.ListOptions{
		View: f.View, ViewerID: rc.me.ID, Status: ticket.Status(f.Status), Priority: f.Priority,
		Kind: f.Kind, Channel: f.Channel, Language: f.Language, TeamID: f.TeamID, OwnerID: f.OwnerID,
		Tag: f.Tag, Query: f.Query, Sort: f.Sort, Limit: ticket.MaxLimit,
	}
	var first, before int64 // the list's first ticket other than id; the one before id
	found := false
	for range stepPages {
		page, err := s.tickets.List(ctx, o)
		if err != nil {
			var verrs valid.Errors
			if errors.As(err, &verrs) {
				break // a remembered filter no longer valid: as if not in the list
			}
			return err
		}
		for _, t := range page.Tickets {
			switch {
			case t.ID == id:
				if step < 0 {
					return s.stepTo(w, r, before, action, f, "flash.no_previous_ticket")
				}
				found = true
			case found:
				http.Redirect(w, r, ticketURL(t.ID), http.StatusSeeOther)
				return nil
			default:
				if first == 0 {
					first = t.ID
				}
				before = t.ID
			}
		}
		if page.NextCursor == "" {
			break
		}
		o.Cursor = page.NextCursor
	}
	if found {
		return s.stepTo(w, r, 0, action, f, "flash.no_next_ticket")
	}
	return s.stepTo(w, r, first, action, f, "flash.no_ticket_waiting")
}

// stepTo redirects to ticket id, or when there is none back to the list
// with the flash message key.
func (s *server) stepTo(w http.ResponseWriter, r *http.Request, id int64, action string, f inboxFilters, key string) error {
	if id != 0 {
		http.Redirect(w, r, ticketURL(id), http.StatusSeeOther)
		return nil
	}
	s.setFlash(w, key)
	http.Redirect(w, r, inboxLink(action, f), http.StatusSeeOther)
	return nil
}
