package importer

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/ticket"
)

// Zendesk's export, as its documentation describes it: the account data
// export (Admin Center, Account > Tools > Reports > Export: JSON) writes
// tickets, users and organizations as JSON, one record per line; the REST
// API's pages ({"tickets": [...]}) and the incremental exports are read
// too. Files in DIR:
//
//	users.json          users: id, name, email, phone, role (end-user,
//	                    agent, admin), organization_id, locale, created_at
//	organizations.json  id, name (optional: a customer's organization
//	                    becomes a tag of theirs)
//	tickets.json        id, subject, description, status, priority, type,
//	                    via.channel, requester_id, assignee_id, tags,
//	                    created_at, updated_at, metric_set.solved_at, and
//	                    comments: id, author_id, body, html_body, public,
//	                    created_at, attachments (id, file_name,
//	                    content_type)
//	comments/<ticket id>.json  the ticket's comments as the List
//	                    Comments API returns them ({"comments": [...]}),
//	                    for tickets without them inline
//	attachments/<id>/<file_name>  the files, where downloaded
//
// (.jsonl and .ndjson are read as well as .json.)

type zdUser struct {
	ID             extID      `json:"id"`
	Name           string     `json:"name"`
	Email          string     `json:"email"`
	Phone          string     `json:"phone"`
	Role           string     `json:"role"`
	OrganizationID extID      `json:"organization_id"`
	Locale         string     `json:"locale"`
	CreatedAt      flexString `json:"created_at"`
}

type zdAttachment struct {
	ID          extID  `json:"id"`
	FileName    string `json:"file_name"`
	ContentType string `json:"content_type"`
}

type zdComment struct {
	ID          extID          `json:"id"`
	AuthorID    extID          `json:"author_id"`
	Body        string         `json:"body"`
	HTMLBody    string         `json:"html_body"`
	PlainBody   string         `json:"plain_body"`
	Public      *bool          `json:"public"`
	CreatedAt   flexString     `json:"created_at"`
	Attachments []zdAttachment `json:"attachments"`
}

type zdTicket struct {
	ID          extID  `json:"id"`
	Subject     string `json:"subject"`
	Description string `json:"description"`
	Status      string `json:"status"`
	Priority    string `json:"priority"`
	Type        string `json:"type"`
	Via         struct {
		Channel flexString `json:"channel"`
	} `json:"via"`
	RequesterID extID      `json:"requester_id"`
	AssigneeID  extID      `json:"assignee_id"`
	Tags        []string   `json:"tags"`
	CreatedAt   flexString `json:"created_at"`
	UpdatedAt   flexString `json:"updated_at"`
	MetricSet   *struct {
		SolvedAt flexString `json:"solved_at"`
	} `json:"metric_set"`
	Comments []zdComment `json:"comments"`
}

// ReadZendesk reads a Zendesk export in dir (see the comment above). A
// file that is not valid JSON fails the whole read; a record that cannot
// be used is skipped and listed in the Dataset.
func ReadZendesk(dir string) (Dataset, error) {
	ds := Dataset{Source: "zendesk", Dir: dir}
	ticketsPath := findFile(dir, "tickets")
	if ticketsPath == "" {
		return ds, fmt.Errorf("importer: %s has no tickets.json: %w", dir, ErrNoExport)
	}
	orgs, err := readNames(dir, "organizations")
	if err != nil {
		return ds, fmt.Errorf("importer: %w", err)
	}
	roles := map[extID]string{}
	err = eachRecord(dir, "users", func(u zdUser) error {
		p, ok := ds.person("user", "a user", u.ID, string(u.CreatedAt), Person{Name: u.Name, Email: u.Email, Phone: u.Phone, Locale: u.Locale})
		if !ok {
			return nil
		}
		roles[u.ID] = u.Role
		switch u.Role {
		case "agent", "admin":
			p.Role = agent.RoleAgent
			if u.Role == "admin" {
				p.Role = agent.RoleAdmin
			}
			ds.Agents = append(ds.Agents, p)
		default:
			if org := orgs[u.OrganizationID]; org != "" {
				p.Tags = []string{org}
			}
			ds.Customers = append(ds.Customers, p)
		}
		return nil
	})
	if err != nil {
		return ds, fmt.Errorf("importer: %w", err)
	}
	err = readFile(ticketsPath, "tickets", func(raw json.RawMessage) error {
		var zt zdTicket
		if err := json.Unmarshal(raw, &zt); err != nil {
			return err
		}
		if zt.Comments == nil && zt.ID != "" {
			if p := findFile(filepath.Join(dir, "comments"), safeName(string(zt.ID))); p != "" {
				err := readFile(p, "comments", func(raw json.RawMessage) error {
					var c zdComment
					if err := json.Unmarshal(raw, &c); err != nil {
						return err
					}
					zt.Comments = append(zt.Comments, c)
					return nil
				})
				if err != nil {
					return err
				}
			}
		}
		t, skips := zendeskTicket(dir, zt, roles)
		ds.Skipped = append(ds.Skipped, skips...)
		if t != nil {
			ds.Tickets = append(ds.Tickets, *t)
		}
		return nil
	})
	if err != nil {
		return ds, fmt.Errorf("importer: %w", err)
	}
	return ds, nil
}

