package web

import (
	"context"
	"errors"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/rapport/rapport/internal/kb"
	"github.com/rapport/rapport/internal/ticket"
)

// The editors' pages of the knowledge base (issue 16): the list of
// articles with the categories, sections and the help center's settings;
// one article's editor with preview, publishing and history; the report.

// kbListView is the data of /kb.
type kbListView struct {
	Categories []kb.Category
	Items      []kb.ListItem
	Sections   map[int64]string // section id → "Category › Section"
	Settings   kb.Settings
	Languages  []string
	Default    string
}

// kbSectionNames names every section as "Category › Section" in lang.
func kbSectionNames(cats []kb.Category, lang, def string) map[int64]string {
	out := map[int64]string{}
	for _, c := range cats {
		for _, sec := range c.Sections {
			out[sec.ID] = c.Names.In(lang, def) + " › " + sec.Names.In(lang, def)
		}
	}
	return out
}

// kbPage serves GET /kb.
func (s *server) kbPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderKB(w, r, rc, nil)
}

func (s *server) renderKB(w http.ResponseWriter, r *http.Request, rc *reqCtx, prob *problem) error {
	ctx := r.Context()
	cats, err := s.kb.Categories(ctx)
	if err != nil {
		return err
	}
	items, err := s.kb.List(ctx)
	if err != nil {
		return err
	}
	st, err := s.kb.Settings(ctx)
	if err != nil {
		return err
	}
	_, def := s.helpLanguages(ctx)
	p := s.newPage(w, r, rc, "kb.title")
	p.Nav = "kb"
	status := http.StatusOK
	if prob != nil {
		p.Problem, p.Form, status = prob, r.PostForm, prob.Status
	}
	p.Data = kbListView{Categories: cats, Items: items, Sections: kbSectionNames(cats, rc.lang, def),
		Settings: st, Languages: kb.Languages(), Default: def}
	s.render(w, r, status, "kb", p)
	return nil
}

// kbNames reads the name_<lang> fields of a form.
func kbNames(r *http.Request) kb.Names {
	n := kb.Names{}
	for _, l := range kb.Languages() {
		n[l] = r.PostForm.Get("name_" + l)
	}
	return n
}

// kbOptionalID reads the {id} of a path, 0 when the route has none.
func kbOptionalID(r *http.Request) (int64, error) {
	if r.PathValue("id") == "" {
		return 0, nil
	}
	return pathID(r, "id")
}

// kbCategorySave serves POST /kb/categories and /kb/categories/{id}.
func (s *server) kbCategorySave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := kbOptionalID(r)
	if err != nil {
		return err
	}
	pos, _ := strconv.Atoi(r.PostForm.Get("position"))
	if _, err := s.kb.SaveCategory(r.Context(), id, kb.CategoryInput{Slug: r.PostForm.Get("slug"), Position: pos, Names: kbNames(r)}); err != nil {
		prob, ok := s.asProblem(rc.lang, "kb-category", err)
		if !ok {
			return err
		}
		return s.renderKB(w, r, rc, prob)
	}
	s.setFlash(w, "flash.kb_saved")
	redirect(w, r, "/kb#categories")
	return nil
}

// kbSectionSave serves POST /kb/sections and /kb/sections/{id}.
func (s *server) kbSectionSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := kbOptionalID(r)
	if err != nil {
		return err
	}
	pos, _ := strconv.Atoi(r.PostForm.Get("position"))
	cat, _ := strconv.ParseInt(r.PostForm.Get("category"), 10, 64)
	if _, err := s.kb.SaveSection(r.Context(), id, kb.SectionInput{CategoryID: cat, Position: pos, Names: kbNames(r)}); err != nil {
		prob, ok := s.asProblem(rc.lang, "kb-section", err)
		if !ok {
			return err
		}
		return s.renderKB(w, r, rc, prob)
	}
	s.setFlash(w, "flash.kb_saved")
	redirect(w, r, "/kb#categories")
	return nil
}

