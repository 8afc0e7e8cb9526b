package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// stepFixture is the fixture with five more unassigned tickets, subjects
// of the lengths customers write, in the order they were opened.
func stepFixture(t *testing.T) (*fixture, []int64) {
	t.Helper()
	f := newFixture(t, storetest.SQLite(t))
	ids := []int64{f.ids["ticket"]}
	for _, subject := range []string{
		"Refund for a broken mug",
		"Change the delivery address of order 10442 before it ships, please",
		"Invoice",
		"The discount code from your newsletter is refused at checkout on the phone app",
		"Where is my parcel?",
	} {
		body := "Some question."
		if strings.HasPrefix(subject, "The discount code") {
			// A link no narrower than itself: the page must still fit the screen.
			body = "It says the code is invalid: https://shop.example/checkout/apply-discount?session=8f3c2a9e71d64b0c9a5e3f7d2b1c8e6a4f0d9b7c&code=SPRING2025WELCOMEBACK"
		}
		ids = append(ids, f.newTicket(t, ticket.NewTicket{Subject: subject, Channel: "email", Body: body,
			CustomerEmail: strings.ToLower(strings.Fields(subject)[0]) + "@example.com", CustomerName: "Dana Example"}))
	}
	return f, ids
}

// browserLogin signs the fixture's agent in through the login form.
func browserLogin(t *testing.T, bctx context.Context, f *fixture) {
	t.Helper()
	err := chromedp.Do(bctx,
		chromedp.Navigate(f.srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "agent@rapport.test"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS("nav.tabs")),
	)
	if err != nil {
		t.Fatalf("browser: sign in: %v", err)
	}
}

// pageReady waits until the page has loaded, so its script has run and
// its keys and cards work.
func pageReady(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
	_, err := chromedp.Poll[bool](`document.readyState === 'complete'`)(ctx, tg)
	return chromedp.Void{}, err
}

// TestBrowserTicketOnPhone measures the inbox and the ticket page on a
// phone's screen (390 × 844): the inbox shows its tickets as cards, at
// least three of them whole on the first screen; the ticket page is no
// wider than the screen, in either tab, and reads thread, composer, then
// the sidebar's cards.
func TestBrowserTicketOnPhone(t *testing.T) {
	f, ids := stepFixture(t)
	bctx := newBrowser(t, 60*time.Second, 390, 844)
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	browserLogin(t, bctx, f)
	err := chromedp.Do(bctx,
		chromedp.Navigate(f.srv.URL+"/?view=unassigned"),
		chromedp.WaitVisible(chromedp.Search(`//td[contains(@class, "subject")]/a[contains(., "Where is my parcel?")]`)),
		pageReady,
	)
	if err != nil {
		t.Fatalf("browser: open the inbox: %v", err)
	}
	type inboxFigures struct {
		Rows, Whole, ScrollWidth, ClientWidth, Height int
		Display                                       string
	}
	inbox, err := chromedp.Run(bctx, chromedp.Evaluate[inboxFigures](`(() => {
		const rows = Array.from(document.querySelectorAll('table.tickets tbody tr'));
		const h = window.innerHeight, w = document.documentElement.clientWidth;
		const whole = rows.filter(r => { const b = r.getBoundingClientRect();
			return b.top >= 0 && b.bottom <= h && b.left >= 0 && b.right <= w; }).length;
		return {Rows: rows.length, Whole: whole, ScrollWidth: document.documentElement.scrollWidth,
			ClientWidth: w, Height: h, Display: getComputedStyle(rows[0]).display};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("inbox on a phone: %d of %d tickets whole on the first %dpx; page %dpx wide in %dpx; rows display %q",
		inbox.Whole, inbox.Rows, inbox.Height, inbox.ScrollWidth, inbox.ClientWidth, inbox.Display)
	if inbox.Rows != len(ids) {
		t.Errorf("inbox lists %d tickets, want %d", inbox.Rows, len(ids))
	}
	if inbox.Whole < 3 {
		t.Errorf("inbox shows %d whole tickets on the first screen, want at least 3", inbox.Whole)
	}
	if inbox.Display == "table-row" {
		t.Errorf("inbox rows are table rows on a phone, want cards")
	}
	if inbox.ScrollWidth > inbox.ClientWidth {
		t.Errorf("inbox is %dpx wide on a %dpx screen", inbox.ScrollWidth, inbox.ClientWidth)
	}

	type pageFigures struct {
		ScrollWidth, ClientWidth     int
		Thread, Composer, Side, Card int // tops, in page order
	}
	measure := `(() => {
		const top = id => { const el = document.getElementById(id); return el ? Math.round(el.getBoundingClientRect().top + window.scrollY) : -1; };
		return {ScrollWidth: document.documentElement.scrollWidth, ClientWidth: document.documentElement.clientWidth,
			Thread: top('conversation-panel'), Composer: top('reply'), Side: top('customer'), Card: top('update')};
	})()`
	for _, tab := range []string{"", "?tab=history"} {
		err := chromedp.Do(bctx,
			chromedp.Navigate(f.srv.URL+ticketURL(ids[4])+tab),
			chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "The discount code from your newsletter")]`)),
			pageReady,
		)
		if err != nil {
			t.Fatalf("browser: open the ticket%s: %v", tab, err)
		}
		got, err := chromedp.Run(bctx, chromedp.Evaluate[pageFigures](measure))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("ticket page%s on a phone: %dpx wide in %dpx; tops: thread %d, composer %d, customer card %d, properties card %d",
			tab, got.ScrollWidth, got.ClientWidth, got.Thread, got.Composer, got.Side, got.Card)
		if got.ScrollWidth > got.ClientWidth {
			t.Errorf("ticket page%s scrolls sideways: %dpx wide on a %dpx screen", tab, got.ScrollWidth, got.ClientWidth)
		}
		if tab == "" && !(got.Thread < got.Composer && got.Composer < got.Side && got.Side < got.Card) {
			t.Errorf("ticket page reads thread %d, composer %d, cards %d/%d: want them in that order", got.Thread, got.Composer, got.Side, got.Card)
		}
	}
}

