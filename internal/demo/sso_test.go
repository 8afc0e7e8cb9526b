package demo

import (
	"context"
	"testing"

	"github.com/rapport/rapport/internal/sso"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestDemoSSO: the demo has an example provider with role rules, switched
// off, so /admin/sso shows one filled in and the login page no button.
func TestDemoSSO(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		generate(t, db, 3, 20, 60)
		agents, _, _ := services(db)
		s := sso.New(sso.Opts{DB: db, Agents: agents})
		list, err := s.List(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Active || len(list[0].Rules) != 3 || !list[0].JIT {
			t.Fatalf("demo providers %+v: want one example, switched off, with three role rules", list)
		}
		if links, _ := s.Links(context.Background()); len(links) != 0 {
			t.Errorf("the login page offers %v", links)
		}
	})
}
