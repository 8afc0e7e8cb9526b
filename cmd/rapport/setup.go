package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/business"
	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/setup"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/store"
)

// setupCmd is `rapport setup`: the first run without a browser, the same
// as the setup page. It refuses once an admin exists.
func setupCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var in setup.Input
	var languages, relayUser string
	cfg, _, err := config.DBFromArgs("setup", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&in.Business.Name, "business-name", "", "the business name customers see on email (required)")
		fs.StringVar(&in.Business.SenderName, "sender-name", "", "the From name of mail to customers; empty uses the business name")
		fs.StringVar(&in.Business.Signature, "signature", "", "the signature of mail to customers; empty signs with the business name")
		fs.StringVar(&in.Business.TimeZone, "time-zone", "UTC", "the business's IANA time zone, such as Europe/Rome")
		fs.StringVar(&languages, "languages", strings.Join(i18n.Supported, ","), "comma-separated languages served; the first is the default")
		fs.StringVar(&in.Week, "hours", setup.DefaultWeek, "business hours of the default calendar; empty for none")
		fs.StringVar(&in.Relay.Addr, "mail-relay", "", "host:port of the SMTP server that sends mail; empty keeps it in the outbox folder")
		fs.StringVar(&relayUser, "mail-relay-user", "", "user name at the SMTP server")
		fs.StringVar(&in.Relay.Password, "mail-relay-password", "", "password at the SMTP server")
		fs.StringVar(&in.Team, "team", "Support", "the first team")
		fs.StringVar(&in.AdminName, "admin-name", "", "the first admin's full name (required)")
		fs.StringVar(&in.Email, "admin-email", "", "the first admin's email address (required)")
		fs.StringVar(&in.Password, "admin-password", "", "the first admin's password; empty reads RAPPORT_PASSWORD or a prompt")
		fs.StringVar(&in.Locale, "admin-locale", "", "the first admin's UI language (en, it, ru, lv, ca); empty for the browser's")
	})
	if err != nil {
		return err
	}
	in.Relay.Username = relayUser
	for _, l := range strings.Split(languages, ",") {
		if l = strings.TrimSpace(l); l != "" {
			in.Business.Languages = append(in.Business.Languages, l)
		}
	}
	if in.Business.Name == "" || in.Email == "" || in.AdminName == "" {
		return errors.New("setup: --business-name, --admin-name and --admin-email are required")
	}
	if in.Password == "" {
		if in.Password, err = readPassword(stdin, stderr); err != nil {
			return err
		}
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	clock := jobs.SystemClock{}
	agents := agent.New(db, clock)
	biz := business.New(business.Opts{DB: db, Clock: clock, Languages: i18n.Supported})
	run := setup.New(setup.Opts{DB: db, Clock: clock, Agents: agents, Business: biz,
		SLA: sla.New(sla.Opts{DB: db, Clock: clock, Jobs: jobs.New(db, clock, nil)}), Relays: mailout.NewRelayStore(db, clock)})
	id, err := run.Run(ctx, in)
	if errors.Is(err, setup.ErrDone) {
		return errors.New("setup: already done: an admin exists (change the business at /admin/business)")
	}
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	p, err := biz.Profile(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "set up %s (time zone %s, languages %s, default %s)\nadmin %s <%s> (id %d), online, in team %s\n",
		p.Name, p.Location(), strings.Join(p.Languages, ", "), p.Default(), in.AdminName, strings.ToLower(strings.TrimSpace(in.Email)), id, in.Team)
	return nil
}
