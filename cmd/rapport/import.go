package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/rapport/rapport/internal/business"
	"github.com/rapport/rapport/internal/clv"
	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/csvtable"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/importer"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/purchases"
	"github.com/rapport/rapport/internal/store"
)

const importUsage = `usage: rapport import purchases [flags] FILE

Imports purchases from a CSV file ("-" for standard input) with a header
line naming its columns:

  email, phone or external_id   the customer (at least one; the first
                                non-empty of external_id, email, phone)
  date                          YYYY-MM-DD or RFC 3339
  amount                        decimal with '.' decimals, e.g. 19.90
  currency                      optional, e.g. EUR (default --currency)
  reference                     optional order or item reference; a line
                                whose customer and reference are already
                                stored is skipped, so files can be re-imported
  channel                       optional, e.g. shop or pos
  name                          optional, for customers --create-customers makes
  referral_code                 optional, the code of the referral link the
                                customer bought through: its owner becomes
                                the customer's referrer (unless one is
                                recorded already); an unknown code is a bad line

All lines are stored in one transaction: a file with a bad line imports
nothing (every bad line is listed) unless --skip-bad is given. After an
import the lifetime values are refitted by the running server's job workers.
`

// importCmd runs `rapport import purchases`.
func importCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	// Issue 17: an export of Rapport itself, or of another help desk.
	if len(args) > 0 && args[0] == "rapport" {
		return importRapportCmd(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && slices.Contains(importer.Sources, args[0]) {
		return importHelpDeskCmd(ctx, args[0], args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "purchases" {
		fmt.Fprint(stderr, importUsage)
		return errors.New("import: want purchases, rapport, zendesk, freshdesk or helpscout")
	}
	var skipBad, create bool
	currency, channel := "EUR", "import"
	cfg := config.Default()
	fs := flag.NewFlagSet("import purchases", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.RegisterDB(fs)
	fs.BoolVar(&skipBad, "skip-bad", skipBad, "import the good lines and report the bad ones, instead of importing nothing")
	fs.BoolVar(&create, "create-customers", create, "create customers for identities Rapport does not know")
	fs.StringVar(&currency, "currency", currency, "currency of lines without one")
	fs.StringVar(&channel, "channel", channel, "channel of lines without one")
	fs.Usage = func() {
		fmt.Fprint(stderr, importUsage+"\nSettings (flag, environment variable, default):\n")
		config.PrintSettings(stderr, fs)
	}
	if err := config.Parse(fs, args[1:], os.Getenv); err != nil {
		return err
	}
	// Flags may follow the file name, as in "rapport import purchases x.csv --skip-bad".
	var files []string
	for fs.NArg() > 0 {
		files = append(files, fs.Arg(0))
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return err
		}
	}
	if err := cfg.ValidateDB(); err != nil {
		return err
	}
	if len(files) != 1 {
		fmt.Fprint(stderr, importUsage)
		return fmt.Errorf("import purchases: want one FILE, got %d", len(files))
	}
	var in io.Reader = stdin
	if files[0] != "-" {
		f, err := os.Open(files[0])
		if err != nil {
			return fmt.Errorf("import purchases: %w", err)
		}
		defer f.Close()
		in = f
	}

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
	// Purchase days are the business's calendar days, as in the server.
	zone := metrics.New(metrics.Opts{DB: db, Clock: clock, Log: log,
		Business: business.New(business.Opts{DB: db, Clock: clock})}).Zone
	bought, err := purchases.New(purchases.Opts{DB: db, Clock: clock, Customers: customers, Zone: zone})
	if err != nil {
		return err
	}
	values, err := clv.New(clv.Opts{DB: db, Clock: clock, Jobs: q, Log: log, Zone: zone})
	if err != nil {
		return err
	}
	bar := newProgress(stderr)
	res, err := bought.Import(ctx, in, purchases.ImportOpts{SkipBad: skipBad, CreateCustomers: create, Currency: currency,
		Channel: channel, Progress: bar.update})
	bar.done()
	for _, b := range res.Bad {
		fmt.Fprintf(stderr, "%s: %s\n", files[0], b.Error())
	}
	if err != nil {
		if errors.Is(err, csvtable.ErrBadLines) {
			return fmt.Errorf("import purchases: %d bad line(s) of %d; nothing imported (use --skip-bad to import the rest)",
				len(res.Bad), res.Lines)
		}
		return fmt.Errorf("import purchases: %w", err)
	}
	fmt.Fprintf(stdout, "%d purchases imported, %d already there, %d bad lines skipped, %d customers created (%d lines)\n",
		res.Added, res.Duplicates, len(res.Bad), res.CustomersCreated, res.Lines)
	if res.Added > 0 {
		if err := db.Analyze(ctx); err != nil {
			return fmt.Errorf("import purchases: %w", err)
		}
		if err := values.RefitSoon(ctx); err != nil {
			return fmt.Errorf("import purchases: schedule the lifetime-value refit: %w", err)
		}
	}
	return nil
}

// progress shows how far an import is: a bar redrawn in place on a
// terminal, a plain line every few seconds otherwise (logs, pipes).
type progress struct {
	w    io.Writer
	unit string // what is counted: "lines" unless newProgressOf says

	terminal bool
	last     time.Time
	drawn    bool
}

func newProgress(w io.Writer) *progress { return newProgressOf(w, "lines") }

// newProgressOf is newProgress counting unit ("tickets").
func newProgressOf(w io.Writer, unit string) *progress {
	p := &progress{w: w, unit: unit}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.terminal = true
	}
	return p
}

// barWidth is the width of the bar in characters.
const barWidth = 30

func (p *progress) update(done, total int) {
	if total <= 0 {
		return
	}
	now := time.Now()
	if p.terminal {
		if done < total && now.Sub(p.last) < 100*time.Millisecond {
			return
		}
		p.last, p.drawn = now, true
		filled := done * barWidth / total
		fmt.Fprintf(p.w, "\r[%s%s] %d/%d %s", strings.Repeat("#", filled), strings.Repeat(".", barWidth-filled), done, total, p.unit)
		return
	}
	if done < total && now.Sub(p.last) < 2*time.Second {
		return
	}
	p.last = now
	fmt.Fprintf(p.w, "stored %d of %d %s\n", done, total, p.unit)
}

func (p *progress) done() {
	if p.terminal && p.drawn {
		fmt.Fprintln(p.w)
	}
}
