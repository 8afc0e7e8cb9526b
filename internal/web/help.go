package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/goals"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/kb"
)

// The public help center (issue 16): server-rendered pages under
// /help/{lang}/…, each language at its own address (canonical, with
// hreflang alternates and a sitemap), working without JavaScript.

// Cookies of the help center.
const (
	helpCookie    = "rapport_help"    // the vote form's double-submit CSRF token
	deflectCookie = "rapport_deflect" // a visitor who opened an article from the contact form
	helpVoteLimit = 20                // votes a client address may send …
	helpVoteEvery = 10 * time.Minute  // … in this long
)

// helpShell is what every help-center page shows around its content: the
// business, the language switcher with each language's address, the
// search box.
type helpShell struct {
	Business   string
	Logo       string
	Lang       string
	Default    string
	Languages  []string          // the languages the business serves
	Alternates map[string]string // language → absolute address of this page in it
	Canonical  string
	Query      string
	Standard   bool // the service standard is published
	Base       string
	NoIndex    bool
}

// AltURL is this page's address in lang, "" when it has none.
func (h helpShell) AltURL(lang string) string { return h.Alternates[lang] }

// AltLangs are the languages with an alternate address, in order.
func (h helpShell) AltLangs() []string {
	var out []string
	for _, l := range h.Languages {
		if h.Alternates[l] != "" {
			out = append(out, l)
		}
	}
	return out
}

// helpView is the data of a help-center page.
type helpView struct {
	helpShell
	Categories  []helpCategory
	Category    *helpCategory
	Popular     []kb.Link
	Article     *kb.Page
	Section     string
	Voted       string // "yes" or "no" after a vote
	Token       string // the vote form's CSRF token
	Hits        []kb.Hit
	Corrected   string
	Searched    bool
	Standard    []string // paragraphs of the published service standard
	FromContact bool
}

// helpCategory is a category with its sections' articles in one language.
type helpCategory struct {
	kb.Category
	Name     string
	Sections []helpSection
	Count    int
}

type helpSection struct {
	Name     string
	Articles []kb.Link
}

// helpLanguages are the languages the help center is in (the business's,
// among the catalogue's) and its default one.
func (s *server) helpLanguages(ctx context.Context) ([]string, string) {
	served, def := []string(nil), i18n.Default
	if s.business != nil {
		served, def = s.business.Served(ctx)
	}
	var out []string
	for _, l := range s.cat.Languages() {
		if len(served) == 0 || slices.Contains(served, l) {
			out = append(out, l)
		}
	}
	if !slices.Contains(out, def) && len(out) > 0 {
		def = out[0]
	}
	return out, def
}

