package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/rapport/rapport/internal/business"
	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/store"
)

const metricsUsage = `usage: rapport metrics rebuild [flags]

Rebuilds the metrics rollups (dashboard, digest, goals) from the tickets, in
the business's time zone, in the foreground: the same rebuild a server runs
in the background when the zone changes, a small batch of tickets per
transaction, so a server using the same database keeps serving meanwhile.
Progress is stored after every batch: stopped, it goes on from there with
--resume, or by itself when a server starts.
`

// metricsCmd runs "rapport metrics rebuild".
func metricsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "rebuild" {
		fmt.Fprint(stderr, metricsUsage)
		return errors.New("metrics: want rebuild")
	}
	cfg := config.Default()
	fs := flag.NewFlagSet("metrics rebuild", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.RegisterDB(fs)
	resume := fs.Bool("resume", false, "go on with a rebuild that was stopped rather than start from the first ticket")
	fs.Usage = func() {
		fmt.Fprint(stderr, metricsUsage+"\nSettings (flag, environment variable, default):\n")
		config.PrintSettings(stderr, fs)
	}
	if err := config.Parse(fs, args[1:], os.Getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("metrics rebuild: unexpected argument %q", fs.Arg(0))
	}
	if err := cfg.ValidateDB(); err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	clock := jobs.SystemClock{}
	biz := business.New(business.Opts{DB: db, Clock: clock})
	m := metrics.New(metrics.Opts{DB: db, Clock: clock, Log: slog.New(slog.DiscardHandler), Business: biz})
	shown := -1
	err = m.RunRebuild(ctx, !*resume, func(p metrics.Progress) {
		if pc := p.Percent(); pc/10 != shown/10 {
			shown = pc
			fmt.Fprintf(stdout, "%d%% (ticket %d of %d)\n", pc, p.Done, p.Total)
		}
	})
	if err != nil {
		return fmt.Errorf("metrics rebuild: %w (run it again with --resume to go on)", err)
	}
	loc, err := m.Zone(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "metrics rebuilt in the business's time zone, %s\n", loc)
	return nil
}
