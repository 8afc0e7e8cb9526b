package web

import (
	"context"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/i18n"
)

// agentsByName lists the agents in the order a reader of lang expects
// names (the store orders them by lower(name), which is byte order in
// SQLite).
func (s *server) agentsByName(ctx context.Context, lang string) ([]agent.Agent, error) {
	list, err := s.agents.List(ctx)
	if err != nil {
		return nil, err
	}
	i18n.SortNames(lang, list, func(a agent.Agent) string { return a.Name })
	return list, nil
}

// teamsByName lists the teams in the order a reader of lang expects names.
func (s *server) teamsByName(ctx context.Context, lang string) ([]agent.Team, error) {
	list, err := s.agents.ListTeams(ctx)
	if err != nil {
		return nil, err
	}
	i18n.SortNames(lang, list, func(t agent.Team) string { return t.Name })
	return list, nil
}
