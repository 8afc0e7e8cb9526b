package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/rapport/rapport/internal/quality"
)

const qualityUsage = `usage: rapport quality check [--resources DIR] [--ui-lang LANG]

Reads replies as JSON lines on standard input, one per line:
  {"text": "...", "lang": "en", "channel": "chat", "conversation": [{"role": "customer", "text": "..."}]}
("lang", "channel" and "conversation" are optional; "channel" is email, web,
chat, phone, sms, social or forum, and only email and web replies need a
letter's greeting; an "id" is copied to the output)
and writes one JSON line per reply: {"lang": "...", "findings": [...]}.
A line that cannot be read gives {"line": N, "error": "..."} and the rest go on;
the command then exits with a non-zero status.
`

// maxQualityLine bounds one input line, so that a runaway input cannot
// take all memory.
const maxQualityLine = 1 << 20

// qualityInput is one line of `rapport quality check` input.
type qualityInput struct {
	ID           json.RawMessage `json:"id,omitempty"`
	Text         *string         `json:"text"`
	Lang         string          `json:"lang"`
	Channel      string          `json:"channel"`
	Conversation []quality.Turn  `json:"conversation"`
}

// qualityOutput is one line of its output.
type qualityOutput struct {
	ID       json.RawMessage   `json:"id,omitempty"`
	Line     int               `json:"line,omitempty"`
	Lang     string            `json:"lang,omitempty"`
	Findings []quality.Finding `json:"findings"`
	Error    string            `json:"error,omitempty"`
}

// qualityCmd runs `rapport quality check`: the reply analyzer over JSON
// lines, so that anyone can run it over their own replies.
func qualityCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "check" {
		fmt.Fprint(stderr, qualityUsage)
		return errors.New("quality: want check")
	}
	fs := flag.NewFlagSet("quality check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, qualityUsage+"\nflags:\n")
		fs.PrintDefaults()
	}
	resources := fs.String("resources", "", "directory of extra resource files (LANG.json, LANG.NAME.json) merged over the built-in ones")
	uiLang := fs.String("ui-lang", "en", "language of the explanations and suggestions: en, it, ru, lv, ca")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("quality check: unexpected argument %q", fs.Arg(0))
	}
	a, err := quality.New(quality.Opts{ResourceDir: *resources})
	if err != nil {
		return err
	}

	in := bufio.NewReaderSize(stdin, 64<<10)
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)

	lines, failed := 0, 0
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		line, tooLong, readErr := readLine(in, maxQualityLine)
		if readErr != nil && readErr != io.EOF {
			return fmt.Errorf("quality check: read line %d: %w", n, readErr)
		}
		if tooLong || strings.TrimSpace(line) != "" {
			lines++
			res := analyzeLine(ctx, a, line, tooLong, *uiLang)
			if res.Error != "" {
				res.Line = n
				failed++
			}
			if err := enc.Encode(res); err != nil {
				return fmt.Errorf("quality check: write: %w", err)
			}
		}
		if readErr == io.EOF {
			break
		}
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("quality check: write: %w", err)
	}
	if failed > 0 {
		return fmt.Errorf("quality check: %d of %d lines could not be read", failed, lines)
	}
	return nil
}

// analyzeLine decodes and analyses one input line.
func analyzeLine(ctx context.Context, a *quality.Analyzer, line string, tooLong bool, uiLang string) qualityOutput {
	if tooLong {
		return qualityOutput{Error: fmt.Sprintf("line longer than %d bytes", maxQualityLine)}
	}
	var q qualityInput
	if err := json.Unmarshal([]byte(line), &q); err != nil {
		return qualityOutput{Error: "not a JSON object: " + err.Error()}
	}
	if q.Text == nil {
		return qualityOutput{ID: q.ID, Error: `missing "text"`}
	}
	for i, t := range q.Conversation {
		if t.Role != "customer" && t.Role != "agent" {
			return qualityOutput{ID: q.ID, Error: fmt.Sprintf(`conversation[%d]: role %q, want "customer" or "agent"`, i, t.Role)}
		}
	}
	input := quality.Input{Text: *q.Text, Lang: q.Lang, Channel: q.Channel, Conversation: q.Conversation, UILang: uiLang}
	findings := a.Analyze(ctx, input)
	if findings == nil {
		findings = []quality.Finding{}
	}
	return qualityOutput{ID: q.ID, Lang: a.LangOf(input), Findings: findings}
}

// readLine reads one line without its end of line. A line longer than max
// is read to its end and reported as too long rather than returned.
func readLine(r *bufio.Reader, max int) (string, bool, error) {
	var b strings.Builder
	tooLong := false
	for {
		chunk, err := r.ReadSlice('\n')
		if !tooLong {
			if b.Len()+len(chunk) > max+2 {
				tooLong = true
				b.Reset()
			} else {
				b.Write(chunk)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		s := strings.TrimRight(b.String(), "\r\n")
		return s, tooLong, err
	}
}
