package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/blob"
	"github.com/rapport/rapport/internal/blob/blobtest"
	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// withBucket sets the --s3-* settings of bucket on srv (plain http, as the
// test server speaks).
func withBucket(srv *blobtest.Server, bucket string) func(*config.Config) {
	return func(c *config.Config) {
		c.S3Endpoint, c.S3Bucket, c.S3AccessKey, c.S3SecretKey, c.S3TLS = srv.Endpoint, bucket, blobtest.AccessKey, blobtest.SecretKey, false
		c.SingleNode = true // the relay's readiness is not what these tests look at
	}
}

// Two nodes on one database, both with the bucket set: a file an agent
// attaches through node A is uploaded to the bucket (not the database) and
// downloads, whole and by ranges, from node B; a file attached before the
// bucket was set, kept in the database, still downloads from B.
func TestTwoNodesShareBucketFiles(t *testing.T) {
	backends := []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "nodes.db") }},
		{"postgres", func(t *testing.T) string { return storetest.PostgresDSN(t) }},
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			dsn := be.dsn(t)
			srv := blobtest.Start(t, "files")
			r := rand.New(rand.NewPCG(3, 4))
			file := func(n int) []byte {
				b := make([]byte, n)
				for i := range b {
					b[i] = byte(r.Uint32())
				}
				return b
			}
			attach := func(s *server, ticketID int64, name string, data []byte) {
				t.Helper()
				status, err := s.call(0, "POST", fmt.Sprintf("/tickets/%d/reply", ticketID), map[string]any{
					"body": "Here it is.",
					"attachments": []map[string]string{{"filename": name, "content_type": "application/pdf",
						"data": base64.StdEncoding.EncodeToString(data)}},
				}, nil)
				if err != nil || status >= 300 {
					t.Fatalf("reply with %s: %d %v\n%s", name, status, err, s.logErrors())
				}
			}

			// Before the bucket: a file in the database.
			before := startServerWith(t, dsn, 1, func(c *config.Config) { c.SingleNode = true })
			tk, err := before.app.Services().Tickets.Create(ctx, ticket.SystemActor, ticket.NewTicket{Subject: "The invoice",
				Body: "Could you send the invoice again?", CustomerEmail: "carla@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			old := file(300 << 10)
			attach(before, tk.ID, "old.pdf", old)
			before.stop()

			a := startServerWith(t, dsn, 0, withBucket(srv, "files"))
			a.tokens, a.ids = before.tokens, before.ids // the agent made before
			b := startServerWith(t, dsn, 0, withBucket(srv, "files"))
			data := file(3*256<<10 + 1234)
			attach(a, tk.ID, "invoice.pdf", data)
			if objs := srv.Objects(t, "files"); len(objs) != 1 || objs[0] != blob.Sum(data) {
				t.Fatalf("the bucket holds %v, want the new file only", objs)
			}
			var where []string
			rows, err := b.app.Services().DB.R.QueryContext(ctx, "SELECT sha256, location FROM blobs ORDER BY id")
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var sum, loc string
				rows.Scan(&sum, &loc)
				where = append(where, loc)
			}
			rows.Close()
			if strings.Join(where, " ") != "db s3" {
				t.Fatalf("the blobs are in %v, want the old one in the database, the new one in the bucket", where)
			}

			files, err := b.app.Services().Attachments.ForTicket(ctx, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			ids := map[string]int64{}
			for _, list := range files {
				for _, f := range list {
					ids[f.Filename] = f.ID
				}
			}
			if _, err := b.app.Services().Agents.Create(ctx, agent.NewAgent{Email: "boss@shop.example", Name: "Boss",
				Role: agent.RoleAdmin, Password: "long enough password", Languages: []string{"en"}}); err != nil {
				t.Fatal(err)
			}
			session, _, err := b.app.Services().Agents.CreateSession(ctx, a.ids[0], "test", "127.0.0.1")
			if err != nil {
				t.Fatal(err)
			}
			get := func(name, rangeHeader string) (int, []byte) {
				t.Helper()
				req, _ := http.NewRequest("GET", fmt.Sprintf("%s/tickets/%d/attachments/%d", b.app.URL(), tk.ID, ids[name]), nil)
				req.AddCookie(&http.Cookie{Name: "rapport_session", Value: session})
				if rangeHeader != "" {
					req.Header.Set("Range", rangeHeader)
				}
				resp, err := b.client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body, err := io.ReadAll(resp.Body)
				if err != nil {
					t.Fatal(err)
				}
				return resp.StatusCode, body
			}
			if status, body := get("invoice.pdf", ""); status != 200 || !bytes.Equal(body, data) {
				t.Fatalf("the bucket's file from node B: %d, %d bytes (want %d, identical)", status, len(body), len(data))
			}
			from := 256<<10 - 10
			if status, body := get("invoice.pdf", fmt.Sprintf("bytes=%d-%d", from, from+99)); status != http.StatusPartialContent || !bytes.Equal(body, data[from:from+100]) {
				t.Fatalf("a range of the bucket's file from node B: %d, %d bytes", status, len(body))
			}
			if status, body := get("old.pdf", ""); status != 200 || !bytes.Equal(body, old) {
				t.Fatalf("the file stored in the database before the bucket, from node B: %d, %d bytes", status, len(body))
			}
		})
	}
}

// /readyz says what is wrong with the bucket: missing, keys refused,
// endpoint unreachable; and ready once it is right.
func TestReadyChecksBucket(t *testing.T) {
	srv := blobtest.Start(t, "files")
	backends := []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "ready.db") }},
		{"postgres", func(t *testing.T) string { return storetest.PostgresDSN(t) }},
	}
	cases := []struct {
		name   string
		adjust func(c *config.Config)
		status int
		want   string
	}{
		{"ready", func(c *config.Config) {}, 200, "ready"},
		{"missing bucket", func(c *config.Config) { c.S3Bucket = "gone" }, 503, `files: bucket "gone" does not exist`},
		{"refused key", func(c *config.Config) { c.S3AccessKey = "stranger" }, 503, "refused the credentials"},
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			dsn := be.dsn(t)
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					s := startServerWith(t, dsn, 0, func(c *config.Config) {
						withBucket(srv, "files")(c)
						tc.adjust(c)
					})
					defer s.stop()
					resp, err := s.client.Get(s.app.URL() + "/readyz")
					if err != nil {
						t.Fatal(err)
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.want) || strings.Contains(string(body), blobtest.SecretKey) {
						t.Fatalf("/readyz: %d %q, want %d %q", resp.StatusCode, body, tc.status, tc.want)
					}
				})
			}
		})
	}
}

// A malformed bucket setting stops the start, naming the setting.
func TestStartRefusesBadBucket(t *testing.T) {
	cfg := config.Default()
	cfg.DB = filepath.Join(t.TempDir(), "bad.db")
	cfg.S3Endpoint, cfg.S3Bucket = "http://s3.example.com", "files"
	if _, err := New(context.Background(), cfg, slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "--s3-endpoint") {
		t.Fatalf("start with --s3-endpoint http://…: %v", err)
	}
}
