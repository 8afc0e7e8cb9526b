package app

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/chat"
	"github.com/rapport/rapport/internal/kb"
	"github.com/rapport/rapport/internal/ticket"
)

// While a visitor types before the chat starts, the widget offers the
// help center's public articles in their language; one opened and no chat
// started after is a deflection by the widget in the report, one opened
// by a visitor who then starts the chat is not. Origins are checked as
// for every call of the visitor API, and internal articles never come.
func TestChatWidgetOffersArticles(t *testing.T) {
	eachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		c := startChatApp(t, dsn, time.Date(2025, 3, 10, 10, 0, 0, 0, time.UTC))
		svc := c.svc
		w, err := svc.Chat.CreateWidget(ctx, chat.Widget{Name: "Help", Origins: []string{site}})
		if err != nil {
			t.Fatal(err)
		}
		base := "/chat/v1/w/" + w.Key
		returns := publish(t, svc.KB, false, map[string][2]string{
			"en": {"How to return an order", "Print the label and return the parcel within 30 days."},
			"it": {"Come restituire un ordine", "Stampa l'etichetta e restituisci il pacco entro 30 giorni."},
		})
		staff := publish(t, svc.KB, true, map[string][2]string{
			"it": {"Restituire: procedura interna", "Solo per il team: restituire senza etichetta."},
		})

		code, out, _ := c.call("GET", base+"/articles?lang=it-IT&q=restituire", site, "", "", nil)
		list, _ := out["articles"].([]any)
		if code != http.StatusOK || len(list) != 1 {
			t.Fatalf("articles: %d %v, want the one public article", code, out)
		}
		a := list[0].(map[string]any)
		if a["title"] != "Come restituire un ordine" || a["lang"] != "it" || a["path"] != "/help/it/articles/"+returns.Slug {
			t.Errorf("offered %v, want the Italian translation", a)
		}
		if code, _, _ := c.call("GET", base+"/articles?lang=it&q=restituire", "https://evil.example", "", "", nil); code != http.StatusForbidden {
			t.Errorf("articles from another site: %d, want 403", code)
		}
		if _, out, _ := c.call("GET", base+"/articles?lang=it&q=re", site, "", "", nil); len(out["articles"].([]any)) != 0 {
			t.Errorf("two letters searched: %v", out)
		}

		left, stayed := strings.Repeat("a1", 16), strings.Repeat("b2", 16)
		open := func(origin, slug, visitor string) int {
			t.Helper()
			code, _ := c.post(base+"/articles/opened", origin, "", map[string]string{"lang": "it", "slug": slug, "visitor": visitor})
			return code
		}
		for _, tc := range []struct {
			name    string
			origin  string
			slug    string
			visitor string
			want    int
		}{
			{"no origin", "", returns.Slug, left, http.StatusForbidden},
			{"another site", "https://evil.example", returns.Slug, left, http.StatusForbidden},
			{"a short key", site, returns.Slug, "abc", http.StatusBadRequest},
			{"no such article", site, "nothing-here", left, http.StatusNotFound},
			{"internal", site, staff.Slug, left, http.StatusNotFound},
			{"opened, then left", site, returns.Slug, left, http.StatusNoContent},
			{"opened, then chatted", site, returns.Slug, stayed, http.StatusNoContent},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if got := open(tc.origin, tc.slug, tc.visitor); got != tc.want {
					t.Errorf("status %d, want %d", got, tc.want)
				}
			})
		}
		code, out = c.post(base+"/sessions", site, "", map[string]string{"name": "Bea", "language": "it"})
		if code != http.StatusCreated {
			t.Fatalf("start: %d %v", code, out)
		}
		if code, out := c.post(base+"/messages?kb="+stayed, site, out["token"].(string), map[string]string{"client_id": "k-1", "text": "Ho ancora bisogno di aiuto"}); code != http.StatusCreated {
			t.Fatalf("send: %d %v", code, out)
		}
		r, err := svc.KB.Report(ctx, 30)
		if err != nil {
			t.Fatal(err)
		}
		if r.WidgetOpened != 2 || r.WidgetDeflections != 1 || r.Deflections != 1 || r.ContactOpened() != 0 {
			t.Errorf("report: widget opened %d, deflected %d; all deflected %d; from the contact form %d; want 2, 1, 1, 0",
				r.WidgetOpened, r.WidgetDeflections, r.Deflections, r.ContactOpened())
		}
	})
}

