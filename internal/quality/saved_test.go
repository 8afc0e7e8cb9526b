package quality

import (
	"context"
	"errors"
	"testing"
)

type savedList []string

func (l savedList) SavedBodies(context.Context) ([]string, error) { return l, nil }

type savedBroken struct{}

func (savedBroken) SavedBodies(context.Context) ([]string, error) { return nil, errors.New("down") }

func TestSavedReplySentUnchanged(t *testing.T) {
	saved := savedList{
		"Hi,\n\nthanks for writing. Your refund has been issued and reaches your card in 3-5 days.\n\nBest regards,\nThe team",
		"Gentile cliente,\nil rimborso è stato emesso.\nCordiali saluti",
	}
	a, err := New(Opts{Saved: saved})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		text    string
		flagged bool
	}{
		{"as saved", saved[0], true},
		{"re-spaced and re-wrapped", "  Hi, thanks for writing.   Your refund has been issued\nand reaches your card in 3-5 days. Best regards, The team\n", true},
		{"other case", "gentile cliente, IL RIMBORSO è stato emesso. cordiali saluti", true},
		{"made personal", "Hi Kim,\n\nthanks for writing. Your refund has been issued and reaches your card in 3-5 days.\n\nBest regards,\nThe team", false},
		{"a different reply", "Hi Kim, the courier picks the sofa up on Monday. Best, Jo", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got *Finding
			fs := a.Analyze(context.Background(), Input{Text: tc.text, UILang: "it"})
			for i := range fs {
				if fs[i].Rule == ruleSavedReply {
					got = &fs[i]
				}
			}
			if (got != nil) != tc.flagged {
				t.Fatalf("flagged %v, want %v: %+v", got != nil, tc.flagged, fs)
			}
			if got == nil {
				return
			}
			if got.Sin != Robotism || got.Explanation == "" || got.Suggestion == "" || got.Label == "" {
				t.Errorf("finding %+v, want robotism explained in Italian", got)
			}
			if got.Quote == "" || got.Quote[0] == ' ' || got.Quote[len(got.Quote)-1] == '\n' {
				t.Errorf("quote %q, want the reply without its surrounding space", got.Quote)
			}
		})
	}
	b, err := New(Opts{Saved: savedBroken{}})
	if err != nil {
		t.Fatal(err)
	}
	if fs := b.Analyze(context.Background(), Input{Text: saved[0]}); len(fs) != 0 {
		for _, f := range fs {
			if f.Rule == ruleSavedReply {
				t.Fatalf("a saved reply that cannot be read flagged %+v", f)
			}
		}
	}
}

func TestSameSaved(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"Hello  there,\nKim", " hello there, kim\n", true},
		{"Привет,\t\tмир", "ПРИВЕТ, МИР", true},
		{"Hello there", "Hellothere", false},
		{"Hello there", "Hello there!", false},
		{"", "  ", true},
		{"a", "", false},
	} {
		if got := sameSaved(tc.a, tc.b); got != tc.same {
			t.Errorf("sameSaved(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}
