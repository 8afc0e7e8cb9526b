package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/seed"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestBenchSeed seeds a few hundred tickets through "rapport bench seed"
// on each database, indexes them with the product's own paths, starts a
// real server on the result and checks that the word seeded into one
// message body is found, through the API and the web search box, in that
// ticket alone. Seeding a database that has tickets is refused.
func TestBenchSeed(t *testing.T) {
	backends := []struct {
		name string
		db   func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "seed.db") }},
		{"postgres", func(t *testing.T) string { return storetest.PostgresDSN(t) }},
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			dsn := be.db(t)
			const password = "a long enough password"
			if _, _, err := runCmd(t, password+"\n", "setup", "--db", dsn, "--business-name", "Seed Shop",
				"--time-zone", "UTC", "--admin-name", "Mia Admin", "--admin-email", "mia@shop.example"); err != nil {
				t.Fatal(err)
			}
			out, errOut, err := runCmd(t, "", "bench", "seed", "--db", dsn, "--tickets", "300", "--messages", "1100")
			if err != nil {
				t.Fatalf("bench seed: %v\n%s%s", err, out, errOut)
			}
			m := regexp.MustCompile(`"` + seed.RareWord + `" is in one message, of ticket (\d+)`).FindStringSubmatch(out)
			if m == nil || !strings.Contains(out, "search index (backfill)") || !strings.Contains(out, "metrics rebuild 100%") {
				t.Fatalf("output:\n%s", out)
			}
			rare := m[1]
			if _, _, err := runCmd(t, "", "bench", "seed", "--db", dsn, "--tickets", "10"); err == nil {
				t.Error("a database with tickets was seeded again")
			}
			tok, _, err := runCmd(t, "", "token", "create", "--db", dsn, "--user", "mia@shop.example")
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			httpAddr := freeAddr(t)
			startServer(t, "--db", dsn, "--addr", httpAddr, "--smtp-addr", "", "--single-node",
				"--outbox-dir", filepath.Join(dir, "outbox"), "--attachments-dir", filepath.Join(dir, "att"))
			base := "http://" + httpAddr
			waitUp(t, base+"/healthz")

			for q, want := range map[string]string{seed.RareWord: `[` + rare + `]`, seed.AbsentWord: `[]`} {
				req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/tickets?q="+url.QueryEscape(q), nil)
				req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(tok))
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var page struct {
					Data []struct {
						ID int64 `json:"id"`
					} `json:"data"`
				}
				err = json.NewDecoder(resp.Body).Decode(&page)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK {
					t.Fatalf("api search %q: HTTP %d, %v", q, resp.StatusCode, err)
				}
				ids := []int64{}
				for _, d := range page.Data {
					ids = append(ids, d.ID)
				}
				if got, _ := json.Marshal(ids); string(got) != want {
					t.Errorf("api search %q found %s, want %s", q, got, want)
				}
			}

			jar, _ := cookiejar.New(nil)
			web := &http.Client{Jar: jar}
			get := func(path string) string {
				resp, err := web.Get(base + path)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("%s: HTTP %d", path, resp.StatusCode)
				}
				return string(b)
			}
			csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(get("/login"))
			if csrf == nil {
				t.Fatal("no CSRF field on the login page")
			}
			resp, err := web.PostForm(base+"/login", url.Values{"email": {"mia@shop.example"}, "password": {password}, "csrf": {csrf[1]}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			page := get("/search?q=" + seed.RareWord)
			links := regexp.MustCompile(`href="/tickets/(\d+)"`).FindAllStringSubmatch(page, -1)
			found := map[string]bool{}
			for _, l := range links {
				found[l[1]] = true
			}
			if len(found) != 1 || !found[rare] {
				t.Errorf("web search %q links tickets %v, want %s alone", seed.RareWord, found, rare)
			}
		})
	}
}
