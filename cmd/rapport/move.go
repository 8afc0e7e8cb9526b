package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/app"
	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/export"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
)

// moveCmd is `rapport move --to postgres://…`: a SQLite installation (the
// database with its files, and files earlier versions kept in the
// attachments folder) copied into a new, empty PostgreSQL database, every
// table's count checked. The SQLite database is only read.
func moveCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var to, attachDir string
	cfg, _, err := config.FilesFromArgs("move", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&to, "to", "", "the PostgreSQL database to move to (required), postgres://…; it must hold no data")
		fs.StringVar(&attachDir, "attachments-dir", "", "the folder where versions before the shared file store kept attachments, if any")
	})
	if err != nil {
		return err
	}
	if to == "" {
		return errors.New("move: --to is required (postgres://user@host/db)")
	}
	if !strings.HasPrefix(to, "postgres://") && !strings.HasPrefix(to, "postgresql://") {
		return fmt.Errorf("move: --to must be a PostgreSQL address (postgres://…), not %q", to)
	}
	if strings.HasPrefix(cfg.DB, "postgres://") || strings.HasPrefix(cfg.DB, "postgresql://") {
		return fmt.Errorf("move: --db is PostgreSQL already; move copies a SQLite database")
	}
	if st, err := os.Stat(cfg.DB); err != nil || !st.Mode().IsRegular() {
		return fmt.Errorf("move: no SQLite database at %s (give it with --db)", cfg.DB)
	}
	src, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := store.Open(ctx, to)
	if err != nil {
		return fmt.Errorf("move: open the target: %w", err)
	}
	defer dst.Close()
	// Both at the same schema version, this Rapport's.
	if err := src.Migrate(ctx); err != nil {
		return err
	}
	if err := dst.Migrate(ctx); err != nil {
		return fmt.Errorf("move: migrate the target: %w", err)
	}
	work, err := os.MkdirTemp("", "rapport-move-")
	if err != nil {
		return fmt.Errorf("move: %w", err)
	}
	defer os.RemoveAll(work)
	// Files the SQLite server kept in a bucket (--s3-*) are read from it
	// and arrive in the target database.
	bucket, err := app.BucketOf(cfg)
	if err != nil {
		return err
	}
	start := time.Now()
	counts, err := export.MoveWith(ctx, src, dst, work, time.Now(), bucket)
	if errors.Is(err, export.ErrNotEmpty) {
		return fmt.Errorf("move: the target database is not empty; move into a new, empty PostgreSQL database (%w)", err)
	}
	for _, c := range counts {
		mark := "ok"
		if c.Source != c.Target {
			mark = "DIFFERS"
		}
		fmt.Fprintf(stdout, "  %-28s %8d → %8d  %s\n", c.Table, c.Source, c.Target, mark)
	}
	if err != nil {
		return fmt.Errorf("move: %w", err)
	}
	if attachDir != "" {
		copied, missing, err := attachment.New(dst, attachment.Dir{Path: attachDir}, jobs.SystemClock{}).CopyLegacy(ctx)
		fmt.Fprintf(stdout, "%d files from %s copied into the target, %d not found\n", copied, attachDir, missing)
		if err != nil {
			return fmt.Errorf("move: files from %s: %w", attachDir, err)
		}
	}
	fmt.Fprintf(stdout, "moved %s to PostgreSQL: %d tables, every count checked, in %s\n", cfg.DB, len(counts), time.Since(start).Round(time.Millisecond))
	fmt.Fprintln(stdout, "start the server with --db set to the PostgreSQL address; the search index is rebuilt when it starts")
	return nil
}
