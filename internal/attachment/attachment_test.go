package attachment_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
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
