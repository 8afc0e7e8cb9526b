package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"text/tabwriter"
	"time"

	"github.com/rapport/rapport/internal/clv"
	"github.com/rapport/rapport/internal/csvtable"
)

const clvUsage = `usage: rapport clv fit [flags] FILE

Fits the BG/NBD model of repeat purchasing and dropout and the Gamma-Gamma
model of spend per purchase by maximum likelihood, and prints their
parameters, log-likelihoods and, for each customer, the expected number of
purchases within the horizon, the probability of still being a customer,
the expected spend per purchase and the expected value within the horizon
(purchases × spend, undiscounted).

FILE ("-" for standard input) is a CSV file of transactions, one purchase
a line (customer id, date as YYYY-MM-DD or RFC 3339, amount with '.'
decimals); purchases on the same day count once. With --summaries it holds
one customer a line instead, with the columns customer_id, frequency,
recency, T and, optionally, monetary.
`

// clvCustomer is one customer's line of output. Spend and value are
// absent when no spend model could be fitted.
type clvCustomer struct {
	ID                string   `json:"id"`
	Frequency         int      `json:"frequency"`
	Recency           float64  `json:"recency"`
	T                 float64  `json:"T"`
	Monetary          float64  `json:"monetary"`
	ExpectedPurchases float64  `json:"expected_purchases"`
	PAlive            float64  `json:"p_alive"`
	ExpectedSpend     *float64 `json:"expected_spend,omitempty"`
	ExpectedValue     *float64 `json:"expected_value,omitempty"`
}

// clvBGNBD and clvGammaGamma are the fitted models as printed.
type clvBGNBD struct {
	R             float64 `json:"r"`
	Alpha         float64 `json:"alpha"`
	A             float64 `json:"a"`
	B             float64 `json:"b"`
	LogLikelihood float64 `json:"log_likelihood"`
	Customers     int     `json:"customers"`
	Iterations    int     `json:"iterations"`
	Status        string  `json:"status"`
}

type clvGammaGamma struct {
	P             float64  `json:"p"`
	Q             float64  `json:"q"`
	Gamma         float64  `json:"gamma"`
	MeanSpend     *float64 `json:"mean_spend,omitempty"`
	LogLikelihood float64  `json:"log_likelihood"`
	Customers     int      `json:"customers"`
	Iterations    int      `json:"iterations"`
	Status        string   `json:"status"`
}

// clvReport is the whole output of `rapport clv fit`.
type clvReport struct {
	Unit           string         `json:"unit"`
	CalibrationEnd string         `json:"calibration_end,omitempty"`
	Horizon        float64        `json:"horizon"`
	BGNBD          clvBGNBD       `json:"bgnbd"`
	GammaGamma     *clvGammaGamma `json:"gamma_gamma"`
	Customers      []clvCustomer  `json:"customers"`
}

