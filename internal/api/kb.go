package api

import (
	"net/http"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/kb"
)

// errNoKB answers the knowledge-base routes on a server without it.
var errNoKB = &apiError{status: http.StatusServiceUnavailable, code: "unavailable",
	message: "the knowledge base is not enabled on this server"}

// kbTranslationJSON is one language of an article.
type kbTranslationJSON struct {
	Language    string  `json:"language"`
	Title       string  `json:"title"`
	Body        string  `json:"body"`
	Published   bool    `json:"published"`
	Draft       bool    `json:"draft"` // changes not yet published
	PublishedAt *string `json:"published_at"`
	UpdatedAt   *string `json:"updated_at"`
	UpdatedBy   *int64  `json:"updated_by"`
	Views       int64   `json:"views"`
	HelpfulYes  int64   `json:"helpful_yes"`
	HelpfulNo   int64   `json:"helpful_no"`
}

// kbArticleJSON is one article with its translations.
type kbArticleJSON struct {
	ID           int64               `json:"id"`
	SectionID    int64               `json:"section_id"`
	Slug         string              `json:"slug"`
	Internal     bool                `json:"internal"`
	CreatedAt    *string             `json:"created_at"`
	Translations []kbTranslationJSON `json:"translations"`
}

func toKBArticleJSON(a kb.Article) kbArticleJSON {
	out := kbArticleJSON{ID: a.ID, SectionID: a.SectionID, Slug: a.Slug, Internal: a.Internal, CreatedAt: timeJSON(a.CreatedAt),
		Translations: []kbTranslationJSON{}}
	for _, t := range a.Translations {
		out.Translations = append(out.Translations, kbTranslationJSON{Language: t.Language, Title: t.Title, Body: t.Body,
			Published: t.Published(), Draft: t.Draft(), PublishedAt: timeJSON(t.PublishedAt), UpdatedAt: timeJSON(t.UpdatedAt),
			UpdatedBy: idJSON(t.UpdatedBy), Views: t.Views, HelpfulYes: t.Yes, HelpfulNo: t.No})
	}
	return out
}

// kbListItemJSON is one translation in the list of articles.
type kbListItemJSON struct {
	ArticleID int64   `json:"article_id"`
	SectionID int64   `json:"section_id"`
	Slug      string  `json:"slug"`
	Language  string  `json:"language"`
	Title     string  `json:"title"`
	Internal  bool    `json:"internal"`
	Published bool    `json:"published"`
	Draft     bool    `json:"draft"`
	UpdatedAt *string `json:"updated_at"`
	Views     int64   `json:"views"`
}

func toKBListItemJSON(it kb.ListItem) kbListItemJSON {
	return kbListItemJSON{ArticleID: it.ArticleID, SectionID: it.SectionID, Slug: it.Slug, Language: it.Language, Title: it.Title,
		Internal: it.Internal, Published: it.Published, Draft: it.Draft, UpdatedAt: timeJSON(it.UpdatedAt), Views: it.Views}
}

// kbHitJSON is one article found by a search.
type kbHitJSON struct {
	ArticleID int64   `json:"article_id"`
	Slug      string  `json:"slug"`
	Language  string  `json:"language"`
	Title     string  `json:"title"`
	Snippet   string  `json:"snippet"`
	Internal  bool    `json:"internal"`
	Score     float64 `json:"score"`
}

func toKBHitJSON(h kb.Hit) kbHitJSON {
	return kbHitJSON{ArticleID: h.ArticleID, Slug: h.Slug, Language: h.Language, Title: h.Title, Snippet: h.Snippet.Text(),
		Internal: h.Internal, Score: h.Score}
}

// kbArticleRequest is the body of POST /kb/articles.
type kbArticleRequest struct {
	SectionID int64  `json:"section_id"`
	Slug      string `json:"slug"`
	Internal  bool   `json:"internal"`
	Language  string `json:"language"`
	Title     string `json:"title"`
	Body      string `json:"body"`
	Publish   bool   `json:"publish"`
}

// kbTextRequest is the body of PUT /kb/articles/{id}: one language's text.
type kbTextRequest struct {
	Language string `json:"language"`
	Title    string `json:"title"`
	Body     string `json:"body"`
	Publish  bool   `json:"publish"`
}

// kbPublishRequest is the body of POST /kb/articles/{id}/publish.
type kbPublishRequest struct {
	Language string `json:"language"`
	Publish  *bool  `json:"publish"` // false unpublishes; default true
}

// listKBArticles serves GET /kb/articles: every translation of every
// article, drafts included.
func (s *server) listKBArticles(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.kb == nil {
		return errNoKB
	}
	list, err := s.kb.List(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(list, toKBListItemJSON, ""))
	return nil
}

// getKBArticle serves GET /kb/articles/{id}.
func (s *server) getKBArticle(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.kb == nil {
		return errNoKB
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, err := s.kb.Article(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toKBArticleJSON(a))
	return nil
}

// createKBArticle serves POST /kb/articles: a new article with its first
// translation, a draft unless publish is true.
func (s *server) createKBArticle(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	if s.kb == nil {
		return errNoKB
	}
	var req kbArticleRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	a, err := s.kb.CreateArticle(r.Context(), me.ID, kb.ArticleInput{SectionID: req.SectionID, Slug: req.Slug, Internal: req.Internal,
		Language: req.Language, Title: req.Title, Body: req.Body})
	if err != nil {
		return err
	}
	if req.Publish {
		if err := s.kb.Publish(r.Context(), a.ID, req.Language); err != nil {
			return err
		}
		if a, err = s.kb.Article(r.Context(), a.ID); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusCreated, toKBArticleJSON(a))
	return nil
}

// saveKBText serves PUT /kb/articles/{id}: a new revision of one language
// (a new translation when the article has none in it).
func (s *server) saveKBText(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	if s.kb == nil {
		return errNoKB
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req kbTextRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := s.kb.SaveText(r.Context(), me.ID, id, req.Language, kb.TextInput{Title: req.Title, Body: req.Body}); err != nil {
		return err
	}
	if req.Publish {
		if err := s.kb.Publish(r.Context(), id, req.Language); err != nil {
			return err
		}
	}
	a, err := s.kb.Article(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toKBArticleJSON(a))
	return nil
}

// publishKBArticle serves POST /kb/articles/{id}/publish: the newest
// revision in one language becomes the public one, or ("publish": false)
// the language is taken off the help center.
func (s *server) publishKBArticle(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.kb == nil {
		return errNoKB
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req kbPublishRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Publish != nil && !*req.Publish {
		err = s.kb.Unpublish(r.Context(), id, req.Language)
	} else {
		err = s.kb.Publish(r.Context(), id, req.Language)
	}
	if err != nil {
		return err
	}
	a, err := s.kb.Article(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toKBArticleJSON(a))
	return nil
}

// searchKB serves GET /kb/search?q=&lang=: published articles, internal
// ones included, ranked as the help center ranks them.
func (s *server) searchKB(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.kb == nil {
		return errNoKB
	}
	q := r.URL.Query()
	lang := q.Get("lang")
	if lang == "" {
		lang = "en"
	}
	def := lang
	if s.business != nil {
		if prof, err := s.business.Profile(r.Context()); err == nil {
			def = prof.Default()
		}
	}
	res, err := s.kb.Search(r.Context(), kb.Query{Text: q.Get("q"), Language: lang, Default: def, Agents: true, Limit: 20})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(res.Hits, toKBHitJSON, ""))
	return nil
}
