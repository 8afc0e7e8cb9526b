package survey

import (
	"errors"
	"net/url"
	"testing"

	"github.com/rapport/rapport/internal/valid"
)

// FuzzParseAnswers feeds arbitrary query strings and form bodies to the
// answer parser: it must not panic, must fail only with per-field
// valid.Errors, and whatever it accepts must pass Validate and read back
// as the same form.
func FuzzParseAnswers(f *testing.F) {
	for _, s := range []string{
		"q=csat&v=4", "q=nps&v=0", "q=return&v=maybe", "q=csat&v=6", "q=comment&v=x", "q=mood&v=1",
		"csat=5&nps=10&speed=3&wait=&feeling=4&return=yes&comment=Thanks", "csat=-1&nps=1e3&return=YES",
		"comment=%FF%FE", "nps=+7", "csat=%20%204%20", "q=&v=", "csat=5&csat=1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		form, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		a, err := ParseAnswers(form)
		if err != nil {
			var ve valid.Errors
			if !errors.As(err, &ve) || len(ve) == 0 {
				t.Fatalf("error %v is not a field error", err)
			}
			return
		}
		if err := a.Validate(); err != nil {
			t.Fatalf("accepted %q but Validate says %v", raw, err)
		}
		back := url.Values{}
		for _, q := range Questions {
			if v := a.Value(q); v != "" {
				back.Set(q, v)
			}
		}
		b, err := ParseAnswers(back)
		if err != nil {
			t.Fatalf("re-parsing %v: %v", back, err)
		}
		for _, q := range Questions {
			if a.Value(q) != b.Value(q) {
				t.Fatalf("%s: %q then %q", q, a.Value(q), b.Value(q))
			}
		}
	})
}
