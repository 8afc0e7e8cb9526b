package kb

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// File is an image or file of an article, kept in the blob store.
type File struct {
	ID          int64
	ArticleID   int64
	Name        string
	ContentType string
	SHA256      string
	Size        int64
	CreatedAt   time.Time
	Internal    bool // its article is internal
}

// Image reports whether f shows inline in an article.
func (f File) Image() bool { return strings.HasPrefix(f.ContentType, "image/") }

// cleanName keeps the base name of a file, without control characters or
// quotes, at most 120 characters.
func cleanName(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' || r == '/' {
			return -1
		}
		return r
	}, name)
	if utf8.RuneCountInString(name) > 120 {
		name = string([]rune(name)[:120])
	}
	if name == "" || name == "." {
		name = "file"
	}
	return name
}

// safeTypes are the content types served as they are; anything else is
// served as a download (application/octet-stream), so that an uploaded
// HTML or SVG file never runs in the help center's origin.
var safeTypes = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
	"application/pdf": true, "text/plain; charset=utf-8": true,
}

// AddFile stores data as a file of article id and returns it.
func (s *Service) AddFile(ctx context.Context, id int64, name string, data []byte) (File, error) {
	if len(data) == 0 {
		return File{}, valid.Fields{"file": valid.Msg("valid.required", "is required")}
	}
	if len(data) > MaxFile {
		return File{}, valid.Fields{"file": valid.Msg("kb.valid_file_size", "is too large")}
	}
	f := File{ArticleID: id, Name: cleanName(name), ContentType: http.DetectContentType(data), Size: int64(len(data))}
	if !safeTypes[f.ContentType] {
		f.ContentType = "application/octet-stream"
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		ref, err := s.blobs.PutBytesTx(ctx, tx, data)
		if err != nil {
			return err
		}
		f.SHA256 = ref.SHA256
		now := s.clock.Now()
		f.CreatedAt = store.Time(store.Millis(now))
		return tx.QueryRowContext(ctx, s.q.Get("insert-file"), id, f.Name, f.ContentType, f.SHA256, f.Size, store.Millis(now)).Scan(&f.ID)
	})
	if store.IsForeignKeyViolation(err) {
		return File{}, fmt.Errorf("kb: add file to %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return File{}, fmt.Errorf("kb: add file to %d: %w", id, err)
	}
	return f, nil
}

// Files returns the files of article id.
func (s *Service) Files(ctx context.Context, id int64) ([]File, error) {
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("files"), id)
	if err != nil {
		return nil, fmt.Errorf("kb: files of %d: %w", id, err)
	}
	defer rows.Close()
	out := []File{}
	for rows.Next() {
		var f File
		var at int64
		if err := rows.Scan(&f.ID, &f.ArticleID, &f.Name, &f.ContentType, &f.SHA256, &f.Size, &at); err != nil {
			return nil, fmt.Errorf("kb: files of %d: %w", id, err)
		}
		f.CreatedAt = store.Time(at)
		out = append(out, f)
	}
	return out, rows.Err()
}

// OpenFile returns file id and its content; the caller closes it. A file
// of an internal article is ErrNotFound unless agents is true.
func (s *Service) OpenFile(ctx context.Context, id int64, agents bool) (File, io.ReadSeekCloser, error) {
	var f File
	var at int64
	var internal int
	err := s.db.R.QueryRowContext(ctx, s.q.Get("file"), id).Scan(&f.ID, &f.ArticleID, &f.Name, &f.ContentType, &f.SHA256, &f.Size, &at, &internal)
	if err != nil {
		return File{}, nil, fmt.Errorf("kb: file %d: %w", id, notFound(err))
	}
	f.CreatedAt, f.Internal = store.Time(at), internal == 1
	if f.Internal && !agents {
		return File{}, nil, fmt.Errorf("kb: file %d: %w", id, ErrNotFound)
	}
	r, err := s.blobs.Open(ctx, f.SHA256)
	if err != nil {
		return File{}, nil, fmt.Errorf("kb: file %d: %w", id, err)
	}
	return f, r, nil
}
