package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/kb"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// The public help center: pages per language with canonical and hreflang
// links, the fallback note, internal articles hidden, votes only with the
// form's token, searches that found nothing kept, the sitemap.
func TestHelpCenter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		a := seedHelp(t, f)
		internal, err := f.kb.CreateArticle(ctx, 0, kb.ArticleInput{SectionID: a.SectionID, Internal: true, Language: "en", Title: "Refund limits", Body: "Up to 50 euros."})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.kb.Publish(ctx, internal.ID, "en"); err != nil {
			t.Fatal(err)
		}
		c := f.newClient(t)
		c.lang = "it"

		res := c.get(t, "/help")
		if res.code != http.StatusFound || res.header.Get("Location") != "/help/it" {
			t.Errorf("/help: %d to %q", res.code, res.header.Get("Location"))
		}
		home := c.get(t, "/help/it")
		mustCode(t, home, http.StatusOK, "home")
		contains(t, home.body, []string{"Ordini", "Come restituire un ordine", `hreflang="en"`, `rel="canonical" href="` + f.srv.URL + `/help/it"`},
			[]string{"Refund limits", "action=\"/logout\""})

		page := c.get(t, "/help/it/articles/"+a.Slug)
		mustCode(t, page, http.StatusOK, "article")
		contains(t, page.body, []string{"Come restituire un ordine", "<strong>reso</strong>", `hreflang="en" href="` + f.srv.URL + "/help/en/articles/" + a.Slug},
			[]string{"<script>alert", "help-fallback"})

		// Russian has no translation: the default language's, saying so,
		// canonical to the English page.
		ru := c.get(t, "/help/ru/articles/"+a.Slug)
		mustCode(t, ru, http.StatusOK, "article in russian")
		contains(t, ru.body, []string{`id="help-fallback"`, "How to return an order", `rel="canonical" href="` + f.srv.URL + "/help/en/articles/" + a.Slug}, nil)

		mustCode(t, c.get(t, "/help/en/articles/"+internal.Slug), http.StatusNotFound, "internal article, public")
		mustCode(t, c.get(t, "/help/xx"), http.StatusNotFound, "unknown language")
		agentView := f.login(t, "agent").get(t, "/help/en/articles/"+internal.Slug)
		mustCode(t, agentView, http.StatusOK, "internal article, agent")
		contains(t, agentView.body, []string{`id="help-internal"`, `content="noindex"`}, nil)

		// A vote needs the form's token.
		vote := url.Values{"helpful": {"yes"}, "comment": {"Chiaro"}}
		mustCode(t, c.post(t, "/help/it/articles/"+a.Slug+"/vote", vote), http.StatusForbidden, "vote without token")
		vote.Set("csrf", csrfIn(t, page.body))
		res = c.post(t, "/help/it/articles/"+a.Slug+"/vote", vote)
		mustCode(t, res, http.StatusSeeOther, "vote")
		vote.Set("helpful", "maybe")
		mustCode(t, c.post(t, "/help/it/articles/"+a.Slug+"/vote", vote), http.StatusBadRequest, "vote maybe")
		full, _ := f.kb.Article(ctx, a.ID)
		if it, _ := full.In("it"); it.Yes != 1 || it.Views != 1 {
			t.Errorf("votes %d, views %d", it.Yes, it.Views)
		}

		found := c.get(t, "/help/it/search?q=etichetta")
		contains(t, found.body, []string{`id="help-results"`, "<mark>etichetta</mark>"}, nil)
		none := c.get(t, "/help/it/search?q=fattura+elettronica")
		contains(t, none.body, []string{`id="help-none"`}, nil)
		rep, err := f.kb.Report(ctx, 30)
		if err != nil || len(rep.Gaps) != 1 || rep.Gaps[0].Query != "fattura elettronica" {
			t.Errorf("gaps %+v, %v", rep.Gaps, err)
		}

		sm := c.get(t, "/help/sitemap.xml")
		mustCode(t, sm, http.StatusOK, "sitemap")
		contains(t, sm.body, []string{"<loc>" + f.srv.URL + "/help/it/articles/" + a.Slug + "</loc>", `hreflang="en"`}, []string{internal.Slug})
		contains(t, c.get(t, "/robots.txt").body, []string{"Sitemap: " + f.srv.URL + "/help/sitemap.xml"}, nil)

		// The contact form's suggestions, and a deflection: opened from
		// them, then the form sent by someone else.
		sug := c.get(t, "/help/suggest?lang=it&q="+url.QueryEscape("reso pacco"))
		contains(t, sug.body, []string{"/help/it/articles/" + a.Slug + "?from=contact", "Come restituire"}, nil)
		if empty := c.get(t, "/help/suggest?lang=it&q=zz"); empty.body != "" {
			t.Errorf("short query suggests %q", empty.body)
		}
		mustCode(t, c.get(t, "/help/it/articles/"+a.Slug+"?from=contact"), http.StatusOK, "from contact")
		rep, _ = f.kb.Report(ctx, 30)
		if rep.Opened != 1 || rep.Deflections != 1 {
			t.Errorf("opened %d deflections %d", rep.Opened, rep.Deflections)
		}
		contact := c.get(t, "/contact?lang=it")
		res = c.post(t, "/contact", contactForm(csrfIn(t, contact.body), "it", "giulia@example.com", "Reso", "Il reso non funziona"))
		mustCode(t, res, http.StatusSeeOther, "contact sent")
		rep, _ = f.kb.Report(ctx, 30)
		if rep.Opened != 1 || rep.Deflections != 0 {
			t.Errorf("after sending: opened %d deflections %d", rep.Opened, rep.Deflections)
		}
	})
}

