package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rapport/rapport/internal/churn"
	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/purchases"
	"github.com/rapport/rapport/internal/store"
)

const churnScoreUsage = `usage: rapport churn score [flags]

Trains the churn model on the business's own history and scores every
customer who has bought something: the model learns from each customer's
purchase and service signals as of a reference date (default: now minus the
window) and whether they bought again within the window after it; then
every customer's signals as of now give their churn risk and its three
largest reasons, written to the database for the ticket page and the
at-risk list. Prints the training size, churn rate and cross-validated AUC,
and the customers with the most value at risk (churn risk × predicted
lifetime value). Nothing is written when the history is too short to train.
`

// churnScoreRow is one at-risk customer in the output.
type churnScoreRow struct {
	CustomerID    int64           `json:"customer_id"`
	Name          string          `json:"name"`
	ChurnRisk     float64         `json:"churn_risk"`
	ExpectedValue *float64        `json:"expected_value"` // nil: not valued yet
	Currency      string          `json:"currency,omitempty"`
	ValueAtRisk   *float64        `json:"value_at_risk"`
	Reasons       []churnScoreWhy `json:"reasons"`
}

// churnScoreWhy is one reason of a customer's risk.
type churnScoreWhy struct {
	Feature      string  `json:"feature"`
	Contribution float64 `json:"contribution"`
}

// churnScoreReport is the whole output of `rapport churn score`.
type churnScoreReport struct {
	Reference  string          `json:"reference"`
	WindowDays int             `json:"window_days"`
	ScoredAt   string          `json:"scored_at"`
	Currency   string          `json:"currency"`
	Trained    int             `json:"trained"`
	Churned    int             `json:"churned"`
	ChurnRate  float64         `json:"churn_rate"`
	Folds      int             `json:"folds"`
	MeanAUC    float64         `json:"cv_auc"`
	SDAUC      float64         `json:"cv_auc_sd"`
	PooledAUC  float64         `json:"cv_auc_pooled"`
	Accuracy   float64         `json:"cv_accuracy"`
	Converged  bool            `json:"converged"`
	Scored     int             `json:"scored"`
	Top        []churnScoreRow `json:"top"`
}

