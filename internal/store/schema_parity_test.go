package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// The migrations are written twice, once per dialect. These tests migrate a
// fresh database of each and compare what the catalogs say, so that a column,
// index or constraint added to one folder and forgotten in the other fails
// here rather than in production on the other database.

// pgTypesFor maps each type the SQLite migrations declare to the PostgreSQL
// types the same column may have. SQLite has no boolean: flags are INTEGER
// 0/1 there and BOOLEAN on PostgreSQL. "integer primary key" is SQLite's
// rowid alias (the id the database assigns), which PostgreSQL writes as a
// BIGINT identity; whether a column is such an id is compared apart. A type
// missing here fails TestSchemaSQLiteTypesMapped, so a new one is mapped on
// purpose.
var pgTypesFor = map[string][]string{
	"integer primary key": {"bigint"},
	"integer":             {"integer", "boolean"},
	"bigint":              {"bigint"},
	"text":                {"text"},
	"blob":                {"bytea"},
	"double precision":    {"double precision"},
	"real":                {"double precision"}, // SQLite's REAL is an 8-byte float
}

// schemaAllowed lists the differences between the two schemas that are on
// purpose, each with why. A difference is written exactly as the test
// reports it. An entry that no longer matches a difference fails the test,
// so the list never outlives what it excuses.
var schemaAllowed = map[string]string{
	// SQLite has no INCLUDE columns. On PostgreSQL they make the open and
	// pending inbox pages index-only scans (0011_ownership.sql).
	"index tickets_status_updated: include: sqlite (), postgres (snoozed_until)": "PostgreSQL-only INCLUDE",
	"index tickets_status_created: include: sqlite (), postgres (snoozed_until)": "PostgreSQL-only INCLUDE",
	// metric_facts is keyed by the ticket's id, which Go always gives.
	// INTEGER PRIMARY KEY makes it SQLite's rowid, so each fact is stored in
	// the table's own b-tree without a second index; PostgreSQL has no such
	// storage and needs no identity for it.
	"column metric_facts.ticket_id: database-assigned id: sqlite true, postgres false": "SQLite rowid storage",
	// metric_greetings (0057) is keyed by its ticket the same way, for the
	// same reason: the ticket's id is always given, never assigned.
	"column metric_greetings.ticket_id: database-assigned id: sqlite true, postgres false": "SQLite rowid storage",
	// schema_migrations is made by Migrate with one statement for both
	// dialects (version INTEGER PRIMARY KEY); Go gives every version, so
	// SQLite making it the rowid changes nothing.
	"column schema_migrations.version: database-assigned id: sqlite true, postgres false":  "one CREATE for both",
	"column schema_migrations.version: type: sqlite integer primary key, postgres integer": "one CREATE for both",
}

// fullTextTable reports whether name is the full-text index of
// internal/search (0030_search.sql), which each dialect builds its own
// way: an FTS5 virtual table (with its shadow tables search_fts_*) on
// SQLite, a tsvector column under GIN on PostgreSQL. Both are reached
// only through the search package's dialect queries.
func fullTextTable(name string) bool {
	return name == "search_fts" || strings.HasPrefix(name, "search_fts_")
}

// dbSchema is a migrated database as the parity test sees it: its tables in
// terms that both dialects can express.
type dbSchema struct {
	dialect string
	tables  map[string]*tableSchema
}

// tableSchema is one table: its columns in order, primary key, foreign keys,
// UNIQUE and CHECK constraints, and the indexes made by CREATE INDEX.
type tableSchema struct {
	columns []columnSchema
	pk      []string
	fks     []string // "(a) REFERENCES t(id) ON DELETE CASCADE ON UPDATE NO ACTION"
	uniques []string // "(a, b)"
	checks  []string // checkSignature of each CHECK
	indexes map[string]indexSchema
}

// columnSchema is one column. typ is the dialect's own type name in lower
// case; dflt the default normalised by normExpr ("" for none); auto whether
// the database assigns its values (SQLite rowid alias, PostgreSQL identity).
type columnSchema struct {
	name    string
	typ     string
	notNull bool
	dflt    string
	auto    bool
}

