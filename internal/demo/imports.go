package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/importer"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/ticket"
)

// seedImports brings in a little of the shop's history from the help desk
// it used before Rapport, as `rapport import zendesk` does with an export
// folder: a former colleague, two customers and three tickets of the
// wholesale desk, which kept using it until five months ago, one file the export did not hold (so the report at
// /admin/imports lists what was skipped and why). The demo agent's
// Zendesk account is linked to their Rapport one by email.
func (r *runner) seedImports(ctx context.Context) error {
	m := metrics.New(metrics.Opts{DB: r.o.DB, Clock: r.clock, Log: r.o.Log})
	tickets := ticket.NewService(ticket.Opts{DB: r.o.DB, Clock: r.clock, Jobs: r.queue, Customers: r.custs, Log: r.o.Log})
	im, err := importer.New(importer.Opts{DB: r.o.DB, Clock: r.clock, Agents: r.agents, Customers: r.custs, Tickets: tickets,
		Attachments: attachment.New(r.o.DB, nil, r.clock), Metrics: m, Log: r.o.Log})
	if err != nil {
		return err
	}
	base := r.p.now.AddDate(0, -5, -21).Truncate(time.Hour)
	at := func(days, hours int) time.Time { return base.AddDate(0, 0, days).Add(time.Duration(hours) * time.Hour) }
	ds := importer.Dataset{
		Source: "zendesk", Dir: "zendesk-export-demo",
		Agents: []importer.Person{
			{ExternalID: "361001", Name: "Petra Former", Email: "petra.former@demo.example.com", Locale: "en", Role: agent.RoleAgent, CreatedAt: at(-400, 0)},
			{ExternalID: "361002", Name: "Demo agent", Email: agentEmail, Role: agent.RoleAgent, CreatedAt: at(-200, 0)},
		},
		Customers: []importer.Person{
			{ExternalID: "362001", Name: "Greta Lindqvist", Email: "greta.lindqvist@mail.demo.example", Locale: "en-GB", Tags: []string{"Lindqvist Florist"}, CreatedAt: at(-90, 0)},
			{ExternalID: "362002", Name: "Oskars Kalniņš", Email: "oskars.kalnins@mail.demo.example", Locale: "en", CreatedAt: at(-30, 0)},
		},
		Tickets: []importer.Ticket{
			{ExternalID: "4101", Subject: "Hedge trimmer blade arrived bent", Status: ticket.Closed, Priority: ticket.High, Kind: "other",
				Channel: "email", Requester: "362001", Assignee: "361001", Tags: []string{"damaged", "zendesk"}, CreatedAt: at(0, 9),
				SolvedAt: at(1, 15), ClosedAt: at(6, 15), Messages: []importer.Message{
					{ExternalID: "88101", Kind: ticket.CustomerMessage, Author: "362001", Text: "The blade of the hedge trimmer I ordered arrived bent. Photo attached.", CreatedAt: at(0, 9),
						Files: []importer.File{{ExternalID: "99101", Name: "blade.jpg", ContentType: "image/jpeg"}}},
					{ExternalID: "88102", Kind: ticket.Note, Author: "361001", Text: "Courier damage; claim opened with the carrier.", CreatedAt: at(0, 11)},
					{ExternalID: "88103", Kind: ticket.Reply, Author: "361001", Text: "Sorry about that, Greta. A new blade leaves today, and you can keep the bent one.", CreatedAt: at(0, 12)},
					{ExternalID: "88104", Kind: ticket.CustomerMessage, Author: "362001", Text: "The new blade is here and fits. Thank you!", CreatedAt: at(1, 14)},
				}},
			{ExternalID: "4102", Subject: "Can I return unopened seeds?", Status: ticket.Solved, Kind: "question", Channel: "web",
				Requester: "362002", Assignee: "361002", CreatedAt: at(3, 10), SolvedAt: at(3, 16), Messages: []importer.Message{
					{ExternalID: "88201", Kind: ticket.CustomerMessage, Author: "362002", Text: "I bought too many seed packets. Can I return the unopened ones?", CreatedAt: at(3, 10)},
					{ExternalID: "88202", Kind: ticket.Reply, Author: "361002", Text: "Yes: unopened packets can be returned within 30 days; the label is in your account.", CreatedAt: at(3, 13)},
				}},
			{ExternalID: "4103", Subject: "Delivery to the cottage in summer", Status: ticket.Solved, Kind: "request", Channel: "email",
				Requester: "362002", Assignee: "361002", CreatedAt: at(20, 8), SolvedAt: at(21, 9), Messages: []importer.Message{
					{ExternalID: "88301", Kind: ticket.CustomerMessage, Author: "362002", Text: "Please send my summer orders to the cottage address until August.", CreatedAt: at(20, 8)},
					{ExternalID: "88302", Kind: ticket.Reply, Author: "361002", Text: "Done: orders until 31 August go to the cottage.", CreatedAt: at(21, 9)},
				}},
		},
	}
	r.clock.Set(r.p.now.Add(-2 * time.Hour))
	rep, err := im.Run(ctx, ds, importer.RunOpts{})
	if err != nil {
		return fmt.Errorf("demo: import: %w", err)
	}
	r.res.Imported = rep.New
	r.clock.Set(r.p.now)
	return nil
}