// churnScoreCmd runs `rapport churn score`.
func churnScoreCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Default()
	fs := flag.NewFlagSet("churn score", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.RegisterDB(fs)
	windowDays := fs.Int("window", 90, "days without a purchase after the reference date that count as churned")
	reference := fs.String("reference", "", "reference date YYYY-MM-DD to learn from (default: today minus the window)")
	top := fs.Int("top", 20, "number of at-risk customers to print")
	sortBy := fs.String("sort", churn.AtRiskByValue, "order of the list: value (value at risk) or risk")
	l2 := fs.Float64("l2", 1.0, "L2 penalty on the standardised coefficients")
	folds := fs.Int("folds", 5, "number of cross-validation folds (at least 2)")
	minCustomers := fs.Int("min-customers", churn.DefaultMinCustomers, "fewest training customers to train on")
	currency := fs.String("currency", "", "currency spend is counted in (default: the one most purchases are in)")
	asJSON := fs.Bool("json", false, "print JSON instead of tables")
	fs.Usage = func() {
		fmt.Fprint(stderr, churnScoreUsage+"\nSettings (flag, environment variable, default):\n")
		config.PrintSettings(stderr, fs)
	}
	if err := config.Parse(fs, args, os.Getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("churn score: unexpected argument %q", fs.Arg(0))
	}
	if err := cfg.ValidateDB(); err != nil {
		return err
	}
	switch {
	case *windowDays < 1 || *windowDays > 3650:
		return fmt.Errorf("churn score: --window %d: want 1 to 3650 days", *windowDays)
	case *top < 0:
		return fmt.Errorf("churn score: --top %d: want at least 0", *top)
	case *sortBy != churn.AtRiskByValue && *sortBy != churn.AtRiskByRisk:
		return fmt.Errorf("churn score: --sort %q: want value or risk", *sortBy)
	case !(*l2 > 0) || math.IsInf(*l2, 0):
		return fmt.Errorf("churn score: --l2 %v: want a positive number", *l2)
	case *folds < 2:
		return fmt.Errorf("churn score: --folds %d: want at least 2", *folds)
	case *minCustomers < 1:
		return fmt.Errorf("churn score: --min-customers %d: want at least 1", *minCustomers)
	}
	run := churn.RunOpts{Window: time.Duration(*windowDays) * 24 * time.Hour}
	if *reference != "" {
		d, err := time.Parse(time.DateOnly, *reference)
		if err != nil {
			return fmt.Errorf("churn score: --reference %q: want a date like 2025-01-31", *reference)
		}
		run.Reference = d
	}
	cur := ""
	if *currency != "" {
		c, err := purchases.ParseCurrency(*currency)
		if err != nil {
			return fmt.Errorf("churn score: --currency: %w", err)
		}
		cur = c
	}

	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	scorer, err := churn.New(churn.Opts{DB: db, Clock: jobs.SystemClock{},
		Log: slog.New(slog.DiscardHandler), L2: *l2, Folds: *folds, MinCustomers: *minCustomers, Currency: cur})
	if err != nil {
		return err
	}
	res, err := scorer.TrainAndScore(ctx, run)
	if err != nil {
		if errors.Is(err, churn.ErrTraining) {
			return fmt.Errorf("churn score: %w; nothing written", err)
		}
		return fmt.Errorf("churn score: %w", err)
	}
	r := churnScoreReport{Reference: res.Reference.Format(time.DateOnly), WindowDays: *windowDays,
		ScoredAt: res.ScoredAt.Format(time.RFC3339), Currency: res.Currency, Trained: res.Trained, Churned: res.Churned,
		ChurnRate: res.ChurnRate(), Folds: len(res.CV.Folds), MeanAUC: res.CV.MeanAUC, SDAUC: res.CV.SDAUC,
		PooledAUC: res.CV.PooledAUC, Accuracy: res.CV.MeanAccuracy, Converged: res.Model.Converged, Scored: res.Scored,
		Top: []churnScoreRow{}}
	if *top > 0 {
		page, err := scorer.AtRisk(ctx, *sortBy, 0, *top)
		if err != nil {
			return fmt.Errorf("churn score: %w", err)
		}
		for _, a := range page.Customers {
			row := churnScoreRow{CustomerID: a.CustomerID, Name: a.Name, ChurnRisk: a.ChurnRisk, Reasons: []churnScoreWhy{}}
			if a.Valued {
				ev, atRisk := a.ExpectedValue, a.ValueAtRisk()
				row.ExpectedValue, row.ValueAtRisk, row.Currency = &ev, &atRisk, a.Currency
			}
			for _, w := range a.Reasons {
				row.Reasons = append(row.Reasons, churnScoreWhy{w.Feature, w.Contribution})
			}
			r.Top = append(r.Top, row)
		}
	}
	if !res.Model.Converged {
		fmt.Fprintf(stderr, "warning: the fit did not converge in %d iterations; try a larger --l2\n", res.Model.Iterations)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return printChurnScore(stdout, r, *sortBy)
}

// printChurnScore writes the report as text.
func printChurnScore(w io.Writer, r churnScoreReport, sortBy string) error {
	fmt.Fprintf(w, "Trained on %d customers who had bought by %s: %d churned within %d days (%.1f%%)\n",
		r.Trained, r.Reference, r.Churned, r.WindowDays, 100*r.ChurnRate)
	fmt.Fprintf(w, "Cross-validated AUC %.3f ± %.3f over %d folds (pooled %.3f), accuracy %.3f\n",
		r.MeanAUC, r.SDAUC, r.Folds, r.PooledAUC, r.Accuracy)
	fmt.Fprintf(w, "Scored %d customers as of %s (spend in %s)\n", r.Scored, r.ScoredAt, r.Currency)
	if len(r.Top) == 0 {
		return nil
	}
	order := "value at risk"
	if sortBy == churn.AtRiskByRisk {
		order = "churn risk"
	}
	fmt.Fprintf(w, "\nTop %d customers by %s:\n", len(r.Top), order)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tCHURN RISK\tEXPECTED VALUE\tVALUE AT RISK\tREASONS")
	for _, row := range r.Top {
		ev, vr := "-", "-"
		if row.ExpectedValue != nil {
			ev = strconv.FormatFloat(*row.ExpectedValue, 'f', 2, 64) + " " + row.Currency
			vr = strconv.FormatFloat(*row.ValueAtRisk, 'f', 2, 64) + " " + row.Currency
		}
		var why []string
		for _, c := range row.Reasons {
			why = append(why, fmt.Sprintf("%s %+.2f", c.Feature, c.Contribution))
		}
		fmt.Fprintf(tw, "%d\t%s\t%.1f%%\t%s\t%s\t%s\n", row.CustomerID, oneLine(row.Name), 100*row.ChurnRisk, ev, vr,
			strings.Join(why, ", "))
	}
	return tw.Flush()
}

// oneLine keeps a name from breaking the table.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