// TestBrowserTicketKeys works a ticket from the keyboard and the tabs and
// cards by hand: r puts the cursor in the reply, j opens the next ticket
// of the inbox list, k goes back, ? shows the shortcuts, s solves; a card
// folded on one ticket is still folded on the next; the history tab
// switches in place and says so in the address.
func TestBrowserTicketKeys(t *testing.T) {
	f, ids := stepFixture(t)
	bctx := newBrowser(t, 60*time.Second, 1280, 900)
	browserLogin(t, bctx, f)
	err := chromedp.Do(bctx,
		chromedp.Navigate(f.srv.URL+"/?view=unassigned&sort=oldest"),
		chromedp.WaitVisible(chromedp.Search(`//td[contains(@class, "subject")]/a[contains(., "Where is my parcel?")]`)),
		chromedp.Click(chromedp.Search(`//td[contains(@class, "subject")]/a[contains(., "Refund for a broken mug")]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Refund for a broken mug")]`)),
		chromedp.WaitVisible(chromedp.ID("reply-body")),
		pageReady,
		chromedp.KeyEvent("r"),
	)
	if err != nil {
		t.Fatalf("browser: open a ticket and press r: %v", err)
	}
	type focus struct {
		ID, Value string
	}
	active, err := chromedp.Run(bctx, chromedp.Evaluate[focus](`({ID: document.activeElement.id, Value: document.getElementById('reply-body').value})`))
	if err != nil {
		t.Fatal(err)
	}
	if active.ID != "reply-body" || active.Value != "" {
		t.Errorf("after r the focus is on %q and the reply holds %q; want the empty reply focused", active.ID, active.Value)
	}

	// Typed into the reply, j is a letter; after Esc it is the next ticket.
	if err := chromedp.Do(bctx, chromedp.KeyEvent("j")); err != nil {
		t.Fatal(err)
	}
	typed, err := chromedp.Run(bctx, chromedp.Evaluate[focus](`({ID: location.pathname, Value: document.getElementById('reply-body').value})`))
	if err != nil {
		t.Fatal(err)
	}
	if typed.ID != ticketURL(ids[1]) || typed.Value != "j" {
		t.Errorf("j typed in the reply: page %s, reply %q; want the letter in the reply and no step", typed.ID, typed.Value)
	}
	err = chromedp.Do(bctx,
		chromedp.KeyEvent(kb.Escape),
		chromedp.Click(chromedp.CSS(`#transfer summary`)), // fold the transfer card
	)
	if err == nil {
		_, err = chromedp.Run(bctx, chromedp.Poll[bool](`localStorage.getItem('rapport.card.transfer') === 'closed'`))
	}
	if err != nil {
		t.Fatalf("browser: leave the field, fold a card: %v", err)
	}
	err = chromedp.Do(bctx,
		chromedp.KeyEvent("j"),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Change the delivery address of order 10442")]`)),
	)
	if err != nil {
		t.Fatalf("browser: type j, leave the field, fold a card, press j: %v", err)
	}
	type state struct {
		Path, Reply   string
		TransferOpen  bool
		UpdateOpen    bool
		Selected      string
		HistoryHidden bool
	}
	read := `({Path: location.pathname + location.search, Reply: (document.getElementById('reply-body') || {}).value || '',
		TransferOpen: document.querySelector('#transfer details.fold').open, UpdateOpen: document.querySelector('#update details.fold').open,
		Selected: document.querySelector('.ticket-tabs [aria-selected="true"]').id, HistoryHidden: document.getElementById('history-panel').hidden})`
	if err := chromedp.Do(bctx, pageReady); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(bctx, chromedp.Evaluate[state](read))
	if err != nil {
		t.Fatal(err)
	}
	if got.Path != ticketURL(ids[2]) {
		t.Errorf("j led to %s, want the next ticket of the list, %s", got.Path, ticketURL(ids[2]))
	}
	if got.TransferOpen || !got.UpdateOpen {
		t.Errorf("on the next ticket the transfer card is open=%v, the properties card open=%v; want the folded one still folded", got.TransferOpen, got.UpdateOpen)
	}

	// The history tab opens in place; k goes back along the list.
	err = chromedp.Do(bctx,
		chromedp.Click(chromedp.ID("tab-history")),
		chromedp.WaitVisible(chromedp.CSS("#history-panel ol.events")),
	)
	if err != nil {
		t.Fatalf("browser: open the history tab: %v", err)
	}
	if got, err = chromedp.Run(bctx, chromedp.Evaluate[state](read)); err != nil {
		t.Fatal(err)
	}
	if got.Selected != "tab-history" || got.Path != ticketURL(ids[2])+"?tab=history" {
		t.Errorf("after the history tab: selected %q, address %s", got.Selected, got.Path)
	}
	events, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("#history-panel ol.events")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(events, "opened the ticket") {
		t.Errorf("history tab shows %q", events)
	}
	err = chromedp.Do(bctx,
		chromedp.KeyEvent("k"),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Refund for a broken mug")]`)),
		pageReady,
		chromedp.KeyEvent("?"),
		chromedp.WaitVisible(chromedp.ID("shortcuts-help")),
		chromedp.KeyEvent(kb.Escape),
		chromedp.WaitNotVisible(chromedp.ID("shortcuts-help")),
		chromedp.KeyEvent("s"),
		chromedp.WaitVisible(chromedp.Search(`//p[contains(@class, "flash")]`)),
	)
	if err != nil {
		t.Fatalf("browser: k, ?, Esc, s: %v", err)
	}
	status, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("ticket-status")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(status) != "Solved" {
		t.Errorf("after s the ticket is %q, want Solved", status)
	}
	tk, err := f.tickets.Get(context.Background(), ids[1])
	if err != nil || tk.Status != ticket.Solved {
		t.Errorf("stored ticket %d: status %q, err %v; want solved", ids[1], tk.Status, err)
	}
}
