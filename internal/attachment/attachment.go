// Package attachment keeps the files that come with messages: the bytes in
// the database as chunked blobs (internal/blob), which every node reads,
// their metadata in the attachments table. Files that earlier versions
// kept in a local folder are still read from there until `rapport
// attachments copy` has moved them into the database.
package attachment

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/rapport/rapport/internal/blob"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
)

// Store keeps attachment bytes under a key outside the database: the
// folder of earlier versions, read for files not yet copied in.
type Store interface {
	// Put stores data and returns its key; storing the same bytes twice is
	// harmless.
	Put(ctx context.Context, data []byte) (string, error)
	// Open returns the bytes stored under key.
	Open(ctx context.Context, key string) (io.ReadSeekCloser, error)
}

// Dir is a Store in a local folder, content-addressed by SHA-256, so that a
// message stored twice, or a retried transaction, leaves one file.
type Dir struct {
	Path string
}

// Put writes data to the folder, atomically.
func (d Dir) Put(_ context.Context, data []byte) (string, error) {
	sum := sha256.Sum256(data)
	key := hex.EncodeToString(sum[:])
	p := d.path(key)
	if _, err := os.Stat(p); err == nil {
		return key, nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", fmt.Errorf("attachment: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".put-*")
	if err != nil {
		return "", fmt.Errorf("attachment: %w", err)
	}
	_, werr := tmp.Write(data)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("attachment: %w", err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("attachment: %w", err)
	}
	return key, nil
}

// Open opens the file stored under key.
func (d Dir) Open(_ context.Context, key string) (io.ReadSeekCloser, error) {
	if len(key) != 64 || strings.Trim(key, "0123456789abcdef") != "" {
		return nil, fmt.Errorf("attachment: key %q: %w", key, store.ErrNotFound)
	}
	f, err := os.Open(d.path(key))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("attachment: %s: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("attachment: %w", err)
	}
	return f, nil
}

func (d Dir) path(key string) string {
	return filepath.Join(d.Path, key[:2], key[2:4], key)
}

// File is a new attachment.
type File struct {
	Filename    string
	ContentType string
	ContentID   string
	Inline      bool
	Data        []byte
}

// Attachment is a stored attachment's metadata.
type Attachment struct {
	ID          int64
	MessageID   int64
	Filename    string
	ContentType string
	Size        int64
	SHA256      string
	ContentID   string
	Inline      bool
	Key         string
}

//go:embed queries.sql
var queriesFS embed.FS

// Service stores and lists attachments.
type Service struct {
	db     *store.DB
	blobs  *blob.Store
	legacy Store // nil: no folder of earlier versions
	clock  jobs.Clock
	q      store.Queries
}

// New returns a Service that keeps new files in the database and reads
// the files it does not find there from legacy, the folder where earlier
// versions kept them (nil for none).
func New(db *store.DB, legacy Store, clock jobs.Clock) *Service {
	return NewWith(db, blob.New(db, clock), legacy, clock)
}

// NewWith is New over a given blob store: the one the server configured,
// with its bucket if it has one.
func NewWith(db *store.DB, blobs *blob.Store, legacy Store, clock jobs.Clock) *Service {
	if clock == nil {
		clock = jobs.SystemClock{}
	}
	return &Service{db: db, blobs: blobs, legacy: legacy, clock: clock,
		q: store.MustLoadQueries(queriesFS, db.Dialect)}
}

// AddTx stores files and records them on message messageID inside tx: the
// bytes and the row commit or roll back together.
func (s *Service) AddTx(ctx context.Context, tx *sql.Tx, messageID int64, files []File) error {
	for _, f := range files {
		ref, err := s.blobs.PutBytesTx(ctx, tx, f.Data)
		if err != nil {
			return fmt.Errorf("attachment: store %s: %w", f.Filename, err)
		}
		key := ref.SHA256
		name := strings.TrimSpace(f.Filename)
		if name == "" {
			name = "attachment"
		}
		ct := strings.TrimSpace(f.ContentType)
		if ct == "" {
			ct = "application/octet-stream"
		}
		if _, err := tx.ExecContext(ctx, s.q.Get("insert-attachment"), messageID, name, ct, len(f.Data), key,
			strings.Trim(f.ContentID, "<> "), f.Inline, key, store.Millis(s.clock.Now())); err != nil {
			return fmt.Errorf("attachment: record %s: %w", name, err)
		}
	}
	return nil
}

