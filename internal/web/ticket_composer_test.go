package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/channel/email"
	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/quality"
	"github.com/rapport/rapport/internal/savedreply"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// postMultipart posts form and files (field "attachments", name → bytes)
// as multipart/form-data, as the composer does.
func (c *client) postMultipart(t testing.TB, path string, form url.Values, files map[string][]byte) response {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", c.csrf)
	}
	for k, vs := range form {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	for name, data := range files {
		part, err := w.CreateFormFile("attachments", name)
		if err != nil {
			t.Fatal(err)
		}
		part.Write(data)
	}
	w.Close()
	req, err := http.NewRequest(http.MethodPost, c.f.srv.URL+path, &b)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(t, req)
}

// outboxMails returns the mail in the fixture's outbox, oldest first.
func (f *fixture) outboxMails(t testing.TB) [][]byte {
	t.Helper()
	entries, err := os.ReadDir(f.outbox)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(f.outbox, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}

// A customer writes with a colleague in Cc; the composer offers to copy
// the colleague; the agent adds a file and sends. The customer's mail has
// the Cc header and the file as a MIME attachment, the thread shows who the
// reply went to and the file; a wrong Cc sends nothing and says which.
func TestReplyWithCcAndFile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		raw := "From: Dora Diaz <dora@example.com>\r\nTo: support@shop.example\r\nCc: Ed Boss <ed@example.com>, support@shop.example\r\n" +
			"Subject: Wrong invoice\r\nMessage-ID: <inv-1@example.com>\r\nDate: Mon, 10 Mar 2025 08:00:00 +0000\r\n\r\nThe invoice has the wrong address.\r\n"
		res, err := f.intake.Receive(ctx, intake.FromEmail([]byte(raw), []string{"support@shop.example"}))
		if err != nil || res.TicketID == 0 {
			t.Fatalf("receive: %+v %v", res, err)
		}
		id := strconv.FormatInt(res.TicketID, 10)
		c := f.login(t, "agent")
		page := c.get(t, "/tickets/"+id)
		mustCode(t, page, http.StatusOK, "ticket page")
		contains(t, page.body, []string{`enctype="multipart/form-data"`, `name="to" value="dora@example.com"`,
			`name="cc" value="ed@example.com"`, `type="file" name="attachments"`}, nil)
		f.runJobs(t) // the acknowledgement
		before := len(f.outboxMails(t))

		// A wrong Cc: the composer comes back with the fields as typed.
		bad := c.postMultipart(t, "/tickets/"+id+"/reply", url.Values{"body": {"Here is the corrected invoice."},
			"to": {"dora@example.com"}, "cc": {"ed@example.com, ed at example"}}, map[string][]byte{"invoice.pdf": []byte("%PDF-1.4 corrected")})
		mustCode(t, bad, http.StatusUnprocessableEntity, "bad cc")
		contains(t, bad.body, []string{"“ed at example” is not an email address.", `name="cc" value="ed@example.com, ed at example"`,
			"Here is the corrected invoice.", "attach them again"}, nil)
		msgs, _ := f.tickets.Messages(ctx, res.TicketID)
		if len(msgs) != 1 {
			t.Fatalf("a refused reply was written: %d messages", len(msgs))
		}

		pdf := []byte("%PDF-1.4 corrected invoice \x00\x01\x02")
		ok := c.postMultipart(t, "/tickets/"+id+"/reply", url.Values{"body": {"Here is the corrected invoice."},
			"to": {"dora@example.com"}, "cc": {"Ed Boss <ed@example.com>; fin@example.com"}}, map[string][]byte{"invoice é.pdf": pdf})
		mustCode(t, ok, http.StatusSeeOther, "reply")
		f.runJobs(t)
		mails := f.outboxMails(t)
		if len(mails) != before+1 {
			t.Fatalf("%d mails after the reply, want %d", len(mails), before+1)
		}
		m, err := email.Parse(mails[len(mails)-1])
		if err != nil {
			t.Fatal(err)
		}
		if len(m.To) != 1 || m.To[0].Address != "dora@example.com" || len(m.Cc) != 2 || m.Cc[0].Address != "ed@example.com" || m.Cc[1].Address != "fin@example.com" {
			t.Fatalf("to %+v cc %+v", m.To, m.Cc)
		}
		if !strings.Contains(m.Text, "Here is the corrected invoice.") || len(m.Attachments) != 1 ||
			m.Attachments[0].Filename != "invoice é.pdf" || !bytes.Equal(m.Attachments[0].Data, pdf) {
			t.Fatalf("text %q attachments %+v", m.Text, m.Attachments)
		}
		page = c.get(t, "/tickets/"+id)
		contains(t, page.body, []string{"To dora@example.com · Cc ed@example.com, fin@example.com", "invoice é.pdf"}, nil)
	})
}

