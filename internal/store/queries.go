package store

import (
	"bufio"
	"fmt"
	"io/fs"
	"strings"
)

// Queries holds the named SQL queries of one package, keyed by name.
type Queries map[string]string

// LoadQueries reads queries.sql from fsys and then queries_<dialect>.sql, if
// present, whose queries replace same-named ones. Each query starts with a
// line "-- name: NAME". It fails on a duplicate or an empty query.
func LoadQueries(fsys fs.FS, d Dialect) (Queries, error) {
	q := Queries{}
	if err := q.parse(fsys, "queries.sql", false); err != nil {
		return nil, err
	}
	if err := q.parse(fsys, "queries_"+string(d)+".sql", true); err != nil {
		return nil, err
	}
	return q, nil
}

// MustLoadQueries is LoadQueries for package start-up, where a broken
// embedded file is a programming error.
func MustLoadQueries(fsys fs.FS, d Dialect) Queries {
	q, err := LoadQueries(fsys, d)
	if err != nil {
		panic(err)
	}
	return q
}

// Get returns the query called name and panics if there is none, so a typo
// fails the first test that reaches it.
func (q Queries) Get(name string) string {
	s, ok := q[name]
	if !ok {
		panic("store: no query named " + name)
	}
	return s
}

func (q Queries) parse(fsys fs.FS, file string, override bool) error {
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		if override {
			return nil
		}
		return fmt.Errorf("store: read %s: %w", file, err)
	}
	seen := map[string]bool{}
	var name string
	var body strings.Builder
	flush := func() error {
		if name == "" {
			return nil
		}
		s := strings.TrimSpace(body.String())
		if s == "" {
			return fmt.Errorf("store: %s: query %q is empty", file, name)
		}
		if seen[name] {
			return fmt.Errorf("store: %s: query %q defined twice", file, name)
		}
		seen[name] = true
		q[name] = s
		body.Reset()
		return nil
	}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "-- name:"); ok {
			if err := flush(); err != nil {
				return err
			}
			name = strings.TrimSpace(rest)
			continue
		}
		if name != "" {
			body.WriteString(line)
			body.WriteByte('\n')
		}
	}
	return flush()
}
