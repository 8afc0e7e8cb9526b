// Package blob keeps files' bytes where every node of a deployment reads
// them: in the database by default, in chunks of ChunkSize written inside
// the caller's transaction and read back one chunk at a time; or, when a
// bucket is configured, as objects of an S3-compatible bucket, uploaded
// before the caller's transaction commits and read back as a stream. No
// file is held whole in memory on the way in or out. A blob is addressed
// by the SHA-256 of its content; storing bytes that are already there
// stores nothing more. Every blob has a row in `blobs` saying where its
// bytes are, so one database holds both kinds (bucket.go, sweep.go).
package blob

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
)

// ChunkSize is the size of every chunk but a blob's last: 256 KiB, small
// enough to hold a few hundred at once, large enough that a 25 MB file is
// a hundred rows.
const ChunkSize = 256 << 10

//go:embed queries.sql
var queriesFS embed.FS

// Where a blob's bytes are: its row's location.
const (
	InDB     = "db" // blob_chunks
	InBucket = "s3" // the configured bucket
)

// Store reads and writes blobs in one database and, when configured, one
// bucket.
type Store struct {
	db     *store.DB
	clock  jobs.Clock
	q      store.Queries
	bucket *Bucket      // nil: new blobs go to the database
	jobs   *jobs.Queue  // removes objects after a delete commits; nil without a bucket
	log    *slog.Logger //
}

// Opts are a Store's dependencies.
type Opts struct {
	DB     *store.DB
	Clock  jobs.Clock   // nil: the system clock
	Bucket *Bucket      // nil: new blobs' bytes go to the database
	Jobs   *jobs.Queue  // with a bucket: runs the removal of objects (ForgetTx, Schedule)
	Log    *slog.Logger // nil: discarded
}

// New returns a Store over db that keeps new blobs in the database.
func New(db *store.DB, clock jobs.Clock) *Store {
	return NewStore(Opts{DB: db, Clock: clock})
}

