package smtpd_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"math/rand/v2"
	"net/smtp"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/channel/smtpd"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// largeLines is how many base64 lines of 76 characters a large message's
// attachment has: with its headers the message is just under 25 MB.
const largeLines = 320_000

// writeLarge writes message i, just under 25 MB, to w as it generates it,
// so that the sender holds none of it: a short text part and an
// attachment of ~18 MB of random bytes in base64.
func writeLarge(w io.Writer, i int) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	fmt.Fprintf(bw, "From: Customer %d <big%d@example.com>\r\nTo: support@shop.example\r\nSubject: Scan %d\r\n"+
		"Message-ID: <large.%d.%d@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"+
		"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe scans you asked for.\r\n"+
		"--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"scan-%d.pdf\"\r\n\r\n",
		i, i, i, i, time.Now().UnixNano(), i)
	r := rand.New(rand.NewPCG(uint64(i), uint64(time.Now().UnixNano())))
	raw := make([]byte, 57)
	line := make([]byte, 76, 78)
	for range largeLines {
		for j := range raw {
			raw[j] = byte(r.Uint32())
		}
		base64.StdEncoding.Encode(line, raw)
		bw.Write(append(line, '\r', '\n'))
	}
	bw.WriteString("--b--\r\n")
	return bw.Flush()
}

// rssKB reads a field of /proc/self/status (VmRSS, VmHWM) in KiB.
func rssKB(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return -1
}

// BenchmarkLargeMessages sends ten ~25 MB messages at once over ten SMTP
// connections to the real listener, parser and intake, and reports the
// process's peak resident memory (VmHWM: run one sub-benchmark per
// process, as the peak is the process's) and its resident memory once the
// messages are stored. "capped" is the default --smtp-max-memory,
// "uncapped" a cap no message reaches, as before the cap existed.
func BenchmarkLargeMessages(b *testing.B) {
	for _, c := range []struct {
		name string
		max  int64
	}{{"capped", smtpd.DefaultMaxMemory}, {"uncapped", 1 << 40}} {
		b.Run(c.name, func(b *testing.B) {
			storetest.EachB(b, func(b *testing.B, db *store.DB) { benchLarge(b, db, c.max) })
		})
	}
}

func benchLarge(b *testing.B, db *store.DB, maxMemory int64) {
	const senders = 10
	q := jobs.New(db, nil, nil)
	customers := customer.New(db, nil)
	tickets := ticket.NewService(ticket.Opts{DB: db, Jobs: q, Customers: customers})
	in := intake.New(intake.Opts{DB: db, Jobs: q, Tickets: tickets, Customers: customers,
		Attachments: attachment.New(db, attachment.Dir{Path: filepath.Join(b.TempDir(), "att")}, nil)})
	mailboxes := []string{"support@shop.example"}
	s, err := smtpd.New(smtpd.Opts{Addr: "127.0.0.1:0", Mailboxes: mailboxes, Intake: in, MaxMemory: maxMemory,
		Parse: func(raw []byte, _ smtpd.Envelope) intake.Inbound { return intake.FromEmail(raw, mailboxes) }})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Serve(ctx)
	runtime.GC()
	debug.FreeOSMemory()
	idle := rssKB("VmRSS")
	b.ResetTimer()
	start := time.Now()
	for n := 0; n < b.N; n++ {
		var wg sync.WaitGroup
		for i := range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cl, err := smtp.Dial(s.Addr())
				if err != nil {
					b.Error(err)
					return
				}
				defer cl.Close()
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
				if err := writeLarge(w, n*senders+i); err != nil {
					b.Error(err)
					return
				}
				if err := w.Close(); err != nil {
					b.Errorf("message %d: %v", i, err)
					return
				}
				cl.Quit()
			}()
		}
		wg.Wait()
	}
	elapsed := time.Since(start)
	b.StopTimer()
	var stored, files int
	db.R.QueryRow("SELECT count(*) FROM inbound_messages WHERE size > 24000000").Scan(&stored)
	db.R.QueryRow("SELECT count(*) FROM attachments WHERE size > 18000000").Scan(&files)
	if stored != senders*b.N || files != senders*b.N {
		b.Fatalf("%d large messages and %d files stored, want %d", stored, files, senders*b.N)
	}
	after := rssKB("VmRSS")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-inuse-MB")
	b.ReportMetric(float64(rssKB("VmHWM"))/1024, "peak-MB")
	b.ReportMetric(float64(idle)/1024, "before-MB")
	b.ReportMetric(float64(after)/1024, "after-MB")
	b.ReportMetric(float64(senders*b.N)/elapsed.Seconds(), "msgs/s")
}
