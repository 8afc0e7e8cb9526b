package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/rapport/rapport/internal/survey"
	"github.com/rapport/rapport/internal/valid"
)

// pulseAnswer serves POST /pulse/{id}: the agent's anonymous answers. A
// skipped statement stays unanswered; out-of-range values bring the form
// back (400); a second answer is refused (409).
func (s *server) pulseAnswer(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f := r.PostForm
	a := survey.PulseAnswer{Scores: map[string]*int{}, Obstacles: f.Get(survey.PulseObstacles)}
	errs := map[string]string{}
	conflict := false
	for _, q := range survey.PulseScales {
		v := strings.TrimSpace(f.Get(q))
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 5 {
			errs[q] = s.cat.T(rc.lang, "pulse.err.scale")
			continue
		}
		a.Scores[q] = &n
	}
	if len(errs) == 0 {
		err = s.surveys.AnswerPulse(r.Context(), rc.me.ID, id, a)
		var ve valid.Errors
		switch {
		case err == nil:
			// No log line names the agent with the pulse: the answer is anonymous.
			s.setFlash(w, "flash.pulse_answered")
			redirect(w, r, "/")
			return nil
		case errors.Is(err, survey.ErrAnswered):
			errs["pulse"], conflict = s.cat.T(rc.lang, "pulse.err.answered"), true
		case errors.As(err, &ve):
			for field := range ve {
				switch field {
				case survey.PulseObstacles:
					errs[field] = s.cat.T(rc.lang, "pulse.err.too_long", survey.MaxPulseObstacles)
				case "pulse":
					errs[field] = s.cat.T(rc.lang, "pulse.err.empty")
				default:
					errs[field] = s.cat.T(rc.lang, "pulse.err.scale")
				}
			}
		default:
			return err // not asked or closed: not found
		}
	}
	p, err := s.surveys.Pulse(r.Context(), id)
	if err != nil {
		return err
	}
	status := http.StatusBadRequest
	if conflict {
		status = http.StatusConflict
	}
	given := map[string]string{survey.PulseObstacles: f.Get(survey.PulseObstacles)}
	for _, q := range survey.PulseScales {
		given[q] = f.Get(q)
	}
	s.renderPulse(w, r, rc, status, pulseView{Pulse: p, Errors: errs, Submitted: given})
	return nil
}
