package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/rapport/rapport/internal/app"
	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/export"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
)

// exportCmd is `rapport export`: every table of the database as JSON lines
// in a folder, attachments included, for `rapport import rapport`.
func exportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var to string
	cfg, _, err := config.FilesFromArgs("export", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&to, "to", "", "the folder to write the export to (required); made if absent, else it must be empty")
	})
	if err != nil {
		return err
	}
	if to == "" {
		return errors.New("export: --to is required")
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	// Files the server keeps in a bucket are read from it into the export.
	bucket, err := app.BucketOf(cfg)
	if err != nil {
		return err
	}
	start := time.Now()
	m, err := export.ExportWith(ctx, db, to, time.Now(), bucket)
	if errors.Is(err, export.ErrDirNotEmpty) {
		return fmt.Errorf("export: %s is not empty; choose a new or empty folder for --to", to)
	}
	if err != nil {
		return err
	}
	if err := recordExport(ctx, db, to, m); err != nil {
		return fmt.Errorf("export: written to %s, but %w", to, err)
	}
	fmt.Fprintf(stdout, "exported to %s: schema version %d, %d tables, %s in %s\n", to, m.SchemaVersion, len(m.Tables),
		countsText(m.Tables), time.Since(start).Round(time.Millisecond))
	return nil
}

// recordExport writes a finished export to the audit log: done from the
// command line (no agent; the OS account in the address), the folder
// written, the schema version and every table's row count.
func recordExport(ctx context.Context, db *store.DB, to string, m export.Manifest) error {
	if abs, err := filepath.Abs(to); err == nil {
		to = abs
	}
	return audit.New(db, jobs.SystemClock{}).Record(cliContext(ctx), audit.Entry{Action: "export", TargetKind: "database",
		TargetID: to, After: map[string]any{"by": "command line: rapport export", "schema_version": m.SchemaVersion,
			"tables": m.Tables}})
}

// importRapportCmd is `rapport import rapport`: an export restored into a
// new, migrated database.
func importRapportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var from string
	cfg, _, err := config.DBFromArgs("import rapport", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "the folder `rapport export` wrote (required)")
	})
	if err != nil {
		return err
	}
	if from == "" {
		return errors.New("import rapport: --from is required")
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	start := time.Now()
	m, err := export.Import(ctx, db, from)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %s (exported %s from %s): %d tables, %s in %s; counts match the manifest\n",
		from, m.ExportedAt.Format(time.RFC3339), m.Dialect, len(m.Tables), countsText(m.Tables), time.Since(start).Round(time.Millisecond))
	fmt.Fprintln(stdout, "the search index is rebuilt when the server next starts")
	return nil
}

// countsText names the counts people look for first.
func countsText(n map[string]int64) string {
	return fmt.Sprintf("%d tickets, %d messages, %d customers, %d files", n["tickets"], n["messages"], n["customers"], n["blobs"])
}
