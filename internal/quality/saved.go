package quality

import (
	"context"
	"strings"
	"unicode"
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
	reply := normaliseSaved(c.text)
	for _, b := range bodies {
		if normaliseSaved(b) == reply {
			start := len(c.text) - len(strings.TrimLeftFunc(c.text, unicode.IsSpace))
			end := len(strings.TrimRightFunc(c.text, unicode.IsSpace))
			c.add(Robotism, ruleSavedReply, start, end, "", "", nil)
			return
		}
	}
}

// normaliseSaved folds case and every run of spaces and line breaks into
// one space, so that a saved reply re-wrapped or re-spaced still matches.
func normaliseSaved(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}
