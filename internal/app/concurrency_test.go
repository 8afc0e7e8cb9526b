package app

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// server is a running Rapport on loopback with agents and their API tokens.
type server struct {
	app    *App
	dsn    string
	tokens []string
	ids    []int64
	client *http.Client
	logs   *lockedBuffer
	stop   func() // stops the server and waits until it has closed its database
}

// startServer runs a whole server on dsn, listening on a free loopback port,
// with n agents (all offline, so that the router leaves tickets alone).
func startServer(t *testing.T, dsn string, n int) *server {
	t.Helper()
	return startServerWith(t, dsn, n, nil)
}

// startServerWith is startServer with adjust applied to the configuration.
func startServerWith(t *testing.T, dsn string, n int, adjust func(*config.Config)) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DB, cfg.Addr, cfg.SMTPAddr = dsn, "127.0.0.1:0", ""
	cfg.OutboxDir, cfg.AttachmentsDir = filepath.Join(dir, "outbox"), filepath.Join(dir, "att")
	cfg.Mailboxes = "support@shop.example"
	if adjust != nil {
		adjust(&cfg)
	}
	logs := &lockedBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := New(ctx, cfg, log)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	var once sync.Once
	s := &server{app: a, dsn: dsn, logs: logs, client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 30 * time.Second}}
	s.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("server: %v", err)
			}
		})
	}
	t.Cleanup(s.stop)
	svc := a.Services()
	for i := range n {
		ag, err := svc.Agents.Create(ctx, agent.NewAgent{Email: fmt.Sprintf("a%d@shop.example", i), Name: fmt.Sprintf("Agent %d", i),
			Role: agent.RoleAgent, Password: "long enough password", Languages: []string{"en"}})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := svc.Agents.CreateToken(ctx, ag.ID, "load")
		if err != nil {
			t.Fatal(err)
		}
		s.tokens, s.ids = append(s.tokens, tok), append(s.ids, ag.ID)
	}
	return s
}

// lockedBuffer is a log destination many goroutines write to.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// logErrors returns the server's distinct logged errors, a few of them.
func (s *server) logErrors() string {
	s.logs.mu.Lock()
	defer s.logs.mu.Unlock()
	seen := map[string]bool{}
	var out []string
	for _, line := range strings.Split(s.logs.b.String(), "\n") {
		_, msg, ok := strings.Cut(line, "error=")
		if !ok || seen[msg] || len(out) == 8 {
			continue
		}
		seen[msg] = true
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// call sends one API request as agent i and decodes a JSON answer into out
// (when not nil). It returns the status, or an error for a failed request.
func (s *server) call(i int, method, path string, body any, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.app.URL()+"/api/v1"+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+s.tokens[i])
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, &requestError{method, path, resp.StatusCode, string(bytes.TrimSpace(data))}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}

// requestError is an answer other than 2xx.
type requestError struct {
	method, path string
	status       int
	body         string
}

func (e *requestError) Error() string {
	return fmt.Sprintf("%s %s: %d %s", e.method, e.path, e.status, e.body)
}

// created is the part of a ticket answer the load needs.
type created struct {
	ID int64 `json:"id"`
}

// tally counts what succeeded and keeps the first failures.
type tally struct {
	mu                              sync.Mutex
	creates, replies, solves, xfers atomic.Int64
	errors                          atomic.Int64
	first                           []*requestError
}

func (c *tally) fail(err error) {
	c.errors.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	// One example of each kind of failure.
	var re *requestError
	if errors.As(err, &re) {
		for _, f := range c.first {
			if f.method == re.method && f.status == re.status {
				return
			}
		}
		c.first = append(c.first, re)
	}
}

// backends are the databases a server test runs on: SQLite always,
// PostgreSQL when RAPPORT_TEST_POSTGRES_DSN is set.
func backends(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, filepath.Join(t.TempDir(), "load.db")) })
	if os.Getenv(storetest.PostgresEnv) != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, storetest.PostgresDSN(t)) })
	}
}

