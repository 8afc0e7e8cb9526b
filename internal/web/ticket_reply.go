package web

import (
	"net/http"

	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// ticketReply serves POST /tickets/{id}/reply: a public reply to the
// customer (To, Cc, the files chosen; multipart when there are files),
// optionally setting the ticket pending or solved at once.
func (s *server) ticketReply(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.ticketAction(w, r, rc, "reply", "flash.replied", func(id int64) error {
		st := ticket.Status(r.PostForm.Get("set_status"))
		if st != "" && st != ticket.Pending && st != ticket.Solved {
			return valid.Field("set_status", valid.Msg("valid.choice", "must be one of pending, solved"))
		}
		files, err := postedFiles(r, "attachments")
		if err != nil {
			return err
		}
		_, err = s.tickets.ReplyWith(r.Context(), ticket.AgentActor(rc.me.ID), id, ticket.ReplyDraft{
			Body: r.PostForm.Get("body"), SetStatus: st,
			To: r.PostForm.Get("to"), Cc: r.PostForm.Get("cc"), Files: files,
		})
		return err
	})
}
