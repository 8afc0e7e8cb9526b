package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLV(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := clvCmd(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestCLVCommandJSON(t *testing.T) {
	out, errOut, err := runCLV(t, "", "fit", "--format", "json", "--calibration-end", "2024-12-31", "--horizon", "30", "testdata/transactions.csv")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	var r clvReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if r.Unit != "days" || r.CalibrationEnd != "2024-12-31" || r.Horizon != 30 {
		t.Errorf("header %+v", r)
	}
	if len(r.Customers) != 80 || r.BGNBD.Customers != 80 {
		t.Fatalf("%d customers, want the 80 in the file", len(r.Customers))
	}
	for _, v := range []float64{r.BGNBD.R, r.BGNBD.Alpha, r.BGNBD.A, r.BGNBD.B} {
		if !(v > 0) || math.IsInf(v, 0) {
			t.Errorf("BG/NBD parameters %+v", r.BGNBD)
		}
	}
	if !(r.BGNBD.LogLikelihood < 0) {
		t.Errorf("log-likelihood %v", r.BGNBD.LogLikelihood)
	}
	if r.GammaGamma == nil || r.GammaGamma.Customers == 0 {
		t.Fatalf("no Gamma-Gamma fit: %+v", r.GammaGamma)
	}
	for _, c := range r.Customers {
		if c.ExpectedPurchases < 0 || c.PAlive <= 0 || c.PAlive > 1 || c.ExpectedSpend == nil || c.ExpectedValue == nil {
			t.Errorf("customer %+v", c)
		}
		// A customer's value within the horizon is purchases × spend.
		if c.ExpectedSpend != nil && c.ExpectedValue != nil && math.Abs(*c.ExpectedValue-c.ExpectedPurchases**c.ExpectedSpend) > 1e-9 {
			t.Errorf("customer %s: value %v ≠ %v × %v", c.ID, *c.ExpectedValue, c.ExpectedPurchases, *c.ExpectedSpend)
		}
		if c.Frequency == 0 && c.PAlive != 1 {
			t.Errorf("customer %s without repeat purchases has P(alive) %v", c.ID, c.PAlive)
		}
	}

	// The same customers, fitted from the summaries the command computed,
	// give the same model.
	var sums strings.Builder
	sums.WriteString("customer_id,frequency,recency,T,monetary\n")
	for _, c := range r.Customers {
		b, _ := json.Marshal([]any{c.ID, c.Frequency, c.Recency, c.T, c.Monetary})
		sums.WriteString(strings.Trim(string(b), "[]") + "\n")
	}
	path := filepath.Join(t.TempDir(), "summaries.csv")
	if err := os.WriteFile(path, []byte(sums.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out2, errOut, err := runCLV(t, "", "fit", "--summaries", "--format", "json", "--horizon", "30", path)
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	var r2 clvReport
	if err := json.Unmarshal([]byte(out2), &r2); err != nil {
		t.Fatal(err)
	}
	if math.Abs(r2.BGNBD.LogLikelihood-r.BGNBD.LogLikelihood) > 1e-6 || math.Abs(r2.BGNBD.R-r.BGNBD.R) > 1e-4*r.BGNBD.R {
		t.Errorf("from summaries %+v, from transactions %+v", r2.BGNBD, r.BGNBD)
	}
}

func TestCLVCommandText(t *testing.T) {
	data, err := os.ReadFile("testdata/transactions.csv")
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, err := runCLV(t, string(data), "fit", "-", "--unit", "weeks", "--horizon", "12")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	for _, want := range []string{"BG/NBD", "time in weeks", "log-likelihood", "Gamma-Gamma", "Predictions for the next 12 weeks", "P(alive)", "cust-001"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if lines := strings.Count(out, "\n"); lines < 80 {
		t.Errorf("%d lines of output, want a line per customer", lines)
	}
}

func TestCLVCommandErrors(t *testing.T) {
	tests := []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{name: "no subcommand", args: nil, want: "want fit"},
		{name: "no file", args: []string{"fit"}, want: "want one FILE"},
		{name: "bad unit", args: []string{"fit", "--unit", "months", "-"}, want: "unknown unit"},
		{name: "bad format", args: []string{"fit", "--format", "xml", "-"}, want: "unknown format"},
		{name: "bad end", args: []string{"fit", "--calibration-end", "31/12/2024", "-"}, want: "calibration-end"},
		{name: "missing file", args: []string{"fit", "testdata/no-such.csv"}, want: "no-such.csv"},
		{name: "bad line fails the file", stdin: "customer_id,date,amount\na,2024-01-01,1\na,2024-02-01,x\n", args: []string{"fit", "-"}, want: "line 3"},
		{name: "renamed column missing", stdin: "customer_id,date,amount\na,2024-01-01,1\n", args: []string{"fit", "--amount-col", "total", "-"}, want: `no column "total"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, err := runCLV(t, tc.stdin, tc.args...)
			if err == nil || !strings.Contains(err.Error()+errOut, tc.want) {
				t.Errorf("error %v (stderr %q), want %q", err, errOut, tc.want)
			}
		})
	}
}
