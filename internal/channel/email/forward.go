package email

import (
	"regexp"

	"github.com/rapport/rapport/internal/text"
)

// forwardSubjectRe: the subject prefixes clients put on a forwarded message.
var forwardSubjectRe = regexp.MustCompile(`(?i)^\s*(fwd?|fw|i|inoltro|tr|wg|rv|reenv|pārsūt|пересл|переслать|fwd\[\d+\])\s*:`)

// isForward reports whether a subject marks a forwarded message.
func isForward(subject string) bool {
	return forwardSubjectRe.MatchString(subject)
}

// TrimQuoted returns the new part of a message's text for display.
//
// Deprecated: use text.TrimQuoted. It forwards there only until
// internal/loyalty, which still calls it, is moved over.
func TrimQuoted(s string) string {
	return text.TrimQuoted(s)
}