// zendeskTicket maps one Zendesk ticket; nil when it cannot be used.
func zendeskTicket(dir string, zt zdTicket, roles map[extID]string) (*Ticket, []Skip) {
	var skips []Skip
	bad := func(reason string) (*Ticket, []Skip) {
		return nil, append(skips, Skip{Kind: "ticket", ExternalID: string(zt.ID), Reason: reason})
	}
	if zt.ID == "" {
		return bad("a ticket without an id")
	}
	status, ok := zendeskStatus[strings.ToLower(zt.Status)]
	if !ok {
		return bad(fmt.Sprintf("unknown status %q", zt.Status))
	}
	if status == "deleted" {
		return bad("deleted in Zendesk")
	}
	t := Ticket{ExternalID: string(zt.ID), Subject: zt.Subject, Status: ticket.Status(status), Priority: zendeskPriority(zt.Priority),
		Kind: zendeskKind(zt.Type), Channel: zendeskChannel(string(zt.Via.Channel)), Requester: string(zt.RequesterID),
		Assignee: string(zt.AssigneeID), Tags: zt.Tags}
	var err error
	if t.CreatedAt, err = parseTime(string(zt.CreatedAt)); err != nil {
		return bad("created_at: " + err.Error())
	}
	if t.UpdatedAt, err = parseTime(string(zt.UpdatedAt)); err != nil {
		return bad("updated_at: " + err.Error())
	}
	if zt.MetricSet != nil {
		if t.SolvedAt, err = parseTime(string(zt.MetricSet.SolvedAt)); err != nil {
			return bad("metric_set.solved_at: " + err.Error())
		}
	}
	for _, c := range zt.Comments {
		m := Message{ExternalID: string(c.ID), Author: string(c.AuthorID), Text: c.Body, HTML: c.HTMLBody}
		if m.Text == "" {
			m.Text = c.PlainBody
		}
		if m.CreatedAt, err = parseTime(string(c.CreatedAt)); err != nil {
			skips = append(skips, Skip{Kind: "message", ExternalID: string(c.ID), Reason: "created_at: " + err.Error()})
			continue
		}
		if c.ID == "" {
			skips = append(skips, Skip{Kind: "message", ExternalID: string(zt.ID), Reason: "a comment without an id"})
			continue
		}
		public := c.Public == nil || *c.Public
		switch role := roles[c.AuthorID]; {
		case role == "agent" || role == "admin":
			m.Kind = ticket.Reply
			if !public {
				m.Kind = ticket.Note
			}
		case role != "" || c.AuthorID == zt.RequesterID:
			m.Kind = ticket.CustomerMessage
		case public:
			m.Kind = ticket.CustomerMessage
		default:
			m.Kind = ticket.Note
		}
		for _, a := range c.Attachments {
			m.Files = append(m.Files, File{ExternalID: string(a.ID), Name: safeName(a.FileName), ContentType: a.ContentType,
				Path: localFile(dir, string(a.ID), a.FileName)})
		}
		t.Messages = append(t.Messages, m)
	}
	sort.SliceStable(t.Messages, func(i, j int) bool { return t.Messages[i].CreatedAt.Before(t.Messages[j].CreatedAt) })
	if len(t.Messages) == 0 && strings.TrimSpace(zt.Description) != "" {
		// An export without comments still has the ticket's first message.
		t.Messages = []Message{{ExternalID: string(zt.ID) + "-description", Kind: ticket.CustomerMessage,
			Author: string(zt.RequesterID), Text: zt.Description, CreatedAt: t.CreatedAt}}
	}
	return &t, skips
}

// zendeskStatus maps Zendesk's statuses to Rapport's: on-hold (waiting
// for a third party) is pending, waiting on someone other than the team.
var zendeskStatus = map[string]string{
	"new": "new", "open": "open", "pending": "pending", "hold": "pending", "solved": "solved", "closed": "closed",
	"deleted": "deleted",
}

func zendeskPriority(p string) string {
	switch p = strings.ToLower(p); p {
	case ticket.Low, ticket.Normal, ticket.High, ticket.Urgent:
		return p
	}
	return ticket.Normal
}

// zendeskKind maps a ticket type: a question is a question, a task a
// request; incidents and problems (faults) are other, as Rapport's
// complaint is about displeasure, which a type does not say.
func zendeskKind(t string) string {
	switch strings.ToLower(t) {
	case "question", "":
		return "question"
	case "task":
		return "request"
	}
	return "other"
}

// zendeskChannel maps via.channel.
func zendeskChannel(c string) string {
	switch strings.ToLower(c) {
	case "email":
		return "email"
	case "voice", "phone", "phone_call_inbound", "phone_call_outbound":
		return "phone"
	case "chat", "native_messaging", "sms", "whatsapp", "facebook", "twitter", "instagram_dm", "line", "wechat", "telegram":
		return "chat"
	case "api", "rule", "sample_ticket", "import":
		return "api"
	}
	return "web"
}
