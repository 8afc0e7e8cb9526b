package web

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/text"
	"github.com/rapport/rapport/internal/ticket"
)

// TestBrowserFollowUp is issue 12's Done-when for the follow-up. In a
// real browser with JavaScript turned off, opening the mail's yes link
// records nothing, and the yes button, a plain form POST, closes the
// ticket as a confirmed fix. The written answers arrive as the customer's
// emails through intake, as mail does (there is no page to drive for
// them): "Sì, tutto a posto, grazie!" closes its ticket as a confirmed
// fix; "No, it still does not work" reopens its ticket with its owner.
func TestBrowserFollowUp(t *testing.T) {
	f := newSurveyFixture(t, storetest.SQLite(t))
	f.outbox = filepath.Join(t.TempDir(), "outbox")
	ctx := context.Background()
	owner := f.ids["agent"]
	assigned := func(subject, lang string) int64 {
		id := f.newTicket(t, ticket.NewTicket{Subject: subject, Language: lang, Channel: "email"})
		if _, err := f.tickets.Assign(ctx, ticket.AgentActor(owner), id, owner); err != nil {
			t.Fatal(err)
		}
		return id
	}
	confirmations := func(id int64) int {
		evs, err := f.tickets.Events(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range evs {
			if e.Type == ticket.EventFixConfirmed {
				n++
			}
		}
		return n
	}

	id := assigned("Lamp flickers", "en")
	page := f.sendFollowUp(t, id)

	bctx := newBrowser(t, 45*time.Second, 1024, 800)
	err := chromedp.Do(bctx,
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		}),
		// A page whose script would name it shows that scripts are off.
		chromedp.Navigate(`data:text/html,<title>off</title><script>document.title="on"</script>`),
	)
	if err != nil {
		t.Fatalf("browser: turn JavaScript off: %v", err)
	}
	if title, err := chromedp.Run(bctx, chromedp.Title()); err != nil || title != "off" {
		t.Fatalf("JavaScript is not off: a script set the title to %q (%v)", title, err)
	}
	err = chromedp.Do(bctx,
		chromedp.Navigate(f.srv.URL+page+"?answer=yes"),
		chromedp.WaitVisible(chromedp.ID("followup-yes")),
	)
	if err != nil {
		t.Fatalf("browser: open the mail's yes link: %v", err)
	}
	form, err := chromedp.Run(bctx, chromedp.Evaluate[string](`(() => {
		const b = document.getElementById('followup-yes'), f = b.form;
		return f.method + ' ' + new URL(f.action).pathname + ' ' + b.type + ' ' + f.elements['answer'].value;
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "post " + page + " submit yes"; form != want {
		t.Errorf("the yes button's form is %q, want %q", form, want)
	}
	// The GET recorded nothing: a mail scanner opening the link answers nothing.
	if tk, _ := f.tickets.Get(ctx, id); tk.Status != ticket.Solved {
		t.Fatalf("opening the link changed the ticket to %s", tk.Status)
	}
	if fu, err := f.tickets.LatestFollowUp(ctx, id); err != nil || fu.AnsweredAt != nil || fu.Answer != "" {
		t.Fatalf("opening the link recorded an answer: %+v, %v", fu, err)
	}

	err = chromedp.Do(bctx,
		chromedp.Click(chromedp.ID("followup-yes")),
		chromedp.WaitVisible(chromedp.ID("followup-done")),
	)
	if err != nil {
		t.Fatalf("browser: press yes: %v", err)
	}
	done, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("followup-done")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(done, "closed") {
		t.Errorf("after yes the page says %q", done)
	}
	// JavaScript stayed off through the navigations.
	if err := chromedp.Do(bctx, chromedp.Navigate(`data:text/html,<title>off</title><script>document.title="on"</script>`)); err != nil {
		t.Fatal(err)
	}
	if title, err := chromedp.Run(bctx, chromedp.Title()); err != nil || title != "off" {
		t.Fatalf("JavaScript came back on: title %q (%v)", title, err)
	}
	tk, _ := f.tickets.Get(ctx, id)
	fu, _ := f.tickets.LatestFollowUp(ctx, id)
	if tk.Status != ticket.Closed || tk.ReopenCount != 0 || confirmations(id) != 1 ||
		fu.Answer != text.AnswerYes || fu.Via != ticket.FollowUpByButton {
		t.Errorf("after yes: %s, %d reopens, %d confirmations, follow-up %+v", tk.Status, tk.ReopenCount, confirmations(id), fu)
	}

	// Written answers, by email through intake.
	for _, tc := range []struct {
		name, lang, reply string
		want              ticket.Status
		reopens, confirms int
		answer            text.Answer
	}{
		{"Italian thanks", "it", "Sì, tutto a posto, grazie!", ticket.Closed, 0, 1, text.AnswerYes},
		{"English no", "en", "No, it still does not work", ticket.Open, 1, 0, text.AnswerNo},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := assigned("Follow-up "+tc.name, tc.lang)
			f.sendFollowUp(t, id)
			f.clock.Advance(time.Hour)
			raw := strings.ReplaceAll(fmt.Sprintf(`From: Carla Customer <carla@example.com>
To: support@shop.example
Subject: Re: [#%d] Follow-up %s
Message-ID: <followup-%d@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

%s
`, id, tc.name, id, tc.reply), "\n", "\r\n")
			res, err := f.intake.Receive(ctx, intake.FromEmail([]byte(raw), []string{"support@shop.example"}))
			if err != nil {
				t.Fatal(err)
			}
			if res.TicketID != id {
				t.Fatalf("the reply went to ticket %d, want %d", res.TicketID, id)
			}
			tk, _ := f.tickets.Get(ctx, id)
			fu, _ := f.tickets.LatestFollowUp(ctx, id)
			if tk.Status != tc.want || tk.ReopenCount != tc.reopens || tk.OwnerID != owner || confirmations(id) != tc.confirms ||
				fu.Answer != tc.answer || fu.Via != ticket.FollowUpByReply {
				t.Errorf("after %q: %s, %d reopens, owner %d, %d confirmations, follow-up %+v; want %s, %d reopens, owner %d",
					tc.reply, tk.Status, tk.ReopenCount, tk.OwnerID, confirmations(id), fu, tc.want, tc.reopens, owner)
			}
		})
	}
}
