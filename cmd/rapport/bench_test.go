package main

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/store/storetest"
)

// TestBenchChatShort runs the chat benchmark small against real server
// processes: on SQLite, one node; on PostgreSQL, two nodes, the visitors
// on one and the agents replying on the other, so that every reply
// crosses between them. No request may fail, no connection drop, and
// every reply must arrive at its visitor once.
func TestBenchChatShort(t *testing.T) {
	tests := []struct {
		name  string
		db    func(t *testing.T) string
		nodes int
	}{
		{"sqlite one node", func(t *testing.T) string { return filepath.Join(t.TempDir(), "bench.db") }, 1},
		{"postgres two nodes", func(t *testing.T) string { return storetest.PostgresDSN(t) }, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dsn := tc.db(t)
			if _, _, err := runCmd(t, "a long enough password\n", "setup", "--db", dsn, "--business-name", "Bench Shop",
				"--time-zone", "UTC", "--admin-name", "Mia Admin", "--admin-email", "mia@shop.example"); err != nil {
				t.Fatal(err)
			}
			tok, _, err := runCmd(t, "", "token", "create", "--db", dsn, "--user", "mia@shop.example")
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			var urls []string
			var pid int
			for i := range tc.nodes {
				addr := freeAddr(t)
				args := []string{"--db", dsn, "--addr", addr, "--smtp-addr", "", "--outbox-dir", filepath.Join(dir, "out"+strconv.Itoa(i))}
				if tc.nodes == 1 {
					args = append(args, "--single-node")
				}
				srv := startServer(t, args...)
				if i == 0 {
					pid = srv.Process.Pid
				}
				urls = append(urls, "http://"+addr)
				waitUp(t, "http://"+addr+"/readyz")
			}
			const conns, active, replies = 40, 10, 3
			out, errOut, err := runCmd(t, "", "bench", "chat", "--url", urls[0], "--agent-url", urls[len(urls)-1],
				"--token", strings.TrimSpace(tok), "--conns", strconv.Itoa(conns), "--active", strconv.Itoa(active),
				"--replies", strconv.Itoa(replies), "--rate", "100", "--settle", "0s", "--pid", strconv.Itoa(pid))
			t.Log(out)
			if err != nil {
				t.Fatalf("%v\n%s", err, errOut)
			}
			if want := "connections: " + strconv.Itoa(conns) + " open"; !strings.Contains(out, want) || !strings.Contains(out, ", 0 dropped") {
				t.Errorf("want %q and none dropped", want)
			}
			want := "replies: " + strconv.Itoa(active*replies) + " to " + strconv.Itoa(active) + " chats, 0 failed, " +
				strconv.Itoa(active*replies) + " arrived, 0 lost, 0 doubled"
			if !strings.Contains(out, want) {
				t.Errorf("want %q", want)
			}
			if !regexp.MustCompile(`reply to arrival: p50 [0-9.]+ ms, p99 [0-9.]+ ms`).MatchString(out) {
				t.Error("no latency in the report")
			}
			if !regexp.MustCompile(`per idle connection: rss -?[0-9.]+ KB`).MatchString(out) {
				t.Error("no memory per connection in the report")
			}
		})
	}
}