// NewStore returns a Store as o says.
func NewStore(o Opts) *Store {
	if o.Clock == nil {
		o.Clock = jobs.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Store{db: o.DB, clock: o.Clock, q: store.MustLoadQueries(queriesFS, o.DB.Dialect),
		bucket: o.Bucket, jobs: o.Jobs, log: o.Log}
}

// Bucket is the bucket new blobs go to, nil when they go to the database.
func (s *Store) Bucket() *Bucket { return s.bucket }

// Ref names a stored blob.
type Ref struct {
	ID     int64
	SHA256 string // hex, the blob's address
	Size   int64
}

// Sum returns the address of data: its SHA-256 in hex.
func Sum(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// PutBytesTx stores data inside tx, unless a blob with the same content is
// stored already; either way it returns the blob's reference.
func (s *Store) PutBytesTx(ctx context.Context, tx *sql.Tx, data []byte) (Ref, error) {
	sum := Sum(data)
	if ref, err := s.findTx(ctx, tx, sum); err == nil {
		return ref, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return Ref{}, err
	}
	if s.bucket != nil && len(data) > 0 {
		return s.putObjectTx(ctx, tx, sum, bytes.NewReader(data), int64(len(data)))
	}
	var id int64
	if err := tx.QueryRowContext(ctx, s.q.Get("insert-blob"), sum, len(data), ChunkSize,
		store.Millis(s.clock.Now()), InDB).Scan(&id); err != nil {
		return Ref{}, fmt.Errorf("blob: insert: %w", err)
	}
	for off := 0; ; off += ChunkSize {
		end := min(off+ChunkSize, len(data))
		if _, err := tx.ExecContext(ctx, s.q.Get("insert-chunk"), id, off/ChunkSize, data[off:end]); err != nil {
			return Ref{}, fmt.Errorf("blob: chunk %d: %w", off/ChunkSize, err)
		}
		if end == len(data) {
			break
		}
	}
	return Ref{ID: id, SHA256: sum, Size: int64(len(data))}, nil
}

// PutTx stores what r yields inside tx, one chunk at a time, so that a
// file of any size takes ChunkSize of memory. The address is known only at
// the end: when the same content was stored before, the new copy is
// removed again in the same transaction and the old one returned.
//
// With a bucket, what r yields is spooled to a temporary file while its
// address is computed, then uploaded from the file under that address
// (in parts past 5 MiB) before the row is inserted.
func (s *Store) PutTx(ctx context.Context, tx *sql.Tx, r io.Reader) (Ref, error) {
	if s.bucket != nil {
		return s.spoolTx(ctx, tx, r)
	}
	var tmp [12]byte
	rand.Read(tmp[:])
	var id int64
	if err := tx.QueryRowContext(ctx, s.q.Get("insert-blob"), "pending-"+hex.EncodeToString(tmp[:]), 0, ChunkSize,
		store.Millis(s.clock.Now()), InDB).Scan(&id); err != nil {
		return Ref{}, fmt.Errorf("blob: insert: %w", err)
	}
	h := sha256.New()
	buf := make([]byte, ChunkSize)
	var size int64
	for seq := 0; ; seq++ {
		n, err := io.ReadFull(r, buf)
		if n > 0 || seq == 0 {
			h.Write(buf[:n])
			size += int64(n)
			if _, err := tx.ExecContext(ctx, s.q.Get("insert-chunk"), id, seq, buf[:n]); err != nil {
				return Ref{}, fmt.Errorf("blob: chunk %d: %w", seq, err)
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return Ref{}, fmt.Errorf("blob: read: %w", err)
		}
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if old, err := s.findTx(ctx, tx, sum); err == nil {
		if _, err := tx.ExecContext(ctx, s.q.Get("delete-chunks"), id); err != nil {
			return Ref{}, fmt.Errorf("blob: drop copy: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.q.Get("delete-blob"), id); err != nil {
			return Ref{}, fmt.Errorf("blob: drop copy: %w", err)
		}
		return old, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return Ref{}, err
	}
	if _, err := tx.ExecContext(ctx, s.q.Get("finish-blob"), id, sum, size); err != nil {
		return Ref{}, fmt.Errorf("blob: finish: %w", err)
	}
	return Ref{ID: id, SHA256: sum, Size: size}, nil
}

// spoolTx is PutTx with a bucket.
func (s *Store) spoolTx(ctx context.Context, tx *sql.Tx, r io.Reader) (Ref, error) {
	f, err := os.CreateTemp("", "rapport-blob-*")
	if err != nil {
		return Ref{}, fmt.Errorf("blob: spool: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	h := sha256.New()
	size, err := io.CopyBuffer(io.MultiWriter(f, h), r, make([]byte, 64<<10))
	if err != nil {
		return Ref{}, fmt.Errorf("blob: read: %w", err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if ref, err := s.findTx(ctx, tx, sum); err == nil {
		return ref, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return Ref{}, err
	}
	if size == 0 {
		// Nothing to upload: an empty blob is one empty chunk.
		return s.PutBytesTx(ctx, tx, []byte{})
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return Ref{}, fmt.Errorf("blob: spool: %w", err)
	}
	// The file itself, an io.ReaderAt, so that the parts are read from it
	// in place rather than buffered.
	return s.putObjectTx(ctx, tx, sum, f, size)
}

// putObjectTx uploads the blob's bytes, then records the blob in tx. An
// upload whose transaction then rolls back leaves an object no row names,
// which the sweep removes after Grace (sweep.go).
func (s *Store) putObjectTx(ctx context.Context, tx *sql.Tx, sum string, r io.Reader, size int64) (Ref, error) {
	if err := s.bucket.put(ctx, sum, r, size); err != nil {
		return Ref{}, err
	}
	var id int64
	if err := tx.QueryRowContext(ctx, s.q.Get("insert-blob"), sum, size, ChunkSize,
		store.Millis(s.clock.Now()), InBucket).Scan(&id); err != nil {
		return Ref{}, fmt.Errorf("blob: insert: %w", err)
	}
	return Ref{ID: id, SHA256: sum, Size: size}, nil
}

func (s *Store) findTx(ctx context.Context, tx *sql.Tx, sum string) (Ref, error) {
	ref := Ref{SHA256: sum}
	var chunk int64
	var loc string
	err := tx.QueryRowContext(ctx, s.q.Get("find-blob"), sum).Scan(&ref.ID, &ref.Size, &chunk, &loc)
	if errors.Is(err, sql.ErrNoRows) {
		return Ref{}, fmt.Errorf("blob: %s: %w", sum, store.ErrNotFound)
	}
	if err != nil {
		return Ref{}, fmt.Errorf("blob: find %s: %w", sum, err)
	}
	return ref, nil
}

// Has reports whether a blob with address sum is stored.
func (s *Store) Has(ctx context.Context, sum string) (bool, error) {
	var id, size, chunk int64
	var loc string
	err := s.db.R.QueryRowContext(ctx, s.q.Get("find-blob"), sum).Scan(&id, &size, &chunk, &loc)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("blob: find %s: %w", sum, err)
	}
	return true, nil
}

// Open returns a reader of the blob with address sum, or store.ErrNotFound.
// The reader can seek (for HTTP ranges); it holds one chunk at a time of a
// blob in the database, and streams one in the bucket from the offset read.
func (s *Store) Open(ctx context.Context, sum string) (*Reader, error) {
	r := &Reader{ctx: ctx, s: s, sum: sum}
	var loc string
	err := s.db.R.QueryRowContext(ctx, s.q.Get("find-blob"), sum).Scan(&r.id, &r.size, &r.chunk, &loc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("blob: %s: %w", sum, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("blob: open %s: %w", sum, err)
	}
	if r.chunk <= 0 {
		return nil, fmt.Errorf("blob: %s: chunk size %d", sum, r.chunk)
	}
	r.seq = -1
	if loc == InBucket {
		if s.bucket == nil {
			return nil, fmt.Errorf("blob: %s is in a bucket, and none is configured (--s3-endpoint, --s3-bucket)", sum)
		}
		r.bucket = s.bucket
	}
	return r, nil
}

// Reader reads one blob, one chunk at a time. It is an io.ReadSeekCloser.
type Reader struct {
	ctx   context.Context
	s     *Store
	sum   string
	id    int64
	size  int64
	chunk int64

	bucket  *Bucket       // the blob's bytes are there; nil: in the database
	body    io.ReadCloser // the object from bodyOff on, nil before the first Read
	bodyOff int64

	off int64  // the next byte Read returns
	seq int64  // the chunk in buf, -1 for none
	buf []byte // chunk seq
}

// Size is the blob's length in bytes.
func (r *Reader) Size() int64 { return r.size }

// Read reads from the current offset, loading the chunk that holds it.
func (r *Reader) Read(p []byte) (int, error) {
	if r.off >= r.size {
		return 0, io.EOF
	}
	if r.bucket != nil {
		return r.readObject(p)
	}
	seq := r.off / r.chunk
	if seq != r.seq {
		r.buf = r.buf[:0]
		if err := r.s.db.R.QueryRowContext(r.ctx, r.s.q.Get("get-chunk"), r.id, seq).Scan(&r.buf); err != nil {
			r.seq = -1
			return 0, fmt.Errorf("blob: %d chunk %d: %w", r.id, seq, err)
		}
		r.seq = seq
	}
	start := r.off - seq*r.chunk
	if start >= int64(len(r.buf)) {
		return 0, fmt.Errorf("blob: %d chunk %d is short: %w", r.id, seq, io.ErrUnexpectedEOF)
	}
	n := copy(p, r.buf[start:])
	r.off += int64(n)
	return n, nil
}

// Seek sets the offset of the next Read.
func (r *Reader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.off
	case io.SeekEnd:
		offset += r.size
	default:
		return 0, errors.New("blob: seek: bad whence")
	}
	if offset < 0 {
		return 0, errors.New("blob: seek: negative position")
	}
	r.off = offset
	return offset, nil
}

// readObject reads from the bucket: one request from the offset on, read
// as a stream, made again only after a Seek elsewhere.
func (r *Reader) readObject(p []byte) (int, error) {
	if r.body == nil || r.bodyOff != r.off {
		if r.body != nil {
			r.body.Close()
			r.body = nil
		}
		body, err := r.bucket.get(r.ctx, r.sum, r.off)
		if err != nil {
			return 0, err
		}
		r.body, r.bodyOff = body, r.off
	}
	n, err := r.body.Read(p[:min(int64(len(p)), r.size-r.off)])
	r.off += int64(n)
	r.bodyOff += int64(n)
	if errors.Is(err, io.EOF) {
		if r.off < r.size {
			return n, fmt.Errorf("blob: %s ends at %d of %d bytes in the bucket: %w", r.sum, r.off, r.size, io.ErrUnexpectedEOF)
		}
		err = nil
	}
	if err != nil {
		return n, fmt.Errorf("blob: read %s: %w", r.sum, err)
	}
	return n, nil
}

// Close releases the chunk or the connection held.
func (r *Reader) Close() error {
	r.buf = nil
	if r.body != nil {
		err := r.body.Close()
		r.body = nil
		return err
	}
	return nil
}
