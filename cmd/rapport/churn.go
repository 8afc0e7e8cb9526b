package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/rapport/rapport/internal/churn"
)

const churnUsage = `usage: rapport churn evaluate FILE --label COLUMN [flags]
       rapport churn score [flags]   (trains on the database and scores every customer; see rapport churn score -h)

Trains the churn model (logistic regression with an L2 penalty on
standardised features) on any tabular CSV file and cross-validates it:
prints the rows and features used, the columns skipped and why, the AUC and
accuracy of each fold and their mean, a calibration table of the
out-of-fold predictions (deciles of predicted probability) and the largest
standardised coefficients of the model fitted on all rows.

FILE ("-" for standard input) has a header line. Numeric columns are used
as numbers (a blank takes the column mean, with a "(missing)" indicator);
text columns are one-hot encoded against their most frequent category
(blanks are their own category, rare ones "other"); a column unique on
every row (a customer id) is skipped. The label column holds 1/0,
true/false, yes/no or churned/retained.
`

// churnFold is one fold's line of output.
type churnFold struct {
	Fold          int     `json:"fold"`
	Train         int     `json:"train"`
	Test          int     `json:"test"`
	TestPositives int     `json:"test_positives"`
	AUC           float64 `json:"auc"`
	Accuracy      float64 `json:"accuracy"`
}

// churnBin is one line of the calibration table.
type churnBin struct {
	Count         int     `json:"count"`
	Low           float64 `json:"low"`
	High          float64 `json:"high"`
	MeanPredicted float64 `json:"mean_predicted"`
	Observed      float64 `json:"observed"`
}

// churnCoef is one coefficient of the final model.
type churnCoef struct {
	Feature      string  `json:"feature"`
	Standardised float64 `json:"standardised"`
	PerUnit      float64 `json:"per_unit"`
}

// churnSkipped is a column left out, and why.
type churnSkipped struct {
	Column string `json:"column"`
	Reason string `json:"reason"`
}

// churnReport is the whole output of `rapport churn evaluate`.
type churnReport struct {
	Label        string            `json:"label"`
	Rows         int               `json:"rows"`
	Positives    int               `json:"positives"`
	Features     []string          `json:"features"`
	Skipped      []churnSkipped    `json:"skipped"`
	Reference    map[string]string `json:"reference_categories"`
	FoldCount    int               `json:"folds_requested"`
	Seed         uint64            `json:"seed"`
	L2           float64           `json:"l2"`
	Folds        []churnFold       `json:"folds"`
	MeanAUC      float64           `json:"mean_auc"`
	SDAUC        float64           `json:"sd_auc"`
	PooledAUC    float64           `json:"pooled_auc"`
	MeanAccuracy float64           `json:"mean_accuracy"`
	Calibration  []churnBin        `json:"calibration"`
	Intercept    float64           `json:"intercept"`
	Coefficients []churnCoef       `json:"coefficients"`
}

