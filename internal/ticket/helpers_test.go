package ticket_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// start is the fake clock's time when a fixture is made.
var start = time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)

// fixture is a ticket service on a fresh database with people to act.
type fixture struct {
	db        *store.DB
	clock     *jobs.FakeClock
	jobs      *jobs.Queue
	customers *customer.Service
	svc       *ticket.Service
	// agents by key: al and bo (agents), mia (manager), ina (inactive).
	agents map[string]int64
	// teams by key: billing, tech.
	teams map[string]int64
	// carla is a customer with the email carla@example.com.
	carla int64
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	return newFixtureDays(t, db, 0)
}

// newFixtureDays is newFixture with AutoCloseDays set (0: the default).
func newFixtureDays(t testing.TB, db *store.DB, days int) *fixture {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	clock := jobs.NewFakeClock(start)
	q := jobs.New(db, clock, log)
	customers := customer.New(db, clock)
	f := &fixture{
		db: db, clock: clock, jobs: q, customers: customers,
		svc: ticket.NewService(ticket.Opts{DB: db, Clock: clock, Jobs: q, Customers: customers,
			Log: log, AutoCloseDays: days}),
		agents: map[string]int64{}, teams: map[string]int64{},
	}
	for _, a := range []struct {
		key, name, role string
		active          bool
	}{
		{"al", "Al Agent", "agent", true},
		{"bo", "Bo Agent", "agent", true},
		{"mia", "Mia Manager", "manager", true},
		{"ina", "Ina Inactive", "agent", false},
	} {
		f.agents[a.key] = f.insertID(t, `INSERT INTO agents (email, name, role, active, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, a.key+"@rapport.test", a.name, a.role, a.active, start.UnixMilli())
	}
	for _, name := range []string{"billing", "tech"} {
		f.teams[name] = f.insertID(t, `INSERT INTO teams (name, created_at) VALUES ($1, $2) RETURNING id`, name, start.UnixMilli())
	}
	f.carla = f.newCustomer(t, "Carla Client", "carla@example.com")
	return f
}

// insertID runs an INSERT … RETURNING id.
func (f *fixture) insertID(t testing.TB, q string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := f.db.W.QueryRowContext(context.Background(), q, args...).Scan(&id); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return id
}

// newCustomer adds a customer with one email identity, straight in SQL.
func (f *fixture) newCustomer(t testing.TB, name, email string) int64 {
	t.Helper()
	id := f.insertID(t, `INSERT INTO customers (name, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id`,
		name, start.UnixMilli())
	f.insertID(t, `INSERT INTO customer_identities (customer_id, kind, value, created_at) VALUES ($1, 'email', $2, $3) RETURNING id`,
		id, email, start.UnixMilli())
	return id
}

// by is the actor for agent key.
func (f *fixture) by(key string) ticket.Actor { return ticket.AgentActor(f.agents[key]) }

// create opens a ticket for carla (unless n names a customer) or fails the test.
func (f *fixture) create(t testing.TB, n ticket.NewTicket) ticket.Ticket {
	t.Helper()
	if n.CustomerID == 0 && n.CustomerEmail == "" {
		n.CustomerID = f.carla
	}
	if n.Body == "" && n.BodyHTML == "" {
		n.Body = "Hello, something is wrong."
	}
	tk, err := f.svc.Create(context.Background(), f.by("al"), n)
	if err != nil {
		t.Fatalf("create %q: %v", n.Subject, err)
	}
	return tk
}

func (f *fixture) get(t testing.TB, id int64) ticket.Ticket {
	t.Helper()
	tk, err := f.svc.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("get %d: %v", id, err)
	}
	return tk
}

func (f *fixture) events(t testing.TB, id int64) []ticket.Event {
	t.Helper()
	es, err := f.svc.Events(context.Background(), id)
	if err != nil {
		t.Fatalf("events %d: %v", id, err)
	}
	return es
}

// eventTypes lists the types of ticket id's events, oldest first.
func (f *fixture) eventTypes(t testing.TB, id int64) []string {
	t.Helper()
	var out []string
	for _, e := range f.events(t, id) {
		out = append(out, e.Type)
	}
	return out
}

// count returns the number of rows in table.
func (f *fixture) count(t testing.TB, table string) int {
	t.Helper()
	var n int
	if err := f.db.R.QueryRowContext(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// pendingJobs counts pending jobs with key.
func (f *fixture) pendingJobs(t testing.TB, key string) int {
	t.Helper()
	var n int
	if err := f.db.R.QueryRowContext(context.Background(),
		`SELECT count(*) FROM jobs WHERE unique_key = $1 AND status = 'pending'`, key).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// wantFields fails unless err is a valid.Errors with exactly fields.
func wantFields(t testing.TB, err error, fields ...string) {
	t.Helper()
	var ve valid.Errors
	if !errors.As(err, &ve) {
		t.Fatalf("error = %v, want valid.Errors on %v", err, fields)
	}
	var got []string
	for k := range ve {
		got = append(got, k)
	}
	slices.Sort(got)
	slices.Sort(fields)
	if !slices.Equal(got, fields) {
		t.Fatalf("invalid fields = %v (%v), want %v", got, ve, fields)
	}
}

// num reads a number from event data (JSON numbers decode as float64).
func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

func isNotFound(err error) bool { return errors.Is(err, ticket.ErrNotFound) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// eq fails the test unless got == want.
func eq[T comparable](t testing.TB, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}

// equalJSON compares decoded JSON values.
func equalJSON(a, b any) bool { return reflect.DeepEqual(a, b) }
