package attachment_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

func TestAttachments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := jobs.New(db, nil, nil)
		tickets := ticket.NewService(ticket.Opts{DB: db, Jobs: q, Customers: customer.New(db, nil)})
		tk, err := tickets.Create(ctx, ticket.SystemActor, ticket.NewTicket{Subject: "Photo", Body: "See attached", CustomerEmail: "c@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		msgs, _ := tickets.Messages(ctx, tk.ID)
		svc := attachment.New(db, attachment.Dir{Path: t.TempDir()}, nil)
		files := []attachment.File{
			{Filename: "lamp.jpg", ContentType: "image/jpeg", Data: []byte("\xff\xd8 not really a jpeg")},
			{Filename: "", ContentType: "", ContentID: "<logo@x>", Inline: true, Data: []byte("logo")},
			{Filename: "copy.jpg", ContentType: "image/jpeg", Data: []byte("\xff\xd8 not really a jpeg")},
		}
		if err := db.Tx(ctx, func(tx *sql.Tx) error { return svc.AddTx(ctx, tx, msgs[0].ID, files) }); err != nil {
			t.Fatal(err)
		}
		byMsg, err := svc.ForTicket(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		list := byMsg[msgs[0].ID]
		if len(list) != 3 || list[1].Filename != "attachment" || list[1].ContentType != "application/octet-stream" ||
			list[1].ContentID != "logo@x" || !list[1].Inline || list[0].Key != list[2].Key {
			t.Fatalf("attachments %+v", list)
		}
		a, rc, err := svc.Get(ctx, tk.ID, list[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		if a.Filename != "lamp.jpg" || string(data) != string(files[0].Data) || a.Size != int64(len(data)) {
			t.Fatalf("got %+v %q", a, data)
		}
		if _, _, err := svc.Get(ctx, tk.ID+1, list[0].ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("attachment through another ticket: %v", err)
		}
		if _, err := (attachment.Dir{Path: t.TempDir()}).Open(ctx, "../../etc/passwd"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("path outside the store: %v", err)
		}
	})
}

// A file an earlier version kept in the folder still downloads; `rapport
// attachments copy` (CopyLegacy) moves it into the database, after which
// the folder is not needed, and a second copy finds nothing to do.
func TestLegacyFolder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := jobs.New(db, nil, nil)
		tickets := ticket.NewService(ticket.Opts{DB: db, Jobs: q, Customers: customer.New(db, nil)})
		tk, err := tickets.Create(ctx, ticket.SystemActor, ticket.NewTicket{Subject: "Old", Body: "From before", CustomerEmail: "c@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		msgs, _ := tickets.Messages(ctx, tk.ID)
		dir := attachment.Dir{Path: t.TempDir()}
		data := []byte("a receipt kept in the folder by an earlier version")
		key, err := dir.Put(ctx, data)
		if err != nil {
			t.Fatal(err)
		}
		// The row as an earlier version wrote it; one more whose file is gone.
		for _, k := range []string{key, strings.Repeat("ab", 32)} {
			if _, err := db.W.ExecContext(ctx, `INSERT INTO attachments (message_id, filename, content_type, size, sha256, content_id, inline, storage_key, created_at)
				VALUES ($1, 'receipt.txt', 'text/plain', $2, $3, '', $4, $3, 0)`, msgs[0].ID, len(data), k, false); err != nil {
				t.Fatal(err)
			}
		}
		svc := attachment.New(db, dir, nil)
		byMsg, err := svc.ForTicket(ctx, tk.ID)
		if err != nil || len(byMsg[msgs[0].ID]) != 2 {
			t.Fatalf("%v %v", byMsg, err)
		}
		id := byMsg[msgs[0].ID][0].ID
		read := func(svc *attachment.Service) string {
			t.Helper()
			_, rc, err := svc.Get(ctx, tk.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, _ := io.ReadAll(rc)
			return string(b)
		}
		if got := read(svc); got != string(data) {
			t.Fatalf("from the folder: %q", got)
		}
		copied, missing, err := svc.CopyLegacy(ctx)
		if err != nil || copied != 1 || missing != 1 {
			t.Fatalf("copy: %d copied, %d missing, %v", copied, missing, err)
		}
		if got := read(attachment.New(db, nil, nil)); got != string(data) {
			t.Fatalf("from the database, without the folder: %q", got)
		}
		if copied, _, err := svc.CopyLegacy(ctx); err != nil || copied != 0 {
			t.Fatalf("second copy: %d copied, %v", copied, err)
		}
	})
}
