package web

import (
	"net/http"

	"github.com/rapport/rapport/internal/importer"
)

// importsShown is how many imports /admin/imports lists.
const importsShown = 100

// ImportsOn tells the layout whether the imports pages exist.
func (p *page) ImportsOn() bool { return p.s.imports != nil }

// ImportKind names what an import's report line is about (ticket,
// message, …) in the reader's language.
func (p *page) ImportKind(k string) string { return p.label("imports.kind.", k) }

// ImportSource names the help desk an import came from.
func (p *page) ImportSource(s string) string { return p.label("imports.source.", s) }

// adminImports serves GET /admin/imports: the imports from other help
// desks (`rapport import zendesk|freshdesk|helpscout`), newest first.
func (s *server) adminImports(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	runs, err := s.imports.List(r.Context(), importsShown)
	if err != nil {
		return err
	}
	p := s.newPage(w, r, rc, "imports.title")
	p.Nav = "imports"
	p.Data = runs
	s.render(w, r, http.StatusOK, "admin_imports", p)
	return nil
}

// adminImportPage serves GET /admin/imports/{id}: one import's report,
// what it brought in and every record it skipped with the reason.
func (s *server) adminImportPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	run, err := s.imports.Get(r.Context(), id)
	if err != nil {
		return err
	}
	p := s.newPage(w, r, rc, "imports.title")
	p.Nav = "imports"
	p.Data = run
	s.render(w, r, http.StatusOK, "admin_import", p)
	return nil
}

// importCounts are a run's counts as rows for the report's table.
type importCount struct {
	Key           string
	New, Existing int
}

// ImportCounts lists a run's counts by kind, for its report.
func (p *page) ImportCounts(r importer.Run) []importCount {
	return []importCount{
		{"imports.agents", r.New.Agents, r.Existing.Agents},
		{"imports.customers", r.New.Customers, r.Existing.Customers},
		{"imports.tickets", r.New.Tickets, r.Existing.Tickets},
		{"imports.messages", r.New.Messages, r.Existing.Messages},
		{"imports.notes", r.New.Notes, r.Existing.Notes},
		{"imports.files", r.New.Attachments, r.Existing.Attachments},
	}
}