// kbSettingsSave serves POST /kb/settings.
func (s *server) kbSettingsSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	st := kb.Settings{Accent: r.PostForm.Get("accent"), PublishStandard: r.PostForm.Get("publish_standard") == "1"}
	if err := s.kb.SaveSettings(r.Context(), st); err != nil {
		prob, ok := s.asProblem(rc.lang, "kb-settings", err)
		if !ok {
			return err
		}
		return s.renderKB(w, r, rc, prob)
	}
	s.setFlash(w, "flash.kb_saved")
	redirect(w, r, "/kb#settings")
	return nil
}

// kbArticleView is the data of an article's editor.
type kbArticleView struct {
	Article    kb.Article
	New        bool
	Lang       string // the translation being edited
	Current    kb.Translation
	Exists     bool // the translation exists
	Title      string
	Body       string
	Preview    template.HTML // Body rendered, sanitised
	Revisions  []kb.Revision
	Files      []kb.File
	Languages  []string
	Categories []kb.Category
	Sections   map[int64]string
	Default    string
}

// kbArticleNew serves GET /kb/articles/new: the form of a new article.
func (s *server) kbArticleNew(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderKBArticle(w, r, rc, 0, nil, nil)
}

// kbArticlePage serves GET /kb/articles/{id}?lang=: the article's editor
// in one language, its preview, files and history.
func (s *server) kbArticlePage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderKBArticle(w, r, rc, id, nil, nil)
}

// renderKBArticle renders article id's editor (id 0: a new article); text,
// when not nil, is what the form holds instead of the saved text.
func (s *server) renderKBArticle(w http.ResponseWriter, r *http.Request, rc *reqCtx, id int64, text *kb.TextInput, prob *problem) error {
	ctx := r.Context()
	cats, err := s.kb.Categories(ctx)
	if err != nil {
		return err
	}
	_, def := s.helpLanguages(ctx)
	v := kbArticleView{New: id == 0, Languages: kb.Languages(), Categories: cats, Sections: kbSectionNames(cats, rc.lang, def), Default: def}
	v.Lang = r.URL.Query().Get("lang")
	if r.Method == http.MethodPost && r.PostForm.Get("language") != "" {
		v.Lang = r.PostForm.Get("language")
	}
	if id != 0 {
		if v.Article, err = s.kb.Article(ctx, id); err != nil {
			return err
		}
		if v.Lang == "" && len(v.Article.Translations) > 0 {
			v.Lang = v.Article.Translations[0].Language
			if _, ok := v.Article.In(def); ok {
				v.Lang = def
			}
		}
		if v.Current, v.Exists = v.Article.In(v.Lang); v.Exists {
			v.Title, v.Body = v.Current.Title, v.Current.Body
			if v.Revisions, err = s.kb.Revisions(ctx, id, v.Lang); err != nil {
				return err
			}
		}
		if v.Files, err = s.kb.Files(ctx, id); err != nil {
			return err
		}
	}
	if !slices.Contains(v.Languages, v.Lang) {
		v.Lang = def
	}
	if text != nil {
		v.Title, v.Body = text.Title, text.Body
	}
	v.Preview = kb.Render(v.Body)
	p := s.newPage(w, r, rc, "kb.edit_title")
	p.Nav = "kb"
	if v.Title != "" {
		p.Title = v.Title
	}
	status := http.StatusOK
	if prob != nil {
		p.Problem, p.Form, status = prob, r.PostForm, prob.Status
	}
	p.Data = v
	s.render(w, r, status, "kb_article", p)
	return nil
}

// kbArticleCreate serves POST /kb/articles: a new article, a draft.
func (s *server) kbArticleCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f := r.PostForm
	sec, _ := strconv.ParseInt(f.Get("section"), 10, 64)
	text := kb.TextInput{Title: f.Get("title"), Body: f.Get("body")}
	if f.Get("action") == "preview" {
		return s.renderKBArticle(w, r, rc, 0, &text, nil)
	}
	a, err := s.kb.CreateArticle(r.Context(), rc.me.ID, kb.ArticleInput{SectionID: sec, Slug: f.Get("slug"),
		Internal: f.Get("internal") == "1", Language: f.Get("language"), Title: text.Title, Body: text.Body})
	if err != nil {
		prob, ok := s.asProblem(rc.lang, "kb-article", err)
		if !ok {
			return err
		}
		return s.renderKBArticle(w, r, rc, 0, &text, prob)
	}
	s.setFlash(w, "flash.kb_draft_saved")
	redirect(w, r, "/kb/articles/"+strconv.FormatInt(a.ID, 10)+"?lang="+url.QueryEscape(f.Get("language")))
	return nil
}