// churnCmd runs `rapport churn evaluate`.
func churnCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "score" {
		return churnScoreCmd(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "evaluate" {
		fmt.Fprint(stderr, churnUsage)
		return errors.New("churn: want evaluate or score")
	}
	fs := flag.NewFlagSet("churn evaluate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, churnUsage+"\nflags:\n")
		fs.PrintDefaults()
	}
	label := fs.String("label", "", "name of the label column (required)")
	folds := fs.Int("folds", 5, "number of cross-validation folds (at least 2)")
	ignore := fs.String("ignore", "", "comma-separated columns to leave out")
	l2 := fs.Float64("l2", 1.0, "L2 penalty on the standardised coefficients (0: none)")
	seed := fs.Uint64("seed", 1, "seed of the fold assignment")
	maxCats := fs.Int("max-categories", 10, "most categories one text column keeps; the rest become \"other\"")
	minCount := fs.Int("min-category-count", 5, "fewest rows a category needs to keep its own feature")
	top := fs.Int("top", 10, "number of coefficients to print")
	asJSON := fs.Bool("json", false, "print JSON instead of tables")
	// Flags may follow the file name, as in "rapport churn evaluate data.csv --label churned".
	var files []string
	rest := args[1:]
	for {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	switch {
	case len(files) != 1:
		fs.Usage()
		return fmt.Errorf("churn evaluate: want one FILE, got %d", len(files))
	case *label == "":
		fs.Usage()
		return errors.New("churn evaluate: --label is required")
	case *folds < 2:
		return fmt.Errorf("churn evaluate: --folds %d: want at least 2", *folds)
	case !(*l2 >= 0) || math.IsInf(*l2, 0):
		return fmt.Errorf("churn evaluate: --l2 %v: want a non-negative number", *l2)
	case *maxCats < 1 || *minCount < 1 || *top < 0:
		return errors.New("churn evaluate: --max-categories and --min-category-count must be at least 1, --top at least 0")
	}

	in := stdin
	if files[0] != "-" {
		f, err := os.Open(files[0])
		if err != nil {
			return fmt.Errorf("churn evaluate: %w", err)
		}
		defer f.Close()
		in = f
	}
	var ignored []string
	for _, s := range strings.Split(*ignore, ",") {
		if s = strings.TrimSpace(s); s != "" {
			ignored = append(ignored, s)
		}
	}
	tb, err := churn.ReadTable(in, churn.TableOpts{Label: *label, Ignore: ignored, MaxCategories: *maxCats, MinCategoryCount: *minCount})
	if err != nil {
		return fmt.Errorf("churn evaluate: %s: %w", files[0], err)
	}
	if len(tb.Names) == 0 {
		return fmt.Errorf("churn evaluate: %s: no usable feature columns (%s)", files[0], skippedList(tb.Skipped))
	}
	opts := churn.FitOpts{L2: *l2}
	cv, err := churn.CrossValidate(ctx, tb.Names, tb.X, tb.Y, churn.CVOpts{Folds: *folds, Seed: *seed, Fit: opts})
	if err != nil {
		return fmt.Errorf("churn evaluate: %w", err)
	}
	m, err := churn.Fit(ctx, tb.Names, tb.X, tb.Y, opts)
	if err != nil {
		return fmt.Errorf("churn evaluate: final fit: %w", err)
	}

	r := churnReport{Label: tb.Label, Rows: tb.Rows, Positives: tb.Positives, Features: tb.Names, Reference: tb.Reference,
		FoldCount: *folds, Seed: *seed, L2: *l2, MeanAUC: cv.MeanAUC, SDAUC: cv.SDAUC, PooledAUC: cv.PooledAUC,
		MeanAccuracy: cv.MeanAccuracy, Intercept: m.Intercept, Skipped: []churnSkipped{}}
	for _, s := range tb.Skipped {
		r.Skipped = append(r.Skipped, churnSkipped{s.Name, s.Reason})
	}
	for _, f := range cv.Folds {
		r.Folds = append(r.Folds, churnFold{f.Fold, f.Train, f.Test, f.TestPositives, f.AUC, f.Accuracy})
	}
	for _, b := range cv.Calibration {
		r.Calibration = append(r.Calibration, churnBin{b.Count, b.Low, b.High, b.MeanPredicted, b.Observed})
	}
	for _, c := range m.TopCoefficients(*top) {
		r.Coefficients = append(r.Coefficients, churnCoef{c.Feature, c.Standardised, c.Original})
	}
	if !m.Converged {
		fmt.Fprintf(stderr, "warning: the final fit did not converge in %d iterations; try a larger --l2\n", m.Iterations)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return printChurnReport(stdout, r)
}

func skippedList(s []churn.SkippedColumn) string {
	var parts []string
	for _, c := range s {
		parts = append(parts, c.Name+": "+c.Reason)
	}
	if len(parts) == 0 {
		return "the file has only the label column"
	}
	return strings.Join(parts, "; ")
}

// printChurnReport writes the report as text tables.
func printChurnReport(w io.Writer, r churnReport) error {
	fmt.Fprintf(w, "rows: %d (%s = 1: %d, = 0: %d)\n", r.Rows, r.Label, r.Positives, r.Rows-r.Positives)
	fmt.Fprintf(w, "features used (%d): %s\n", len(r.Features), strings.Join(r.Features, ", "))
	if len(r.Reference) > 0 {
		var refs []string
		for _, name := range slices.Sorted(maps.Keys(r.Reference)) {
			refs = append(refs, name+"="+r.Reference[name])
		}
		fmt.Fprintf(w, "baseline categories (no feature of their own): %s\n", strings.Join(refs, ", "))
	}
	if len(r.Skipped) > 0 {
		fmt.Fprintln(w, "skipped columns:")
		for _, s := range r.Skipped {
			fmt.Fprintf(w, "  %s: %s\n", s.Column, s.Reason)
		}
	}
	fmt.Fprintf(w, "\ncross-validation: %d stratified folds, seed %d, L2 penalty %g\n", r.FoldCount, r.Seed, r.L2)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "fold\ttrain\ttest\tchurned\tAUC\taccuracy\t")
	for _, f := range r.Folds {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%.3f\t%.3f\t\n", f.Fold, f.Train, f.Test, f.TestPositives, f.AUC, f.Accuracy)
	}
	tw.Flush()
	fmt.Fprintf(w, "mean AUC %.3f (sd %.3f); pooled out-of-fold AUC %.3f; mean accuracy at 0.5 %.3f\n",
		r.MeanAUC, r.SDAUC, r.PooledAUC, r.MeanAccuracy)

	fmt.Fprintln(w, "\ncalibration (out-of-fold predictions, by decile of predicted probability):")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "decile\trows\tpredicted from\tto\tmean predicted\tobserved\t")
	for i, b := range r.Calibration {
		fmt.Fprintf(tw, "%d\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t\n", i+1, b.Count, b.Low, b.High, b.MeanPredicted, b.Observed)
	}
	tw.Flush()

	fmt.Fprintf(w, "\nlargest standardised coefficients (model fitted on all %d rows; log-odds of %s = 1):\n", r.Rows, r.Label)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "feature\tper sd\tper unit")
	for _, c := range r.Coefficients {
		fmt.Fprintf(tw, "%s\t%+.3f\t%+.4g\n", c.Feature, c.Standardised, c.PerUnit)
	}
	return tw.Flush()
}
