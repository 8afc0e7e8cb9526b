package web

import (
	"net/http"
	"strings"

	"github.com/rapport/rapport/internal/ticket"
)

// ticketTags serves POST /tickets/{id}/tags: the whole tag list, comma
// separated.
func (s *server) ticketTags(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.ticketAction(w, r, rc, "tags", "flash.tags_saved", func(id int64) error {
		tags := splitComma(r.PostForm.Get("tags"))
		_, err := s.tickets.Update(r.Context(), ticket.AgentActor(rc.me.ID), id, ticket.Update{Tags: &tags})
		return err
	})
}

// splitComma splits a comma-separated list, dropping blanks.
func splitComma(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
