package api

import (
	_ "embed"
	"encoding/json"
	"net/http"

	"github.com/rapport/rapport/internal/agent"
)

// openAPIJSON is the hand-written OpenAPI 3.0 description of every route;
// a test keeps it and the route table in step.
//
//go:embed openapi.json
var openAPIJSON []byte

// openAPIDocument returns the document with info.version set to version.
// The embedded file is part of the binary, so a broken one is a
// programming error that the tests catch.
func openAPIDocument(version string) []byte {
	var doc map[string]any
	if err := json.Unmarshal(openAPIJSON, &doc); err != nil {
		panic("api: openapi.json: " + err.Error())
	}
	info, _ := doc["info"].(map[string]any)
	if info == nil {
		info = map[string]any{}
		doc["info"] = info
	}
	if version != "" {
		info["version"] = version
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic("api: openapi.json: " + err.Error())
	}
	return out
}

// getOpenAPI serves GET /openapi.json, without a token.
func (s *server) getOpenAPI(w http.ResponseWriter, _ *http.Request, _ agent.Agent) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(s.openapi())
	return nil
}
