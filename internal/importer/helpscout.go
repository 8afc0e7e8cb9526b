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

// Help Scout's export, as its Mailbox API 2.0 reference documents the
// records (HAL pages, {"_embedded": {"conversations": [...]}}, a JSON
// array, or one record per line). Files in DIR:
//
//	users.json          id, firstName, lastName, email, role (owner, admin,
//	                    user), createdAt
//	customers.json      id, firstName, lastName, createdAt, organization,
//	                    _embedded.emails[].value, _embedded.phones[].value
//	conversations.json  id, number, subject, status (active, pending,
//	                    closed, spam), type (email, chat, phone),
//	                    createdAt, closedAt, userUpdatedAt,
//	                    primaryCustomer.id, assignee.id, tags[].tag, and
//	                    _embedded.threads: id, type (customer, message,
//	                    reply, note, chat, phone; others are events),
//	                    body, createdBy (id, type customer or user),
//	                    createdAt, _embedded.attachments (id, filename,
//	                    mimeType)
//	threads/<conversation id>.json  a conversation's threads as the List
//	                    Threads API returns them, for conversations
//	                    without them inline
//	attachments/<id>/<filename>  the files, where downloaded
//
// A conversation's original number is its id; its number is kept as its
// subject's fallback.

type hsUser struct {
	ID        extID      `json:"id"`
	FirstName string     `json:"firstName"`
	LastName  string     `json:"lastName"`
	Email     string     `json:"email"`
	Role      string     `json:"role"`
	CreatedAt flexString `json:"createdAt"`
}

type hsCustomer struct {
	ID           extID      `json:"id"`
	FirstName    string     `json:"firstName"`
	LastName     string     `json:"lastName"`
	Organization string     `json:"organization"`
	Language     string     `json:"language"`
	CreatedAt    flexString `json:"createdAt"`
	Embedded     struct {
		Emails []struct {
			Value string `json:"value"`
		} `json:"emails"`
		Phones []struct {
			Value string `json:"value"`
		} `json:"phones"`
	} `json:"_embedded"`
}

type hsThread struct {
	ID        extID  `json:"id"`
	Type      string `json:"type"`
	Body      string `json:"body"`
	CreatedBy struct {
		ID   extID  `json:"id"`
		Type string `json:"type"`
	} `json:"createdBy"`
	CreatedAt flexString `json:"createdAt"`
	Embedded  struct {
		Attachments []struct {
			ID       extID  `json:"id"`
			Filename string `json:"filename"`
			MimeType string `json:"mimeType"`
		} `json:"attachments"`
	} `json:"_embedded"`
}

type hsConversation struct {
	ID              extID      `json:"id"`
	Number          extID      `json:"number"`
	Subject         string     `json:"subject"`
	Status          string     `json:"status"`
	Type            string     `json:"type"`
	CreatedAt       flexString `json:"createdAt"`
	ClosedAt        flexString `json:"closedAt"`
	UserUpdatedAt   flexString `json:"userUpdatedAt"`
	PrimaryCustomer struct {
		ID extID `json:"id"`
	} `json:"primaryCustomer"`
	Assignee struct {
		ID extID `json:"id"`
	} `json:"assignee"`
	Tags []struct {
		Tag string `json:"tag"`
	} `json:"tags"`
	Embedded struct {
		Threads *[]hsThread `json:"threads"`
	} `json:"_embedded"`
}

