package web

import (
	"context"
	"slices"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/quality"
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

// rubricsByName lists the QA rubrics, active ones first, each group in the
// order a reader of lang expects names.
func (s *server) rubricsByName(ctx context.Context, lang string) ([]quality.Rubric, error) {
	list, err := s.reviews.Rubrics(ctx)
	if err != nil {
		return nil, err
	}
	byName := i18n.NameOrder(lang)
	slices.SortStableFunc(list, func(a, b quality.Rubric) int {
		if a.Active != b.Active {
			if a.Active {
				return -1
			}
			return 1
		}
		return byName(a.Name, b.Name)
	})
	return list, nil
}