// helpBase is the absolute address of the server for canonical links: the
// configured public address, else the request's host.
func (s *server) helpBase(r *http.Request) string {
	if s.publicURL != "" {
		return s.publicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// helpLang reads the {lang} of a help-center address: one the help center
// is in, else not found.
func (s *server) helpLang(r *http.Request) (string, []string, string, error) {
	langs, def := s.helpLanguages(r.Context())
	lang := r.PathValue("lang")
	if !slices.Contains(langs, lang) {
		return "", nil, "", errNotFound
	}
	return lang, langs, def, nil
}

// helpPage starts a help-center page in lang, its shell filled in.
func (s *server) helpPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, lang string, langs []string, def, title string) (*page, helpView) {
	rc.lang = lang
	p := s.publicPage(w, r, rc, title)
	p.Nav = "help"
	v := helpView{helpShell: helpShell{Lang: lang, Default: def, Languages: langs, Alternates: map[string]string{}, Base: s.helpBase(r)}}
	if s.business != nil {
		if prof, err := s.business.Profile(r.Context()); err == nil {
			v.Business, v.Logo = prof.Name, prof.LogoURL
		}
	}
	if v.Business == "" {
		v.Business = p.T("app.name")
	}
	if st, err := s.kb.Settings(r.Context()); err == nil && st.PublishStandard && s.goals != nil {
		v.helpShell.Standard = true
	}
	return p, v
}

// alternates sets the page's address in every language: path with the
// language in place of {lang}.
func (v *helpView) alternates(langs []string, path string) {
	for _, l := range langs {
		v.Alternates[l] = v.Base + strings.Replace(path, "{lang}", l, 1)
	}
	v.Canonical = v.Alternates[v.Lang]
}

// helpRoot serves GET /help: the help center in the visitor's language.
func (s *server) helpRoot(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	langs, def := s.helpLanguages(r.Context())
	lang := s.cat.Match(r.Header.Get("Accept-Language"))
	if l := r.URL.Query().Get("lang"); l != "" {
		lang = l
	}
	if !slices.Contains(langs, lang) {
		lang = def
	}
	http.Redirect(w, r, "/help/"+lang, http.StatusFound)
	return nil
}

// helpCategories arranges the published articles by category and section
// in lang.
func (s *server) helpCategories(ctx context.Context, lang, def string) ([]helpCategory, error) {
	cats, err := s.kb.Categories(ctx)
	if err != nil {
		return nil, err
	}
	links, err := s.kb.Published(ctx, false)
	if err != nil {
		return nil, err
	}
	links = kb.InLanguage(links, lang, def)
	bySection := map[int64][]kb.Link{}
	for _, l := range links {
		bySection[l.SectionID] = append(bySection[l.SectionID], l)
	}
	var out []helpCategory
	for _, c := range cats {
		hc := helpCategory{Category: c, Name: c.Names.In(lang, def)}
		for _, sec := range c.Sections {
			if arts := bySection[sec.ID]; len(arts) > 0 {
				hc.Sections = append(hc.Sections, helpSection{Name: sec.Names.In(lang, def), Articles: arts})
				hc.Count += len(arts)
			}
		}
		if hc.Count > 0 {
			out = append(out, hc)
		}
	}
	return out, nil
}

// helpHome serves GET /help/{lang}: the categories and the most read
// articles.
func (s *server) helpHome(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	lang, langs, def, err := s.helpLang(r)
	if err != nil {
		return err
	}
	p, v := s.helpPage(w, r, rc, lang, langs, def, "help.title")
	v.alternates(langs, "/help/{lang}")
	if v.Categories, err = s.helpCategories(r.Context(), lang, def); err != nil {
		return err
	}
	if v.Popular, err = s.kb.Popular(r.Context(), lang, def, 6); err != nil {
		return err
	}
	p.Data = v
	s.render(w, r, http.StatusOK, "help", p)
	return nil
}

// helpCategory serves GET /help/{lang}/categories/{slug}.
func (s *server) helpCategoryPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	lang, langs, def, err := s.helpLang(r)
	if err != nil {
		return err
	}
	cats, err := s.helpCategories(r.Context(), lang, def)
	if err != nil {
		return err
	}
	for i := range cats {
		if cats[i].Slug == r.PathValue("slug") {
			p, v := s.helpPage(w, r, rc, lang, langs, def, "help.title")
			p.Title = cats[i].Name
			v.Category = &cats[i]
			v.alternates(langs, "/help/{lang}/categories/"+url.PathEscape(cats[i].Slug))
			p.Data = v
			s.render(w, r, http.StatusOK, "help_category", p)
			return nil
		}
	}
	return errNotFound
}

// helpToken is the help center's CSRF token for the vote form, from its
// cookie, set when missing.
func (s *server) helpToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(helpCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	token := newToken()
	http.SetCookie(w, &http.Cookie{Name: helpCookie, Value: token, Path: "/help",
		MaxAge: int((12 * time.Hour).Seconds()), HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure})
	return token
}

func newToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// helpArticle serves GET /help/{lang}/articles/{slug}: the article in
// lang, else in the default language with a note saying so; internal
// articles to signed-in agents only. Opened from the contact form's
// suggestions (?from=contact), it is counted for the deflection report.
func (s *server) helpArticle(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	lang, langs, def, err := s.helpLang(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	art, err := s.kb.Read(ctx, r.PathValue("slug"), lang, def, rc.loggedIn)
	if err != nil {
		return err
	}
	p, v := s.helpPage(w, r, rc, lang, langs, def, "help.title")
	p.Title = art.Title
	v.Article = &art
	v.Token = s.helpToken(w, r)
	v.Voted = r.URL.Query().Get("voted")
	if v.Voted != "yes" && v.Voted != "no" {
		v.Voted = ""
	}
	path := "/help/{lang}/articles/" + url.PathEscape(art.Slug)
	for _, l := range art.Languages {
		if slices.Contains(langs, l) {
			v.Alternates[l] = v.Base + strings.Replace(path, "{lang}", l, 1)
		}
	}
	// A page shown in another language than its address says is the same
	// page as the one in that language: that one is canonical.
	v.Canonical = v.Base + strings.Replace(path, "{lang}", art.Language, 1)
	v.NoIndex = art.Internal
	if cats, err := s.kb.Categories(ctx); err == nil {
		for _, c := range cats {
			for _, sec := range c.Sections {
				if sec.ID == art.SectionID {
					v.Section = sec.Names.In(lang, def)
					cc := helpCategory{Category: c, Name: c.Names.In(lang, def)}
					v.Category = &cc
				}
			}
		}
	}
	// Agents reading and the page coming back after a vote are no views.
	if !rc.loggedIn && v.Voted == "" {
		if err := s.kb.CountView(ctx, art.TranslationID); err != nil {
			return err
		}
		if r.URL.Query().Get("from") == "contact" {
			v.FromContact = true
			token := ""
			if c, err := r.Cookie(deflectCookie); err == nil && len(c.Value) >= 32 {
				token = c.Value
			} else {
				token = newToken()
				http.SetCookie(w, &http.Cookie{Name: deflectCookie, Value: token, Path: "/",
					MaxAge: int((24 * time.Hour).Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure})
			}
			if err := s.kb.OpenedFromContact(ctx, art.TranslationID, token); err != nil {
				return err
			}
		}
	}
	p.Data = v
	s.render(w, r, http.StatusOK, "help_article", p)
	return nil
}

// helpVote serves POST /help/{lang}/articles/{slug}/vote: "was this
// helpful?", yes or no with an optional comment.
func (s *server) helpVote(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	lang, _, def, err := s.helpLang(r)
	if err != nil {
		return err
	}
	c, err := r.Cookie(helpCookie)
	if err != nil || !validToken(r.PostForm.Get("csrf"), c.Value) {
		return errCSRF
	}
	helpful := r.PostForm.Get("helpful")
	if helpful != "yes" && helpful != "no" {
		return errBadForm
	}
	art, err := s.kb.Read(r.Context(), r.PathValue("slug"), lang, def, rc.loggedIn)
	if err != nil {
		return err
	}
	if s.allowed(r, "help-vote", helpVoteLimit, helpVoteEvery) {
		if err := s.kb.Vote(r.Context(), art.TranslationID, helpful == "yes", r.PostForm.Get("comment")); err != nil {
			if _, ok := s.asProblem(lang, "vote", err); ok {
				return errBadForm
			}
			return err
		}
	}
	redirect(w, r, "/help/"+lang+"/articles/"+url.PathEscape(art.Slug)+"?voted="+helpful+"#vote")
	return nil
}

// helpSearch serves GET /help/{lang}/search?q=: the articles found, with
// highlighted passages; a search that found nothing is kept for the
// content gaps report.
func (s *server) helpSearch(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	lang, langs, def, err := s.helpLang(r)
	if err != nil {
		return err
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	p, v := s.helpPage(w, r, rc, lang, langs, def, "help.search_title")
	v.Query, v.Searched, v.NoIndex = q, q != "", true
	v.alternates(langs, "/help/{lang}/search?q="+url.QueryEscape(q))
	if q != "" {
		res, err := s.kb.Search(r.Context(), kb.Query{Text: q, Language: lang, Default: def, Agents: rc.loggedIn})
		if err != nil {
			return err
		}
		v.Hits, v.Corrected = res.Hits, res.Corrected
		if len(res.Hits) == 0 && !rc.loggedIn {
			if err := s.kb.RecordMissed(r.Context(), lang, q); err != nil {
				return err
			}
		}
	}
	p.Data = v
	s.render(w, r, http.StatusOK, "help_search", p)
	return nil
}

// helpSuggest serves GET /help/suggest?lang=&q=: the articles matching a
// contact form's subject as a fragment of HTML links the form's script
// shows under the subject, each opening the article counted as from the
// contact form. Nothing found is an empty fragment.
func (s *server) helpSuggest(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	langs, def := s.helpLanguages(r.Context())
	lang := r.URL.Query().Get("lang")
	if !slices.Contains(langs, lang) {
		lang = def
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	var hits []kb.Hit
	if len([]rune(q)) >= 3 {
		res, err := s.kb.Search(r.Context(), kb.Query{Text: q, Language: lang, Default: def, Limit: 5})
		if err != nil {
			return err
		}
		hits = res.Hits
		if len(hits) == 0 {
			if hits, err = s.kb.Related(r.Context(), kb.Query{Text: q, Language: lang, Default: def, Limit: 5}); err != nil {
				return err
			}
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if len(hits) == 0 {
		return nil
	}
	voice := s.customerVoice(r.Context(), lang)
	var b strings.Builder
	fmt.Fprintf(&b, `<p class="kb-suggest-title">%s</p><ul>`, htmlText(voice.T("help.suggest_title")))
	for _, h := range hits {
		fmt.Fprintf(&b, `<li><a href="/help/%s/articles/%s?from=contact" target="_blank" rel="noopener">%s</a></li>`,
			url.PathEscape(lang), url.PathEscape(h.Slug), htmlText(h.Title))
	}
	b.WriteString("</ul>")
	_, err := io.WriteString(w, b.String())
	return err
}

// helpStandard serves GET /help/{lang}/standard: the business's service
// standard, when the help center publishes it.
func (s *server) helpStandard(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	lang, langs, def, err := s.helpLang(r)
	if err != nil {
		return err
	}
	p, v := s.helpPage(w, r, rc, lang, langs, def, "help.standard")
	if !v.helpShell.Standard {
		return errNotFound
	}
	st, err := s.goals.Standard(r.Context(), lang)
	if errors.Is(err, goals.ErrNoStandard) {
		return errNotFound
	}
	if err != nil {
		return err
	}
	v.Standard = st.Paragraphs()
	v.alternates(langs, "/help/{lang}/standard")
	p.Data = v
	s.render(w, r, http.StatusOK, "help_standard", p)
	return nil
}

// helpFile serves GET /help/{lang}/files/{id}: an image or file of an
// article (of an internal one to agents only).
func (s *server) helpFile(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f, body, err := s.kb.OpenFile(r.Context(), id, rc.loggedIn)
	if err != nil {
		return err
	}
	defer body.Close()
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Cache-Control", "public, max-age=86400")
	if !f.Image() {
		h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(f.Name))
	}
	http.ServeContent(w, r, "", f.CreatedAt, body)
	return nil
}

// helpTheme serves GET /help/theme.css: the business's accent colour
// (the pages' policy allows no inline styles).
func (s *server) helpTheme(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	st, err := s.kb.Settings(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	_, err = fmt.Fprintf(w, ":root{--help-accent:%s}\n", st.Accent)
	return err
}

// sitemapURL is one <url> of a sitemap, with its language alternates.
type sitemapURL struct {
	Loc     string        `xml:"loc"`
	LastMod string        `xml:"lastmod,omitempty"`
	Links   []sitemapLink `xml:"xhtml:link"`
}

type sitemapLink struct {
	Rel      string `xml:"rel,attr"`
	Hreflang string `xml:"hreflang,attr"`
	Href     string `xml:"href,attr"`
}

// helpSitemap serves GET /help/sitemap.xml: every public published
// article in every language, and the home pages, with hreflang
// alternates.
func (s *server) helpSitemap(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	langs, _ := s.helpLanguages(r.Context())
	links, err := s.kb.Published(r.Context(), false)
	if err != nil {
		return err
	}
	base := s.helpBase(r)
	var urls []sitemapURL
	alts := func(path string, in []string) []sitemapLink {
		var out []sitemapLink
		for _, l := range in {
			out = append(out, sitemapLink{Rel: "alternate", Hreflang: l, Href: base + strings.Replace(path, "{lang}", l, 1)})
		}
		return out
	}
	for _, l := range langs {
		urls = append(urls, sitemapURL{Loc: base + "/help/" + l, Links: alts("/help/{lang}", langs)})
	}
	byArticle := map[int64][]kb.Link{}
	var order []int64
	for _, l := range links {
		if !slices.Contains(langs, l.Language) {
			continue
		}
		if _, ok := byArticle[l.ArticleID]; !ok {
			order = append(order, l.ArticleID)
		}
		byArticle[l.ArticleID] = append(byArticle[l.ArticleID], l)
	}
	for _, id := range order {
		tr := byArticle[id]
		var in []string
		for _, l := range tr {
			in = append(in, l.Language)
		}
		path := "/help/{lang}/articles/" + url.PathEscape(tr[0].Slug)
		for _, l := range tr {
			urls = append(urls, sitemapURL{Loc: base + strings.Replace(path, "{lang}", l.Language, 1),
				LastMod: l.PublishedAt.UTC().Format("2006-01-02"), Links: alts(path, in)})
		}
	}
	out, err := xml.MarshalIndent(struct {
		XMLName xml.Name     `xml:"urlset"`
		NS      string       `xml:"xmlns,attr"`
		XHTML   string       `xml:"xmlns:xhtml,attr"`
		URLs    []sitemapURL `xml:"url"`
	}{NS: "http://www.sitemaps.org/schemas/sitemap/0.9", XHTML: "http://www.w3.org/1999/xhtml", URLs: urls}, "", " ")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Write([]byte(xml.Header))
	_, err = w.Write(out)
	return err
}

// robots serves GET /robots.txt: the help center is for search engines,
// the team's pages are not; the sitemap lists the articles.
func (s *server) robots(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err := fmt.Fprintf(w, "User-agent: *\nAllow: /help/\nAllow: /contact\nDisallow: /\n\nSitemap: %s/help/sitemap.xml\n", s.helpBase(r))
	return err
}

// contactDeflected tells the knowledge base that the visitor sending the
// contact form sent it after all: the articles they opened from its
// suggestions did not deflect them.
func (s *server) contactDeflected(r *http.Request) {
	if s.kb == nil {
		return
	}
	if c, err := r.Cookie(deflectCookie); err == nil && c.Value != "" {
		if err := s.kb.ContactSent(r.Context(), c.Value); err != nil {
			s.log.Warn("deflection not recorded", "error", err)
		}
	}
}

// htmlText escapes s for HTML text.
func htmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

// KBOn reports whether the knowledge base is on, for the menu.
func (p *page) KBOn() bool { return p.s.kb != nil }