// ReadHelpScout reads a Help Scout export in dir (see the comment above).
func ReadHelpScout(dir string) (Dataset, error) {
	ds := Dataset{Source: "helpscout", Dir: dir}
	convPath := findFile(dir, "conversations")
	if convPath == "" {
		return ds, fmt.Errorf("importer: %s has no conversations.json: %w", dir, ErrNoExport)
	}
	err := eachRecord(dir, "users", func(u hsUser) error {
		p, ok := ds.person("agent", "a user", u.ID, string(u.CreatedAt), Person{Name: strings.TrimSpace(u.FirstName + " " + u.LastName),
			Email: u.Email, Role: agent.RoleAgent})
		if !ok {
			return nil
		}
		if u.Role == "owner" || u.Role == "admin" {
			p.Role = agent.RoleAdmin
		}
		ds.Agents = append(ds.Agents, p)
		return nil
	})
	if err != nil {
		return ds, fmt.Errorf("importer: %w", err)
	}
	err = eachRecord(dir, "customers", func(c hsCustomer) error {
		p, ok := ds.person("customer", "a customer", c.ID, string(c.CreatedAt), Person{Name: strings.TrimSpace(c.FirstName + " " + c.LastName),
			Locale: c.Language})
		if !ok {
			return nil
		}
		if len(c.Embedded.Emails) > 0 {
			p.Email = c.Embedded.Emails[0].Value
		}
		if len(c.Embedded.Phones) > 0 {
			p.Phone = c.Embedded.Phones[0].Value
		}
		if o := strings.TrimSpace(c.Organization); o != "" {
			p.Tags = []string{o}
		}
		ds.Customers = append(ds.Customers, p)
		return nil
	})
	if err != nil {
		return ds, fmt.Errorf("importer: %w", err)
	}
	err = readFile(convPath, "conversations", func(raw json.RawMessage) error {
		var hc hsConversation
		if err := json.Unmarshal(raw, &hc); err != nil {
			return err
		}
		if hc.Embedded.Threads == nil && hc.ID != "" {
			if p := findFile(filepath.Join(dir, "threads"), safeName(string(hc.ID))); p != "" {
				var threads []hsThread
				err := readFile(p, "threads", func(raw json.RawMessage) error {
					var th hsThread
					if err := json.Unmarshal(raw, &th); err != nil {
						return err
					}
					threads = append(threads, th)
					return nil
				})
				if err != nil {
					return err
				}
				hc.Embedded.Threads = &threads
			}
		}
		t, skips := helpScoutTicket(dir, hc)
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

// helpScoutTicket maps one conversation; nil when it cannot be used.
func helpScoutTicket(dir string, hc hsConversation) (*Ticket, []Skip) {
	var skips []Skip
	bad := func(reason string) (*Ticket, []Skip) {
		return nil, append(skips, Skip{Kind: "ticket", ExternalID: string(hc.ID), Reason: reason})
	}
	if hc.ID == "" {
		return bad("a conversation without an id")
	}
	var status ticket.Status
	switch strings.ToLower(hc.Status) {
	case "active":
		status = ticket.Open
	case "pending":
		status = ticket.Pending
	case "closed":
		status = ticket.Solved
	case "spam":
		return bad("marked as spam in Help Scout")
	default:
		return bad(fmt.Sprintf("unknown status %q", hc.Status))
	}
	t := Ticket{ExternalID: string(hc.ID), Subject: hc.Subject, Status: status, Kind: "question",
		Requester: string(hc.PrimaryCustomer.ID), Assignee: string(hc.Assignee.ID)}
	if t.Subject == "" && hc.Number != "" {
		t.Subject = "#" + string(hc.Number)
	}
	switch strings.ToLower(hc.Type) {
	case "chat":
		t.Channel = "chat"
	case "phone":
		t.Channel = "phone"
	default:
		t.Channel = "email"
	}
	for _, tg := range hc.Tags {
		t.Tags = append(t.Tags, tg.Tag)
	}
	var err error
	if t.CreatedAt, err = parseTime(string(hc.CreatedAt)); err != nil {
		return bad("createdAt: " + err.Error())
	}
	if t.UpdatedAt, err = parseTime(string(hc.UserUpdatedAt)); err != nil {
		return bad("userUpdatedAt: " + err.Error())
	}
	if t.SolvedAt, err = parseTime(string(hc.ClosedAt)); err != nil {
		return bad("closedAt: " + err.Error())
	}
	if hc.Embedded.Threads != nil {
		for _, th := range *hc.Embedded.Threads {
			m := Message{ExternalID: string(th.ID), Author: string(th.CreatedBy.ID), HTML: th.Body}
			switch strings.ToLower(th.Type) {
			case "customer":
				m.Kind = ticket.CustomerMessage
			case "message", "reply":
				m.Kind = ticket.Reply
			case "note":
				m.Kind = ticket.Note
			case "chat", "phone":
				m.Kind = ticket.Reply
				if th.CreatedBy.Type == "customer" {
					m.Kind = ticket.CustomerMessage
				}
			default:
				continue // lineitem, forwardchild, …: events of the conversation, not messages
			}
			if th.ID == "" {
				skips = append(skips, Skip{Kind: "message", ExternalID: string(hc.ID), Reason: "a thread without an id"})
				continue
			}
			if m.CreatedAt, err = parseTime(string(th.CreatedAt)); err != nil {
				skips = append(skips, Skip{Kind: "message", ExternalID: string(th.ID), Reason: "createdAt: " + err.Error()})
				continue
			}
			for _, a := range th.Embedded.Attachments {
				m.Files = append(m.Files, File{ExternalID: string(a.ID), Name: safeName(a.Filename), ContentType: a.MimeType,
					Path: localFile(dir, string(a.ID), a.Filename)})
			}
			t.Messages = append(t.Messages, m)
		}
	}
	// The API lists threads newest first.
	sort.SliceStable(t.Messages, func(i, j int) bool { return t.Messages[i].CreatedAt.Before(t.Messages[j].CreatedAt) })
	return &t, skips
}
