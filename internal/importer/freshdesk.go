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

// Freshdesk's export, as its API v2 reference documents the records (the
// JSON a ticket export by the API gives; one record per line, a JSON
// array, or pages of arrays). Files in DIR:
//
//	contacts.json   id, name, email, phone, mobile, company_id, language,
//	                created_at
//	agents.json     id, contact.name, contact.email, contact.language,
//	                role_ids, created_at (optional: without it, authors
//	                that are no contact are unknown)
//	companies.json  id, name (optional: a contact's company becomes a tag)
//	tickets.json    id, subject, description, description_text, status
//	                (2 open, 3 pending, 4 resolved, 5 closed), priority (1
//	                low … 4 urgent), source (1 email, 2 portal, 3 phone,
//	                7 chat, 9 feedback widget, 10 outbound email), type,
//	                requester_id, responder_id, tags, created_at,
//	                updated_at, stats.resolved_at, stats.closed_at,
//	                attachments, and conversations: id, body, body_text,
//	                incoming, private, user_id, created_at, attachments
//	                (id, name, content_type)
//	conversations/<ticket id>.json  a ticket's conversations as the List
//	                Conversations API returns them, for tickets without
//	                them inline
//	attachments/<id>/<name>  the files, where downloaded

type fdContact struct {
	ID        extID      `json:"id"`
	Name      string     `json:"name"`
	Email     string     `json:"email"`
	Phone     flexString `json:"phone"`
	Mobile    flexString `json:"mobile"`
	CompanyID extID      `json:"company_id"`
	Language  string     `json:"language"`
	CreatedAt flexString `json:"created_at"`
}

type fdAgent struct {
	ID      extID `json:"id"`
	Contact struct {
		Name     string `json:"name"`
		Email    string `json:"email"`
		Language string `json:"language"`
	} `json:"contact"`
	Admin     bool       `json:"admin"` // not in the reference; some exports add it
	CreatedAt flexString `json:"created_at"`
}

