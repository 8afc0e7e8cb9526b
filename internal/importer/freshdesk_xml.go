package importer

import (
	"cmp"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/rapport/rapport/internal/agent"
)

// Freshdesk's Account Export (Admin → Account → Account Export) is a
// folder of XML files, the records as Freshdesk's first API wrote them:
// dashed element names, typed by a type attribute, nil="true" for none.
// The large files come in numbered parts: Tickets0.xml, Tickets1.xml, …
// Files in DIR (names in any case; NAME.xml or NAME<n>.xml, parts read in
// number order):
//
//	Tickets<n>.xml  <helpdesk-tickets> of <helpdesk-ticket>: display-id
//	               (the number agents see; id when absent), subject,
//	               description, description-html, status (2 open,
//	               3 pending, 4 resolved, 5 closed), priority, source,
//	               ticket-type, requester-id, responder-id, spam, deleted,
//	               created-at, updated-at, ticket-states (resolved-at,
//	               closed-at), tags (helpdesk-tag name), attachments
//	               (helpdesk-attachment: id, content-file-name,
//	               content-content-type) and notes: <helpdesk-note> id,
//	               body, body-html, private, incoming, user-id,
//	               created-at, attachments
//	Users<n>.xml   <users> of <user> (Contacts.xml: <contact>): id, name,
//	               email, phone, mobile, customer-id or company-id,
//	               language, helpdesk-agent (true for an agent),
//	               created-at; AllAgents<n>.xml or Agents.xml, where
//	               present, hold agents only
//	Companies<n>.xml  <companies> of <company> (older accounts:
//	               Customers.xml of <customer>): id, name
//	attachments/<id>/<name>  the files, where the folder holds them
//
// Sources, as no Freshdesk page documents the files: Freshdesk's own
// test of the export (spec/controllers/admin/data_export_controller_spec.rb
// in a public copy of its code, github.com/Ramesh-Veeriaperumal/freshconsult)
// writes Users.xml (<users>, helpdesk_agent), Customers.xml (<customers>)
// and Tickets0.xml (<helpdesk-tickets>); public scripts that read real
// exports name Companies0.xml, Users0.xml, AllAgents0.xml and Tickets0.xml
// to Tickets3.xml and read helpdesk-ticket's display-id, subject,
// description, description-text, status, priority, requester-id,
// responder-id, created-at, due-by, deleted, spam, ticket-type and
// notes/helpdesk-note's body, body-html, private, user-id and created-at,
// user's id, name, email, phone, mobile, job-title, company-id,
// helpdesk-agent and deleted, and company's id and name: the names here.
//
// ReadFreshdesk reads this form when DIR has a Tickets.xml (or its parts)
// and no tickets.json; the records become the API's, mapped the same way.

// maxXMLFile is the largest XML file read, and maxXMLRecord the largest
// record in it (a ticket with its notes); a larger one fails the read.
var maxXMLFile, maxXMLRecord int64 = 8 << 30, maxRecord

type fdxAttachment struct {
	ID          string `xml:"id"`
	Name        string `xml:"content-file-name"`
	ContentType string `xml:"content-content-type"`
}

type fdxNote struct {
	ID          string          `xml:"id"`
	Body        string          `xml:"body"`
	BodyHTML    string          `xml:"body-html"`
	Private     string          `xml:"private"`
	Incoming    string          `xml:"incoming"`
	UserID      string          `xml:"user-id"`
	CreatedAt   string          `xml:"created-at"`
	Attachments []fdxAttachment `xml:"attachments>helpdesk-attachment"`
}

type fdxTicket struct {
	DisplayID       string          `xml:"display-id"`
	ID              string          `xml:"id"`
	Subject         string          `xml:"subject"`
	Description     string          `xml:"description"`
	DescriptionHTML string          `xml:"description-html"`
	Status          string          `xml:"status"`
	Priority        string          `xml:"priority"`
	Source          string          `xml:"source"`
	Type            string          `xml:"ticket-type"`
	RequesterID     string          `xml:"requester-id"`
	ResponderID     string          `xml:"responder-id"`
	Spam            string          `xml:"spam"`
	Deleted         string          `xml:"deleted"`
	CreatedAt       string          `xml:"created-at"`
	UpdatedAt       string          `xml:"updated-at"`
	ResolvedAt      string          `xml:"ticket-states>resolved-at"`
	ClosedAt        string          `xml:"ticket-states>closed-at"`
	Tags            []string        `xml:"tags>helpdesk-tag>name"`
	Attachments     []fdxAttachment `xml:"attachments>helpdesk-attachment"`
	Notes           []fdxNote       `xml:"notes>helpdesk-note"`
}

type fdxUser struct {
	ID         string `xml:"id"`
	Name       string `xml:"name"`
	Email      string `xml:"email"`
	Phone      string `xml:"phone"`
	Mobile     string `xml:"mobile"`
	CustomerID string `xml:"customer-id"`
	CompanyID  string `xml:"company-id"`
	Language   string `xml:"language"`
	Agent      string `xml:"helpdesk-agent"`
	Admin      string `xml:"admin"`
	CreatedAt  string `xml:"created-at"`
}

