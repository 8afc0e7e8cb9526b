package app

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// /metrics labels requests by the route pattern that served them, never
// by the raw path or a client's made-up method, and reports the job queue
// from its in-memory counts and backlog.
func TestMetricsLabelsAreBounded(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "metrics.db"), 1)
	do := func(method, path string, auth bool) {
		t.Helper()
		req, err := http.NewRequest(method, s.app.URL()+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if auth {
			req.Header.Set("Authorization", "Bearer "+s.tokens[0])
		}
		resp, err := s.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	for _, id := range []string{"101", "202", "303"} {
		do("GET", "/api/v1/tickets/"+id, true)
		do("GET", "/tickets/"+id, false)
	}
	do("BREW", "/coffee/pot-7", false)
	do("GET", "/login", false)

	resp, err := s.client.Get(s.app.URL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	out := string(body)
	for _, want := range []string{
		`rapport_http_requests_total{code="404",method="GET",route="GET /api/v1/tickets/{id}"} 3`,
		`route="GET /tickets/{id}"} 3`,
		`method="GET",route="GET /login"} 1`,
		`method="other"`,
		`rapport_jobs{status="pending"}`,
		`rapport_jobs{status="failed"} 0`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, raw := range []string{"/tickets/101", "/tickets/202", "pot-7", "BREW", `status="done"`} {
		if strings.Contains(out, raw) {
			t.Errorf("/metrics shows %q, a raw value from a request or a count of done rows", raw)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}
