package api

import (
	"net/http"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/importer"
)

// errNoImports answers the import routes on a server without them.
var errNoImports = &apiError{status: http.StatusServiceUnavailable, code: "unavailable",
	message: "import reports are not enabled on this server"}

// importsListed is how many imports GET /imports returns, newest first.
const importsListed = 100

// importRunJSON is one import from another help desk and its report.
type importRunJSON struct {
	ID         int64           `json:"id"`
	Source     string          `json:"source"`
	Dir        string          `json:"dir"`
	Status     string          `json:"status"`
	New        importer.Counts `json:"new"`
	Existing   importer.Counts `json:"existing"`
	Skipped    []importer.Skip `json:"skipped"`
	Error      string          `json:"error"`
	StartedAt  *string         `json:"started_at"`
	FinishedAt *string         `json:"finished_at"`
}

func toImportRunJSON(r importer.Run) importRunJSON {
	skipped := r.Skipped
	if skipped == nil {
		skipped = []importer.Skip{}
	}
	return importRunJSON{ID: r.ID, Source: r.Source, Dir: r.Dir, Status: r.Status, New: r.New, Existing: r.Existing,
		Skipped: skipped, Error: r.Error, StartedAt: timeJSON(r.Started), FinishedAt: timeJSON(r.Finished)}
}

// listImports serves GET /imports: the latest imports, newest first.
func (s *server) listImports(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.imports == nil {
		return errNoImports
	}
	runs, err := s.imports.List(r.Context(), importsListed)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(runs, toImportRunJSON, ""))
	return nil
}

// getImport serves GET /imports/{id}: one import's report.
func (s *server) getImport(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.imports == nil {
		return errNoImports
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	run, err := s.imports.Get(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toImportRunJSON(run))
	return nil
}
