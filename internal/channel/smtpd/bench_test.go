package smtpd_test

import (
	"context"
	"fmt"
	"io"
	"net/smtp"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/channel/smtpd"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// benchConns is how many SMTP connections send at once, as several
// upstream servers would.
const benchConns = 8

// BenchmarkIngest sends b.N messages over benchConns concurrent SMTP
// connections on loopback to the real listener, parser and intake on a
// fresh database, and reports accepted messages per second and the 99th
// percentile of the time from the end of DATA to the 250 reply.
func BenchmarkIngest(b *testing.B) {
	attach := strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\r\n", 1400) // ~53 KB of base64
	kinds := []struct {
		name string
		body func(i int) string
	}{
		{"plain", func(i int) string {
			return fmt.Sprintf("From: Customer %d <c%d@example.com>\r\nTo: support@shop.example\r\nSubject: Order %d\r\n"+
				"Message-ID: <bench.%d@example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
				"Hello, my order %d has not arrived yet. Can you tell me where it is?\r\n", i%500, i%500, i, i, i)
		}},
		{"attachment", func(i int) string {
			return fmt.Sprintf("From: Customer %d <c%d@example.com>\r\nTo: support@shop.example\r\nSubject: Photo %d\r\n"+
				"Message-ID: <bench.att.%d@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"+
				"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe lamp arrived broken, photo attached.\r\n"+
				"--b\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"lamp-%d.jpg\"\r\n\r\n"+
				attach+"--b--\r\n", i%500, i%500, i, i, i)
		}},
	}
	for _, k := range kinds {
		b.Run(k.name, func(b *testing.B) {
			storetest.EachB(b, func(b *testing.B, db *store.DB) { benchIngest(b, db, k.body) })
		})
	}
}

func benchIngest(b *testing.B, db *store.DB, body func(int) string) {
	q := jobs.New(db, nil, nil)
	customers := customer.New(db, nil)
	tickets := ticket.NewService(ticket.Opts{DB: db, Jobs: q, Customers: customers})
	// Every new ticket queues its acknowledgement, as in the app.
	mail := mailout.New(mailout.Opts{DB: db, Jobs: q, Tickets: tickets, I18n: i18n.MustLoad(),
		Transport: mailout.Outbox{Dir: filepath.Join(b.TempDir(), "outbox")}, Mailbox: "support@shop.example"})
	if err := tickets.Subscribe(ticket.Subscriber{Name: "mail", After: mail.TicketChanged}); err != nil {
		b.Fatal(err)
	}
	in := intake.New(intake.Opts{DB: db, Jobs: q, Tickets: tickets, Customers: customers,
		Attachments: attachment.New(db, attachment.Dir{Path: filepath.Join(b.TempDir(), "att")}, nil)})
	mailboxes := []string{"support@shop.example"}
	s, err := smtpd.New(smtpd.Opts{Addr: "127.0.0.1:0", Mailboxes: mailboxes, Intake: in,
		Parse: func(raw []byte, _ smtpd.Envelope) intake.Inbound { return intake.FromEmail(raw, mailboxes) }})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Serve(ctx)

	msgs := make([]string, b.N)
	for i := range msgs {
		msgs[i] = body(i)
	}
	var next atomic.Int64
	lat := make([][]time.Duration, benchConns)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for c := 0; c < benchConns; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl, err := smtp.Dial(s.Addr())
			if err != nil {
				b.Error(err)
				return
			}
			defer cl.Close()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(msgs) {
					cl.Quit()
					return
				}
				if err := cl.Mail("sender@example.com"); err != nil {
					b.Error(err)
					return
				}
				if err := cl.Rcpt("support@shop.example"); err != nil {
					b.Error(err)
					return
				}
				w, err := cl.Data()
				if err != nil {
					b.Error(err)
					return
				}
				io.WriteString(w, msgs[i])
				t0 := time.Now()
				if err := w.Close(); err != nil { // waits for the 250
					b.Error(err)
					return
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	if len(all) != b.N {
		b.Fatalf("%d of %d messages accepted", len(all), b.N)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	var n int
	db.R.QueryRow(`SELECT count(*) FROM inbound_messages`).Scan(&n)
	if n != b.N {
		b.Fatalf("%d messages stored, want %d", n, b.N)
	}
}
