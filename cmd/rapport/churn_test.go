package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/churn"
)

func runChurn(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := churnCmd(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

// testdata/churn.csv: 500 simulated customers, 225 churned, whose churn
// odds fall with tenure and CSAT and rise with support calls and the
// basic plan; monthly spend and region have no effect.

func TestChurnCommandText(t *testing.T) {
	out, errOut, err := runChurn(t, "", "evaluate", "testdata/churn.csv", "--label", "churned", "--ignore", "notes", "--folds", "5", "--seed", "7")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	for _, want := range []string{
		"rows: 500 (churned = 1: 225, = 0: 275)",
		"features used (12): tenure_months, monthly_spend, plan=plus, plan=pro, plan=legacy, region=west, region=east, region=north, region=south, support_calls, last_csat, last_csat (missing)\n",
		"baseline categories (no feature of their own): plan=basic, region=(blank)\n",
		"  customer_id: identifier: a distinct value on every row\n",
		"  notes: ignored (--ignore)\n",
		"cross-validation: 5 stratified folds, seed 7, L2 penalty 1\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	// The figures printed are those of the library on the same data.
	f, err := os.Open("testdata/churn.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tb, err := churn.ReadTable(f, churn.TableOpts{Label: "churned", Ignore: []string{"notes"}})
	if err != nil {
		t.Fatal(err)
	}
	cv, err := churn.CrossValidate(context.Background(), tb.Names, tb.X, tb.Y, churn.CVOpts{Folds: 5, Seed: 7, Fit: churn.FitOpts{L2: 1}})
	if err != nil {
		t.Fatal(err)
	}
	summary := fmt.Sprintf("mean AUC %.3f (sd %.3f); pooled out-of-fold AUC %.3f; mean accuracy at 0.5 %.3f",
		cv.MeanAUC, cv.SDAUC, cv.PooledAUC, cv.MeanAccuracy)
	if !strings.Contains(out, summary) {
		t.Errorf("output lacks %q:\n%s", summary, out)
	}
	// The simulated effects are strong enough to be found.
	if cv.MeanAUC < 0.7 || cv.MeanAccuracy < 0.6 {
		t.Errorf("mean AUC %v, accuracy %v on data with a real signal", cv.MeanAUC, cv.MeanAccuracy)
	}
	lines := strings.Split(out, "\n")
	folds, deciles := 0, 0
	for i, l := range lines {
		switch strings.Join(strings.Fields(l), " ") {
		case "fold train test churned AUC accuracy":
			for _, f := range cv.Folds {
				folds++
				want := fmt.Sprintf("%d %d %d %d %.3f %.3f", f.Fold, f.Train, f.Test, f.TestPositives, f.AUC, f.Accuracy)
				if got := strings.Join(strings.Fields(lines[i+folds]), " "); got != want {
					t.Errorf("fold line %q, want %q", got, want)
				}
			}
		case "decile rows predicted from to mean predicted observed":
			for _, b := range cv.Calibration {
				deciles++
				want := fmt.Sprintf("%d %d %.3f %.3f %.3f %.3f", deciles, b.Count, b.Low, b.High, b.MeanPredicted, b.Observed)
				if got := strings.Join(strings.Fields(lines[i+deciles]), " "); got != want {
					t.Errorf("decile line %q, want %q", got, want)
				}
			}
		}
	}
	if folds != 5 || deciles != 10 {
		t.Errorf("%d fold lines and %d decile lines, want 5 and 10:\n%s", folds, deciles, out)
	}
	if !strings.Contains(out, "largest standardised coefficients (model fitted on all 500 rows") {
		t.Errorf("no coefficients:\n%s", out)
	}
}

func TestChurnCommandJSON(t *testing.T) {
	data, err := os.ReadFile("testdata/churn.csv")
	if err != nil {
		t.Fatal(err)
	}
	// Standard input, flags before the file.
	out, errOut, err := runChurn(t, string(data), "evaluate", "--json", "--label", "churned", "--folds", "4", "--ignore", "notes,monthly_spend", "-")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	var r churnReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if r.Rows != 500 || r.Positives != 225 || len(r.Folds) != 4 || len(r.Calibration) != 10 {
		t.Fatalf("report %+v", r)
	}
	test, cal := 0, 0
	for _, f := range r.Folds {
		test += f.Test
		if f.Train+f.Test != 500 || f.AUC < 0.5 {
			t.Errorf("fold %+v", f)
		}
	}
	for _, b := range r.Calibration {
		cal += b.Count
	}
	if test != 500 || cal != 500 {
		t.Errorf("folds test %d rows, calibration %d; want 500 each", test, cal)
	}
	skipped := map[string]string{}
	for _, s := range r.Skipped {
		skipped[s.Column] = s.Reason
	}
	if len(skipped) != 3 || skipped["monthly_spend"] != "ignored (--ignore)" || !strings.HasPrefix(skipped["customer_id"], "identifier") {
		t.Errorf("skipped %v", skipped)
	}
	coef := map[string]float64{}
	for _, c := range r.Coefficients {
		coef[c.Feature] = c.Standardised
	}
	// The directions the data were simulated with.
	if !(coef["tenure_months"] < 0) || !(coef["support_calls"] > 0) || !(coef["last_csat"] < 0) || !(coef["plan=pro"] < 0) {
		t.Errorf("coefficients %v", coef)
	}
	if r.Coefficients[0].Feature != "tenure_months" {
		t.Errorf("largest coefficient %+v, want tenure", r.Coefficients[0])
	}
}

func TestChurnCommandSeed(t *testing.T) {
	a, _, err1 := runChurn(t, "", "evaluate", "testdata/churn.csv", "--label", "churned", "--json", "--seed", "3")
	b, _, err2 := runChurn(t, "", "evaluate", "testdata/churn.csv", "--label", "churned", "--json", "--seed", "3")
	c, _, err3 := runChurn(t, "", "evaluate", "testdata/churn.csv", "--label", "churned", "--json", "--seed", "4")
	if err1 != nil || err2 != nil || err3 != nil {
		t.Fatal(err1, err2, err3)
	}
	if a != b {
		t.Error("the same seed gave different output")
	}
	if a == c {
		t.Error("another seed gave the same folds")
	}
}

func TestChurnCommandErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"no subcommand", "", nil, "want evaluate"},
		{"no label", "", []string{"evaluate", "testdata/churn.csv"}, "--label is required"},
		{"no file", "", []string{"evaluate", "--label", "churned"}, "want one FILE"},
		{"missing file", "", []string{"evaluate", "testdata/nope.csv", "--label", "churned"}, "no such file"},
		{"one fold", "", []string{"evaluate", "testdata/churn.csv", "--label", "churned", "--folds", "1"}, "at least 2"},
		{"negative penalty", "", []string{"evaluate", "testdata/churn.csv", "--label", "churned", "--l2", "-1"}, "--l2"},
		{"unknown label column", "", []string{"evaluate", "testdata/churn.csv", "--label", "gone"}, `no label column "gone"`},
		{"unknown ignored column", "", []string{"evaluate", "testdata/churn.csv", "--label", "churned", "--ignore", "nope"}, `"nope"`},
		{"bad label value", "a,b,y\n1,2,yes\n3,4,perhaps\n", []string{"evaluate", "-", "--label", "y"}, `line 3: label "perhaps"`},
		{"too few rows for the folds", "a,y\n1,1\n5,0\n3,1\n3,0\n", []string{"evaluate", "-", "--label", "y"}, "5 folds need at least 5 rows of each label"},
		{"only an id column", "id,y\na,1\nb,0\n", []string{"evaluate", "-", "--label", "y"}, "no usable feature columns (id: identifier"},
		{"bad flag", "", []string{"evaluate", "--folds", "x"}, "invalid value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, err := runChurn(t, tc.stdin, tc.args...)
			if err == nil || !strings.Contains(err.Error()+errOut, tc.want) {
				t.Errorf("error %v (%s), want %q", err, errOut, tc.want)
			}
		})
	}
}