// The long-poll fallback: an ask answers at once with what came after the
// id given, else waits for the next message; asking again from the last
// id seen gives nothing twice; a draining node answers 503 with
// Retry-After, so the widget asks another.
func TestChatLongPoll(t *testing.T) {
	eachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		c := startChatApp(t, dsn, time.Date(2025, 3, 10, 10, 0, 0, 0, time.UTC))
		svc := c.svc
		w, err := svc.Chat.CreateWidget(ctx, chat.Widget{Name: "Help", Origins: []string{site}})
		if err != nil {
			t.Fatal(err)
		}
		base := "/chat/v1/w/" + w.Key
		code, out := c.post(base+"/sessions", site, "", map[string]string{"name": "Vera"})
		if code != http.StatusCreated {
			t.Fatalf("start: %d %v", code, out)
		}
		token := out["token"].(string)
		if code, out := c.post(base+"/messages", site, token, map[string]string{"client_id": "p-1", "text": "Hello?"}); code != http.StatusCreated {
			t.Fatalf("send: %d %v", code, out)
		}
		var tid int64
		svc.DB.R.QueryRowContext(ctx, `SELECT id FROM tickets WHERE channel = 'chat'`).Scan(&tid)
		ann, err := svc.Agents.Create(ctx, agent.NewAgent{Email: "ann@shop.example", Name: "Ann Bell", Role: agent.RoleAdmin, Password: "long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		poll := func(after float64) (int, map[string]any, http.Header) {
			t.Helper()
			return c.call("GET", base+"/poll?after="+jsonID(int64(after)), site, token, "", nil)
		}
		texts := func(out map[string]any) []string {
			var s []string
			for _, m := range out["messages"].([]any) {
				s = append(s, m.(map[string]any)["text"].(string))
			}
			return s
		}

		// At once: what is there after 0.
		code, out, _ = poll(0)
		if code != http.StatusOK || strings.Join(texts(out), "|") != "Hello?" || out["ticket"] != true {
			t.Fatalf("first poll: %d %v", code, out)
		}
		last := out["messages"].([]any)[0].(map[string]any)["id"].(float64)

		// Waiting: the agent's reply ends the wait (whether it was stored
		// before the ask or during it, the answer is the same).
		type answer struct {
			code int
			out  map[string]any
		}
		got := make(chan answer, 1)
		go func() { code, out, _ := poll(last); got <- answer{code, out} }()
		if _, err := svc.Tickets.Reply(ctx, ticket.AgentActor(ann.ID), tid, "Hello, how can I help?", ""); err != nil {
			t.Fatal(err)
		}
		svc.Jobs.Notify()
		ans := <-got
		if ans.code != http.StatusOK || strings.Join(texts(ans.out), "|") != "Hello, how can I help?" {
			t.Fatalf("the waiting poll: %d %v, want the reply alone", ans.code, ans.out)
		}
		last = ans.out["messages"].([]any)[0].(map[string]any)["id"].(float64)
		if _, err := svc.Tickets.Reply(ctx, ticket.AgentActor(ann.ID), tid, "Are you there?", ""); err != nil {
			t.Fatal(err)
		}
		if code, out, _ := poll(last); code != http.StatusOK || strings.Join(texts(out), "|") != "Are you there?" {
			t.Errorf("asking again from the last id: %d %v, want the new reply only", code, out)
		}
		if code, _, _ := c.call("GET", base+"/poll?after=0", site, "", "", nil); code != http.StatusUnauthorized {
			t.Errorf("a poll without the token: %d, want 401", code)
		}

		// Draining: a waiting ask (or a new one) is told to come back.
		go func() { code, out, _ := poll(1 << 40); got <- answer{code, out} }()
		dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		svc.Live.Drain(dctx)
		ans = <-got
		if ans.code != http.StatusServiceUnavailable {
			t.Errorf("a poll on a draining node: %d %v, want 503", ans.code, ans.out)
		}
		if code, _, hdr := poll(1 << 40); code != http.StatusServiceUnavailable || hdr.Get("Retry-After") == "" {
			t.Errorf("a new poll on a draining node: %d, Retry-After %q", code, hdr.Get("Retry-After"))
		}
	})
}

// publish makes a published article with the given translations in a
// section of its own.
func publish(t *testing.T, s *kb.Service, internal bool, texts map[string][2]string) kb.Article {
	t.Helper()
	ctx := context.Background()
	slug := "returns"
	if internal {
		slug = "staff"
	}
	cat, err := s.SaveCategory(ctx, 0, kb.CategoryInput{Slug: slug, Names: kb.Names{"en": "Returns", "it": "Resi"}})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := s.SaveSection(ctx, 0, kb.SectionInput{CategoryID: cat, Names: kb.Names{"en": "Returns"}})
	if err != nil {
		t.Fatal(err)
	}
	var a kb.Article
	for _, lang := range []string{"en", "it"} {
		tx, ok := texts[lang]
		if !ok {
			continue
		}
		if a.ID == 0 {
			a, err = s.CreateArticle(ctx, 0, kb.ArticleInput{SectionID: sec, Internal: internal, Language: lang, Title: tx[0], Body: tx[1]})
		} else {
			err = s.SaveText(ctx, 0, a.ID, lang, kb.TextInput{Title: tx[0], Body: tx[1]})
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Publish(ctx, a.ID, lang); err != nil {
			t.Fatal(err)
		}
	}
	return a
}
