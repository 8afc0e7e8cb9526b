package blob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/blob"
	"github.com/rapport/rapport/internal/blob/blobtest"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

func TestMain(m *testing.M) {
	blobtest.ServeIfHelper()
	os.Exit(m.Run())
}

func bucketStore(t *testing.T, db *store.DB, srv *blobtest.Server, clock jobs.Clock) *blob.Store {
	t.Helper()
	b, err := blob.NewBucket(srv.Opts("files"))
	if err != nil {
		t.Fatal(err)
	}
	return blob.NewStore(blob.Opts{DB: db, Clock: clock, Bucket: b, Jobs: jobs.New(db, clock, nil)})
}

func put(t *testing.T, db *store.DB, fn func(tx *sql.Tx) (blob.Ref, error)) blob.Ref {
	t.Helper()
	var ref blob.Ref
	if err := db.Tx(context.Background(), func(tx *sql.Tx) (err error) {
		ref, err = fn(tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return ref
}

func location(t *testing.T, db *store.DB, sum string) string {
	t.Helper()
	var loc string
	if err := db.R.QueryRow("SELECT location FROM blobs WHERE sha256 = $1", sum).Scan(&loc); err != nil {
		t.Fatal(err)
	}
	return loc
}

// With a bucket, bytes go to the bucket under their address and come back
// byte for byte, whole and from any offset; nothing is in blob_chunks;
// blobs stored in the database before stay readable.
func TestBucketRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := blobtest.Start(t, "files")
		old := content(blob.ChunkSize+5, 99)
		oldRef := put(t, db, func(tx *sql.Tx) (blob.Ref, error) { return blob.New(db, nil).PutBytesTx(ctx, tx, old) })

		s := bucketStore(t, db, srv, nil)
		for i, n := range []int{0, 1, blob.ChunkSize + 1, 6<<20 + 3} {
			data := content(n, uint64(i))
			ref := put(t, db, func(tx *sql.Tx) (blob.Ref, error) { return s.PutTx(ctx, tx, bytes.NewReader(data)) })
			again := put(t, db, func(tx *sql.Tx) (blob.Ref, error) { return s.PutBytesTx(ctx, tx, data) })
			if again != ref || ref.SHA256 != blob.Sum(data) || ref.Size != int64(n) {
				t.Fatalf("%d bytes: refs %+v and %+v", n, ref, again)
			}
			if loc := location(t, db, ref.SHA256); loc != blob.InBucket && n > 0 {
				t.Fatalf("%d bytes stored in %q", n, loc)
			}
			r, err := s.Open(ctx, ref.SHA256)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("%d bytes: read %d, %v", n, len(got), err)
			}
			if n > 10 {
				off := int64(n - 7)
				if _, err := r.Seek(off, io.SeekStart); err != nil {
					t.Fatal(err)
				}
				tail, err := io.ReadAll(r)
				if err != nil || !bytes.Equal(tail, data[off:]) {
					t.Fatalf("%d bytes from %d: %q, %v", n, off, tail, err)
				}
			}
			r.Close()
		}
		if n := count(t, db, "blob_chunks"); n != 3 {
			t.Errorf("blob_chunks has %d rows, want the old blob's 2 and the empty one", n)
		}
		if got := len(srv.Objects(t, "files")); got != 3 {
			t.Errorf("%d objects in the bucket, want 3 (an empty blob is in the database)", got)
		}
		r, err := s.Open(ctx, oldRef.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if got, err := io.ReadAll(r); err != nil || !bytes.Equal(got, old) {
			t.Fatalf("the blob stored in the database before the bucket: %d bytes, %v", len(got), err)
		}
		// A bucket blob without a bucket configured says so.
		data := content(10, 1)
		if _, err := blob.New(db, nil).Open(ctx, blob.Sum(data)); err == nil || !strings.Contains(err.Error(), "no") {
			t.Errorf("opening a bucket blob without a bucket: %v", err)
		}
	})
}

