package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ErrNoExport is returned (wrapped) by the readers when the folder holds
// none of the files the vendor's export has.
var ErrNoExport = errors.New("not an export of this help desk")

// maxRecord is the largest JSON record read (a ticket with its thread).
const maxRecord = 64 << 20

// records calls fn with each record of the JSON file r, which may be
// written any of the ways the vendors write their exports: one object per
// line (JSON lines, as a full export), a JSON array of objects, or an API
// page, an object whose member key is the array ({"tickets": [...]}, or
// {"_embedded": {"conversations": [...]}} in HAL), several pages one after
// the other included.
func records(r io.Reader, key string, fn func(raw json.RawMessage) error) error {
	dec := json.NewDecoder(bufio.NewReaderSize(io.LimitReader(r, 1<<40), 1<<16))
	for n := 1; ; n++ {
		var v json.RawMessage
		err := dec.Decode(&v)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("value %d: %w", n, err)
		}
		if len(v) > maxRecord {
			return fmt.Errorf("value %d: larger than %d MiB", n, maxRecord>>20)
		}
		v = bytes.TrimSpace(v)
		switch {
		case len(v) > 0 && v[0] == '[':
			var list []json.RawMessage
			if err := json.Unmarshal(v, &list); err != nil {
				return fmt.Errorf("value %d: %w", n, err)
			}
			for _, item := range list {
				if err := fn(item); err != nil {
					return err
				}
			}
		case len(v) > 0 && v[0] == '{':
			var page map[string]json.RawMessage
			if err := json.Unmarshal(v, &page); err != nil {
				return fmt.Errorf("value %d: %w", n, err)
			}
			list, ok := page[key]
			if emb, found := page["_embedded"]; !ok && found {
				// A HAL page (Help Scout's API): {"_embedded": {"conversations": [...]}}.
				var inner map[string]json.RawMessage
				if json.Unmarshal(emb, &inner) == nil {
					list, ok = inner[key]
				}
			}
			if ok && len(bytes.TrimSpace(list)) > 0 && bytes.TrimSpace(list)[0] == '[' {
				var items []json.RawMessage
				if err := json.Unmarshal(list, &items); err != nil {
					return fmt.Errorf("value %d: %s: %w", n, key, err)
				}
				for _, item := range items {
					if err := fn(item); err != nil {
						return err
					}
				}
				continue
			}
			if err := fn(v); err != nil {
				return err
			}
		default:
			return fmt.Errorf("value %d: want an object or an array, got %.20s", n, v)
		}
	}
}

// readFile is records over the file at path.
func readFile(path, key string, fn func(raw json.RawMessage) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := records(f, key, fn); err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return nil
}

// findFile is the first of names (tried with .json, .jsonl and .ndjson)
// that exists in dir; "" when none does.
func findFile(dir string, names ...string) string {
	for _, n := range names {
		for _, ext := range []string{".json", ".jsonl", ".ndjson"} {
			p := filepath.Join(dir, n+ext)
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				return p
			}
		}
	}
	return ""
}

// extID is a record's id, written as a JSON number or a string; null is "".
type extID string

// UnmarshalJSON reads a number, a string or null.
func (e *extID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*e = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*e = extID(strings.TrimSpace(s))
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("an id must be a number or a string: %w", err)
		}
		*e = extID(n.String())
	}
	if len(*e) > 200 {
		return errors.New("an id is longer than 200 characters")
	}
	return nil
}

// flexString is a JSON string, or a number or boolean as written; null is "".
type flexString string

// UnmarshalJSON reads a string, a number, a boolean or null.
func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	if string(b) == "null" {
		*f = ""
		return nil
	}
	if len(b) > 0 && (b[0] == '{' || b[0] == '[') {
		return errors.New("want a string")
	}
	*f = flexString(b)
	return nil
}

// timeLayouts are the ways the exports write a moment: ISO 8601 with a
// zone (all three vendors' documented form), or without one (UTC).
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05 MST",
	"2006-01-02T15:04:05", "2006-01-02 15:04:05"}

// parseTime reads a moment; "" is the zero time.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			if t.Year() < 1990 || t.Year() > 2200 {
				return time.Time{}, fmt.Errorf("time %q is out of range", s)
			}
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q is not ISO 8601", s)
}

// safeName is a file name from an export, reduced to its last element;
// "" when nothing usable is left.
func safeName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = filepath.Base(strings.TrimSpace(name))
	if name == "." || name == ".." || name == "/" || strings.ContainsRune(name, 0) {
		return ""
	}
	return name
}

// localFile is the path, inside dir, of a copy of an attachment that the
// export keeps as attachments/<id>/<name> (or attachments/<id>-<name>);
// "" when it has none.
func localFile(dir, id, name string) string {
	id, name = safeName(id), safeName(name)
	if id == "" {
		return ""
	}
	var tries []string
	if name != "" {
		tries = append(tries, filepath.Join("attachments", id, name), filepath.Join("attachments", id+"-"+name))
	}
	for _, p := range tries {
		if st, err := os.Stat(filepath.Join(dir, p)); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	// A folder attachments/<id> with one file in it.
	es, err := os.ReadDir(filepath.Join(dir, "attachments", id))
	if err == nil && len(es) == 1 && es[0].Type().IsRegular() {
		return filepath.Join("attachments", id, es[0].Name())
	}
	return ""
}

// eachRecord decodes every record of the file name in dir (findFile) into
// a T and calls fn with it: the shape every vendor's files share. A
// missing file is no error: the export may leave it out.
func eachRecord[T any](dir, name string, fn func(T) error) error {
	p := findFile(dir, name)
	if p == "" {
		return nil
	}
	return readFile(p, name, func(raw json.RawMessage) error {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		return fn(v)
	})
}

// idName is a record with an id and a name: an organisation, a company.
type idName struct {
	ID   extID  `json:"id"`
	Name string `json:"name"`
}

// readNames reads the names of the file name in dir (organisations,
// companies), by id; an empty map when the export has no such file.
func readNames(dir, name string) (map[extID]string, error) {
	names := map[extID]string{}
	err := eachRecord(dir, name, func(r idName) error {
		names[r.ID] = strings.TrimSpace(r.Name)
		return nil
	})
	return names, err
}

// person completes p, a person of kind (agent, customer) read from a
// record: the external id and the creation time. A record without an id
// is skipped (false), as what (user, contact, …); a time that does not
// parse is listed and the person kept without it.
func (ds *Dataset) person(kind, what string, id extID, createdAt string, p Person) (Person, bool) {
	if id == "" {
		ds.Skipped = append(ds.Skipped, Skip{Kind: kind, Reason: what + " without an id"})
		return p, false
	}
	created, err := parseTime(createdAt)
	if err != nil {
		ds.Skipped = append(ds.Skipped, Skip{Kind: kind, ExternalID: string(id), Reason: err.Error() + "; kept without it"})
	}
	p.ExternalID, p.CreatedAt = string(id), created
	return p, true
}
