// Package blob keeps files' bytes in the database, where every node of a
// deployment reads them: in chunks of ChunkSize, written inside the
// caller's transaction and read back one chunk at a time, so that no file
// is held whole in memory on the way in or out. A blob is addressed by the
// SHA-256 of its content; storing bytes that are already there stores
// nothing more.
package blob

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
)

// ChunkSize is the size of every chunk but a blob's last: 256 KiB, small
// enough to hold a few hundred at once, large enough that a 25 MB file is
// a hundred rows.
const ChunkSize = 256 << 10

//go:embed queries.sql
var queriesFS embed.FS

// Store reads and writes blobs in one database.
type Store struct {
	db    *store.DB
	clock jobs.Clock
	q     store.Queries
}

// New returns a Store over db.
func New(db *store.DB, clock jobs.Clock) *Store {
	if clock == nil {
		clock = jobs.SystemClock{}
	}
	return &Store{db: db, clock: clock, q: store.MustLoadQueries(queriesFS, db.Dialect)}
}

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
	var id int64
	if err := tx.QueryRowContext(ctx, s.q.Get("insert-blob"), sum, len(data), ChunkSize,
		store.Millis(s.clock.Now())).Scan(&id); err != nil {
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
func (s *Store) PutTx(ctx context.Context, tx *sql.Tx, r io.Reader) (Ref, error) {
	var tmp [12]byte
	rand.Read(tmp[:])
	var id int64
	if err := tx.QueryRowContext(ctx, s.q.Get("insert-blob"), "pending-"+hex.EncodeToString(tmp[:]), 0, ChunkSize,
		store.Millis(s.clock.Now())).Scan(&id); err != nil {
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

func (s *Store) findTx(ctx context.Context, tx *sql.Tx, sum string) (Ref, error) {
	ref := Ref{SHA256: sum}
	var chunk int64
	err := tx.QueryRowContext(ctx, s.q.Get("find-blob"), sum).Scan(&ref.ID, &ref.Size, &chunk)
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
	err := s.db.R.QueryRowContext(ctx, s.q.Get("find-blob"), sum).Scan(&id, &size, &chunk)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("blob: find %s: %w", sum, err)
	}
	return true, nil
}

// Open returns a reader of the blob with address sum, or store.ErrNotFound.
// The reader holds one chunk at a time and can seek (for HTTP ranges).
func (s *Store) Open(ctx context.Context, sum string) (*Reader, error) {
	r := &Reader{ctx: ctx, s: s}
	err := s.db.R.QueryRowContext(ctx, s.q.Get("find-blob"), sum).Scan(&r.id, &r.size, &r.chunk)
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
	return r, nil
}

// Reader reads one blob, one chunk at a time. It is an io.ReadSeekCloser.
type Reader struct {
	ctx   context.Context
	s     *Store
	id    int64
	size  int64
	chunk int64

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

// Close releases the chunk held.
func (r *Reader) Close() error {
	r.buf = nil
	return nil
}