// An upload whose transaction rolls back leaves an object no row names;
// the sweep keeps it while it may still be committed (Grace) and removes
// it after, never touching an object a row names or one that is not a
// blob address. A deleted blob's object goes by the job ForgetTx queues.
func TestBucketOrphans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := blobtest.Start(t, "files")
		clock := jobs.NewFakeClock(time.Now())
		b, err := blob.NewBucket(srv.Opts("files"))
		if err != nil {
			t.Fatal(err)
		}
		q := jobs.New(db, clock, nil)
		s := blob.NewStore(blob.Opts{DB: db, Clock: clock, Bucket: b, Jobs: q})
		if err := s.Schedule(ctx); err != nil {
			t.Fatal(err)
		}
		kept := put(t, db, func(tx *sql.Tx) (blob.Ref, error) { return s.PutBytesTx(ctx, tx, []byte("kept")) })
		lost := errors.New("the row is not written")
		var orphan blob.Ref
		err = db.Tx(ctx, func(tx *sql.Tx) (err error) {
			if orphan, err = s.PutTx(ctx, tx, strings.NewReader("rolled back")); err != nil {
				return err
			}
			return lost
		})
		if !errors.Is(err, lost) {
			t.Fatal(err)
		}
		if _, err := s.Open(ctx, orphan.SHA256); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the rolled-back blob: %v", err)
		}
		if _, err := srv.Backend.PutObject("files", "notes/readme.txt", nil, strings.NewReader("not ours"), 8, nil); err != nil {
			t.Fatal(err)
		}
		if got := len(srv.Objects(t, "files")); got != 3 {
			t.Fatalf("%d objects, want the kept, the orphan and the stranger", got)
		}
		if n, err := s.Sweep(ctx); err != nil || n != 0 {
			t.Fatalf("a sweep within the grace period removed %d, %v", n, err)
		}
		// The hourly job, due once the grace period has passed.
		clock.Advance(blob.Grace + time.Minute)
		if n, err := q.RunDue(ctx); err != nil || n != 1 {
			t.Fatalf("ran %d due jobs, %v; want the sweep", n, err)
		}
		if info, err := q.GetByKey(ctx, blob.JobSweep); err != nil || info.Status != "pending" {
			t.Fatalf("the next sweep: %+v, %v", info, err)
		}
		objs := strings.Join(srv.Objects(t, "files"), " ")
		if strings.Contains(objs, orphan.SHA256) || !strings.Contains(objs, kept.SHA256) || !strings.Contains(objs, "notes/readme.txt") {
			t.Fatalf("left in the bucket: %s", objs)
		}

		// A delete: the row goes, the job after the commit removes the object.
		if err := db.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, "DELETE FROM blobs WHERE sha256 = $1", kept.SHA256); err != nil {
				return err
			}
			return s.ForgetTx(ctx, tx, kept.SHA256)
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := q.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if objs := strings.Join(srv.Objects(t, "files"), " "); strings.Contains(objs, kept.SHA256) {
			t.Fatalf("the deleted blob's object is still there: %s", objs)
		}
	})
}

