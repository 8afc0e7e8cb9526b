package demo

import (
	"context"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/business"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestDemoNeedsNoSetup: the demo saves its own business, plainly a demo,
// serving every language, and has an admin, so it never shows the setup.
func TestDemoNeedsNoSetup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		generate(t, db, 1, 20, 30)
		ctx := context.Background()
		p, err := business.New(business.Opts{DB: db, Languages: i18n.Supported}).Profile(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !p.SetUp || !strings.Contains(p.Name, "(demo)") || p.Location().String() != "Europe/Rome" || len(p.Languages) != 5 ||
			p.Signature == "" || p.RegisterOf("it") != business.Formal {
			t.Fatalf("demo profile = %+v", p)
		}
		if has, err := agent.New(db, jobs.SystemClock{}).HasAdmin(ctx); err != nil || !has {
			t.Fatalf("the demo has no admin: %v", err)
		}
	})
}
