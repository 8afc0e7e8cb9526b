package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/rapport/rapport/internal/app"
	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/store"
)

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, _, err := config.FromArgs("serve", args, stderr, nil)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	if cfg.PprofAddr != "" {
		if err := servePprof(ctx, cfg.PprofAddr, log); err != nil {
			return err
		}
	}
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	// Starting up (templates, translations, language models, migrations)
	// leaves twice the heap it keeps as garbage; give it back to the
	// system rather than carry it while idle, once serving (a full
	// collection and the return of the pages need not hold the start).
	go func() {
		select {
		case <-a.Serving():
			debug.FreeOSMemory()
		case <-ctx.Done():
		}
	}()
	return a.Run(ctx)
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, _, err := config.DBFromArgs("migrate", args, stderr, nil)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	before, err := db.Pending(ctx)
	if err != nil {
		// A new database has no schema_migrations table yet.
		before = -1
	}
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	ms, _ := store.Migrations(db.Dialect)
	if before >= 0 {
		fmt.Fprintf(stdout, "applied %d migration(s); schema at version %d (%s)\n", before, ms[len(ms)-1].Version, db.Dialect)
	} else {
		fmt.Fprintf(stdout, "schema at version %d (%s)\n", ms[len(ms)-1].Version, db.Dialect)
	}
	return nil
}

func version(stdout io.Writer) error {
	_, err := fmt.Fprintf(stdout, "rapport %s\n", app.Version)
	return err
}