// findXML lists the files of names in dir, each NAME.xml or one of its
// parts NAME<n>.xml (any case), in the order of names, then of n.
func findXML(dir string, names ...string) []string {
	es, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, n := range names {
		type part struct {
			path string
			n    int
		}
		var parts []part
		for _, e := range es {
			base, ok := strings.CutSuffix(strings.ToLower(e.Name()), ".xml")
			rest, ok2 := strings.CutPrefix(base, strings.ToLower(n))
			if !ok || !ok2 || !e.Type().IsRegular() {
				continue
			}
			num := -1 // NAME.xml before NAME0.xml
			if rest != "" {
				v, err := strconv.Atoi(rest)
				if err != nil || v < 0 || strings.HasPrefix(rest, "+") {
					continue
				}
				num = v
			}
			parts = append(parts, part{filepath.Join(dir, e.Name()), num})
		}
		slices.SortFunc(parts, func(a, b part) int { return cmp.Compare(a.n, b.n) })
		for _, p := range parts {
			out = append(out, p.path)
		}
	}
	return out
}

// budget is a reader that fails once more than left bytes are read since
// the last reset: no record of an export may hold the whole file.
type budget struct {
	r    io.Reader
	left int64
	max  int64
	all  int64
}

var errTooLarge = errors.New("too large")

