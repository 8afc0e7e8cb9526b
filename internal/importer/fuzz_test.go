package importer_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rapport/rapport/internal/importer"
)

// fuzzRead writes data as the named file of an export folder and reads it
// with read: any bytes give a Dataset or an error, never a panic, and
// every ticket read has what the importer relies on.
func fuzzRead(f *testing.F, file string, seeds []string, read func(dir string) (importer.Dataset, error)) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, file), data, 0o600); err != nil {
			t.Fatal(err)
		}
		ds, err := read(dir)
		if err != nil {
			return
		}
		for _, tk := range ds.Tickets {
			if tk.ExternalID == "" {
				t.Errorf("a ticket without an id: %+v", tk)
			}
			for _, m := range tk.Messages {
				for _, fl := range m.Files {
					if fl.Path != "" && !filepath.IsLocal(fl.Path) {
						t.Errorf("file path %q leaves the export folder", fl.Path)
					}
				}
			}
		}
	})
}

func seedFile(f *testing.F, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	return string(b)
}

func FuzzReadZendesk(f *testing.F) {
	fuzzRead(f, "tickets.json", []string{
		seedFile(f, "testdata/zendesk/tickets.json"),
		`{"tickets":[{"id":"7","status":"open","created_at":"2023-01-01T00:00:00Z","comments":[{"id":1,"body":"x","attachments":[{"id":"../..","file_name":"../../etc/passwd"}]}]}]}`,
		`[{"id":1,"status":"solved","metric_set":{"solved_at":"x"}}]`,
		`{"id":1e400}`, `[]`, `{}`, `null`,
	}, importer.ReadZendesk)
}

func FuzzReadFreshdesk(f *testing.F) {
	fuzzRead(f, "tickets.json", []string{
		seedFile(f, "testdata/freshdesk/tickets.json"),
		`{"id":1,"status":2,"created_at":"2023-01-01T00:00:00Z","conversations":[{"id":2,"attachments":[{"id":"..","name":"/etc/passwd"}]}]}`,
		`{"tickets":[{"id":"x","status":"9","stats":{"resolved_at":5}}]}`,
	}, importer.ReadFreshdesk)
}

func FuzzReadHelpScout(f *testing.F) {
	fuzzRead(f, "conversations.json", []string{
		seedFile(f, "testdata/helpscout/conversations.json"),
		`{"_embedded":{"conversations":[{"id":1,"status":"active","_embedded":{"threads":[{"id":2,"type":"customer","_embedded":{"attachments":[{"id":"../x","filename":".."}]}}]}}]}}`,
		`[{"id":1,"status":"pending","createdAt":"1900-01-01T00:00:00Z"}]`,
	}, importer.ReadHelpScout)
}

func FuzzReadFreshdeskXML(f *testing.F) {
	fuzzRead(f, "Tickets.xml", []string{
		seedFile(f, "testdata/freshdesk-xml/Tickets0.xml"),
		`<helpdesk-tickets><helpdesk-ticket><display-id>1</display-id><status>2</status><created-at>2023-01-01T00:00:00Z</created-at>` +
			`<notes><helpdesk-note><id>2</id><attachments><helpdesk-attachment><id>..</id><content-file-name>/etc/passwd</content-file-name>` +
			`</helpdesk-attachment></attachments></helpdesk-note></notes></helpdesk-ticket></helpdesk-tickets>`,
		`<a><helpdesk-ticket><id>x</id><ticket-states><resolved-at>5</resolved-at></ticket-states></helpdesk-ticket></a>`,
		`<a></a><b></b>`, `<a><b>`, `x<a/>`, ``,
	}, importer.ReadFreshdesk)
}
