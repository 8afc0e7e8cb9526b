package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/app"
	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/demo"
	"github.com/rapport/rapport/internal/store"
)

// demoPassword is the password of the demo logins unless RAPPORT_PASSWORD
// says otherwise; the demo listens on localhost by default.
const demoPassword = "rapport-demo"

// errDemoDB answers a --db given to the demo, which has no such setting.
var errDemoDB = errors.New("demo: --db is not used; the demo always makes a fresh SQLite database (choose its folder with --dir)")

func demoCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	for _, a := range args {
		if a == "--" {
			break
		}
		if name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "="); strings.HasPrefix(a, "-") && name == "db" {
			return errDemoDB
		}
	}
	if os.Getenv("RAPPORT_DB") != "" {
		return errDemoDB
	}
	var dir string
	var seed int64
	var customers, tickets int
	cfg, fs, err := config.ServerFromArgs("demo", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&dir, "dir", "", "folder for the demo database (default: a new temporary folder)")
		fs.Int64Var(&seed, "seed", 1, "seed of the generated data; the same seed gives the same data")
		fs.IntVar(&customers, "customers", 500, "customers to generate")
		fs.IntVar(&tickets, "tickets", 3000, "tickets to generate")
	})
	if err != nil {
		return err
	}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "rapport-demo-"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(dir, "rapport-demo.db")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	cfg.DB = path
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["outbox-dir"] && os.Getenv("RAPPORT_OUTBOX_DIR") == "" {
		cfg.OutboxDir = filepath.Join(dir, "outbox")
	}
	if !set["attachments-dir"] && os.Getenv("RAPPORT_ATTACHMENTS_DIR") == "" {
		cfg.AttachmentsDir = filepath.Join(dir, "attachments")
	}
	password := os.Getenv("RAPPORT_PASSWORD")
	if password == "" {
		password = demoPassword
	}
	log := newLogger(cfg, stderr)

	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return err
	}
	fmt.Fprintf(stderr, "generating demo data in %s …\n", path)
	start := time.Now()
	res, err := demo.Generate(ctx, demo.Opts{
		DB: db, Seed: seed, Customers: customers, Tickets: tickets,
		Now: time.Now().UTC(), Password: password, Log: log.With("component", "demo"),
		AttachmentsDir: cfg.AttachmentsDir,
	})
	db.Close()
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintf(stderr, "generated %d customers, %d tickets, %d messages in %s\n",
		res.Customers, res.Tickets, res.Messages, time.Since(start).Round(time.Millisecond))

	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	// As serve does: the generation's and the start's garbage goes back
	// to the system before the demo idles.
	debug.FreeOSMemory()
	mailLine := "Inbound SMTP is off (--smtp-addr is empty)."
	if addr := a.SMTPAddr(); addr != "" {
		mailLine = fmt.Sprintf("Mail to %s via SMTP at %s becomes a ticket.", cfg.MailboxList()[0], addr)
	}
	fmt.Fprintf(stdout, `
Rapport demo is running at %s

  Log in as   %s   (admin)
              %s   (manager)
              %s   (agent)
  Password    %s

  Live chat   %s/widget/demo   (a shop's page with the chat widget)

%s
Outgoing mail (acknowledgements, replies) is written to %s
Customer portal: %s/portal/signin; the sign-in link of %s is in that outbox
Database: %s
Press Ctrl+C to stop.

`, a.URL(), res.AdminEmail, res.ManagerEmail, res.AgentEmail, password, a.URL(), mailLine, cfg.OutboxDir, a.URL(), res.PortalEmail, path)
	return a.Run(ctx)
}
