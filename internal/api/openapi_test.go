package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
)

// TestOpenAPIMatchesRoutes checks the document and the route table in both
// directions, so neither can gain or lose an endpoint alone.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
		Comps   struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIJSON, &doc); err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.0.") {
		t.Errorf("openapi = %q, want 3.0.x", doc.OpenAPI)
	}
	for _, name := range []string{"Ticket", "Message", "Event", "Customer", "Agent", "Team", "Error"} {
		if _, ok := doc.Comps.Schemas[name]; !ok {
			t.Errorf("schema %s missing", name)
		}
	}

	inTable := map[string]bool{}
	for _, rt := range (&server{}).routes() {
		key := rt.method + " " + rt.path
		if inTable[key] {
			t.Errorf("route %s listed twice", key)
		}
		inTable[key] = true
	}
	inDoc := map[string]bool{}
	for path, item := range doc.Paths {
		for method := range item {
			switch method {
			case "parameters", "summary", "description", "servers":
				continue
			}
			inDoc[strings.ToUpper(method)+" "+path] = true
		}
	}
	for _, k := range sortedKeys(inTable) {
		if !inDoc[k] {
			t.Errorf("route %s is not in openapi.json", k)
		}
	}
	for _, k := range sortedKeys(inDoc) {
		if !inTable[k] {
			t.Errorf("openapi.json documents %s, which is not in the route table", k)
		}
	}
}

// TestOpenAPIRefsResolve checks that every $ref points at something.
func TestOpenAPIRefsResolve(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(openAPIJSON, &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if ref, ok := x.(string); ok && k == "$ref" {
					if _, ok := resolveRef(doc, ref); !ok {
						t.Errorf("$ref %s does not resolve", ref)
					}
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
}

func resolveRef(doc map[string]any, ref string) (any, bool) {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, false
	}
	var cur any = doc
	for _, part := range strings.Split(rest, "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// TestOpenAPIServed checks the document is served without a token and
// carries the running version.
func TestOpenAPIServed(t *testing.T) {
	h := New(Opts{Version: "1.2.3"})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil))
	mustStatus(t, rec, http.StatusOK, "openapi.json")
	checkResponse(t, rec)
	var doc struct {
		OpenAPI string `json:"openapi"`
		Info    struct {
			Version string `json:"version"`
		} `json:"info"`
	}
	decodeJSON(t, rec, &doc)
	if doc.Info.Version != "1.2.3" || !strings.HasPrefix(doc.OpenAPI, "3.0.") {
		t.Errorf("served openapi %q version %q", doc.OpenAPI, doc.Info.Version)
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestOpenAPIEvery400: every operation documents 400, which any of them
// answers to a query parameter that cannot be read.
func TestOpenAPIEvery400(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIJSON, &doc); err != nil {
		t.Fatal(err)
	}
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			if method == "parameters" {
				continue
			}
			var op struct {
				Responses map[string]json.RawMessage `json:"responses"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			if _, ok := op.Responses["400"]; !ok {
				t.Errorf("%s %s documents no 400", method, path)
			}
		}
	}
}
