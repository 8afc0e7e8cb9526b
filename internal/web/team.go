package web

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/goals"
)

// teamKudos is how many kudos the team page shows.
const teamKudos = 60

// teamView is the data of the team page.
type teamView struct {
	Kudos     []goals.Kudos
	From, To  time.Time // the leaderboard's month so far
	Boards    []goals.Board
	OnBoard   bool // the signed-in agent opted in
	Agents    []agent.Agent
	MaxKudos  int
	Message   string
	ToAgentID int64
}

// teamPage serves GET /team, open to every agent: the recognition the team
// earned (customers' kind words, goals met, saves, colleagues' thanks),
// the form to thank a colleague and the opt-in leaderboard of the month.
// It first collects the kudos earned since the last visit; collecting is
// idempotent, so concurrent visits add nothing twice.
func (s *server) teamPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderTeam(w, r, rc, teamView{}, nil)
}

func (s *server) renderTeam(w http.ResponseWriter, r *http.Request, rc *reqCtx, v teamView, prob *problem) error {
	ctx := r.Context()
	if _, err := s.goals.Collect(ctx); err != nil {
		// The page still shows what was collected before.
		s.log.Warn("kudos not collected", slog.Any("error", err))
	}
	var err error
	if v.Kudos, err = s.goals.Kudos(ctx, 0, teamKudos); err != nil {
		return err
	}
	if v.From, v.To, v.Boards, err = s.goals.Leaderboard(ctx); err != nil {
		return err
	}
	if v.OnBoard, err = s.goals.OnLeaderboard(ctx, rc.me.ID); err != nil {
		return err
	}
	all, err := s.agentsByName(ctx, rc.lang)
	if err != nil {
		return err
	}
	for _, a := range all {
		if a.Active && a.ID != rc.me.ID {
			v.Agents = append(v.Agents, a)
		}
	}
	v.MaxKudos = goals.MaxKudosMessage
	p := s.newPage(w, r, rc, "team.title")
	p.Nav = "team"
	status := http.StatusOK
	if prob != nil {
		p.Problem, p.Form, status = prob, r.PostForm, prob.Status
	}
	p.Data = v
	s.render(w, r, status, "team", p)
	return nil
}

// teamKudosGive serves POST /team/kudos: the signed-in agent thanks a
// colleague with a short message.
func (s *server) teamKudosGive(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	to, _ := strconv.ParseInt(r.PostForm.Get("to"), 10, 64)
	msg := r.PostForm.Get("message")
	if _, err := s.goals.Give(r.Context(), rc.me.ID, to, msg); err != nil {
		prob, ok := s.asProblem(rc.lang, "kudos", err)
		if !ok {
			return err
		}
		for field := range prob.Fields {
			if key := "kudos.err." + field; s.cat.T(rc.lang, key) != key {
				prob.Fields[field] = s.cat.T(rc.lang, key, goals.MaxKudosMessage)
			}
		}
		return s.renderTeam(w, r, rc, teamView{Message: msg, ToAgentID: to}, prob)
	}
	s.setFlash(w, "flash.kudos_sent")
	redirect(w, r, "/team")
	return nil
}

// leaderboardSave serves POST /preferences/leaderboard: the agent chooses
// whether to appear on the team page's leaderboard.
func (s *server) leaderboardSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	on := r.PostForm.Get("leaderboard") == "on"
	if err := s.goals.SetLeaderboard(r.Context(), rc.me.ID, on); err != nil {
		return err
	}
	s.setFlash(w, "flash.leaderboard_saved")
	redirect(w, r, "/preferences")
	return nil
}
