package importer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/importer"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// vendorTicket is a ticket as a test export has it.
type vendorTicket struct {
	ext, subject, status, channel, created, solved string
	messages                                       []wantMessage // author "" for none
}

// TestFreshdeskAndHelpScoutImport imports the Freshdesk and Help Scout
// exports in testdata (written from the vendors' API references) on both
// databases: every ticket with every message, kind, author and time; a
// dry run writes nothing; a second run brings in nothing.
func TestFreshdeskAndHelpScoutImport(t *testing.T) {
	cases := []struct {
		name    string
		read    func(string) (importer.Dataset, error)
		dir     string
		want    importer.Counts
		skipped []string
		tickets []vendorTicket
	}{
		{
			name: "freshdesk", read: importer.ReadFreshdesk, dir: "testdata/freshdesk",
			want:    importer.Counts{Agents: 1, Customers: 2, Tickets: 3, Messages: 6, Notes: 1, Attachments: 1},
			skipped: []string{"status 22: status \"12\" is one of the account's own; imported as open"},
			tickets: []vendorTicket{
				{"20", "La macchina perde acqua", "solved", "email", "2023-06-01T10:00:00Z", "2023-06-03T12:00:00Z", []wantMessage{
					{"customer", "44000001", "La macchina perde acqua dal fondo.", "2023-06-01T10:00:00Z"},
					{"reply", "43000001", "Buongiorno Marco, può mandarci il numero di serie?", "2023-06-01T11:00:00Z"},
					{"customer", "44000001", "Il numero è SN-4411.", "2023-06-02T09:00:00Z"},
					{"note", "43000001", "Serie SN-44xx: guarnizione difettosa nota.", "2023-06-02T09:30:00Z"},
				}},
				{"21", "Piegādes adrese", "open", "web", "2023-06-10T07:00:00Z", "", []wantMessage{
					{"customer", "44000002", "Lūdzu, mainiet piegādes adresi.", "2023-06-10T07:00:00Z"},
					{"reply", "43000001", "Adrese nomainīta.", "2023-06-10T08:15:00Z"},
				}},
				{"22", "Custom status", "open", "phone", "2023-06-11T07:00:00Z", "", []wantMessage{
					{"customer", "44000002", "Called about an order.", "2023-06-11T07:00:00Z"},
				}},
			},
		},
		{
			// Freshdesk's Account Export: Tickets0.xml and Tickets1.xml (parts), Users.xml, Companies0.xml.
			name: "freshdesk-xml", read: importer.ReadFreshdesk, dir: "testdata/freshdesk-xml",
			want:    importer.Counts{Agents: 1, Customers: 2, Tickets: 3, Messages: 6, Notes: 1, Attachments: 1},
			skipped: []string{"ticket 103: marked as spam", "status 104: status \"7\" is one of the account's own; imported as open"},
			tickets: []vendorTicket{
				{"101", "Il forno non scalda", "solved", "email", "2023-05-02T08:00:00Z", "2023-05-03T14:00:00Z", []wantMessage{
					{"customer", "5400001", "Il forno non arriva a 200 gradi.", "2023-05-02T08:00:00Z"},
					{"reply", "5300001", "Può controllare il termostato?", "2023-05-02T09:30:00Z"},
					{"customer", "5400001", "Il termostato era staccato, ora funziona.", "2023-05-03T07:15:00Z"},
					{"note", "5300001", "Cliente soddisfatta; nessun intervento.", "2023-05-03T14:00:00Z"},
				}},
				{"102", "Rēķina kopija", "pending", "web", "2023-05-10T08:00:00Z", "", []wantMessage{
					{"customer", "5400002", "Lūdzu, atsūtiet rēķina kopiju.", "2023-05-10T08:00:00Z"},
					{"reply", "5300001", "Nosūtīts uz jūsu e-pastu.", "2023-05-10T08:20:00Z"},
				}},
				{"104", "Stato personalizzato", "open", "phone", "2023-05-12T07:00:00Z", "", []wantMessage{
					{"customer", "5400001", "Chiamata per un ordine.", "2023-05-12T07:00:00Z"},
				}},
			},
		},
		{
			name: "helpscout", read: importer.ReadHelpScout, dir: "testdata/helpscout",
			want:    importer.Counts{Agents: 1, Customers: 1, Tickets: 2, Messages: 4, Notes: 1, Attachments: 1},
			skipped: []string{"ticket 7003: marked as spam"},
			tickets: []vendorTicket{
				{"7001", "Comanda 1182 incompleta", "solved", "email", "2023-09-04T08:00:00Z", "2023-09-04T10:30:00Z", []wantMessage{
					{"customer", "5001", "Falta una barra de pa a la comanda 1182.", "2023-09-04T08:00:00Z"},
					{"note", "4001", "Revisar l'albarà del repartidor.", "2023-09-04T09:00:00Z"},
					{"reply", "4001", "Us enviem la barra avui mateix.", "2023-09-04T10:00:00Z"},
				}},
				{"7002", "Horari de diumenge", "open", "chat", "2023-09-10T11:00:00Z", "", []wantMessage{
					{"customer", "5001", "Obriu diumenge?", "2023-09-10T11:00:00Z"},
					{"reply", "4001", "Sí, de 8 a 14 h.", "2023-09-10T11:05:00Z"},
				}},
			},
		},
	}
	ctx := context.Background()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := tc.read(tc.dir)
			if err != nil {
				t.Fatal(err)
			}
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				f := newFixture(t, db)
				before := tableCounts(t, db)
				dry, err := f.im.Run(ctx, ds, importer.RunOpts{DryRun: true})
				if err != nil {
					t.Fatal(err)
				}
				if dry.New != tc.want {
					t.Errorf("dry run: %+v, want %+v", dry.New, tc.want)
				}
				if after := tableCounts(t, db); fmt.Sprint(after) != fmt.Sprint(before) {
					t.Fatalf("the dry run wrote:\nbefore %v\nafter  %v", before, after)
				}
				rep, err := f.im.Run(ctx, ds, importer.RunOpts{})
				if err != nil {
					t.Fatal(err)
				}
				if rep.New != tc.want {
					t.Errorf("import: %+v, want %+v", rep.New, tc.want)
				}
				for _, s := range tc.skipped {
					if !slices.ContainsFunc(rep.Skipped, func(k importer.Skip) bool {
						return strings.HasPrefix(k.Kind+" "+k.ExternalID+": "+k.Reason, s)
					}) {
						t.Errorf("the report does not say %q: %+v", s, rep.Skipped)
					}
				}
				if n := count(t, db, "SELECT count(*) FROM jobs"); n != 0 || *f.told != 0 {
					t.Errorf("the import queued %d jobs and told subscribers %d times", n, *f.told)
				}
				link := func(kind, ext string) int64 {
					var id int64
					if err := db.R.QueryRowContext(ctx, `SELECT local_id FROM import_links WHERE source = $1 AND kind = $2 AND external_id = $3`,
						ds.Source, kind, ext).Scan(&id); err != nil {
						t.Fatalf("no link for %s %s: %v", kind, ext, err)
					}
					return id
				}
				for _, vt := range tc.tickets {
					tk, err := f.tickets.Get(ctx, link("ticket", vt.ext))
					if err != nil {
						t.Fatal(err)
					}
					solved := ""
					if !tk.SolvedAt.IsZero() {
						solved = tk.SolvedAt.UTC().Format(time.RFC3339)
					}
					got := fmt.Sprint(tk.Subject, "|", tk.Status, "|", tk.Channel, "|", tk.CreatedAt.UTC().Format(time.RFC3339), "|", solved)
					want := fmt.Sprint(vt.subject, "|", vt.status, "|", vt.channel, "|", vt.created, "|", vt.solved)
					if got != want {
						t.Errorf("ticket %s\n got %s\nwant %s", vt.ext, got, want)
					}
					msgs, err := f.tickets.Messages(ctx, tk.ID)
					if err != nil {
						t.Fatal(err)
					}
					if len(msgs) != len(vt.messages) {
						t.Fatalf("ticket %s: %d messages, want %d", vt.ext, len(msgs), len(vt.messages))
					}
					for i, m := range msgs {
						w := vt.messages[i]
						author, wantAuthor := m.AuthorCustomerID, int64(0)
						if w.kind == "customer" {
							wantAuthor = link("customer", w.author)
						} else {
							author, wantAuthor = m.AuthorAgentID, link("agent", w.author)
						}
						if m.Kind != w.kind || m.BodyText != w.text || author != wantAuthor || !m.CreatedAt.Equal(ts(w.at)) {
							t.Errorf("ticket %s message %d: %s by %d at %v: %q\nwant %s by %d at %s: %q", vt.ext, i, m.Kind, author,
								m.CreatedAt.UTC(), m.BodyText, w.kind, wantAuthor, w.at, w.text)
						}
					}
				}
				full := tableCounts(t, db)
				again, err := f.im.Run(ctx, ds, importer.RunOpts{})
				if err != nil {
					t.Fatal(err)
				}
				if again.New != (importer.Counts{}) {
					t.Errorf("second run: new %+v", again.New)
				}
				if after := tableCounts(t, db); fmt.Sprint(after) != fmt.Sprint(full) {
					t.Errorf("the second run wrote:\nbefore %v\nafter  %v", full, after)
				}
			})
		})
	}
}