// TestConcurrentAgentsNeverFail is the proof that concurrent writers do
// not deadlock: 32 agents at once create tickets (owned and waiting),
// reply to their own and to shared tickets, solve and transfer, through
// the HTTP API of a running server. Every request must succeed; afterwards
// the tickets and messages are exactly what succeeded, and the metrics
// rollups kept by the change hook equal a rebuild from scratch.
func TestConcurrentAgentsNeverFail(t *testing.T) {
	const agents, rounds = 32, 3 // 5 requests a round: 15 each
	backends(t, func(t *testing.T, dsn string) {
		s := startServer(t, dsn, agents)
		// Shared tickets everyone replies to, over two customers.
		var shared []int64
		for i := range 4 {
			var tk created
			if _, err := s.call(0, "POST", "/tickets", map[string]any{"subject": "Shared " + strconv.Itoa(i), "body": "Everyone helps.",
				"customer_email": fmt.Sprintf("shared%d@example.com", i%2), "tags": []string{"shared", "busy"}}, &tk); err != nil {
				t.Fatal(err)
			}
			shared = append(shared, tk.ID)
		}
		var c tally
		start := time.Now()
		var wg sync.WaitGroup
		for i := range agents {
			wg.Add(1)
			go func() {
				defer wg.Done()
				me, next := s.ids[i], s.ids[(i+1)%agents]
				for r := range rounds {
					// An owned ticket from one of a few customers, so that
					// customer rows and tags are shared between writers.
					var tk created
					tags := []string{"vip", "order", "slow"}
					if (i+r)%2 == 1 {
						tags = []string{"slow", "order", "vip"}
					}
					if _, err := s.call(i, "POST", "/tickets", map[string]any{"subject": "Order " + strconv.Itoa(r), "body": "Where is it?",
						"customer_email": fmt.Sprintf("c%d@example.com", (i+r)%5), "owner_id": me, "tags": tags}, &tk); err != nil {
						c.fail(err)
						continue
					}
					c.creates.Add(1)
					if _, err := s.call(i, "POST", fmt.Sprintf("/tickets/%d/reply", shared[(i+r)%len(shared)]), map[string]any{"body": "On it."}, nil); err != nil {
						c.fail(err)
					} else {
						c.replies.Add(1)
					}
					if _, err := s.call(i, "POST", fmt.Sprintf("/tickets/%d/reply", tk.ID), map[string]any{"body": "Shipped today.", "status": "pending"}, nil); err != nil {
						c.fail(err)
					} else {
						c.replies.Add(1)
					}
					if r%2 == 0 {
						if _, err := s.call(i, "PATCH", fmt.Sprintf("/tickets/%d", tk.ID), map[string]any{"status": "solved"}, nil); err != nil {
							c.fail(err)
						} else {
							c.solves.Add(1)
						}
					} else {
						if _, err := s.call(i, "POST", fmt.Sprintf("/tickets/%d/transfer", tk.ID), map[string]any{"agent_id": next, "reason": "shift"}, nil); err != nil {
							c.fail(err)
						} else {
							c.xfers.Add(1)
						}
					}
					// A waiting ticket nobody owns: the router is told.
					if _, err := s.call(i, "POST", "/tickets", map[string]any{"subject": "Waiting", "body": "Anyone?",
						"customer_email": fmt.Sprintf("w%d@example.com", (i+r)%3)}, nil); err != nil {
						c.fail(err)
					} else {
						c.creates.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(start)
		total := c.creates.Load() + c.replies.Load() + c.solves.Load() + c.xfers.Load()
		t.Logf("%d requests in %v (%.0f/s), %d errors", total, elapsed.Round(time.Millisecond), float64(total)/elapsed.Seconds(), c.errors.Load())
		if n := c.errors.Load(); n > 0 {
			t.Errorf("%d of %d requests failed; one of each kind: %v\nserver log errors:\n%s", n, n+total, c.first, s.logErrors())
		}
		s.stop()

		// The database holds what succeeded, and the rollups kept change by
		// change equal those computed from scratch.
		db, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ctx := context.Background()
		var tickets, messages int64
		if err := db.R.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM messages)`).Scan(&tickets, &messages); err != nil {
			t.Fatal(err)
		}
		if want := int64(len(shared)) + c.creates.Load(); tickets != want {
			t.Errorf("%d tickets, want %d", tickets, want)
		}
		if want := int64(len(shared)) + c.creates.Load() + c.replies.Load(); messages != want {
			t.Errorf("%d messages, want %d (one per ticket and reply)", messages, want)
		}
		cfg := config.Default()
		cfg.DB, cfg.OutboxDir, cfg.AttachmentsDir = dsn, t.TempDir(), t.TempDir()
		cfg.SingleNode = true // the outbox folder stands in for a relay on PostgreSQL too
		svc, err := openServices(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), jobs.SystemClock{})
		if err != nil {
			t.Fatal(err)
		}
		defer svc.DB.Close()
		// The changes' rollup deltas that the stopped server had not
		// folded yet are folded first (metrics/fold.go).
		if _, err := svc.Metrics.Fold(ctx); err != nil {
			t.Fatal(err)
		}
		kept := rollups(t, db)
		if _, err := svc.Metrics.Rebuild(ctx); err != nil {
			t.Fatal(err)
		}
		rebuilt := rollups(t, db)
		if len(kept) == 0 || kept != rebuilt {
			t.Errorf("rollups kept by the change hook differ from a rebuild:\nkept:\n%s\nrebuilt:\n%s", kept, rebuilt)
		}
	})
}

// rollups renders the non-zero metric_days and metric_hist rows in key
// order, for comparing two states.
func rollups(t *testing.T, db *store.DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT grain, day, team_id, agent_id, channel, language, created, complaints, responded, frt_ms, frt_biz_n, frt_biz_ms,
		        solved, res_ms, res_biz_n, res_biz_ms, reopened, transfers, first_owner, sla_target, sla_met, referrals
		 FROM metric_days
		 WHERE created <> 0 OR complaints <> 0 OR responded <> 0 OR frt_ms <> 0 OR frt_biz_n <> 0 OR frt_biz_ms <> 0 OR solved <> 0
		    OR res_ms <> 0 OR res_biz_n <> 0 OR res_biz_ms <> 0 OR reopened <> 0 OR transfers <> 0 OR first_owner <> 0
		    OR sla_target <> 0 OR sla_met <> 0 OR referrals <> 0
		 ORDER BY grain, day, team_id, agent_id, channel, language`,
		`SELECT grain, measure, day, team_id, agent_id, channel, language, bucket, n FROM metric_hist WHERE n <> 0
		 ORDER BY grain, measure, day, team_id, agent_id, channel, language, bucket`,
	} {
		rows, err := db.R.QueryContext(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if i > 0 {
					b.WriteByte(' ')
				}
				b.Write(v)
			}
			b.WriteByte('\n')
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// TestThroughput measures requests per second and errors of 10 clients
// replying at once (each reply solving or reopening), then of 10 clients creating and solving owned
// tickets, each for RAPPORT_MEASURE_SECONDS seconds on a fresh database.
// It runs only when that variable is set; docs/PERFORMANCE.md has figures.
func TestThroughput(t *testing.T) {
	secs, _ := strconv.Atoi(os.Getenv("RAPPORT_MEASURE_SECONDS"))
	if secs <= 0 {
		t.Skip("RAPPORT_MEASURE_SECONDS not set")
	}
	const clients = 10
	backends(t, func(t *testing.T, dsn string) {
		s := startServer(t, dsn, clients)
		own := make([]int64, clients)
		for i := range clients {
			var tk created
			if _, err := s.call(i, "POST", "/tickets", map[string]any{"subject": "Thread", "body": "Hello",
				"customer_email": fmt.Sprintf("c%d@example.com", i), "owner_id": s.ids[i]}, &tk); err != nil {
				t.Fatal(err)
			}
			own[i] = tk.ID
		}
		phase := func(name string, op func(i int) (int, error)) {
			var ok, failed atomic.Int64
			var c tally
			end := time.Now().Add(time.Duration(secs) * time.Second)
			start := time.Now()
			var wg sync.WaitGroup
			for i := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for time.Now().Before(end) {
						n, err := op(i)
						if err != nil {
							failed.Add(1)
							c.fail(err)
							continue
						}
						ok.Add(int64(n))
					}
				}()
			}
			wg.Wait()
			el := time.Since(start).Seconds()
			t.Logf("%s: %d ok (%.0f/s), %d errors %v", name, ok.Load(), float64(ok.Load())/el, failed.Load(), c.first)
		}
		// Each reply solves or reopens the client's ticket, so that every
		// one moves the metrics rollups.
		status := make([]string, clients)
		phase("reply", func(i int) (int, error) {
			status[i] = map[string]string{"solved": "open"}[status[i]]
			if status[i] == "" {
				status[i] = "solved"
			}
			_, err := s.call(i, "POST", fmt.Sprintf("/tickets/%d/reply", own[i]), map[string]any{"body": "Still looking.", "status": status[i]}, nil)
			return 1, err
		})
		phase("create+solve", func(i int) (int, error) {
			var tk created
			if _, err := s.call(i, "POST", "/tickets", map[string]any{"subject": "Order", "body": "Where is it?",
				"customer_email": fmt.Sprintf("c%d@example.com", i), "owner_id": s.ids[i]}, &tk); err != nil {
				return 0, err
			}
			_, err := s.call(i, "PATCH", fmt.Sprintf("/tickets/%d", tk.ID), map[string]any{"status": "solved"}, nil)
			if err != nil {
				return 1, err
			}
			return 2, nil
		})
	})
}
