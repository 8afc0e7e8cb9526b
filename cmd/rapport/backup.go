package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/rapport/rapport/internal/blob"
	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/store"
)

// backupCmd is `rapport backup`: a consistent, checked copy of a SQLite
// database, taken while `rapport serve` keeps writing to it.
func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var to string
	var force bool
	cfg, _, err := config.DBFromArgs("backup", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&to, "to", "", "the file to write the backup to (required); it must not exist unless --force")
		fs.BoolVar(&force, "force", false, "replace the --to file if it exists")
	})
	if err != nil {
		return err
	}
	if to == "" {
		return errors.New("backup: --to is required")
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	rep, err := db.Backup(ctx, to, store.BackupOpts{Force: force})
	if errors.Is(err, store.ErrBackupNotSQLite) {
		return fmt.Errorf("backup: the database is PostgreSQL; take a consistent copy of it, while the server runs, with pg_dump:\n"+
			"  pg_dump --format=custom --file=%s '%s'\nand restore it into an empty database with: pg_restore --dbname=DSN %s", to, cfg.DB, to)
	}
	if errors.Is(err, store.ErrBackupExists) {
		return fmt.Errorf("backup: %s already exists; choose another --to or add --force to replace it", to)
	}
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Fprintf(stdout, "backed up to %s: %s, schema version %d, integrity ok\n", rep.Path, sizeText(rep.Bytes), rep.SchemaVersion)
	fmt.Fprintf(stdout, "%d tickets, %d messages, %d customers (%d tables) in %s\n",
		rep.Rows["tickets"], rep.Rows["messages"], rep.Rows["customers"], len(rep.Rows), took.Round(time.Millisecond))
	// Files kept in a bucket are not in the file (a database before
	// migration 0056 has none, and no column to count them by).
	if n, err := blob.New(db, nil).InBucket(ctx); err == nil && n > 0 {
		fmt.Fprintf(stdout, "%d files are kept in the S3 bucket, not in this backup: back the bucket up with its own tools, "+
			"or use rapport export, which copies them\n", n)
	}
	return nil
}

// sizeText writes a byte count for people: 812 B, 3.4 MiB.
func sizeText(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