// runJobs runs the due jobs, the mail among them.
func (f *fixture) runJobs(t testing.TB) {
	t.Helper()
	f.clock.Advance(time.Second)
	if _, err := f.jobs.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// Without JavaScript, "Insert" brings the composer back with the saved
// reply after what was written and the recipients as they were; nothing is
// sent. Checking the draft flags it as robotism when it is the saved reply
// unchanged, and the agent's scorecard counts it once sent.
func TestSavedReplyInsertWithoutJS(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, fixtureOpts{savedCheck: true})
		ctx := context.Background()
		saved := "Thank you for your patience. Your parcel has been sent again today with express delivery, and you will receive the tracking link by email."
		sr, err := f.saved.Create(ctx, f.ids["manager"], savedreply.Input{Title: "Parcel resent", Body: saved, Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		id := strconv.FormatInt(f.ids["ticket"], 10)
		c := f.login(t, "agent")
		page := c.get(t, "/tickets/"+id)
		contains(t, page.body, []string{`id="saved-reply"`, `Parcel resent (en)`}, nil)

		res := c.postMultipart(t, "/tickets/"+id+"/compose", url.Values{"body": {"Hi Carla,  \n"}, "to": {"carla@example.com"},
			"cc": {"mum@example.com"}, "saved_reply": {strconv.FormatInt(sr.ID, 10)}}, nil)
		mustCode(t, res, http.StatusOK, "insert")
		contains(t, res.body, []string{">Hi Carla,\n\n" + saved + "</textarea>", `name="cc" value="mum@example.com"`}, nil)
		if msgs, _ := f.tickets.Messages(ctx, f.ids["ticket"]); len(msgs) != 1 {
			t.Fatalf("insert sent something: %d messages", len(msgs))
		}

		// The saved reply alone, re-spaced: the check flags it.
		res = c.postMultipart(t, "/tickets/"+id+"/check", url.Values{"body": {strings.ReplaceAll(saved, ". ", ".\n")}}, nil)
		mustCode(t, res, http.StatusOK, "check")
		contains(t, res.body, []string{"is a saved reply sent as it was written"}, nil)
		// With a line of the agent's own, it is not.
		res = c.postMultipart(t, "/tickets/"+id+"/check", url.Values{"body": {"Hi Carla, sorry it went missing! " + saved}}, nil)
		contains(t, res.body, nil, []string{"is a saved reply sent as it was written"})

		mustCode(t, c.postMultipart(t, "/tickets/"+id+"/reply", url.Values{"body": {saved}}, nil), http.StatusSeeOther, "send it unchanged")
		sc, err := f.reviews.Scorecard(ctx, f.ids["agent"], f.clock.Now().AddDate(0, 0, -7), f.clock.Now().AddDate(0, 0, 1), time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if sc.Period.Sins[quality.Robotism] != 1 {
			t.Fatalf("scorecard sins %v, want the unchanged saved reply counted as robotism", sc.Period.Sins)
		}
	})
}

// Managers keep the saved replies on /replies; agents may not.
func TestSavedRepliesPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		mustCode(t, f.login(t, "agent").get(t, "/replies"), http.StatusForbidden, "agent")
		c := f.login(t, "manager")
		page := c.get(t, "/replies")
		mustCode(t, page, http.StatusOK, "page")
		contains(t, page.body, []string{"There are no saved replies yet.", `action="/replies"`}, nil)
		res := c.post(t, "/replies", url.Values{"title": {""}, "body": {"x"}, "language": {"it"}})
		mustCode(t, res, http.StatusUnprocessableEntity, "no title")
		contains(t, res.body, []string{"This is required."}, nil)
		mustCode(t, c.post(t, "/replies", url.Values{"title": {"Rimborso"}, "body": {"Il rimborso è partito."}, "language": {"it"}}), http.StatusSeeOther, "create")
		list, _ := f.saved.List(ctx)
		if len(list) != 1 || list[0].Language != "it" || list[0].CreatedBy != f.ids["manager"] {
			t.Fatalf("saved %+v", list)
		}
		sid := strconv.FormatInt(list[0].ID, 10)
		res = c.post(t, "/replies/"+sid, url.Values{"title": {"Rimborso"}, "body": {" "}, "language": {"it"}})
		mustCode(t, res, http.StatusUnprocessableEntity, "blank body")
		contains(t, res.body, []string{`id="saved-` + sid + `" open`}, nil)
		mustCode(t, c.post(t, "/replies/"+sid, url.Values{"title": {"Rimborso partito"}, "body": {"Il rimborso è partito ieri."}, "language": {"it"}}), http.StatusSeeOther, "update")
		page = c.get(t, "/replies")
		contains(t, page.body, []string{"Rimborso partito", "Il rimborso è partito ieri."}, nil)
		mustCode(t, c.post(t, "/replies/"+sid+"/delete", nil), http.StatusSeeOther, "delete")
		if list, _ := f.saved.List(ctx); len(list) != 0 {
			t.Fatalf("after delete %+v", list)
		}
	})
}

// Files far over the limit stop at the body limit with a page that says
// what to do; nothing is written.
func TestReplyFilesFarTooLarge(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	c := f.login(t, "agent")
	id := strconv.FormatInt(f.ids["ticket"], 10)
	huge := make([]byte, ticket.MaxReplyBytes+2*uploadSlack)
	res := c.postMultipart(t, "/tickets/"+id+"/reply", url.Values{"body": {"See the video."}}, map[string][]byte{"video.mp4": huge})
	mustCode(t, res, http.StatusRequestEntityTooLarge, "huge file")
	contains(t, res.body, []string{"remove some files"}, nil)
	if msgs, _ := f.tickets.Messages(context.Background(), f.ids["ticket"]); len(msgs) != 1 {
		t.Fatalf("%d messages after a refused upload", len(msgs))
	}
}
