package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/blob"
	"github.com/rapport/rapport/internal/blob/blobtest"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// A SQLite installation whose server kept files in a bucket: `rapport
// export` with the --s3-* settings carries every file's bytes (the bucket's
// and the database's) into the folder, which imports into a database that
// has no bucket and serves them; without the settings the export stops and
// says which are missing. `rapport move` to PostgreSQL copies them too.
func TestExportAndMoveCopyBucketFiles(t *testing.T) {
	ctx := context.Background()
	srv := blobtest.Start(t, "files")
	dir := t.TempDir()
	srcPath := filepath.Join(dir, "rapport.db")
	src, err := store.Open(ctx, srcPath)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if err := src.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	bucket, err := blob.NewBucket(srv.Opts("files"))
	if err != nil {
		t.Fatal(err)
	}
	inDB := bytes.Repeat([]byte("kept in the database "), 20000) // two chunks
	inBucket := make([]byte, 600<<10+7)
	for i := range inBucket {
		inBucket[i] = byte(i * 31)
	}
	err = src.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := blob.New(src, nil).PutBytesTx(ctx, tx, inDB); err != nil {
			return err
		}
		_, err := blob.NewStore(blob.Opts{DB: src, Bucket: bucket}).PutBytesTx(ctx, tx, inBucket)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := srv.Objects(t, "files"); len(got) != 1 {
		t.Fatalf("the bucket holds %v", got)
	}
	s3 := []string{"--s3-endpoint", srv.Endpoint, "--s3-bucket", "files", "--s3-access-key", blobtest.AccessKey,
		"--s3-secret-key", blobtest.SecretKey, "--s3-tls=false"}

	var out, errOut bytes.Buffer
	err = exportCmd(ctx, []string{"--db", srcPath, "--to", filepath.Join(dir, "no-bucket")}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "--s3-endpoint") {
		t.Fatalf("export without the bucket's settings: %v", err)
	}
	folder := filepath.Join(dir, "export")
	if err := exportCmd(ctx, append([]string{"--db", srcPath, "--to", folder}, s3...), &out, &errOut); err != nil {
		t.Fatalf("export: %v\n%s", err, errOut.String())
	}
	check := func(t *testing.T, db *store.DB) {
		t.Helper()
		s := blob.New(db, nil) // no bucket: every file is in the database now
		for _, want := range [][]byte{inDB, inBucket} {
			r, err := s.Open(ctx, blob.Sum(want))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			r.Close()
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("a file of %d bytes came back as %d, %v", len(want), len(got), err)
			}
		}
	}
	imported := filepath.Join(dir, "imported.db")
	if err := importRapportCmd(ctx, []string{"--db", imported, "--from", folder}, &out, &errOut); err != nil {
		t.Fatalf("import: %v\n%s", err, errOut.String())
	}
	db, err := store.Open(ctx, imported)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	check(t, db)

	t.Run("move", func(t *testing.T) {
		pg := storetest.PostgresDSN(t)
		out.Reset()
		if err := moveCmd(ctx, append([]string{"--db", srcPath, "--to", pg}, s3...), &out, &errOut); err != nil {
			t.Fatalf("move: %v\n%s%s", err, out.String(), errOut.String())
		}
		if strings.Contains(out.String(), "DIFFERS") {
			t.Fatalf("a count differs:\n%s", out.String())
		}
		dst, err := store.Open(ctx, pg)
		if err != nil {
			t.Fatal(err)
		}
		defer dst.Close()
		check(t, dst)
	})
}