// kbArticleSave serves POST /kb/articles/{id}: the text in one language
// saved as a new revision (a draft until published), or only previewed,
// or saved and published at once.
func (s *server) kbArticleSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f := r.PostForm
	lang := f.Get("language")
	text := kb.TextInput{Title: f.Get("title"), Body: f.Get("body")}
	if f.Get("action") == "preview" {
		return s.renderKBArticle(w, r, rc, id, &text, nil)
	}
	if err := s.kb.SaveText(r.Context(), rc.me.ID, id, lang, text); err != nil {
		prob, ok := s.asProblem(rc.lang, "kb-article", err)
		if !ok {
			return err
		}
		return s.renderKBArticle(w, r, rc, id, &text, prob)
	}
	flash := "flash.kb_draft_saved"
	if f.Get("action") == "publish" {
		if err := s.kb.Publish(r.Context(), id, lang); err != nil {
			return err
		}
		flash = "flash.kb_published"
	}
	s.setFlash(w, flash)
	redirect(w, r, "/kb/articles/"+strconv.FormatInt(id, 10)+"?lang="+url.QueryEscape(lang))
	return nil
}

// kbArticleMeta serves POST /kb/articles/{id}/settings: section, address
// and whether only agents see it.
func (s *server) kbArticleMeta(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f := r.PostForm
	sec, _ := strconv.ParseInt(f.Get("section"), 10, 64)
	if err := s.kb.UpdateArticle(r.Context(), id, kb.ArticleMeta{SectionID: sec, Slug: f.Get("slug"), Internal: f.Get("internal") == "1"}); err != nil {
		prob, ok := s.asProblem(rc.lang, "kb-meta", err)
		if !ok {
			return err
		}
		return s.renderKBArticle(w, r, rc, id, nil, prob)
	}
	s.setFlash(w, "flash.kb_saved")
	redirect(w, r, "/kb/articles/"+strconv.FormatInt(id, 10)+"?lang="+url.QueryEscape(f.Get("language")))
	return nil
}

// kbArticlePublish serves POST /kb/articles/{id}/publish and
// /unpublish (the language in the form).
func (s *server) kbArticlePublish(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	lang := r.PostForm.Get("language")
	flash := "flash.kb_published"
	if strings.HasSuffix(r.URL.Path, "/unpublish") {
		err, flash = s.kb.Unpublish(r.Context(), id, lang), "flash.kb_unpublished"
	} else {
		err = s.kb.Publish(r.Context(), id, lang)
	}
	if err != nil {
		return err
	}
	s.setFlash(w, flash)
	redirect(w, r, "/kb/articles/"+strconv.FormatInt(id, 10)+"?lang="+url.QueryEscape(lang))
	return nil
}

// kbArticleFile serves POST /kb/articles/{id}/files: an image or file for
// the article, whose Markdown the editor page then shows to paste.
func (s *server) kbArticleFile(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if r.MultipartForm == nil || len(r.MultipartForm.File["file"]) == 0 {
		return errBadForm
	}
	fh := r.MultipartForm.File["file"][0]
	fr, err := fh.Open()
	if err != nil {
		return errBadForm
	}
	data, err := io.ReadAll(io.LimitReader(fr, kb.MaxFile+1))
	fr.Close()
	if err != nil {
		return errBadForm
	}
	if _, err := s.kb.AddFile(r.Context(), id, fh.Filename, data); err != nil {
		prob, ok := s.asProblem(rc.lang, "kb-file", err)
		if !ok {
			return err
		}
		return s.renderKBArticle(w, r, rc, id, nil, prob)
	}
	s.setFlash(w, "flash.kb_file_added")
	redirect(w, r, "/kb/articles/"+strconv.FormatInt(id, 10)+"?lang="+url.QueryEscape(r.PostForm.Get("language"))+"#files")
	return nil
}