// indexSchema is one index made by CREATE INDEX: its key columns or
// expressions in order (normalised, " desc" when descending), PostgreSQL's
// INCLUDE columns, and its WHERE predicate normalised ("" when not partial).
type indexSchema struct {
	table   string
	columns []string
	include []string
	unique  bool
	where   string
}

func TestSchemaParity(t *testing.T) {
	lite := readSQLiteSchema(t, storetest.SQLite(t))
	if len(lite.tables) < 10 || lite.tables["tickets"] == nil {
		t.Fatalf("sqlite schema read %d tables and no tickets: the catalog queries are broken", len(lite.tables))
	}
	if os.Getenv(storetest.PostgresEnv) == "" {
		t.Skip("PostgreSQL half skipped: set " + storetest.PostgresEnv + " to compare the SQLite schema with the PostgreSQL one")
	}
	pg := readPostgresSchema(t, storetest.Postgres(t))

	var unexpected []string
	used := map[string]bool{}
	for _, d := range diffSchemas(lite, pg) {
		if _, ok := schemaAllowed[d]; ok {
			used[d] = true
			continue
		}
		unexpected = append(unexpected, d)
	}
	for d := range schemaAllowed {
		if !used[d] {
			unexpected = append(unexpected, "allowed difference no longer found (remove it from schemaAllowed): "+d)
		}
	}
	if len(unexpected) > 0 {
		sort.Strings(unexpected)
		t.Fatalf("the sqlite and postgres migrations give different schemas:\n  - %s\n"+
			"fix the drift with a new migration in both folders, or, if a dialect needs it, add it to schemaAllowed with why",
			strings.Join(unexpected, "\n  - "))
	}
}

