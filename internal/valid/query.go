package valid

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// MaxQueryName is how much of a malformed parameter name an error repeats.
const MaxQueryName = 40

// ParseQuery reads a URL's raw query as url.ParseQuery does, but strictly:
// where url.ParseQuery drops a parameter it cannot read (a raw ";" in
// "?status=solved;x", a broken %-escape) and so silently loses a filter,
// ParseQuery reports it, as Fields named by the parameter. A name or value
// that is not UTF-8 or holds a NUL character is reported too, the NUL with
// its own message. Checking each parameter's value is left to the page or
// route that reads it.
func ParseQuery(raw string) (url.Values, error) {
	out := url.Values{}
	errs := Fields{}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		rawKey, rawValue, _ := strings.Cut(pair, "=")
		key, kerr := url.QueryUnescape(rawKey)
		name := queryName(key)
		if kerr != nil {
			name = queryName(rawKey)
		}
		if semi := strings.IndexByte(rawKey, ';'); semi >= 0 {
			name = queryName(rawKey[:semi])
		}
		if name == "" {
			name = "?"
		}
		value, verr := url.QueryUnescape(rawValue)
		switch {
		case strings.Contains(pair, ";"):
			errs.Add(name, Msg("valid.query_semicolon", "contains a semicolon: separate parameters with &"))
		case kerr != nil || verr != nil:
			errs.Add(name, Msg("valid.query_escape", "is not correctly percent-encoded"))
		case strings.ContainsRune(key, 0) || strings.ContainsRune(value, 0):
			errs.Add(name, Msg("valid.nul", "must not contain NUL characters"))
		case !utf8.ValidString(key) || !utf8.ValidString(value):
			errs.Add(name, Msg("valid.not_text", "is not valid UTF-8 text"))
		default:
			out[key] = append(out[key], value)
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// queryName is a raw parameter name fit to repeat in an error: valid
// UTF-8, without NULs, at most MaxQueryName bytes.
func queryName(raw string) string {
	s := strings.ReplaceAll(strings.ToValidUTF8(raw, "?"), "\x00", "?")
	if len(s) > MaxQueryName {
		s = strings.ToValidUTF8(s[:MaxQueryName], "") + "…"
	}
	return s
}
