package agent

import (
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// FuzzCodeParsing feeds any text as a second-factor code: matchStep never
// panics, accepts only the exact code of a step within one of now, and
// normRecovery leaves neither dashes, spaces nor capitals.
func FuzzCodeParsing(f *testing.F) {
	const secret = "JBSWY3DPEHPK3PXP"
	now := time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)
	good, err := totp.GenerateCode(secret, now)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{"", good, " " + good + " ", "123456", "12345", "1234567", "abcde-fghij",
		"ABCDE FGHIJ", "٠١٢٣٤٥", "\x00\x00\x00\x00\x00\x00", "------"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, code string) {
		step := matchStep(secret, code, now, 0)
		if step != 0 {
			want, err := totp.GenerateCode(secret, time.Unix(step*totpPeriod, 0))
			if err != nil || want != strings.TrimSpace(code) {
				t.Fatalf("code %q accepted for step %d (its code %q)", code, step, want)
			}
			if d := step - now.Unix()/totpPeriod; d < -1 || d > 1 {
				t.Fatalf("code %q accepted %d steps away", code, d)
			}
		}
		if step := matchStep(secret, code, now, now.Unix()/totpPeriod+1); step != 0 {
			t.Fatalf("code %q accepted after its steps were used", code)
		}
		if n := normRecovery(code); strings.ContainsAny(n, "- ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
			t.Fatalf("normRecovery(%q) = %q", code, n)
		}
	})
}

func TestRecoveryCodeShape(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		c := newRecoveryCode()
		if len(c) != recoveryLen+1 || c[recoveryLen/2] != '-' || len(normRecovery(c)) != recoveryLen {
			t.Fatalf("recovery code %q", c)
		}
		if strings.Trim(normRecovery(c), recoveryAlphabet) != "" {
			t.Fatalf("recovery code %q outside the alphabet", c)
		}
		if seen[c] {
			t.Fatalf("recovery code %q twice", c)
		}
		seen[c] = true
	}
}