// A 25 MB file goes to the bucket and comes back without being held whole:
// the server runs in another process, and this one allocates a fraction
// of the file's size to store and to read it.
func TestBucketLargeFileStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("25 MB")
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := blobtest.StartProcess(t, "files")
		s := bucketStore(t, db, srv, nil)
		const size = 25 << 20
		src := &generated{n: size}
		want := sha256.New()
		runtime.GC()
		var before, mid, after runtime.MemStats
		runtime.ReadMemStats(&before)
		ref := put(t, db, func(tx *sql.Tx) (blob.Ref, error) { return s.PutTx(ctx, tx, io.TeeReader(src, want)) })
		runtime.ReadMemStats(&mid)
		r, err := s.Open(ctx, ref.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		got := sha256.New()
		n, err := io.Copy(got, r)
		r.Close()
		runtime.ReadMemStats(&after)
		if err != nil || n != size || ref.SHA256 != hex.EncodeToString(want.Sum(nil)) || hex.EncodeToString(got.Sum(nil)) != ref.SHA256 {
			t.Fatalf("read %d bytes, %v; ref %+v; sent %x, read %x", n, err, ref, want.Sum(nil), got.Sum(nil))
		}
		up, down := mid.TotalAlloc-before.TotalAlloc, after.TotalAlloc-mid.TotalAlloc
		t.Logf("25 MiB: storing allocated %d bytes, reading %d", up, down)
		// Holding the file whole would allocate at least its size.
		if !raceOn && (up > size/2 || down > size/2) {
			t.Errorf("storing allocated %d bytes and reading %d, for a %d-byte file: not streamed", up, down, size)
		}
	})
}

// generated yields n pseudo-random bytes without holding them.
type generated struct {
	n, off int
	x      uint64
}

func (g *generated) Read(p []byte) (int, error) {
	if g.off >= g.n {
		return 0, io.EOF
	}
	p = p[:min(len(p), g.n-g.off)]
	for i := range p {
		g.x = g.x*6364136223846793005 + 1442695040888963407
		p[i] = byte(g.x >> 56)
	}
	g.off += len(p)
	return len(p), nil
}

// Check tells an operator what is wrong with the bucket.
func TestBucketCheck(t *testing.T) {
	srv := blobtest.Start(t, "files")
	cases := []struct {
		name string
		opts func(o *blob.BucketOpts)
		want string
	}{
		{"ready", func(o *blob.BucketOpts) {}, ""},
		{"missing bucket", func(o *blob.BucketOpts) { o.Bucket = "nothere" }, `bucket "nothere" does not exist`},
		{"refused key", func(o *blob.BucketOpts) { o.AccessKey = "someone-else" }, "refused the credentials"},
		{"unreachable", func(o *blob.BucketOpts) { o.Endpoint = "127.0.0.1:1" }, "cannot be reached"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := srv.Opts("files")
			tc.opts(&o)
			b, err := blob.NewBucket(o)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			got := b.Check(ctx)
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Fatalf("Check: %q, want %q", got, tc.want)
			}
			if strings.Contains(got, blobtest.SecretKey) {
				t.Fatalf("the message shows the secret: %q", got)
			}
		})
	}
}

// Malformed settings are refused before anything is sent, each by name.
func TestBucketOptsCheck(t *testing.T) {
	good := blob.BucketOpts{Endpoint: "s3.example.com", Bucket: "rapport-files", AccessKey: "k", SecretKey: "s"}
	cases := []struct {
		name string
		opts func(o *blob.BucketOpts)
		want string
	}{
		{"good", func(o *blob.BucketOpts) {}, ""},
		{"with prefix", func(o *blob.BucketOpts) { o.Prefix = "rapport/files/" }, ""},
		{"scheme", func(o *blob.BucketOpts) { o.Endpoint = "https://s3.example.com" }, "--s3-endpoint"},
		{"path", func(o *blob.BucketOpts) { o.Endpoint = "s3.example.com/x" }, "--s3-endpoint"},
		{"bucket", func(o *blob.BucketOpts) { o.Bucket = "Bad_Bucket" }, "--s3-bucket"},
		{"no bucket", func(o *blob.BucketOpts) { o.Bucket = "" }, "--s3-bucket"},
		{"no secret", func(o *blob.BucketOpts) { o.SecretKey = "" }, "--s3-access-key"},
		{"prefix", func(o *blob.BucketOpts) { o.Prefix = "/abs//x" }, "--s3-prefix"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := good
			tc.opts(&o)
			err := o.Check()
			if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("Check: %v, want %q", err, tc.want)
			}
		})
	}
}
