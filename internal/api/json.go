package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/valid"
)

// writeJSON renders v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.Encode(v)
}

// list is the JSON of every list response.
type list[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor"`
}

// newList returns a list of the items of in, converted by conv, never null.
func newList[S, T any](in []S, conv func(S) T, next string) list[T] {
	out := make([]T, 0, len(in))
	for _, x := range in {
		out = append(out, conv(x))
	}
	return list[T]{Data: out, NextCursor: next}
}

// decode reads the request body, which must be one JSON object whose fields
// all belong to dst, into dst. Errors say where the body went wrong.
func decode(r *http.Request, dst any) error {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return invalidJSON("could not read the request body")
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return invalidJSON("the request body is empty; send a JSON object")
	}
	if trimmed[0] != '{' {
		return invalidJSON("the request body must be a JSON object")
	}
	// encoding/json would store invalid UTF-8 and lone surrogate escapes
	// as U+FFFD, changing what the client sent without a word.
	if !utf8.Valid(data) {
		return invalidText(fmt.Sprintf("the request body is not valid UTF-8 (offset %d)", invalidUTF8At(data)))
	}
	if at := loneSurrogateAt(data); at >= 0 {
		return invalidText(fmt.Sprintf("the request body has a lone UTF-16 surrogate escape at offset %d, which is no character", at))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return invalidJSON(jsonErrorMessage(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return invalidJSON(fmt.Sprintf("unexpected data after the JSON object at offset %d", dec.InputOffset()))
	}
	if field := nulField(reflect.ValueOf(dst)); field != "" {
		return valid.Field(field, valid.Msg("valid.api_nul", "must not contain NUL characters"))
	}
	return nil
}

// invalidUTF8At is the offset of the first byte of data that does not
// start a valid UTF-8 sequence, -1 when there is none.
func invalidUTF8At(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}

// loneSurrogateAt is the offset of the first \uXXXX escape inside a JSON
// string of data that is half of a UTF-16 surrogate pair without its
// other half, -1 when there is none. data need not be valid JSON: the
// decoder reports other faults.
func loneSurrogateAt(data []byte) int {
	hex4 := func(i int) (rune, bool) {
		if i+4 > len(data) {
			return 0, false
		}
		var r rune
		for _, c := range data[i : i+4] {
			switch {
			case c >= '0' && c <= '9':
				r = r<<4 | rune(c-'0')
			case c >= 'a' && c <= 'f':
				r = r<<4 | rune(c-'a'+10)
			case c >= 'A' && c <= 'F':
				r = r<<4 | rune(c-'A'+10)
			default:
				return 0, false
			}
		}
		return r, true
	}
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if !inString {
			inString = c == '"'
			continue
		}
		switch c {
		case '"':
			inString = false
		case '\\':
			if i+1 >= len(data) {
				return -1
			}
			if data[i+1] != 'u' {
				i++ // \" \\ \n …
				continue
			}
			r, ok := hex4(i + 2)
			if !ok {
				i++
				continue
			}
			switch {
			case r >= 0xDC00 && r <= 0xDFFF:
				return i // a low half first
			case r >= 0xD800 && r <= 0xDBFF:
				if i+7 < len(data) && data[i+6] == '\\' && data[i+7] == 'u' {
					if lo, ok := hex4(i + 8); ok && lo >= 0xDC00 && lo <= 0xDFFF {
						i += 11 // the pair
						continue
					}
				}
				return i
			}
			i += 5
		}
	}
	return -1
}

