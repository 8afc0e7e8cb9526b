package email

import "regexp"

// forwardSubjectRe: the subject prefixes clients put on a forwarded message.
var forwardSubjectRe = regexp.MustCompile(`(?i)^\s*(fwd?|fw|i|inoltro|tr|wg|rv|reenv|pārsūt|пересл|переслать|fwd\[\d+\])\s*:`)

// isForward reports whether a subject marks a forwarded message.
func isForward(subject string) bool {
	return forwardSubjectRe.MatchString(subject)
}
