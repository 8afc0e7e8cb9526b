package ticket

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"slices"
	"testing"

	"github.com/rapport/rapport/internal/seed"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestSeedBackfill seeds a few hundred tickets with several messages each
// (internal/seed, as `rapport bench seed` does), builds the search index
// with the backfill (batched writes on PostgreSQL), and checks that the
// word seeded into one message body finds its ticket alone, an absent word
// nothing, and that every document the backfill wrote is the one the
// ticket's own change writes (IndexTicket, one document at a time).
func TestSeedBackfill(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r, err := seed.Run(ctx, db, seed.Opts{Tickets: 450, Messages: 2000})
		if err != nil {
			t.Fatal(err)
		}
		if r.Messages != 2000 || r.RareTicket == 0 {
			t.Fatalf("seeded %d messages, rare word in ticket %d", r.Messages, r.RareTicket)
		}
		svc := seededService(db)
		if err := svc.BackfillSearch(ctx, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string][]int64{seed.RareWord: {r.RareTicket}, seed.AbsentWord: {}} {
			p, err := svc.List(ctx, ListOptions{View: ViewAll, Query: q})
			if err != nil {
				t.Fatal(err)
			}
			got := []int64{}
			for _, tk := range p.Tickets {
				got = append(got, tk.ID)
			}
			if !slices.Equal(got, want) {
				t.Errorf("search %q found %v, want %v", q, got, want)
			}
		}
		docs := func() []string {
			q := "SELECT d.ref_id || '|' || d.language || '|' || f.title || '|' || f.body || '|' || f.extra FROM search_docs d JOIN search_fts f ON f.rowid = d.id ORDER BY d.ref_id"
			if db.Dialect == store.Postgres {
				q = "SELECT d.ref_id || '|' || d.language || '|' || f.cfg || '|' || f.title || '|' || f.body || '|' || f.extra || '|' || f.tsv::text FROM search_docs d JOIN search_fts f ON f.doc_id = d.id ORDER BY d.ref_id"
			}
			rows, err := db.R.QueryContext(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					t.Fatal(err)
				}
				out = append(out, s)
			}
			return out
		}
		backfilled := docs()
		if len(backfilled) != 450 {
			t.Fatalf("%d documents, want 450", len(backfilled))
		}
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			for id := int64(1); id <= 450; id++ {
				if err := svc.idx.IndexTicket(ctx, tx, id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if one := docs(); !slices.Equal(one, backfilled) {
			for i := range one {
				if one[i] != backfilled[i] {
					t.Fatalf("document %d: backfill wrote\n%s\nIndexTicket writes\n%s", i, backfilled[i], one[i])
				}
			}
		}
	})
}