// kbReport serves GET /kb/report: views, votes, deflections and content
// gaps of the help center.
func (s *server) kbReport(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	days, _ := strconv.Atoi(r.URL.Query().Get("days"))
	if days != 7 && days != 90 {
		days = 30
	}
	rep, err := s.kb.Report(r.Context(), days)
	if err != nil {
		return err
	}
	p := s.newPage(w, r, rc, "kb.report_title")
	p.Nav = "kb_report"
	p.Data = rep
	s.render(w, r, http.StatusOK, "kb_report", p)
	return nil
}

// ticketToArticle serves POST /tickets/{id}/messages/{message}/article:
// a good reply becomes a draft article (in the ticket's language, titled
// by the ticket's subject, in the first section) for an editor to finish.
func (s *server) ticketToArticle(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	mid, err := pathID(r, "message")
	if err != nil {
		return err
	}
	ctx := r.Context()
	t, err := s.tickets.Get(ctx, id)
	if err != nil {
		return err
	}
	msgs, err := s.tickets.Messages(ctx, id)
	if err != nil {
		return err
	}
	var body string
	found := false
	for _, m := range msgs {
		if m.ID == mid && m.Kind == ticket.Reply {
			body, found = m.BodyText, true
		}
	}
	if !found {
		return errNotFound
	}
	cats, err := s.kb.Categories(ctx)
	if err != nil {
		return err
	}
	var section int64
	for _, c := range cats {
		if len(c.Sections) > 0 {
			section = c.Sections[0].ID
			break
		}
	}
	if section == 0 {
		s.setFlash(w, "flash.kb_no_section")
		redirect(w, r, "/kb#categories")
		return nil
	}
	lang := t.Language
	if !slices.Contains(kb.Languages(), lang) {
		_, lang = s.helpLanguages(ctx)
	}
	title := strings.TrimSpace(t.Subject)
	if title == "" {
		title = "#" + strconv.FormatInt(t.ID, 10)
	}
	a, err := s.kb.CreateArticle(ctx, rc.me.ID, kb.ArticleInput{SectionID: section, Language: lang, Title: title, Body: body})
	if err != nil {
		return err
	}
	s.setFlash(w, "flash.kb_from_reply")
	redirect(w, r, "/kb/articles/"+strconv.FormatInt(a.ID, 10)+"?lang="+lang)
	return nil
}

// kbComposer is the composer's suggested articles for a ticket: its
// subject and first customer message searched in its language, internal
// articles included (agents read them).
func (s *server) kbComposer(ctx context.Context, r *http.Request, t ticket.Ticket, msgs []ticket.Message) []kbSuggestion {
	if s.kb == nil {
		return nil
	}
	text := t.Subject
	for _, m := range msgs {
		if m.Kind == ticket.CustomerMessage {
			text += " " + m.BodyText
			break
		}
	}
	_, def := s.helpLanguages(ctx)
	hits, err := s.kb.Related(ctx, kb.Query{Text: text, Language: t.Language, Default: def, Agents: true, Limit: 3})
	if err != nil {
		s.log.Warn("composer articles not found", "ticket_id", t.ID, "error", err)
		return nil
	}
	base := s.helpBase(r)
	var out []kbSuggestion
	for _, h := range hits {
		link := base + "/help/" + h.Language + "/articles/" + url.PathEscape(h.Slug)
		out = append(out, kbSuggestion{Hit: h, Link: link})
	}
	return out
}

// kbSuggestion is an article the composer offers, with its address.
type kbSuggestion struct {
	kb.Hit
	Link string
}

// kbInsert is the text the composer's "insert link" or "insert excerpt"
// adds to the draft: value is "link|slug|lang" or "excerpt|slug|lang".
func (s *server) kbInsert(r *http.Request, value string) (string, error) {
	parts := strings.SplitN(value, "|", 3)
	if len(parts) != 3 || (parts[0] != "link" && parts[0] != "excerpt") {
		return "", errBadForm
	}
	_, def := s.helpLanguages(r.Context())
	page, err := s.kb.Read(r.Context(), parts[1], parts[2], def, true)
	if errors.Is(err, kb.ErrNotFound) {
		return "", errNotFound
	}
	if err != nil {
		return "", err
	}
	link := s.helpBase(r) + "/help/" + page.Language + "/articles/" + url.PathEscape(page.Slug)
	if parts[0] == "link" {
		return page.Title + ": " + link, nil
	}
	return kb.Excerpt(page.Body, 400) + "\n" + link, nil
}