// jsonErrorMessage explains a decoding error with its position or field.
func jsonErrorMessage(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("malformed JSON at offset %d: %s", syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.As(err, &typ):
		if typ.Field == "" {
			return fmt.Sprintf("the request body must be a JSON object, not %s", typ.Value)
		}
		return fmt.Sprintf("field %q must be %s, not %s (offset %d)", typ.Field, jsonTypeName(typ.Type), typ.Value, typ.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "malformed JSON: the body ends too early"
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if name, ok := strings.CutPrefix(msg, "unknown field "); ok {
		return "unknown field " + name
	}
	return "malformed JSON: " + msg
}

// jsonTypeName names a Go type the way a JSON client thinks of it.
func jsonTypeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array of " + strings.TrimPrefix(strings.TrimPrefix(jsonTypeName(t.Elem()), "a "), "an ") + "s"
	case reflect.Struct, reflect.Map:
		if t == reflect.TypeFor[optionalID]() {
			return "an integer or null"
		}
		return "an object"
	}
	return t.String()
}

// nulField returns the JSON name of the first string field in v holding a
// NUL character, which no database column should receive, or "".
func nulField(v reflect.Value) string {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.String:
		if strings.IndexByte(v.String(), 0) >= 0 {
			return "."
		}
	case reflect.Slice:
		for i := range v.Len() {
			if f := nulField(v.Index(i)); f != "" {
				return f
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if !t.Field(i).IsExported() {
				continue
			}
			if f := nulField(v.Field(i)); f != "" {
				name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
				if name == "" {
					name = t.Field(i).Name
				}
				return name
			}
		}
	}
	return ""
}

// optionalID is an id in a PATCH body: absent (Set false), null or 0 (none),
// or a number.
type optionalID struct {
	Set bool
	ID  int64
}

// UnmarshalJSON accepts null or an integer.
func (o *optionalID) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.ID = 0
		return nil
	}
	return json.Unmarshal(b, &o.ID)
}

// pathID returns the {id} of the request's path; an id that is not a
// positive number cannot exist, so it is a 404.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

// timeJSON formats t as RFC 3339 in UTC with milliseconds, or nil when t is
// zero, so unset times are null.
func timeJSON(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
	return &s
}

// idJSON returns nil for 0, so a missing reference is null.
func idJSON(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// nonNil returns s, or an empty slice when s is nil, so lists are never null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// query reads URL query parameters, collecting per-parameter errors, keyed
// and translated like every validation error (valid.Msg). wrap has already
// refused a query that cannot be read at all (valid.ParseQuery).
type query struct {
	v    map[string][]string
	errs valid.Fields
}

func newQuery(r *http.Request) *query {
	return &query{v: r.URL.Query(), errs: valid.Fields{}}
}

// str returns parameter name, trimmed. A parameter given twice is an
// error: which of the two would count is a guess.
func (q *query) str(name string) string {
	vs := q.v[name]
	if len(vs) == 0 {
		return ""
	}
	if len(vs) > 1 {
		q.errs.Add(name, valid.Msg("valid.query_repeated", "is given more than once"))
	}
	return strings.TrimSpace(vs[0])
}

// oneOf returns parameter name, which must be empty or one of allowed.
func (q *query) oneOf(name string, allowed []string) string {
	s := q.str(name)
	if s != "" && !contains(allowed, s) {
		q.errs.Add(name, valid.OneOf(allowed))
	}
	return s
}

// id returns parameter name as a positive integer, or 0 when it is absent.
func (q *query) id(name string) int64 {
	s := q.str(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		q.errs.Add(name, valid.Msg("valid.api_positive_int", "must be a positive integer"))
		return 0
	}
	return n
}

// limit returns the limit parameter, 0 when absent, at most maxLimit.
func (q *query) limit(maxLimit int) int {
	s := q.str("limit")
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxLimit {
		q.errs.Add("limit", valid.Msg("valid.range", "must be an integer from %d to %d", 1, maxLimit))
		return 0
	}
	return n
}

// time returns parameter name as an RFC 3339 time, zero when absent.
func (q *query) time(name string) time.Time {
	s := q.str(name)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		q.errs.Add(name, valid.Msg("valid.api_time", "must be an RFC 3339 time, like 2025-03-10T00:00:00Z"))
		return time.Time{}
	}
	return t
}

// err returns the collected errors, or nil.
func (q *query) err() error { return q.errs.Err() }
