package ticket

import (
	"net/mail"
	"strings"

	"github.com/rapport/rapport/internal/valid"
)

// MaxRecipients is the most addresses a reply's Cc may hold.
const MaxRecipients = 20

// ParseAddresses reads a list of email addresses as an agent types it into
// the composer's To or Cc field: separated by commas, semicolons or new
// lines, each a bare address or a named one ("Ann Lee <ann@example.com>").
// Separators inside quotes or angle brackets do not split. The same address
// twice is kept once. An empty list is no error; a wrong entry gives a
// message keyed for the catalogue, naming the entry.
func ParseAddresses(s string) ([]mail.Address, *valid.Message) {
	var out []mail.Address
	seen := map[string]bool{}
	for _, item := range splitAddresses(s) {
		a, err := mail.ParseAddress(item)
		if err != nil || !plausibleAddress(a.Address) {
			m := valid.Msg("valid.address", "%q is not an email address", item)
			return nil, &m
		}
		key := strings.ToLower(a.Address)
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, mail.Address{Name: a.Name, Address: a.Address})
	}
	if len(out) > MaxRecipients {
		m := valid.Msg("valid.too_many_addresses", "holds more than %d addresses", MaxRecipients)
		return nil, &m
	}
	return out, nil
}

// FormatAddresses writes addresses back as the list ParseAddresses reads,
// bare addresses only: the form recipients are stored and shown in.
func FormatAddresses(list []mail.Address) string {
	parts := make([]string, len(list))
	for i, a := range list {
		parts[i] = a.Address
	}
	return strings.Join(parts, ", ")
}

// splitAddresses cuts s at separators outside quotes and angle brackets,
// dropping empty entries.
func splitAddresses(s string) []string {
	var out []string
	var cur strings.Builder
	inQuote, inAngle, escaped := false, false, false
	flush := func() {
		if item := strings.TrimSpace(cur.String()); item != "" {
			out = append(out, item)
		}
		cur.Reset()
	}
	for _, r := range s {
		switch {
		case escaped:
			escaped = false
		case inQuote && r == '\\':
			escaped = true
		case r == '"':
			inQuote = !inQuote
		case !inQuote && r == '<':
			inAngle = true
		case !inQuote && r == '>':
			inAngle = false
		case !inQuote && !inAngle && (r == ',' || r == ';' || r == '\n' || r == '\r'):
			flush()
			continue
		}
		cur.WriteRune(r)
	}
	flush()
	return out
}

// plausibleAddress asks a little more than RFC 5322 does: a domain with a
// dot, since mail to "ann@localhost" from a help desk is a typing mistake,
// and no spaces, quotes or separators (which RFC 5322 allows in a quoted
// local part), so that the stored list reads back as the same addresses.
func plausibleAddress(addr string) bool {
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || len(addr) > 254 {
		return false
	}
	domain := addr[at+1:]
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".") &&
		!strings.ContainsAny(addr, " \t\r\n,;\"<>()\\")
}
