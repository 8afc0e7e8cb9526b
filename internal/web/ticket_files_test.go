package web

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// TestThreadShowsMailAsReceived: a customer's email shows its new part with
// the quoted history folded away, its attachment downloads as a file, and
// the original message downloads whole.
func TestThreadShowsMailAsReceived(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		raw := strings.ReplaceAll(`From: Carla Client <carla@example.com>
To: support@example.com
Subject: Broken lamp
Message-ID: <lamp-photo@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain; charset=utf-8

The replacement lamp is broken too.

On Mon, 10 Mar 2025 at 09:00, Support <support@example.com> wrote:
> We are sending a new lamp today.
> Kind regards
--b
Content-Type: image/jpeg
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename="lamp.jpg"

/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAP//
--b--
`, "\n", "\r\n")
		res, err := f.intake.Receive(context.Background(), intake.FromEmail([]byte(raw), []string{"support@example.com"}))
		if err != nil {
			t.Fatal(err)
		}
		c := f.login(t, "agent")
		page := c.get(t, fmt.Sprintf("/tickets/%d", res.TicketID))
		if page.code != 200 {
			t.Fatalf("ticket page %d", page.code)
		}
		body := page.body
		newPart := strings.Index(body, "The replacement lamp is broken too.")
		details := strings.Index(body, `<details class="quoted">`)
		quoted := strings.Index(body, "We are sending a new lamp today.")
		if newPart < 0 || details < 0 || quoted < details || newPart > details {
			t.Fatalf("the quoted history is not folded under the new part:\n%s", body)
		}
		link := regexp.MustCompile(`href="(/tickets/\d+/attachments/\d+)">lamp\.jpg</a>`).FindStringSubmatch(body)
		if link == nil {
			t.Fatalf("no attachment link:\n%s", body)
		}
		file := c.get(t, link[1])
		if file.code != 200 || !strings.Contains(file.header.Get("Content-Disposition"), `attachment; filename=lamp.jpg`) ||
			file.header.Get("Content-Type") != "application/octet-stream" || !strings.HasPrefix(file.body, "\xff\xd8\xff") {
			t.Fatalf("download %d %v %q", file.code, file.header, file.body)
		}
		orig := regexp.MustCompile(`href="(/tickets/\d+/messages/\d+/original)"`).FindStringSubmatch(body)
		if orig == nil {
			t.Fatal("no link to the original message")
		}
		o := c.get(t, orig[1])
		if o.code != 200 || o.body != raw || !strings.Contains(o.header.Get("Content-Disposition"), ".eml") {
			t.Fatalf("original %d %v", o.code, o.header)
		}
		other := f.newTicket(t, ticket.NewTicket{Subject: "Other"})
		tests := []struct {
			name, path string
		}{
			{"attachment through another ticket", strings.Replace(link[1], fmt.Sprintf("/tickets/%d/", res.TicketID), fmt.Sprintf("/tickets/%d/", other), 1)},
			{"unknown attachment", fmt.Sprintf("/tickets/%d/attachments/999999", res.TicketID)},
			{"original of a message without one", fmt.Sprintf("/tickets/%d/messages/999999/original", other)},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if got := c.get(t, tc.path).code; got != 404 {
					t.Fatalf("%s: %d, want 404", tc.path, got)
				}
			})
		}
	})
}
