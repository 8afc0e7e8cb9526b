package churn

import (
	"context"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestReadTableMixed(t *testing.T) {
	f, err := os.Open("testdata/table/mixed.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tb, err := ReadTable(f, TableOpts{Label: "Churned", MinCategoryCount: 2})
	if err != nil {
		t.Fatal(err)
	}
	wantNames := []string{"age", "age (missing)", "plan=bronze", "plan=silver", "plan=other", "region=south", "region=(blank)", "visits"}
	if !slices.Equal(tb.Names, wantNames) {
		t.Fatalf("features %q, want %q", tb.Names, wantNames)
	}
	wantSkipped := []SkippedColumn{
		{"customer_id", "identifier: a distinct value on every row"},
		{"notes", "empty: every value is blank"},
	}
	if !slices.Equal(tb.Skipped, wantSkipped) {
		t.Errorf("skipped %q, want %q", tb.Skipped, wantSkipped)
	}
	if tb.Rows != 8 || tb.Positives != 3 || tb.Label != "churned" || len(tb.X) != 8*len(wantNames) {
		t.Errorf("rows %d, positives %d, label %q, %d values", tb.Rows, tb.Positives, tb.Label, len(tb.X))
	}
	if tb.Reference["plan"] != "gold" || tb.Reference["region"] != "north" {
		t.Errorf("reference categories %v", tb.Reference)
	}
	p := len(wantNames)
	mean := (34.0 + 45 + 29 + 51 + 38 + 42) / 6
	rows := [][]float64{
		{34, 0, 0, 0, 0, 0, 0, 5},   // gold, north
		{mean, 1, 0, 1, 0, 1, 0, 3}, // silver, south, age blank
		{45, 0, 0, 0, 0, 0, 1, 7},   // gold, region blank
		{29, 0, 1, 0, 0, 0, 0, 2},   // bronze
		{38, 0, 0, 1, 0, 0, 0, 4},   // row 6: silver, north
		{42, 0, 0, 0, 1, 0, 0, 5},   // row 8: platinum → other
		{mean, 1, 1, 0, 0, 1, 0, 1}, // row 7: bronze, south, age blank
	}
	for k, i := range []int{0, 1, 2, 3, 5, 7, 6} {
		got := tb.X[i*p : (i+1)*p]
		for j := range p {
			if math.Abs(got[j]-rows[k][j]) > 1e-9 {
				t.Errorf("row %d: %v, want %v", i+1, got, rows[k])
				break
			}
		}
	}
	if want := []bool{true, false, false, true, false, false, true, false}; !slices.Equal(tb.Y, want) {
		t.Errorf("labels %v, want %v", tb.Y, want)
	}
}

func TestReadTableColumns(t *testing.T) {
	for _, tc := range []struct {
		name        string
		csv         string
		opts        TableOpts
		wantNames   []string
		wantSkipped []string
	}{
		{
			name:        "ignore",
			csv:         "a,b,c,label\n1,2,3,1\n2,1,3,0\n3,3,1,1\n1,1,1,0\n",
			opts:        TableOpts{Label: "label", Ignore: []string{"B", " c "}},
			wantNames:   []string{"a"},
			wantSkipped: []string{"b: ignored (--ignore)", "c: ignored (--ignore)"},
		},
		{
			name:        "numeric ids: by name or as a run of row numbers; unique measurements stay",
			csv:         "CustomerID,row,spend,count,label\n17,1,10.5,3,1\n4,3,7.25,8,0\n99,2,3.0,5,1\n",
			opts:        TableOpts{Label: "label"},
			wantNames:   []string{"spend", "count"},
			wantSkipped: []string{"CustomerID: identifier: a distinct whole number on every row", "row: identifier: a distinct whole number on every row"},
		},
		{
			name:        "constant columns",
			csv:         "k,t,label\n5,x,1\n5,x,0\n5,x,1\n",
			opts:        TableOpts{Label: "label"},
			wantNames:   nil,
			wantSkipped: []string{"k: constant: every row has the same value", "t: constant: every row has the same category"},
		},
		{
			name:        "a numeric column blank only sometimes and otherwise constant keeps its indicator",
			csv:         "v,label\n2,1\n,0\n2,1\n2,0\n",
			opts:        TableOpts{Label: "label"},
			wantNames:   []string{"v (missing)"},
			wantSkipped: nil,
		},
		{
			name:        "category cap and rare categories",
			csv:         "c,label\na,1\na,0\na,1\nb,0\nb,1\nc,0\nc,1\nd,0\n",
			opts:        TableOpts{Label: "label", MaxCategories: 2, MinCategoryCount: 2},
			wantNames:   []string{"c=b", "c=other"},
			wantSkipped: nil,
		},
		{
			name:        "a column with numbers and text is text",
			csv:         "v,label\n1,1\n2,0\nn/a,1\n1,0\n",
			opts:        TableOpts{Label: "label", MinCategoryCount: 1},
			wantNames:   []string{"v=2", "v=n/a"},
			wantSkipped: nil,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb, err := ReadTable(strings.NewReader(tc.csv), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(tb.Names, tc.wantNames) {
				t.Errorf("features %q, want %q", tb.Names, tc.wantNames)
			}
			var skipped []string
			for _, s := range tb.Skipped {
				skipped = append(skipped, s.Name+": "+s.Reason)
			}
			if !slices.Equal(skipped, tc.wantSkipped) {
				t.Errorf("skipped %q, want %q", skipped, tc.wantSkipped)
			}
		})
	}
}

func TestReadTableLabels(t *testing.T) {
	tb, err := ReadTable(strings.NewReader("x,y\n1,1\n2,0\n3,TRUE\n4,false\n5,Yes\n6,no\n7,churned\n8,retained\n9, Y \n10,n\n"), TableOpts{Label: "y"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{true, false, true, false, true, false, true, false, true, false}; !slices.Equal(tb.Y, want) {
		t.Errorf("labels %v, want %v", tb.Y, want)
	}
}

func TestReadTableErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		csv  string
		opts TableOpts
		want string
	}{
		{"empty file", "", TableOpts{Label: "y"}, "empty file"},
		{"no label given", "a,y\n1,1\n", TableOpts{}, "no label column given"},
		{"label not in header", "a,b\n1,1\n", TableOpts{Label: "y"}, `no label column "y"`},
		{"bad label", "a,y\n1,1\n2,1\n3,maybe\n", TableOpts{Label: "y"}, `line 4: label "maybe"`},
		{"blank label", "a,y\n1,1\n\n2,\n", TableOpts{Label: "y"}, `line 4: label ""`},
		{"ragged line", "a,b,y\n1,2,1\n1,0\n", TableOpts{Label: "y"}, "line 3: 2 fields, the header has 3"},
		{"bare quote", "a,y\n1,1\n2\"x,0\n", TableOpts{Label: "y"}, "line 3:"},
		{"multi-line field keeps line numbers", "a,y\n\"two\nlines\",1\nb,what\n", TableOpts{Label: "y"}, `line 4: label "what"`},
		{"unknown ignore", "a,y\n1,1\n", TableOpts{Label: "y", Ignore: []string{"zz"}}, `--ignore names "zz"`},
		{"ignoring the label", "a,y\n1,1\n", TableOpts{Label: "y", Ignore: []string{"y"}}, "cannot ignore the label"},
		{"duplicate column", "a,A,y\n1,2,1\n", TableOpts{Label: "y"}, `column "A" appears twice`},
		{"unnamed column", "a,,y\n1,2,1\n", TableOpts{Label: "y"}, "column 2 has no name"},
		{"header only", "a,y\n", TableOpts{Label: "y"}, "no data rows"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadTable(strings.NewReader(tc.csv), tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func FuzzReadTable(f *testing.F) {
	// Seeds are in testdata/fuzz/FuzzReadTable.
	f.Fuzz(func(t *testing.T, data string) {
		for _, label := range []string{"label", "churned"} {
			tb, err := ReadTable(strings.NewReader(data), TableOpts{Label: label, Ignore: []string{"ignore_me"}})
			if err != nil {
				continue
			}
			p := len(tb.Names)
			if len(tb.Y) != tb.Rows || len(tb.X) != tb.Rows*p || tb.Rows == 0 {
				t.Fatalf("shape: %d rows, %d labels, %d values, %d features", tb.Rows, len(tb.Y), len(tb.X), p)
			}
			for _, v := range tb.X {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("value %v in %q", v, tb.Names)
				}
			}
			// Whatever was read, fitting must not panic.
			if p > 0 && p < 50 {
				m, err := Fit(context.Background(), tb.Names, tb.X, tb.Y, FitOpts{L2: 1, MaxIter: 20})
				if err != nil {
					continue
				}
				for _, b := range append([]float64{m.Intercept}, m.Coef...) {
					if math.IsNaN(b) || math.IsInf(b, 0) {
						t.Fatalf("coefficients %v, intercept %v", m.Coef, m.Intercept)
					}
				}
			}
		}
	})
}