func (b *budget) Read(p []byte) (int, error) {
	if b.left <= 0 || b.all <= 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	if int64(len(p)) > b.all {
		p = p[:b.all]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	b.all -= int64(n)
	return n, err
}

// xmlRecords calls fn with each child element of the XML file's root (a
// record), decoded by the caller. A file that is not well-formed, has no
// root, or a record larger than maxXMLRecord is an error naming the record.
func xmlRecords(path string, fn func(d *xml.Decoder, start xml.StartElement) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	b := &budget{r: f, left: maxXMLRecord, max: maxXMLRecord, all: maxXMLFile}
	d := xml.NewDecoder(b)
	d.Strict = true
	fail := func(n int, err error) error {
		if errors.Is(err, errTooLarge) {
			if b.all <= 0 {
				return fmt.Errorf("%s: larger than %d bytes", filepath.Base(path), maxXMLFile)
			}
			return fmt.Errorf("%s: record %d: larger than %d bytes", filepath.Base(path), n, b.max)
		}
		return fmt.Errorf("%s: record %d: %w", filepath.Base(path), n, err)
	}
	depth, n, root := 0, 0, false
	for {
		b.left = b.max
		tok, err := d.Token()
		if err == io.EOF {
			if !root {
				return fmt.Errorf("%s: no XML element in it", filepath.Base(path))
			}
			return nil
		}
		if err != nil {
			return fail(n+1, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				if root {
					return fmt.Errorf("%s: more than one root element", filepath.Base(path))
				}
				root = true
				depth++
				continue
			}
			n++
			if err := fn(d, t); err != nil {
				return fail(n, err)
			}
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && len(strings.TrimSpace(string(t))) > 0 {
				return fmt.Errorf("%s: text outside the root element", filepath.Base(path))
			}
		}
	}
}

// xid is an id from the XML export: trimmed, at most 200 characters.
func xid(s string) (extID, error) {
	s = strings.TrimSpace(s)
	if len(s) > 200 {
		return "", errors.New("an id is longer than 200 characters")
	}
	return extID(s), nil
}

func xbool(s string) bool {
	return strings.EqualFold(strings.TrimSpace(s), "true") || strings.TrimSpace(s) == "1"
}

// readFreshdeskXML reads an Account Export (see above) into ds.
func readFreshdeskXML(dir string, ticketsPaths []string) (Dataset, error) {
	ds := Dataset{Source: "freshdesk", Dir: dir}
	companies := map[extID]string{}
	for _, p := range findXML(dir, "Companies", "Customers") {
		err := xmlRecords(p, func(d *xml.Decoder, start xml.StartElement) error {
			var c struct {
				ID   string `xml:"id"`
				Name string `xml:"name"`
			}
			if err := d.DecodeElement(&c, &start); err != nil {
				return err
			}
			id, err := xid(c.ID)
			if err != nil {
				return err
			}
			companies[id] = strings.TrimSpace(c.Name)
			return nil
		})
		if err != nil {
			return ds, fmt.Errorf("importer: %w", err)
		}
	}
	agents := map[extID]bool{}
	seen := map[extID]bool{}
	for _, p := range findXML(dir, "Users", "Contacts", "AllAgents", "Agents") {
		base := strings.ToLower(filepath.Base(p))
		onlyAgents := strings.HasPrefix(base, "allagents") || strings.HasPrefix(base, "agents")
		err := xmlRecords(p, func(d *xml.Decoder, start xml.StartElement) error {
			var u fdxUser
			if err := d.DecodeElement(&u, &start); err != nil {
				return err
			}
			id, err := xid(u.ID)
			if err != nil {
				return err
			}
			isAgent := onlyAgents || xbool(u.Agent)
			kind := "customer"
			if isAgent {
				kind = "agent"
			}
			if id != "" && seen[id] {
				return nil // in Users.xml and Contacts.xml both
			}
			p, ok := ds.person(kind, "a user", id, u.CreatedAt, Person{Name: strings.TrimSpace(u.Name), Email: strings.TrimSpace(u.Email),
				Phone: strings.TrimSpace(u.Phone), Locale: strings.TrimSpace(u.Language)})
			if !ok {
				return nil
			}
			seen[id] = true
			if isAgent {
				p.Role = agent.RoleAgent
				if xbool(u.Admin) {
					p.Role = agent.RoleAdmin
				}
				agents[id] = true
				ds.Agents = append(ds.Agents, p)
				return nil
			}
			if p.Phone == "" {
				p.Phone = strings.TrimSpace(u.Mobile)
			}
			co := strings.TrimSpace(u.CompanyID)
			if co == "" {
				co = strings.TrimSpace(u.CustomerID)
			}
			if name := companies[extID(co)]; co != "" && name != "" {
				p.Tags = []string{name}
			}
			ds.Customers = append(ds.Customers, p)
			return nil
		})
		if err != nil {
			return ds, fmt.Errorf("importer: %w", err)
		}
	}
	for _, p := range ticketsPaths {
		if err := readFreshdeskXMLTickets(dir, p, agents, &ds); err != nil {
			return ds, fmt.Errorf("importer: %w", err)
		}
	}
	return ds, nil
}

// readFreshdeskXMLTickets reads one Tickets part into ds.
func readFreshdeskXMLTickets(dir, path string, agents map[extID]bool, ds *Dataset) error {
	return xmlRecords(path, func(d *xml.Decoder, start xml.StartElement) error {
		var xt fdxTicket
		if err := d.DecodeElement(&xt, &start); err != nil {
			return err
		}
		ft, err := xt.api()
		if err != nil {
			return err
		}
		switch {
		case xbool(xt.Spam):
			ds.Skipped = append(ds.Skipped, Skip{Kind: "ticket", ExternalID: string(ft.ID), Reason: "marked as spam"})
			return nil
		case xbool(xt.Deleted):
			ds.Skipped = append(ds.Skipped, Skip{Kind: "ticket", ExternalID: string(ft.ID), Reason: "deleted"})
			return nil
		}
		t, skips := freshdeskTicket(dir, ft, agents)
		ds.Skipped = append(ds.Skipped, skips...)
		if t != nil {
			ds.Tickets = append(ds.Tickets, *t)
		}
		return nil
	})
}

// api is the ticket as the API's JSON has it, for freshdeskTicket.
func (xt fdxTicket) api() (fdTicket, error) {
	var err error
	ids := func(s string) extID {
		id, e := xid(s)
		if e != nil && err == nil {
			err = e
		}
		return id
	}
	files := func(as []fdxAttachment) []fdAttachment {
		var out []fdAttachment
		for _, a := range as {
			out = append(out, fdAttachment{ID: ids(a.ID), Name: a.Name, ContentType: strings.TrimSpace(a.ContentType)})
		}
		return out
	}
	id := ids(xt.DisplayID)
	if id == "" {
		id = ids(xt.ID)
	}
	ft := fdTicket{ID: id, Subject: strings.TrimSpace(xt.Subject), Description: xt.DescriptionHTML, DescriptionText: xt.Description,
		Status: flexString(strings.TrimSpace(xt.Status)), Priority: flexString(strings.TrimSpace(xt.Priority)),
		Source: flexString(strings.TrimSpace(xt.Source)), Type: strings.TrimSpace(xt.Type),
		RequesterID: ids(xt.RequesterID), ResponderID: ids(xt.ResponderID),
		CreatedAt: flexString(xt.CreatedAt), UpdatedAt: flexString(xt.UpdatedAt), Attachments: files(xt.Attachments)}
	for _, tag := range xt.Tags {
		if tag = strings.TrimSpace(tag); tag != "" {
			ft.Tags = append(ft.Tags, tag)
		}
	}
	if xt.ResolvedAt != "" || xt.ClosedAt != "" {
		ft.Stats = &struct {
			ResolvedAt flexString `json:"resolved_at"`
			ClosedAt   flexString `json:"closed_at"`
		}{flexString(xt.ResolvedAt), flexString(xt.ClosedAt)}
	}
	convs := []fdConversation{}
	for _, n := range xt.Notes {
		convs = append(convs, fdConversation{ID: ids(n.ID), Body: n.BodyHTML, BodyText: n.Body, Incoming: xbool(n.Incoming),
			Private: xbool(n.Private), UserID: ids(n.UserID), CreatedAt: flexString(n.CreatedAt), Attachments: files(n.Attachments)})
	}
	ft.Conversations = &convs
	return ft, err
}
