package email

import (
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/inbucket/html2text"
	"github.com/microcosm-cc/bluemonday"
)

// htmlPolicy is the sanitiser for inbound HTML, built once: a bluemonday policy
// is safe for concurrent use after it is configured.
var htmlPolicy = sync.OnceValue(newHTMLPolicy)

// newHTMLPolicy starts from bluemonday's user-generated-content policy and
// adapts it to mail: inline images by cid: and data: stay, a few harmless
// text styles stay, links open in a new tab without referrer, and remote images
// are not loaded (they track when the agent opens the mail).
func newHTMLPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("mailto", "http", "https", "cid", "tel")
	p.AllowDataURIImages()
	p.AllowStyles("color", "background-color", "text-align", "font-weight", "font-style", "text-decoration").Globally()
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.RewriteSrc(blockRemoteSrc)
	return p
}

// blockRemoteSrc empties the src of a resource fetched from the network; an
// img with an empty src loads nothing.
func blockRemoteSrc(u *url.URL) {
	if u == nil {
		return
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme == "http" || scheme == "https" || (scheme == "" && u.Host != "") {
		*u = url.URL{}
	}
}

var remoteImgRe = regexp.MustCompile(`(?is)<img\b[^>]*?\bsrc\s*=\s*["']?\s*(?:https?:)?//`)

// sanitizeHTML returns safe HTML and how many remote images it blocked.
func sanitizeHTML(s string) (string, int) {
	if strings.TrimSpace(s) == "" {
		return "", 0
	}
	// NUL is kept by the HTML tokenizer in places, and no database stores it.
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	remote := len(remoteImgRe.FindAllStringIndex(s, -1))
	out := htmlPolicy().Sanitize(s)
	return strings.TrimSpace(strings.ReplaceAll(strings.ToValidUTF8(out, "\uFFFD"), "\x00", "")), remote
}

// htmlToText renders HTML as plain text for mail that has no text part.
func htmlToText(s string) string {
	text, err := html2text.FromString(s)
	if err != nil {
		return ""
	}
	return text
}
