package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/quality"
)

// runQuality runs qualityCmd in-process and decodes its output lines.
func runQuality(t *testing.T, stdin string, args ...string) ([]qualityOutput, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := qualityCmd(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	var res []qualityOutput
	for _, line := range strings.Split(strings.TrimRight(out.String(), "\n"), "\n") {
		if line == "" {
			continue
		}
		var o qualityOutput
		if jerr := json.Unmarshal([]byte(line), &o); jerr != nil {
			t.Fatalf("output line %q is not JSON: %v", line, jerr)
		}
		res = append(res, o)
	}
	return res, errOut.String(), err
}

func sinSet(fs []quality.Finding) map[quality.Sin]bool {
	m := map[quality.Sin]bool{}
	for _, f := range fs {
		m[f.Sin] = true
	}
	return m
}

func TestQualityCheck(t *testing.T) {
	input := strings.Join([]string{
		`{"text": "Please read our FAQ on the website, policy does not allow refunds."}`,
		`{"id": 7, "text": "La preghiamo di leggere le FAQ sul sito, la nostra politica non consente rimborsi."}`,
		``,
		`{"text": "Пожалуйста, прочитайте FAQ на нашем сайте, правила компании не позволяют возврат средств.", "lang": "ru"}`,
		`{"text": "Hi Jamie, thanks for asking! I've started the refund of £79 to your card today, and you'll see it in 3 to 5 working days. Best wishes, Ola", "conversation": [{"role": "customer", "text": "Can I get a refund for my headphones?"}]}`,
	}, "\n")
	res, _, err := runQuality(t, input, "check")
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 4 {
		t.Fatalf("got %d output lines, want 4 (the blank line is skipped)", len(res))
	}
	for i, lang := range []string{"en", "it", "ru"} {
		if res[i].Lang != lang {
			t.Errorf("line %d: lang %q, want %q", i, res[i].Lang, lang)
		}
		s := sinSet(res[i].Findings)
		if !s[quality.Runaround] || !s[quality.Rulebook] {
			t.Errorf("line %d: want runaround and rulebook, got %+v", i, res[i].Findings)
		}
		for _, f := range res[i].Findings {
			if f.Rule == "" || f.Quote == "" || f.Explanation == "" {
				t.Errorf("line %d: finding not explained: %+v", i, f)
			}
		}
	}
	if string(res[1].ID) != "7" {
		t.Errorf("id not copied: %q", res[1].ID)
	}
	if res[3].Findings == nil || len(res[3].Findings) != 0 {
		t.Errorf("warm reply: want an empty findings list, got %+v", res[3].Findings)
	}
}

func TestQualityCheckBadLines(t *testing.T) {
	input := strings.Join([]string{
		`{"text": "Please read our FAQ."}`,
		`not json`,
		`{"lang": "en"}`,
		`{"text": "ok", "conversation": [{"role": "boss", "text": "hi"}]}`,
		`{"text": "No."}`,
	}, "\n") + "\n"
	res, _, err := runQuality(t, input, "check")
	if err == nil || !strings.Contains(err.Error(), "3 of 5") {
		t.Fatalf("err = %v, want a failure naming 3 of 5 lines", err)
	}
	if len(res) != 5 {
		t.Fatalf("got %d output lines, want 5", len(res))
	}
	for _, i := range []int{1, 2, 3} {
		if res[i].Error == "" || res[i].Line != i+1 {
			t.Errorf("line %d: want an error naming line %d, got %+v", i+1, i+1, res[i])
		}
	}
	if res[0].Error != "" || !sinSet(res[0].Findings)[quality.Runaround] {
		t.Errorf("the good line before the bad ones: %+v", res[0])
	}
	if res[4].Error != "" || !sinSet(res[4].Findings)[quality.Coldness] {
		t.Errorf("processing did not go on after the bad lines: %+v", res[4])
	}
}

func TestQualityCheckLongLine(t *testing.T) {
	long := `{"text": "` + strings.Repeat("a", maxQualityLine+10) + `"}`
	res, _, err := runQuality(t, long+"\n"+`{"text": "No."}`, "check")
	if err == nil {
		t.Fatal("want an error for the long line")
	}
	if len(res) != 2 || !strings.Contains(res[0].Error, "longer") || res[1].Error != "" {
		t.Fatalf("got %+v", res)
	}
}

func TestQualityCheckFlags(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "en.shop.json"), []byte(`{"jargon": [{"term": "flux unit*", "plain": "the power part"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	res, _, err := runQuality(t, `{"text": "Hi Kim, the flux unit is faulty, our policy does not allow refunds. Best, Jo"}`,
		"check", "--ui-lang", "it", "--resources", dir)
	if err != nil {
		t.Fatal(err)
	}
	var jargon, rulebook bool
	for _, f := range res[0].Findings {
		if f.Rule == "condescension.jargon" && f.Quote == "flux unit" {
			jargon = true
		}
		if f.Sin == quality.Rulebook && f.Label == "Regolamento" {
			rulebook = true
		}
	}
	if !jargon || !rulebook {
		t.Errorf("want the business term and an Italian label, got %+v", res[0].Findings)
	}
}

func TestQualityCheckUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "no subcommand", args: nil, want: "want check"},
		{name: "unknown subcommand", args: []string{"grade"}, want: "want check"},
		{name: "stray argument", args: []string{"check", "file.jsonl"}, want: "unexpected argument"},
		{name: "bad resources", args: []string{"check", "--resources", "/nonexistent/dir"}, want: "resources"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runQuality(t, "", tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestQualityCheckChannel: the optional "channel" decides whether a reply
// owes a letter's greeting.
func TestQualityCheckChannel(t *testing.T) {
	reply := `"text": "So sorry about the wait! I've checked with the courier: your parcel left the depot this morning and will arrive tomorrow.", "conversation": [{"role": "customer", "text": "Where is my parcel?"}]`
	tests := []struct {
		name    string
		channel string
		cold    bool
	}{
		{"email", `"email"`, true},
		{"no channel", `""`, true},
		{"chat", `"chat"`, false},
		{"social", `"social"`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, _, err := runQuality(t, `{"channel": `+tc.channel+`, `+reply+`}`, "check")
			if err != nil || len(res) != 1 {
				t.Fatalf("err %v, %d lines", err, len(res))
			}
			if got := sinSet(res[0].Findings)[quality.Coldness]; got != tc.cold {
				t.Errorf("coldness %v, want %v: %+v", got, tc.cold, res[0].Findings)
			}
		})
	}
}
