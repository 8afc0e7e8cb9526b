package quality

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ruleSavedReply is a reply sent as a saved reply was written, unchanged
// but for spacing and case: the customer gets the business's stock text,
// however well it reads, and not an answer to them.
const ruleSavedReply = "robotism.saved_reply"

// SavedReplies gives the analyzer the business's saved replies (canned
// responses), which change while it runs; *savedreply.Service is one.
type SavedReplies interface {
	SavedBodies(ctx context.Context) ([]string, error)
}

// savedReply adds a finding over the whole reply when it is one of the
// saved replies unchanged. A saved reply that cannot be read leaves the
// check out: the other findings still hold.
func (a *Analyzer) savedReply(ctx context.Context, c *check) {
	if a.saved == nil || !c.enabled(ruleSavedReply) || strings.TrimSpace(c.text) == "" {
		return
	}
	bodies, err := a.saved.SavedBodies(ctx)
	if err != nil {
		return
	}
	for _, b := range bodies {
		if sameSaved(c.text, b) {
			start := len(c.text) - len(strings.TrimLeftFunc(c.text, unicode.IsSpace))
			end := len(strings.TrimRightFunc(c.text, unicode.IsSpace))
			c.add(Robotism, ruleSavedReply, start, end, "", "", nil)
			return
		}
	}
}

// sameSaved reports whether a and b are the same text but for case and
// spacing: every run of spaces and line breaks counts as one space, and
// leading and trailing ones not at all. It allocates nothing, since the
// analyzer compares each reply with every saved reply.
func sameSaved(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		sa, sb := unicode.IsSpace(ra), unicode.IsSpace(rb)
		switch {
		case sa && sb:
			a = strings.TrimLeftFunc(a, unicode.IsSpace)
			b = strings.TrimLeftFunc(b, unicode.IsSpace)
			continue
		case sa || sb:
			return false
		case ra != rb && unicode.ToLower(ra) != unicode.ToLower(rb):
			return false
		}
		a, b = a[na:], b[nb:]
	}
	return a == "" && b == ""
}
