package web

import (
	"net/http"

	"github.com/rapport/rapport/internal/i18n"
)

// adminSurveysPreview serves GET /admin/surveys/preview?lang=xx: the HTML
// part of the invitation as the customer sees it, for the settings page's
// frame. Mail clients need inline styles, so this one response allows
// them, and nothing else: no scripts, no remote content, framed only by
// Rapport's own pages.
func (s *server) adminSurveysPreview(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	lang := r.URL.Query().Get("lang")
	if !s.cat.Has(lang) {
		lang = i18n.Default
	}
	st, err := s.surveys.Settings(r.Context())
	if err != nil {
		return err
	}
	e := s.surveys.Preview(r.Context(), lang, st)
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src https:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.Write([]byte(e.HTML))
	return nil
}