// TestSchemaMigrationFilesMatch checks that both folders hold the same file
// names, not only the same versions: a stray file in one is a mistake too.
func TestSchemaMigrationFilesMatch(t *testing.T) {
	names := func(dir string) []string {
		entries, err := fs.ReadDir(os.DirFS("migrations"), dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	lite, pg := names("sqlite"), names("postgres")
	if !slices.Equal(lite, pg) {
		t.Fatalf("migration folders differ:\n  sqlite:   %v\n  postgres: %v", lite, pg)
	}
}

// TestSchemaSQLiteTypesMapped checks that every type the SQLite migrations
// declare has a PostgreSQL mapping in pgTypesFor. It runs without
// PostgreSQL, so a new type is caught on every machine.
func TestSchemaSQLiteTypesMapped(t *testing.T) {
	lite := readSQLiteSchema(t, storetest.SQLite(t))
	for _, name := range sortedKeys(lite.tables) {
		for _, c := range lite.tables[name].columns {
			if _, ok := pgTypesFor[c.typ]; !ok {
				t.Errorf("column %s.%s: sqlite type %q has no PostgreSQL mapping in pgTypesFor", name, c.name, c.typ)
			}
		}
	}
}

// TestSchemaDiffFindsDrift makes sure the comparison can fail: a database
// missing a column, an index and a CHECK value is reported on each.
func TestSchemaDiffFindsDrift(t *testing.T) {
	ctx := context.Background()
	full := readSQLiteSchema(t, storetest.SQLite(t))
	db := storetest.SQLite(t)
	for _, stmt := range []string{
		`ALTER TABLE customers DROP COLUMN notes`,
		`DROP INDEX tickets_subject`,
		`DROP TABLE settings`,
	} {
		if _, err := db.W.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	drifted := readSQLiteSchema(t, db)
	drifted.dialect = "drifted"
	got := diffSchemas(full, drifted)
	for _, want := range []string{
		"column customers.notes: only in sqlite",
		"index tickets_subject: only in sqlite",
		"table settings: only in sqlite",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("diff does not report %q; it reports:\n  %s", want, strings.Join(got, "\n  "))
		}
	}
	if len(got) != 3 {
		t.Errorf("diff reports %d differences, want 3:\n  %s", len(got), strings.Join(got, "\n  "))
	}
}

// readSQLiteSchema reads the schema of db from sqlite_master and the table
// pragmas. CHECK constraints, expression index columns and index predicates
// are not in any pragma, so they are read from the stored CREATE statements.
func readSQLiteSchema(t *testing.T, db *store.DB) *dbSchema {
	t.Helper()
	ctx := context.Background()
	conn := db.R
	s := &dbSchema{dialect: "sqlite", tables: map[string]*tableSchema{}}
	tables := map[string]string{}
	rows := queryRows(t, conn, `SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`)
	for _, r := range rows {
		tables[r[0].String] = r[1].String
	}
	for name, createSQL := range tables {
		if fullTextTable(name) {
			continue
		}
		ts := &tableSchema{indexes: map[string]indexSchema{}}
		s.tables[name] = ts
		var pk []struct {
			n    int64
			name string
		}
		for _, r := range queryRows(t, conn, `SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?)`, name) {
			c := columnSchema{name: r[0].String, typ: strings.ToLower(r[1].String), notNull: r[2].String == "1", dflt: normExpr(r[3].String)}
			if n := r[4].String; n != "0" {
				var k int64
				fmt.Sscan(n, &k)
				pk = append(pk, struct {
					n    int64
					name string
				}{k, c.name})
				// PRIMARY KEY implies NOT NULL in standard SQL and on
				// PostgreSQL; SQLite keeps a legacy bug that lets rowid
				// tables store NULL there unless NOT NULL is written.
				c.notNull = true
			}
			ts.columns = append(ts.columns, c)
		}
		sort.Slice(pk, func(i, j int) bool { return pk[i].n < pk[j].n })
		for _, p := range pk {
			ts.pk = append(ts.pk, p.name)
		}
		// A single INTEGER PRIMARY KEY column is the rowid: SQLite assigns it.
		withoutRowid := regexp.MustCompile(`(?i)\)\s*WITHOUT\s+ROWID\s*;?\s*$`).MatchString(createSQL)
		if len(ts.pk) == 1 && !withoutRowid {
			for i := range ts.columns {
				if ts.columns[i].name == ts.pk[0] && ts.columns[i].typ == "integer" {
					ts.columns[i].auto = true
					ts.columns[i].typ = "integer primary key"
				}
			}
		}
		fks := map[string]*[4]string{}
		var fkIDs []string
		for _, r := range queryRows(t, conn, `SELECT id, "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`, name) {
			id := r[0].String
			if fks[id] == nil {
				fks[id] = &[4]string{"", r[1].String, "", ""}
				fkIDs = append(fkIDs, id)
				fks[id][3] = fmt.Sprintf(" ON DELETE %s ON UPDATE %s", r[5].String, r[4].String)
			}
			f := fks[id]
			f[0] = joinCol(f[0], r[2].String)
			to := r[3].String
			if !r[3].Valid || to == "" {
				to = "?" // resolved below to the referenced table's key
			}
			f[2] = joinCol(f[2], to)
		}
		for _, id := range fkIDs {
			f := fks[id]
			ts.fks = append(ts.fks, fmt.Sprintf("(%s) REFERENCES %s(%s)%s", f[0], f[1], f[2], f[3]))
		}
		for _, r := range queryRows(t, conn, `SELECT name, "unique", origin, partial FROM pragma_index_list(?)`, name) {
			idx, origin := r[0].String, r[2].String
			if origin == "pk" {
				continue
			}
			var cols []string
			var exprAt []int
			for _, c := range queryRows(t, conn, `SELECT name, "desc" FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno`, idx) {
				col := c[0].String
				if !c[0].Valid {
					exprAt = append(exprAt, len(cols))
				}
				if c[1].String == "1" {
					col += " desc"
				}
				cols = append(cols, col)
			}
			if origin == "u" {
				ts.uniques = append(ts.uniques, "("+strings.Join(cols, ", ")+")")
				continue
			}
			var idxSQL string
			if err := conn.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?`, idx).Scan(&idxSQL); err != nil {
				t.Fatalf("index %s: %v", idx, err)
			}
			keys, where := splitIndexSQL(idxSQL)
			if len(keys) != len(cols) {
				t.Fatalf("index %s: read %d columns from %q, pragma says %d", idx, len(keys), idxSQL, len(cols))
			}
			for _, i := range exprAt {
				cols[i] = normExpr(keys[i]) + cols[i] // cols[i] is "" or " desc"
			}
			ix := indexSchema{table: name, columns: cols, unique: r[1].String == "1"}
			if r[3].String == "1" {
				ix.where = normExpr(where)
			}
			ts.indexes[idx] = ix
		}
		for _, c := range sqliteChecks(createSQL) {
			ts.checks = append(ts.checks, checkSignature(c, ts.columns))
		}
	}
	// Foreign keys written without the referenced column name the primary key.
	for _, ts := range s.tables {
		for i, f := range ts.fks {
			if strings.Contains(f, "(?") {
				ref := strings.TrimSpace(f[strings.Index(f, "REFERENCES ")+len("REFERENCES ") : strings.LastIndex(f, "(")])
				if rt := s.tables[ref]; rt != nil {
					ts.fks[i] = strings.Replace(f, "("+strings.Repeat("?, ", len(rt.pk)-1)+"?)", "("+strings.Join(rt.pk, ", ")+")", 1)
				}
			}
		}
	}
	return s
}

// readPostgresSchema reads the schema of db's public schema from
// information_schema and pg_catalog.
func readPostgresSchema(t *testing.T, db *store.DB) *dbSchema {
	t.Helper()
	conn := db.R
	s := &dbSchema{dialect: "postgres", tables: map[string]*tableSchema{}}
	for _, r := range queryRows(t, conn, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`) {
		if fullTextTable(r[0].String) {
			continue
		}
		s.tables[r[0].String] = &tableSchema{indexes: map[string]indexSchema{}}
	}
	for _, r := range queryRows(t, conn, `SELECT table_name, column_name, data_type, is_nullable, column_default, is_identity
		FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`) {
		ts := s.tables[r[0].String]
		if ts == nil {
			continue // a view
		}
		c := columnSchema{name: r[1].String, typ: r[2].String, notNull: r[3].String == "NO", dflt: normExpr(r[4].String), auto: r[5].String == "YES"}
		if c.typ == "boolean" {
			// SQLite writes these flags' defaults as 1 and 0.
			c.dflt = map[string]string{"true": "1", "false": "0"}[c.dflt]
		}
		ts.columns = append(ts.columns, c)
	}
	// Constraints; NOT NULL ones (contype 'n', PostgreSQL 18) are read with
	// the columns.
	for _, r := range queryRows(t, conn, `SELECT cl.relname, c.contype, c.oid::text,
			(SELECT string_agg(a.attname, ', ' ORDER BY k.i) FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
				JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n),
			coalesce(rf.relname, ''),
			(SELECT string_agg(a.attname, ', ' ORDER BY k.i) FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
				JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n),
			c.confdeltype::text, c.confupdtype::text, pg_get_constraintdef(c.oid)
		FROM pg_constraint c
		JOIN pg_class cl ON cl.oid = c.conrelid
		JOIN pg_namespace n ON n.oid = cl.relnamespace
		LEFT JOIN pg_class rf ON rf.oid = c.confrelid
		WHERE n.nspname = 'public' AND c.contype IN ('p', 'f', 'u', 'c')
		ORDER BY cl.relname, c.conname`) {
		ts := s.tables[r[0].String]
		if ts == nil {
			continue
		}
		switch r[1].String {
		case "p":
			ts.pk = strings.Split(r[3].String, ", ")
		case "u":
			ts.uniques = append(ts.uniques, "("+r[3].String+")")
		case "f":
			actions := map[string]string{"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
			ts.fks = append(ts.fks, fmt.Sprintf("(%s) REFERENCES %s(%s) ON DELETE %s ON UPDATE %s",
				r[3].String, r[4].String, r[5].String, actions[r[6].String], actions[r[7].String]))
		case "c":
			ts.checks = append(ts.checks, checkSignature(r[8].String, ts.columns))
		}
	}
	// Indexes, except those behind a PRIMARY KEY or UNIQUE constraint, which
	// are compared as constraints above.
	type pgIndex struct {
		oid, name, table string
		unique           bool
		nkey, nall       string
		where            string
	}
	var idxs []pgIndex
	for _, r := range queryRows(t, conn, `SELECT i.oid::text, i.relname, tb.relname, x.indisunique::text, x.indnkeyatts::text, x.indnatts::text,
			coalesce(pg_get_expr(x.indpred, x.indrelid), '')
		FROM pg_index x
		JOIN pg_class i ON i.oid = x.indexrelid
		JOIN pg_class tb ON tb.oid = x.indrelid
		JOIN pg_namespace n ON n.oid = tb.relnamespace
		WHERE n.nspname = 'public'
		  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.contype IN ('p', 'u'))`) {
		idxs = append(idxs, pgIndex{r[0].String, r[1].String, r[2].String, r[3].String == "true", r[4].String, r[5].String, r[6].String})
	}
	for _, x := range idxs {
		ts := s.tables[x.table]
		if ts == nil {
			continue
		}
		ix := indexSchema{table: x.table, unique: x.unique, where: normExpr(x.where)}
		for _, c := range queryRows(t, conn, `SELECT pg_get_indexdef($1::oid, k, true), k <= $2::int, (x.indoption[k-1] & 1)::text
			FROM generate_series(1, $3::int) k, pg_index x WHERE x.indexrelid = $1::oid ORDER BY k`, x.oid, x.nkey, x.nall) {
			col := normExpr(c[0].String)
			if c[1].String != "true" {
				ix.include = append(ix.include, col)
				continue
			}
			if c[2].String == "1" {
				col += " desc"
			}
			ix.columns = append(ix.columns, col)
		}
		ts.indexes[x.name] = ix
	}
	return s
}

// diffSchemas lists every difference between a and b, one readable line each.
func diffSchemas(a, b *dbSchema) []string {
	var out []string
	add := func(format string, v ...any) { out = append(out, fmt.Sprintf(format, v...)) }
	side := func(x, y string) string { return fmt.Sprintf("%s %s, %s %s", a.dialect, x, b.dialect, y) }
	for _, name := range unionKeys(a.tables, b.tables) {
		ta, tb := a.tables[name], b.tables[name]
		if ta == nil || tb == nil {
			add("table %s: only in %s", name, onlyIn(ta != nil, a, b))
			continue
		}
		var namesA, namesB []string
		colsB := map[string]columnSchema{}
		for _, c := range tb.columns {
			colsB[c.name] = c
			namesB = append(namesB, c.name)
		}
		colsA := map[string]bool{}
		for _, ca := range ta.columns {
			colsA[ca.name] = true
			namesA = append(namesA, ca.name)
			cb, ok := colsB[ca.name]
			if !ok {
				add("column %s.%s: only in %s", name, ca.name, a.dialect)
				continue
			}
			col := name + "." + ca.name
			if !typesMatch(ca.typ, cb.typ, a.dialect, b.dialect) {
				add("column %s: type: %s", col, side(ca.typ, cb.typ))
			}
			if ca.notNull != cb.notNull {
				add("column %s: not null: %s", col, side(fmt.Sprint(ca.notNull), fmt.Sprint(cb.notNull)))
			}
			if ca.dflt != cb.dflt {
				add("column %s: default: %s", col, side(quoteEmpty(ca.dflt), quoteEmpty(cb.dflt)))
			}
			if ca.auto != cb.auto {
				add("column %s: database-assigned id: %s", col, side(fmt.Sprint(ca.auto), fmt.Sprint(cb.auto)))
			}
		}
		for _, cb := range tb.columns {
			if !colsA[cb.name] {
				add("column %s.%s: only in %s", name, cb.name, b.dialect)
			}
		}
		if shared := func(names []string, other map[string]bool) []string {
			var out []string
			for _, n := range names {
				if other[n] {
					out = append(out, n)
				}
			}
			return out
		}; !slices.Equal(shared(namesA, keySet(namesB)), shared(namesB, colsA)) {
			add("table %s: column order: %s", name, side(strings.Join(namesA, ", "), strings.Join(namesB, ", ")))
		}
		if !slices.Equal(ta.pk, tb.pk) {
			add("table %s: primary key: %s", name, side("("+strings.Join(ta.pk, ", ")+")", "("+strings.Join(tb.pk, ", ")+")"))
		}
		diffSets(name, "foreign key", ta.fks, tb.fks, a, b, add)
		diffSets(name, "unique", ta.uniques, tb.uniques, a, b, add)
		diffSets(name, "check", ta.checks, tb.checks, a, b, add)
	}
	ia, ib := allIndexes(a), allIndexes(b)
	for _, name := range unionKeys(ia, ib) {
		xa, okA := ia[name]
		xb, okB := ib[name]
		if !okA || !okB {
			add("index %s: only in %s", name, onlyIn(okA, a, b))
			continue
		}
		if xa.table != xb.table {
			add("index %s: table: %s", name, side(xa.table, xb.table))
		}
		if !slices.Equal(xa.columns, xb.columns) {
			add("index %s: columns: %s", name, side("("+strings.Join(xa.columns, ", ")+")", "("+strings.Join(xb.columns, ", ")+")"))
		}
		if !slices.Equal(xa.include, xb.include) {
			add("index %s: include: %s", name, side("("+strings.Join(xa.include, ", ")+")", "("+strings.Join(xb.include, ", ")+")"))
		}
		if xa.unique != xb.unique {
			add("index %s: unique: %s", name, side(fmt.Sprint(xa.unique), fmt.Sprint(xb.unique)))
		}
		if xa.where != xb.where {
			add("index %s: where: %s", name, side(quoteEmpty(xa.where), quoteEmpty(xb.where)))
		}
	}
	sort.Strings(out)
	return out
}

// typesMatch reports whether a column typed ta in dialect da may be typed tb
// in db: the same type within one dialect, pgTypesFor between them.
func typesMatch(ta, tb, da, db string) bool {
	switch {
	case da == "sqlite" && db == "postgres":
		return slices.Contains(pgTypesFor[ta], tb)
	case da == "postgres" && db == "sqlite":
		return slices.Contains(pgTypesFor[tb], ta)
	}
	return ta == tb
}

// diffSets reports the entries of a table's list (foreign keys, UNIQUE or
// CHECK constraints) that one side has more often than the other.
func diffSets(table, what string, xa, xb []string, a, b *dbSchema, add func(string, ...any)) {
	count := map[string]int{}
	for _, x := range xa {
		count[x]++
	}
	for _, x := range xb {
		count[x]--
	}
	for _, k := range sortedKeys(count) {
		switch n := count[k]; {
		case n > 0:
			add("table %s: %s %s: only in %s", table, what, k, a.dialect)
		case n < 0:
			add("table %s: %s %s: only in %s", table, what, k, b.dialect)
		}
	}
}

// allIndexes gathers the CREATE INDEX indexes of every table by name.
func allIndexes(s *dbSchema) map[string]indexSchema {
	out := map[string]indexSchema{}
	for _, ts := range s.tables {
		for name, ix := range ts.indexes {
			out[name] = ix
		}
	}
	return out
}

// checkSignature reduces a CHECK expression to what both catalogs keep of
// it: the table's columns it names and its string and number literals.
// PostgreSQL rewrites the text (IN becomes = ANY (ARRAY[...]), BETWEEN two
// comparisons, literals get casts), so the text itself cannot be compared;
// a changed column or allowed value still changes the signature.
func checkSignature(expr string, cols []columnSchema) string {
	names := map[string]bool{}
	for _, c := range cols {
		names[c.name] = true
	}
	seen := map[string]bool{}
	var parts []string
	for _, tok := range checkToken.FindAllString(expr, -1) {
		isName := tok[0] != '\'' && (tok[0] < '0' || tok[0] > '9')
		if isName && !names[strings.ToLower(tok)] {
			continue
		}
		if isName {
			tok = strings.ToLower(tok)
		}
		if !seen[tok] {
			seen[tok] = true
			parts = append(parts, tok)
		}
	}
	sort.Strings(parts)
	return "(" + strings.Join(parts, " ") + ")"
}

var checkToken = regexp.MustCompile(`'(?:[^']|'')*'|[0-9]+(?:\.[0-9]+)?|[A-Za-z_][A-Za-z0-9_]*`)

// sqliteChecks returns the expression of each CHECK in a CREATE TABLE
// statement as SQLite stored it, skipping comments and string literals.
func sqliteChecks(createSQL string) []string {
	var out []string
	s := stripComments(createSQL)
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\'':
			i = skipString(s, i)
		case isWordAt(s, i, "check"):
			j := i + len("check")
			for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r') {
				j++
			}
			if j < len(s) && s[j] == '(' {
				end := matchParen(s, j)
				out = append(out, s[j+1:end])
				i = end
			}
		}
	}
	return out
}

// splitIndexSQL splits a CREATE INDEX statement into its key column texts
// and its WHERE predicate ("" when none).
func splitIndexSQL(idxSQL string) (keys []string, where string) {
	s := stripComments(idxSQL)
	open := strings.Index(s, "(")
	if open < 0 {
		return nil, ""
	}
	end := matchParen(s, open)
	depth, start := 0, open+1
	for i := open + 1; i < end; i++ {
		switch s[i] {
		case '\'':
			i = skipString(s, i)
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				keys = append(keys, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	keys = append(keys, strings.TrimSpace(s[start:end]))
	rest := strings.TrimSpace(s[end+1:])
	if len(rest) >= 5 && strings.EqualFold(rest[:5], "where") {
		where = strings.TrimSpace(rest[5:])
	}
	return keys, where
}

// normExpr normalises an SQL expression as either catalog prints it:
// lower case, without casts, parentheses or spaces, and with PostgreSQL's
// "x = ANY (ARRAY[...])" written back as the "x IN (...)" it came from.
func normExpr(e string) string {
	e = strings.ToLower(e)
	e = castSuffix.ReplaceAllString(e, "")
	e = strings.NewReplacer("(", "", ")", "", " ", "", "\n", "", "\t", "", `"`, "").Replace(e)
	return anyArray.ReplaceAllString(e, "in$1")
}

var anyArray = regexp.MustCompile(`=anyarray\[([^\]]*)\]`)

var castSuffix = regexp.MustCompile(`::[a-z_]+(?: precision| varying)?(?:\[\])?`)

func stripComments(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\'':
			j := skipString(s, i)
			b.WriteString(s[i : j+1])
			i = j
		case strings.HasPrefix(s[i:], "--"):
			for i < len(s) && s[i] != '\n' {
				i++
			}
			b.WriteByte('\n')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// skipString returns the index of the quote closing the literal at s[i].
func skipString(s string, i int) int {
	for j := i + 1; j < len(s); j++ {
		if s[j] == '\'' {
			if j+1 < len(s) && s[j+1] == '\'' {
				j++
				continue
			}
			return j
		}
	}
	return len(s) - 1
}

// matchParen returns the index of the parenthesis closing the one at s[i].
func matchParen(s string, i int) int {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '\'':
			j = skipString(s, j)
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(s) - 1
}

func isWordAt(s string, i int, w string) bool {
	isWord := func(c byte) bool {
		return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	if i+len(w) > len(s) || !strings.EqualFold(s[i:i+len(w)], w) {
		return false
	}
	return (i == 0 || !isWord(s[i-1])) && (i+len(w) == len(s) || !isWord(s[i+len(w)]))
}

// queryRows runs q and returns every row as nullable strings.
func queryRows(t *testing.T, db *sql.DB, q string, args ...any) [][]sql.NullString {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]sql.NullString
	for rows.Next() {
		r := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range r {
			ptrs[i] = &r[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

func joinCol(list, c string) string {
	if list == "" {
		return c
	}
	return list + ", " + c
}

func onlyIn(inA bool, a, b *dbSchema) string {
	if inA {
		return a.dialect
	}
	return b.dialect
}

func quoteEmpty(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func keySet(names []string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

func unionKeys[V any](a, b map[string]V) []string {
	seen := map[string]bool{}
	for k := range a {
		seen[k] = true
	}
	for k := range b {
		seen[k] = true
	}
	return sortedKeys(seen)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
