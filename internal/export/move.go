package export

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/blob"
	"github.com/rapport/rapport/internal/store"
)

// TableCount is one table's rows in the source's snapshot and, after a
// move, in the target.
type TableCount struct {
	Table  string
	Source int64
	Target int64
}

// Move copies every table of src into dst, a migrated database with no
// data of its own (ErrNotEmpty otherwise, checked before anything is
// read): `rapport move`, the way from SQLite to PostgreSQL. It exports
// src through work (an empty folder it may fill; attachments travel as
// the blobs tables' rows), imports that into dst in one transaction, then
// counts every table of dst again, after the commit, against the
// source's snapshot. A count that differs is an error naming the table.
func Move(ctx context.Context, src, dst *store.DB, work string, now time.Time) ([]TableCount, error) {
	return MoveWith(ctx, src, dst, work, now, nil)
}

// MoveWith is Move for a source whose files may be in bucket (ExportWith):
// they arrive in dst's database.
func MoveWith(ctx context.Context, src, dst *store.DB, work string, now time.Time, bucket *blob.Bucket) ([]TableCount, error) {
	if err := CheckEmpty(ctx, dst); err != nil {
		return nil, err
	}
	dir := filepath.Join(work, "export")
	m, err := ExportWith(ctx, src, dir, now, bucket)
	if err != nil {
		return nil, err
	}
	if _, err := Import(ctx, dst, dir); err != nil {
		return nil, err
	}
	var out []TableCount
	var wrong []string
	for t, n := range m.Tables {
		var have int64
		if err := dst.R.QueryRowContext(ctx, "SELECT count(*) FROM "+ident(t)).Scan(&have); err != nil {
			return nil, fmt.Errorf("export: count %s in the target: %w", t, err)
		}
		out = append(out, TableCount{Table: t, Source: n, Target: have})
		if have != n {
			wrong = append(wrong, fmt.Sprintf("%s: %d rows, the source had %d", t, have, n))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Table < out[j].Table })
	if len(wrong) > 0 {
		sort.Strings(wrong)
		return out, fmt.Errorf("export: the target's counts differ: %s", strings.Join(wrong, "; "))
	}
	return out, os.RemoveAll(dir)
}

// CheckEmpty returns ErrNotEmpty (wrapped, naming what it found) unless
// db holds no agents, customers, tickets or messages.
func CheckEmpty(ctx context.Context, db *store.DB) error {
	var found []string
	for _, t := range ownData {
		var n int64
		if err := db.R.QueryRowContext(ctx, "SELECT count(*) FROM "+ident(t)).Scan(&n); err != nil {
			return fmt.Errorf("export: count %s: %w", t, err)
		}
		if n > 0 {
			found = append(found, fmt.Sprintf("%s: %d", t, n))
		}
	}
	if len(found) > 0 {
		return fmt.Errorf("export: the database holds rows (%s): %w", strings.Join(found, ", "), ErrNotEmpty)
	}
	return nil
}