type fdAttachment struct {
	ID          extID  `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
}

type fdConversation struct {
	ID          extID          `json:"id"`
	Body        string         `json:"body"`
	BodyText    string         `json:"body_text"`
	Incoming    bool           `json:"incoming"`
	Private     bool           `json:"private"`
	UserID      extID          `json:"user_id"`
	CreatedAt   flexString     `json:"created_at"`
	Attachments []fdAttachment `json:"attachments"`
}

type fdTicket struct {
	ID              extID      `json:"id"`
	Subject         string     `json:"subject"`
	Description     string     `json:"description"`
	DescriptionText string     `json:"description_text"`
	Status          flexString `json:"status"`
	Priority        flexString `json:"priority"`
	Source          flexString `json:"source"`
	Type            string     `json:"type"`
	RequesterID     extID      `json:"requester_id"`
	ResponderID     extID      `json:"responder_id"`
	Tags            []string   `json:"tags"`
	CreatedAt       flexString `json:"created_at"`
	UpdatedAt       flexString `json:"updated_at"`
	Stats           *struct {
		ResolvedAt flexString `json:"resolved_at"`
		ClosedAt   flexString `json:"closed_at"`
	} `json:"stats"`
	Attachments   []fdAttachment    `json:"attachments"`
	Conversations *[]fdConversation `json:"conversations"`
}

// ReadFreshdesk reads a Freshdesk export in dir (see the comment above),
// or, when dir has a Tickets.xml (or Tickets0.xml, …) and no tickets.json, an Account Export
// (see freshdesk_xml.go).
func ReadFreshdesk(dir string) (Dataset, error) {
	ds := Dataset{Source: "freshdesk", Dir: dir}
	ticketsPath := findFile(dir, "tickets")
	if ticketsPath == "" {
		if ps := findXML(dir, "Tickets"); len(ps) > 0 {
			return readFreshdeskXML(dir, ps) // the Account Export (freshdesk_xml.go)
		}
		return ds, fmt.Errorf("importer: %s has no tickets.json nor Tickets.xml (or Tickets0.xml, …): %w", dir, ErrNoExport)
	}
	companies, err := readNames(dir, "companies")
	if err != nil {
		return ds, fmt.Errorf("importer: %w", err)
	}
	agents := map[extID]bool{}
	err = eachRecord(dir, "agents", func(a fdAgent) error {
		p, ok := ds.person("agent", "an agent", a.ID, string(a.CreatedAt), Person{Name: a.Contact.Name, Email: a.Contact.Email,
			Locale: a.Contact.Language, Role: agent.RoleAgent})
		if !ok {
			return nil
		}
		if a.Admin {
			p.Role = agent.RoleAdmin
		}
		agents[a.ID] = true
		ds.Agents = append(ds.Agents, p)
		return nil
	})
	if err != nil {
		return ds, fmt.Errorf("importer: %w", err)
	}
	err = eachRecord(dir, "contacts", func(c fdContact) error {
		p, ok := ds.person("customer", "a contact", c.ID, string(c.CreatedAt), Person{Name: c.Name, Email: c.Email,
			Phone: string(c.Phone), Locale: c.Language})
		if !ok {
			return nil
		}
		if p.Phone == "" {
			p.Phone = string(c.Mobile)
		}
		if co := companies[c.CompanyID]; co != "" {
			p.Tags = []string{co}
		}
		ds.Customers = append(ds.Customers, p)
		return nil
	})
	if err != nil {
		return ds, fmt.Errorf("importer: %w", err)
	}
	err = readFile(ticketsPath, "tickets", func(raw json.RawMessage) error {
		var ft fdTicket
		if err := json.Unmarshal(raw, &ft); err != nil {
			return err
		}
		if ft.Conversations == nil && ft.ID != "" {
			if p := findFile(filepath.Join(dir, "conversations"), safeName(string(ft.ID))); p != "" {
				var convs []fdConversation
				err := readFile(p, "conversations", func(raw json.RawMessage) error {
					var c fdConversation
					if err := json.Unmarshal(raw, &c); err != nil {
						return err
					}
					convs = append(convs, c)
					return nil
				})
				if err != nil {
					return err
				}
				ft.Conversations = &convs
			}
		}
		t, skips := freshdeskTicket(dir, ft, agents)
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

// freshdeskTicket maps one Freshdesk ticket; nil when it cannot be used.
// Its description is its first message, the requester's; each
// conversation is the customer's (incoming), a reply, or a private note.
func freshdeskTicket(dir string, ft fdTicket, agents map[extID]bool) (*Ticket, []Skip) {
	var skips []Skip
	bad := func(reason string) (*Ticket, []Skip) {
		return nil, append(skips, Skip{Kind: "ticket", ExternalID: string(ft.ID), Reason: reason})
	}
	if ft.ID == "" {
		return bad("a ticket without an id")
	}
	status, ok := map[string]ticket.Status{"2": ticket.Open, "3": ticket.Pending, "4": ticket.Solved, "5": ticket.Closed}[string(ft.Status)]
	if !ok {
		// An account's own statuses have numbers of their own.
		status = ticket.Open
		skips = append(skips, Skip{Kind: "status", ExternalID: string(ft.ID), Reason: fmt.Sprintf("status %q is one of the account's own; imported as open", ft.Status)})
	}
	t := Ticket{ExternalID: string(ft.ID), Subject: ft.Subject, Status: status, Requester: string(ft.RequesterID),
		Assignee: string(ft.ResponderID), Tags: ft.Tags}
	t.Priority = map[string]string{"1": ticket.Low, "2": ticket.Normal, "3": ticket.High, "4": ticket.Urgent}[string(ft.Priority)]
	t.Channel = map[string]string{"1": "email", "2": "web", "3": "phone", "7": "chat", "9": "web", "10": "email"}[string(ft.Source)]
	switch strings.ToLower(ft.Type) {
	case "question", "":
		t.Kind = "question"
	case "feature request", "service task", "refund":
		t.Kind = "request"
	default:
		t.Kind = "other"
	}
	var err error
	if t.CreatedAt, err = parseTime(string(ft.CreatedAt)); err != nil {
		return bad("created_at: " + err.Error())
	}
	if t.UpdatedAt, err = parseTime(string(ft.UpdatedAt)); err != nil {
		return bad("updated_at: " + err.Error())
	}
	if ft.Stats != nil {
		if t.SolvedAt, err = parseTime(string(ft.Stats.ResolvedAt)); err != nil {
			return bad("stats.resolved_at: " + err.Error())
		}
		if t.ClosedAt, err = parseTime(string(ft.Stats.ClosedAt)); err != nil {
			return bad("stats.closed_at: " + err.Error())
		}
	}
	files := func(as []fdAttachment) []File {
		var out []File
		for _, a := range as {
			out = append(out, File{ExternalID: string(a.ID), Name: safeName(a.Name), ContentType: a.ContentType,
				Path: localFile(dir, string(a.ID), a.Name)})
		}
		return out
	}
	if ft.DescriptionText != "" || ft.Description != "" || len(ft.Attachments) > 0 {
		t.Messages = append(t.Messages, Message{ExternalID: string(ft.ID) + "-description", Kind: ticket.CustomerMessage,
			Author: string(ft.RequesterID), Text: ft.DescriptionText, HTML: ft.Description, CreatedAt: t.CreatedAt, Files: files(ft.Attachments)})
	}
	if ft.Conversations != nil {
		for _, c := range *ft.Conversations {
			if c.ID == "" {
				skips = append(skips, Skip{Kind: "message", ExternalID: string(ft.ID), Reason: "a conversation without an id"})
				continue
			}
			m := Message{ExternalID: string(c.ID), Author: string(c.UserID), Text: c.BodyText, HTML: c.Body, Files: files(c.Attachments)}
			if m.CreatedAt, err = parseTime(string(c.CreatedAt)); err != nil {
				skips = append(skips, Skip{Kind: "message", ExternalID: string(c.ID), Reason: "created_at: " + err.Error()})
				continue
			}
			switch {
			case c.Private:
				m.Kind = ticket.Note
			case c.Incoming || !agents[c.UserID] && c.UserID == ft.RequesterID:
				m.Kind = ticket.CustomerMessage
			default:
				m.Kind = ticket.Reply
			}
			t.Messages = append(t.Messages, m)
		}
	}
	sort.SliceStable(t.Messages, func(i, j int) bool { return t.Messages[i].CreatedAt.Before(t.Messages[j].CreatedAt) })
	return &t, skips
}
