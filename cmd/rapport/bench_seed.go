package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/rapport/rapport/internal/business"
	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/search"
	"github.com/rapport/rapport/internal/seed"
	"github.com/rapport/rapport/internal/store"
)

const benchSeedUsage = `usage: rapport bench seed --db DB --tickets N [--messages M] [flags]

Fills a database with synthetic tickets for benchmarks: 20 agents, 4
teams, N/4 customers (example.com emails, every third with a +000 phone
number), N tickets spread over max(30, N/900) days ending now (or --end),
M messages in all (about M/N a ticket, in five languages, with common and
rare words), one "created" event a ticket and some tags; written straight
in SQL, in large batches. One message body holds the word "quetzalcoatl"
(its ticket is printed); no message holds "xylophonist". On PostgreSQL
it then runs ANALYZE. Then, unless --index=false, the product's own paths
index it: the search backfill and the metrics rebuild, as on an upgraded
database (with --index=false, "rapport serve" does both in the background
when it starts). Progress and the time of each step are printed. The
database is migrated first and must hold no tickets (a fresh "rapport
setup" is fine); seeding is meant for a database of its own, never one
with real data.
`

// benchSeedCmd runs "rapport bench seed".
func benchSeedCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Default()
	fs := flag.NewFlagSet("bench seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.RegisterDB(fs)
	tickets := fs.Int("tickets", 10000, "tickets to make")
	messages := fs.Int("messages", 0, "messages in all, at least one a ticket; 0 for five a ticket")
	index := fs.Bool("index", true, "build the search index and the metrics rollups afterwards")
	endAt := fs.String("end", "", "the newest ticket's moment, YYYY-MM-DD or RFC 3339; empty for now")
	fs.Usage = func() {
		fmt.Fprint(stderr, benchSeedUsage+"\nSettings (flag, environment variable, default):\n")
		config.PrintSettings(stderr, fs)
	}
	if err := config.Parse(fs, args, os.Getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("bench seed: unexpected argument %q", fs.Arg(0))
	}
	if err := cfg.ValidateDB(); err != nil {
		return err
	}
	end := time.Now().UTC()
	if *endAt != "" {
		t, err := time.Parse(time.RFC3339, *endAt)
		if err != nil {
			d, derr := time.Parse(time.DateOnly, *endAt)
			if derr != nil {
				return fmt.Errorf("bench seed: --end %q: want YYYY-MM-DD or an RFC 3339 time", *endAt)
			}
			t = d.Add(12 * time.Hour)
		}
		end = t.UTC()
	}
	if *messages == 0 {
		*messages = 5 * *tickets
	}
	if *tickets <= 0 || *messages < *tickets {
		return errors.New("bench seed: --tickets must be positive and --messages at least --tickets")
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	var have int
	if err := db.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM tickets LIMIT 1) t").Scan(&have); err != nil {
		return err
	}
	if have > 0 {
		return errors.New("bench seed: the database already has tickets; seed an empty one")
	}
	began := time.Now()
	say := func(msg string) { fmt.Fprintf(stdout, "%s %s\n", time.Now().UTC().Format("15:04:05"), msg) }
	r, err := seed.Run(ctx, db, seed.Opts{Tickets: *tickets, Messages: *messages, End: end, Progress: say})
	if err != nil {
		return fmt.Errorf("bench seed: %w", err)
	}
	if db.Dialect == store.Postgres {
		// What autovacuum does after a bulk load, at once: without
		// statistics the planner's estimates are off by orders of
		// magnitude and the backfill's queries were JIT-compiled, 1.3 s
		// a batch of 200 tickets.
		t0 := time.Now()
		if _, err := db.W.ExecContext(ctx, "ANALYZE"); err != nil {
			return fmt.Errorf("bench seed: %w", err)
		}
		say(fmt.Sprintf("ANALYZE: %v", time.Since(t0).Round(time.Millisecond)))
	}
	if r.RareTicket != 0 {
		say(fmt.Sprintf("the word %q is in one message, of ticket %d", seed.RareWord, r.RareTicket))
	}
	if !*index {
		say(fmt.Sprintf("seeded in %v; the server indexes it when it starts", time.Since(began).Round(time.Second)))
		return nil
	}
	t0 := time.Now()
	log := slog.New(slog.NewTextHandler(stdout, nil))
	if err := search.New(db).Backfill(ctx, log); err != nil {
		return fmt.Errorf("bench seed: %w", err)
	}
	say(fmt.Sprintf("search index (backfill): %v", time.Since(t0).Round(time.Millisecond)))
	t0 = time.Now()
	clock := jobs.SystemClock{}
	biz := business.New(business.Opts{DB: db, Clock: clock})
	m := metrics.New(metrics.Opts{DB: db, Clock: clock, Log: slog.New(slog.DiscardHandler), Business: biz})
	shown := -1
	err = m.RunRebuild(ctx, true, func(p metrics.Progress) {
		if pc := p.Percent(); pc/10 != shown/10 {
			shown = pc
			say(fmt.Sprintf("metrics rebuild %d%% (ticket %d of %d)", pc, p.Done, p.Total))
		}
	})
	if err != nil {
		return fmt.Errorf("bench seed: %w", err)
	}
	say(fmt.Sprintf("metrics rollups (rebuild): %v", time.Since(t0).Round(time.Millisecond)))
	if db.Dialect == store.Postgres {
		t0 = time.Now()
		if _, err := db.W.ExecContext(ctx, "VACUUM ANALYZE"); err != nil {
			return fmt.Errorf("bench seed: %w", err)
		}
		say(fmt.Sprintf("VACUUM ANALYZE: %v", time.Since(t0).Round(time.Millisecond)))
	}
	say(fmt.Sprintf("done in %v", time.Since(began).Round(time.Second)))
	return nil
}