// TestReadFreshdeskXMLRefusesBadInput: an Account Export whose XML is not
// well-formed, or too large, is an error naming the file before anything
// is written; a folder with tickets.json is read as JSON.
func TestReadFreshdeskXMLRefusesBadInput(t *testing.T) {
	big := "<helpdesk-tickets><helpdesk-ticket><display-id>1</display-id><description>" +
		strings.Repeat("x", 8<<10) + "</description></helpdesk-ticket></helpdesk-tickets>"
	cases := []struct {
		name, file, content, want string
		fileMax, record           int64
	}{
		{"unclosed element", "Tickets.xml", `<helpdesk-tickets><helpdesk-ticket><display-id>1</display-id>`, "Tickets.xml: record 1", 0, 0},
		{"mismatched end", "Tickets.xml", `<helpdesk-tickets><helpdesk-ticket></helpdesk-note></helpdesk-tickets>`, "Tickets.xml: record 1", 0, 0},
		{"two roots", "tickets.XML", `<a></a><b></b>`, "more than one root element", 0, 0},
		{"text outside", "Tickets.xml", `hello<a></a>`, "text outside the root element", 0, 0},
		{"empty", "Tickets.xml", ``, "no XML element", 0, 0},
		{"an undefined entity", "Tickets.xml", `<a><helpdesk-ticket><subject>&bomb;</subject></helpdesk-ticket></a>`, "Tickets.xml: record 1", 0, 0},
		{"an id too long", "Tickets.xml", `<a><helpdesk-ticket><display-id>` + strings.Repeat("9", 201) + `</display-id></helpdesk-ticket></a>`, "longer than 200", 0, 0},
		{"a record too large", "Tickets.xml", big, "record 1: larger than 4096 bytes", 1 << 20, 4 << 10},
		{"a file too large", "Tickets.xml", big, "Tickets.xml: larger than 2048 bytes", 2 << 10, 1 << 20},
		{"bad users file", "Users.xml", `<users><user><id>1</id></users>`, "Users.xml: record 1", 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.fileMax > 0 {
				defer importer.SetXMLLimits(tc.fileMax, tc.record)()
			}
			dir := t.TempDir()
			if tc.file != "Tickets.xml" && tc.file != "tickets.XML" {
				if err := os.WriteFile(filepath.Join(dir, "Tickets.xml"), []byte(`<helpdesk-tickets/>`), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(dir, tc.file), []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := importer.ReadFreshdesk(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	// tickets.json beside Tickets.xml: the JSON is read, the XML not.
	dir := t.TempDir()
	for name, content := range map[string]string{"tickets.json": `[{"id":5,"status":2,"created_at":"2023-01-01T00:00:00Z"}]`, "Tickets.xml": `<broken`} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ds, err := importer.ReadFreshdesk(dir)
	if err != nil || len(ds.Tickets) != 1 || ds.Tickets[0].ExternalID != "5" {
		t.Errorf("with tickets.json: %v, %+v", err, ds.Tickets)
	}
}