// Editors write, preview, save drafts and publish; agents may not; the
// composer suggests articles and inserts them; a reply becomes a draft.
func TestKBEditing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		agentC := f.login(t, "agent")
		mustCode(t, agentC.get(t, "/kb"), http.StatusForbidden, "agent on /kb")
		mustCode(t, agentC.post(t, "/kb/categories", url.Values{"slug": {"x"}, "name_en": {"X"}}), http.StatusForbidden, "agent adds a category")

		m := f.login(t, "manager")
		mustCode(t, m.post(t, "/kb/categories", url.Values{"slug": {"Bad Slug"}, "name_en": {"X"}}), http.StatusUnprocessableEntity, "bad slug")
		mustCode(t, m.post(t, "/kb/categories", url.Values{"slug": {"parcels"}, "name_en": {"Parcels"}, "name_it": {"Pacchi"}}), http.StatusSeeOther, "category")
		cats, _ := f.kb.Categories(ctx)
		if len(cats) != 1 {
			t.Fatalf("categories %+v", cats)
		}
		mustCode(t, m.post(t, "/kb/sections", url.Values{"category": {strconv.FormatInt(cats[0].ID, 10)}, "name_en": {"Tracking"}}), http.StatusSeeOther, "section")
		cats, _ = f.kb.Categories(ctx)
		sec := strconv.FormatInt(cats[0].Sections[0].ID, 10)

		prev := m.post(t, "/kb/articles", url.Values{"action": {"preview"}, "language": {"en"}, "section": {sec}, "title": {"Parcel tracking"}, "body": {"## Track\n\n<script>x()</script>\n\n**now**"}})
		mustCode(t, prev, http.StatusOK, "preview")
		contains(t, prev.body, []string{`<h2 id="track">Track</h2>`, "<strong>now</strong>"}, []string{"<script>x()"})
		if list, _ := f.kb.List(ctx); len(list) != 0 {
			t.Fatalf("preview saved %+v", list)
		}
		res := m.post(t, "/kb/articles", url.Values{"action": {"save"}, "language": {"en"}, "section": {sec}, "title": {"Parcel tracking"}, "body": {"Open the tracking link."}})
		mustCode(t, res, http.StatusSeeOther, "create")
		list, _ := f.kb.List(ctx)
		if len(list) != 1 || list[0].Published {
			t.Fatalf("list %+v", list)
		}
		id := strconv.FormatInt(list[0].ArticleID, 10)
		mustCode(t, f.newClient(t).get(t, "/help/en/articles/parcel-tracking"), http.StatusNotFound, "draft public")
		mustCode(t, m.post(t, "/kb/articles/"+id, url.Values{"action": {"publish"}, "language": {"en"}, "title": {"Parcel tracking"}, "body": {"Open the **tracking** link in the email."}}), http.StatusSeeOther, "publish")
		mustCode(t, f.newClient(t).get(t, "/help/en/articles/parcel-tracking"), http.StatusOK, "published public")
		edit := m.get(t, "/kb/articles/"+id+"?lang=en")
		contains(t, edit.body, []string{"Mia Manager", `id="history"`, "<strong>tracking</strong>"}, nil)

		// An image for the article, served to the public; an HTML file is
		// served as a download, never as a page.
		for _, up := range []struct{ name, data, ctype string }{
			{"map.png", "\x89PNG\r\n\x1a\n0000", "image/png"},
			{"evil.html", "<html><script>alert(1)</script></html>", "application/octet-stream"},
		} {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			mw.WriteField("csrf", m.csrf)
			mw.WriteField("language", "en")
			part, _ := mw.CreateFormFile("file", up.name)
			part.Write([]byte(up.data))
			mw.Close()
			req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/kb/articles/"+id+"/files", &buf)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			mustCode(t, m.do(t, req), http.StatusSeeOther, "upload "+up.name)
		}
		files, err := f.kb.Files(ctx, list[0].ArticleID)
		if err != nil || len(files) != 2 {
			t.Fatalf("files %+v, %v", files, err)
		}
		for i, want := range []string{"image/png", "application/octet-stream"} {
			got := f.newClient(t).get(t, "/help/en/files/"+strconv.FormatInt(files[i].ID, 10))
			mustCode(t, got, http.StatusOK, "file")
			if got.header.Get("Content-Type") != want {
				t.Errorf("file %s served as %q", files[i].Name, got.header.Get("Content-Type"))
			}
		}
		contains(t, m.get(t, "/kb/articles/"+id+"?lang=en").body, []string{"![map.png](/help/en/files/"}, nil)

		// The composer of a ticket about a parcel suggests it; inserting
		// puts its link in the draft.
		tk := f.ids["ticket"]
		page := agentC.get(t, idPath("/tickets/", tk, ""))
		contains(t, page.body, []string{`id="kb-articles"`, "Parcel tracking", `value="link|parcel-tracking|en"`}, nil)
		ins := agentC.post(t, idPath("/tickets/", tk, "/compose"), url.Values{"body": {"Hello,"}, "kb_insert": {"link|parcel-tracking|en"}})
		mustCode(t, ins, http.StatusOK, "insert link")
		contains(t, ins.body, []string{"Hello,\n\nParcel tracking: " + f.srv.URL + "/help/en/articles/parcel-tracking"}, nil)

		// A reply turned into a draft article.
		if _, err := f.tickets.Reply(ctx, ticket.Actor{Kind: "agent", AgentID: f.ids["agent"]}, tk, "Couriers pick up parcels at noon.", ""); err != nil {
			t.Fatal(err)
		}
		msgs, _ := f.tickets.Messages(ctx, tk)
		last := msgs[len(msgs)-1]
		mustCode(t, agentC.post(t, idPath("/tickets/", tk, "/messages/"+strconv.FormatInt(last.ID, 10)+"/article"), nil), http.StatusForbidden, "agent turns a reply")
		res = m.post(t, idPath("/tickets/", tk, "/messages/"+strconv.FormatInt(last.ID, 10)+"/article"), nil)
		mustCode(t, res, http.StatusSeeOther, "reply to article")
		if list, _ := f.kb.List(ctx); len(list) != 2 || !strings.Contains(list[len(list)-1].Title, "Parcel never arrived") {
			t.Errorf("list %+v", list)
		}
		mustCode(t, m.get(t, "/kb/report"), http.StatusOK, "report")
		mustCode(t, agentC.get(t, "/kb/report"), http.StatusForbidden, "agent report")
	})
}
