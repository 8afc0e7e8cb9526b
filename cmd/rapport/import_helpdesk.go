package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/importer"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
)

const importHelpDeskUsage = `usage: rapport import zendesk|freshdesk|helpscout [flags] DIR

Brings another help desk's history into Rapport from its export, a folder
on disk (no network): agents (deactivated, without a password, until an
admin activates them), customers, tickets with every message and internal
note at its original time, tags, statuses and the files the folder holds.
Imported tickets send no mail and start no SLA timer; the metrics count
them on their original days. Each record's original number is kept, so a
second run of the same export imports nothing again, and a later export
adds only what is new. What cannot be imported is listed with the reason.

  zendesk    tickets.json (with comments, or comments/<ticket id>.json),
             users.json, organizations.json; files in attachments/<id>/<name>
  freshdesk  tickets.json (with conversations), contacts.json, agents.json,
             companies.json; or the Account Export's Tickets.xml (with
             notes), Users.xml, Companies.xml; files in attachments/<id>/<name>
  helpscout  conversations.json (with threads), customers.json, users.json;
             files in attachments/<id>/<name>
`

// importHelpDeskCmd is `rapport import zendesk|freshdesk|helpscout DIR`.
func importHelpDeskCmd(ctx context.Context, source string, args []string, stdout, stderr io.Writer) error {
	var dry bool
	// Flags may follow the folder, as in "rapport import zendesk export/ --dry-run".
	cfg, _, dirs, err := dbArgs("import "+source, args, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&dry, "dry-run", false, "read the export and report what would be imported, writing nothing")
	})
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stderr, "\n"+importHelpDeskUsage)
	}
	if err != nil {
		return err
	}
	if len(dirs) != 1 {
		fmt.Fprint(stderr, importHelpDeskUsage)
		return fmt.Errorf("import %s: want one DIR, got %d", source, len(dirs))
	}
	dir := dirs[0]
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("import %s: %s is not a folder", source, dir)
	}
	read := map[string]func(string) (importer.Dataset, error){
		"zendesk": importer.ReadZendesk, "freshdesk": importer.ReadFreshdesk, "helpscout": importer.ReadHelpScout,
	}[source]
	ds, err := read(dir)
	if err != nil {
		return fmt.Errorf("import %s: nothing imported: %w", source, err)
	}
	fmt.Fprintf(stdout, "read %s: %d agents, %d customers, %d tickets\n", dir, len(ds.Agents), len(ds.Customers), len(ds.Tickets))

	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	log := slog.New(slog.DiscardHandler)
	clock := jobs.SystemClock{}
	q := jobs.New(db, clock, log)
	customers := customer.New(db, clock)
	im, err := importer.New(importer.Opts{DB: db, Clock: clock, Agents: agent.New(db, clock), Customers: customers,
		Tickets:     ticket.NewService(ticket.Opts{DB: db, Clock: clock, Jobs: q, Customers: customers, Log: log}),
		Attachments: attachment.New(db, nil, clock), Metrics: metrics.New(metrics.Opts{DB: db, Clock: clock, Log: log}), Log: log})
	if err != nil {
		return err
	}
	bar := newProgressOf(stderr, "tickets")
	rep, err := im.Run(ctx, ds, importer.RunOpts{DryRun: dry, Progress: bar.update})
	bar.done()
	printImportReport(stdout, rep)
	if err != nil {
		return fmt.Errorf("import %s: %w (what was finished stays; run it again to go on)", source, err)
	}
	return nil
}

// printImportReport writes what an import did, then what it skipped.
func printImportReport(w io.Writer, rep importer.Report) {
	c := func(n importer.Counts) string {
		return fmt.Sprintf("%d agents, %d customers, %d tickets, %d messages, %d notes, %d files",
			n.Agents, n.Customers, n.Tickets, n.Messages, n.Notes, n.Attachments)
	}
	if rep.DryRun {
		fmt.Fprintln(w, "dry run: nothing was written")
		fmt.Fprintln(w, "would import:     "+c(rep.New))
	} else {
		fmt.Fprintf(w, "import %d (%s):\n", rep.RunID, rep.Source)
		fmt.Fprintln(w, "imported:         "+c(rep.New))
	}
	fmt.Fprintln(w, "already imported: "+c(rep.Existing))
	fmt.Fprintf(w, "skipped: %d\n", len(rep.Skipped))
	for _, s := range rep.Skipped {
		fmt.Fprintf(w, "  %s %s: %s\n", s.Kind, s.ExternalID, s.Reason)
	}
	if rep.New.Agents > 0 && !rep.DryRun {
		fmt.Fprintln(w, "imported agents are deactivated and have no password: an admin activates them at /admin/agents")
	}
}
