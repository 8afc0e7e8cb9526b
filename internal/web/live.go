package web

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/rapport/rapport/internal/realtime"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// liveStream serves GET /live, the signed-in agent's stream of changes
// (a WebSocket, else Server-Sent Events): kinds and ids only, filtered to
// what the agent may see; the page script fetches the rest through the
// fragments below and the pages themselves.
func (s *server) liveStream(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.live.Stream(w, r, realtime.ForAgent(rc.me.ID)); err != nil {
		// Stream has answered the client; this is only worth a note.
		s.log.Debug("live stream", "agent_id", rc.me.ID, slog.Any("error", err))
	}
	return nil
}

// inboxRow serves GET /inbox/rows/{id}?<the inbox's filters>: the ticket's
// row as the inbox with those filters shows it, or 204 No Content when the
// ticket is not (or no longer) in that view, so that the live inbox adds,
// moves or removes it with the server's own template.
func (s *server) inboxRow(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	errs := valid.Fields{}
	f := parseInboxFilters(r.URL.Query(), errs)
	if f.View == "" {
		f.View = ticket.ViewMine
	}
	if err := errs.Err(); err != nil {
		http.Error(w, "bad filters", http.StatusBadRequest)
		return nil
	}
	ctx := r.Context()
	page, err := s.tickets.List(ctx, ticket.ListOptions{
		ID: id, View: f.View, ViewerID: rc.me.ID, Status: ticket.Status(f.Status), Priority: f.Priority,
		Kind: f.Kind, Channel: f.Channel, Language: f.Language, TeamID: f.TeamID, OwnerID: f.OwnerID,
		Tag: f.Tag, Query: f.Query, Sort: f.Sort, Limit: 1,
	})
	if err != nil {
		if _, ok := s.asProblem(rc.lang, "filters", err); ok {
			http.Error(w, "bad filters", http.StatusBadRequest)
			return nil
		}
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	if len(page.Tickets) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	v := inboxView{F: f, Tickets: page.Tickets}
	if v.Standings, err = s.standings(ctx, page.Tickets); err != nil {
		return err
	}
	if v.Promised, err = s.nextPromises(ctx, page.Tickets); err != nil {
		return err
	}
	p := s.newPage(w, r, rc, "inbox.title")
	p.ShowSLA = s.slaActive(ctx)
	p.Data = v
	var buf bytes.Buffer
	if err := s.pages["inbox"].ExecuteTemplate(&buf, "ticketRow", map[string]any{"P": p, "T": page.Tickets[0]}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err = w.Write(buf.Bytes())
	return err
}

// notificationsBadge serves GET /notifications/badge: the header's unread
// count as shown ("" for none) and its label, for the live badge.
func (s *server) notificationsBadge(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p := &page{s: s, Lang: rc.lang, Unread: s.unreadCount(r, rc)}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(map[string]string{"badge": p.UnreadBadge(), "title": s.cat.T(rc.lang, "notif.unread")})
}

// LiveOn reports whether the page opens a live connection: an agent's
// page on a server with a broker.
func (p *page) LiveOn() bool { return p.s.live != nil && p.Me != nil }
