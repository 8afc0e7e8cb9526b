package web

import (
	"net/http"

	"github.com/rapport/rapport/internal/routing"
)

// adminRoutingSave serves POST /admin/sla/routing: the business's choice of
// who is served first among waiting tickets, shown on the SLA admin page.
func (s *server) adminRoutingSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	st := routing.Settings{RegularsFirst: r.PostFormValue("regulars_first") == "on"}
	if _, err := s.router.SaveSettings(r.Context(), st); err != nil {
		return err
	}
	s.log.Info("routing settings saved", "by_agent_id", rc.me.ID, "regulars_first", st.RegularsFirst)
	s.setFlash(w, "flash.routing_saved")
	redirect(w, r, "/admin/sla#routing")
	return nil
}