// clvCmd runs `rapport clv fit`: customer lifetime value from a
// transactions or summaries CSV file.
func clvCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "fit" {
		fmt.Fprint(stderr, clvUsage)
		return errors.New("clv: want fit")
	}
	fs := flag.NewFlagSet("clv fit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, clvUsage+"\nflags:\n")
		fs.PrintDefaults()
	}
	unit := fs.String("unit", "days", "time unit of recency, T and the horizon: days or weeks")
	endFlag := fs.String("calibration-end", "", "last day of the calibration period, YYYY-MM-DD (default: the day of the last transaction); later transactions are left out")
	horizon := fs.Float64("horizon", 90, "prediction horizon, in the time unit")
	summaries := fs.Bool("summaries", false, "FILE holds per-customer summaries (customer_id, frequency, recency, T, monetary), not transactions")
	customerCol := fs.String("customer-col", "customer_id", "name of the customer id column")
	dateCol := fs.String("date-col", "date", "name of the date column")
	amountCol := fs.String("amount-col", "amount", "name of the amount column")
	skipBad := fs.Bool("skip-bad-lines", false, "report unreadable lines on standard error and fit the rest, instead of failing")
	format := fs.String("format", "text", "output format: text or json")
	// Flags may follow the file name too, as in "rapport clv fit data.csv --unit weeks".
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
	if len(files) != 1 {
		fs.Usage()
		return fmt.Errorf("clv fit: want one FILE, got %d", len(files))
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("clv fit: unknown format %q (want text or json)", *format)
	}
	u := clv.Unit(*unit)
	if u != clv.Days && u != clv.Weeks {
		return fmt.Errorf("clv fit: unknown unit %q (want days or weeks)", *unit)
	}
	if !(*horizon >= 0) || math.IsInf(*horizon, 0) {
		return fmt.Errorf("clv fit: horizon %v is not a non-negative number", *horizon)
	}
	var end time.Time
	if *endFlag != "" {
		if *summaries {
			return errors.New("clv fit: --calibration-end applies to transactions, not --summaries")
		}
		var err error
		if end, err = clv.ParseDay(*endFlag); err != nil {
			return fmt.Errorf("clv fit: --calibration-end: %w", err)
		}
	}

	in := stdin
	if files[0] != "-" {
		f, err := os.Open(files[0])
		if err != nil {
			return fmt.Errorf("clv fit: %w", err)
		}
		defer f.Close()
		in = f
	}
	opts := clv.CSVOpts{CustomerCol: *customerCol, DateCol: *dateCol, AmountCol: *amountCol, SkipBadLines: *skipBad}
	var customers []clv.Summary
	var bad []csvtable.LineError
	var err error
	if *summaries {
		customers, bad, err = clv.ReadSummaries(bufio.NewReader(in), opts)
	} else {
		var txs []clv.Transaction
		txs, bad, err = clv.ReadTransactions(bufio.NewReader(in), opts)
		if err == nil {
			if end.IsZero() {
				for _, t := range txs {
					if t.Day.After(end) {
						end = t.Day
					}
				}
			}
			customers, err = clv.Summarize(txs, u, end)
		}
	}
	for i, b := range bad {
		if i == 20 {
			fmt.Fprintf(stderr, "clv fit: %s: … %d more unreadable lines\n", files[0], len(bad)-i)
			break
		}
		fmt.Fprintf(stderr, "clv fit: %s: %v\n", files[0], b.Error())
	}
	if err != nil {
		return fmt.Errorf("clv fit: %s: %w", files[0], err)
	}

	bg, err := clv.FitBGNBD(ctx, customers)
	if err != nil {
		return fmt.Errorf("clv fit: %w", err)
	}
	report := clvReport{
		Unit:    string(u),
		Horizon: *horizon,
		BGNBD: clvBGNBD{R: bg.Model.R, Alpha: bg.Model.Alpha, A: bg.Model.A, B: bg.Model.B,
			LogLikelihood: bg.LogLikelihood, Customers: bg.Customers, Iterations: bg.Iterations, Status: bg.Status},
	}
	if !end.IsZero() {
		report.CalibrationEnd = end.Format(time.DateOnly)
	}
	gg, ggErr := clv.FitGammaGamma(ctx, customers)
	switch {
	case errors.Is(ggErr, clv.ErrNoData):
		fmt.Fprintln(stderr, "clv fit: no repeat purchases with a positive spend; spend and value are left out")
	case ggErr != nil:
		return fmt.Errorf("clv fit: %w", ggErr)
	default:
		report.GammaGamma = &clvGammaGamma{P: gg.Model.P, Q: gg.Model.Q, Gamma: gg.Model.Gamma,
			MeanSpend: finite(gg.Model.MeanSpend()), LogLikelihood: gg.LogLikelihood,
			Customers: gg.Customers, Iterations: gg.Iterations, Status: gg.Status}
	}
	preds, err := clv.Predict(ctx, bg.Model, gg.Model, *horizon, customers)
	if err != nil {
		return fmt.Errorf("clv fit: %w", err)
	}
	report.Customers = make([]clvCustomer, len(preds))
	for i, p := range preds {
		c := clvCustomer{ID: p.ID, Frequency: p.Frequency, Recency: p.Recency, T: p.T, Monetary: p.Monetary,
			ExpectedPurchases: p.ExpectedPurchases, PAlive: p.PAlive}
		if report.GammaGamma != nil {
			c.ExpectedSpend, c.ExpectedValue = finite(p.ExpectedSpend), finite(p.ExpectedValue)
		}
		report.Customers[i] = c
	}

	out := bufio.NewWriter(stdout)
	if *format == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(report); err != nil {
			return fmt.Errorf("clv fit: write: %w", err)
		}
	} else {
		writeCLVText(out, report)
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("clv fit: write: %w", err)
	}
	return nil
}

// finite gives a pointer to v, or nil when v is infinite or NaN (which
// JSON cannot hold: a Gamma-Gamma q ≤ 1 has no finite mean spend).
func finite(v float64) *float64 {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return nil
	}
	return &v
}

func writeCLVText(w io.Writer, r clvReport) {
	fmt.Fprintf(w, "BG/NBD (repeat purchases and dropout), %d customers, time in %s", r.BGNBD.Customers, r.Unit)
	if r.CalibrationEnd != "" {
		fmt.Fprintf(w, ", calibration period ending %s", r.CalibrationEnd)
	}
	fmt.Fprintf(w, "\n  r %.6g  alpha %.6g  a %.6g  b %.6g\n  log-likelihood %.4f (%d iterations, %s)\n",
		r.BGNBD.R, r.BGNBD.Alpha, r.BGNBD.A, r.BGNBD.B, r.BGNBD.LogLikelihood, r.BGNBD.Iterations, r.BGNBD.Status)
	if g := r.GammaGamma; g != nil {
		fmt.Fprintf(w, "Gamma-Gamma (spend per purchase), %d customers with repeat purchases\n  p %.6g  q %.6g  gamma %.6g  mean spend %s\n  log-likelihood %.4f (%d iterations, %s)\n",
			g.Customers, g.P, g.Q, g.Gamma, optional(g.MeanSpend), g.LogLikelihood, g.Iterations, g.Status)
	}
	fmt.Fprintf(w, "\nPredictions for the next %g %s:\n", r.Horizon, r.Unit)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "customer\tfrequency\trecency\tT\tmonetary\texpected purchases\tP(alive)\texpected spend\texpected value\t\n")
	for _, c := range r.Customers {
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.2f\t%.2f\t%.4f\t%.4f\t%s\t%s\t\n", c.ID, c.Frequency, c.Recency, c.T, c.Monetary,
			c.ExpectedPurchases, c.PAlive, optional(c.ExpectedSpend), optional(c.ExpectedValue))
	}
	tw.Flush()
}

func optional(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%.2f", *v)
}
