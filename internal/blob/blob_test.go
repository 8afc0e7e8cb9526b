package blob_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/rapport/rapport/internal/blob"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

func content(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func count(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.R.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Every size around the chunk boundaries comes back byte for byte, whether
// it was stored from memory or streamed, and the same content is stored
// once.
func TestRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := blob.New(db, nil)
		sizes := []struct {
			name string
			n    int
		}{
			{"empty", 0}, {"one byte", 1}, {"chunk less one", blob.ChunkSize - 1}, {"one chunk", blob.ChunkSize},
			{"chunk and one", blob.ChunkSize + 1}, {"three chunks and some", 3*blob.ChunkSize + 17},
		}
		for i, tc := range sizes {
			t.Run(tc.name, func(t *testing.T) {
				data := content(tc.n, uint64(i))
				var fromBytes, streamed blob.Ref
				err := db.Tx(ctx, func(tx *sql.Tx) (err error) {
					fromBytes, err = s.PutBytesTx(ctx, tx, data)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				blobs := count(t, db, "blobs")
				err = db.Tx(ctx, func(tx *sql.Tx) (err error) {
					streamed, err = s.PutTx(ctx, tx, bytes.NewReader(data))
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				if streamed != fromBytes || fromBytes.SHA256 != blob.Sum(data) || fromBytes.Size != int64(tc.n) {
					t.Fatalf("streamed %+v, from memory %+v", streamed, fromBytes)
				}
				if got := count(t, db, "blobs"); got != blobs {
					t.Fatalf("the same content stored again: %d blobs, was %d", got, blobs)
				}
				r, err := s.Open(ctx, fromBytes.SHA256)
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(r)
				r.Close()
				if err != nil || !bytes.Equal(got, data) || r.Size() != int64(tc.n) {
					t.Fatalf("read %d bytes (%v), want %d", len(got), err, tc.n)
				}
			})
		}
		// New content streamed is stored once, whole.
		data := content(2*blob.ChunkSize+5, 99)
		var ref blob.Ref
		if err := db.Tx(ctx, func(tx *sql.Tx) (err error) { ref, err = s.PutTx(ctx, tx, bytes.NewReader(data)); return err }); err != nil {
			t.Fatal(err)
		}
		var chunks int
		if err := db.R.QueryRow("SELECT count(*) FROM blob_chunks WHERE blob_id = $1", ref.ID).Scan(&chunks); err != nil {
			t.Fatal(err)
		}
		if chunks != 3 || ref.SHA256 != blob.Sum(data) {
			t.Fatalf("%d chunks, ref %+v", chunks, ref)
		}
	})
}

// A reader seeks to any byte, across chunks, as HTTP ranges need.
func TestSeek(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := blob.New(db, nil)
		data := content(3*blob.ChunkSize+100, 3)
		var ref blob.Ref
		if err := db.Tx(ctx, func(tx *sql.Tx) (err error) { ref, err = s.PutBytesTx(ctx, tx, data); return err }); err != nil {
			t.Fatal(err)
		}
		r, err := s.Open(ctx, ref.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		cases := []struct {
			name   string
			off    int64
			whence int
			at     int64
			n      int
		}{
			{"start", 0, io.SeekStart, 0, 10},
			{"across a boundary", blob.ChunkSize - 5, io.SeekStart, blob.ChunkSize - 5, 10},
			{"back into the first chunk", 7, io.SeekStart, 7, blob.ChunkSize},
			{"from the end", -50, io.SeekEnd, int64(len(data)) - 50, 50},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				pos, err := r.Seek(tc.off, tc.whence)
				if err != nil || pos != tc.at {
					t.Fatalf("seek to %d: %d, %v", tc.at, pos, err)
				}
				got := make([]byte, tc.n)
				if _, err := io.ReadFull(r, got); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, data[tc.at:tc.at+int64(tc.n)]) {
					t.Fatalf("bytes at %d differ", tc.at)
				}
			})
		}
		if _, err := r.Seek(-1, io.SeekStart); err == nil {
			t.Fatal("seek before the start accepted")
		}
		r.Seek(0, io.SeekEnd)
		if n, err := r.Read(make([]byte, 4)); n != 0 || err != io.EOF {
			t.Fatalf("read at the end: %d, %v", n, err)
		}
	})
}

// A transaction that rolls back leaves no blob and no chunk; an unknown
// address is not found.
func TestRollbackAndMissing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := blob.New(db, nil)
		boom := errors.New("boom")
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := s.PutTx(ctx, tx, bytes.NewReader(content(blob.ChunkSize+1, 5))); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if b, c := count(t, db, "blobs"), count(t, db, "blob_chunks"); b != 0 || c != 0 {
			t.Fatalf("rolled back, yet %d blobs and %d chunks", b, c)
		}
		if _, err := s.Open(ctx, blob.Sum([]byte("never stored"))); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("open of an unknown blob: %v", err)
		}
		if ok, err := s.Has(ctx, blob.Sum([]byte("never stored"))); ok || err != nil {
			t.Fatalf("has an unknown blob: %v %v", ok, err)
		}
	})
}