func scan(rows *sql.Rows) ([]Attachment, error) {
	defer rows.Close()
	var out []Attachment
	for rows.Next() {
		var a Attachment
		if err := rows.Scan(&a.ID, &a.MessageID, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &a.ContentID, &a.Inline, &a.Key); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// ForTicket returns the attachments of every message of ticket id, by
// message.
func (s *Service) ForTicket(ctx context.Context, ticketID int64) (map[int64][]Attachment, error) {
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("ticket-attachments"), ticketID)
	if err != nil {
		return nil, fmt.Errorf("attachment: ticket %d: %w", ticketID, err)
	}
	list, err := scan(rows)
	if err != nil {
		return nil, fmt.Errorf("attachment: ticket %d: %w", ticketID, err)
	}
	out := map[int64][]Attachment{}
	for _, a := range list {
		out[a.MessageID] = append(out[a.MessageID], a)
	}
	return out, nil
}

// open returns the bytes stored under key: from the database, else from
// the folder of earlier versions.
func (s *Service) open(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	r, err := s.blobs.Open(ctx, key)
	if err == nil {
		return r, nil
	}
	if !errors.Is(err, store.ErrNotFound) || s.legacy == nil {
		return nil, err
	}
	return s.legacy.Open(ctx, key)
}

// Get returns attachment id of ticket ticketID and opens its bytes; the
// reader seeks, for ranges, and holds one chunk at a time.
func (s *Service) Get(ctx context.Context, ticketID, id int64) (Attachment, io.ReadSeekCloser, error) {
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("get-attachment"), id, ticketID)
	if err != nil {
		return Attachment{}, nil, fmt.Errorf("attachment %d: %w", id, err)
	}
	list, err := scan(rows)
	if err != nil {
		return Attachment{}, nil, fmt.Errorf("attachment %d: %w", id, err)
	}
	if len(list) == 0 {
		return Attachment{}, nil, fmt.Errorf("attachment %d: %w", id, store.ErrNotFound)
	}
	rc, err := s.open(ctx, list[0].Key)
	if err != nil {
		return Attachment{}, nil, err
	}
	return list[0], rc, nil
}

// ForMessage returns the files of message id with their bytes, in the
// order they were added, for the mail that carries them.
func (s *Service) ForMessage(ctx context.Context, messageID int64) ([]Attachment, [][]byte, error) {
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("message-attachments"), messageID)
	if err != nil {
		return nil, nil, fmt.Errorf("attachment: message %d: %w", messageID, err)
	}
	list, err := scan(rows)
	if err != nil {
		return nil, nil, fmt.Errorf("attachment: message %d: %w", messageID, err)
	}
	data := make([][]byte, len(list))
	for i, a := range list {
		rc, err := s.open(ctx, a.Key)
		if err != nil {
			return nil, nil, err
		}
		data[i], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("attachment: read %s: %w", a.Filename, err)
		}
	}
	return list, data, nil
}

// CopyLegacy copies into the database every file that is still only in
// the folder of earlier versions, one transaction per file, and returns
// how many it copied and how many it could not find. It can run while
// the server serves, and again: a file already copied is skipped.
func (s *Service) CopyLegacy(ctx context.Context) (copied, missing int, err error) {
	if s.legacy == nil {
		return 0, 0, nil
	}
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("keys-not-in-blobs"))
	if err != nil {
		return 0, 0, fmt.Errorf("attachment: copy: %w", err)
	}
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return 0, 0, fmt.Errorf("attachment: copy: %w", err)
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, fmt.Errorf("attachment: copy: %w", err)
	}
	for _, k := range keys {
		f, err := s.legacy.Open(ctx, k)
		if errors.Is(err, store.ErrNotFound) {
			missing++
			continue
		}
		if err != nil {
			return copied, missing, err
		}
		err = s.db.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return err
			}
			ref, err := s.blobs.PutTx(ctx, tx, f)
			if err != nil {
				return err
			}
			if ref.SHA256 != k {
				return fmt.Errorf("attachment: copy %s: the file's content does not match its name (%s)", k, ref.SHA256)
			}
			return nil
		})
		f.Close()
		if err != nil {
			return copied, missing, fmt.Errorf("attachment: copy %s: %w", k, err)
		}
		copied++
	}
	return copied, missing, nil
}
