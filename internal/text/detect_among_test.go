package text_test

import (
	"testing"

	"github.com/rapport/rapport/internal/text"
)

// A business that serves fewer languages never gets an answer outside
// them, and its customers' short lines are told among its languages alone.
func TestDetectSureAmongServedLanguages(t *testing.T) {
	d, err := text.NewDetector(text.DetectorOpts{Languages: []string{"en", "it", "ru", "lv", "ca"}, Grams: true})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		text     string
		among    []string
		want     string
		wantSure bool
	}{
		{"catalan among all", "Bon dia, la meva comanda encara no ha arribat i el seguiment no mostra res.", nil, "ca", true},
		{"catalan text, business without catalan: the closest it serves", "Bon dia, la meva comanda encara no ha arribat i el seguiment no mostra res.", []string{"en", "it"}, "it", true},
		{"english one-liner among english and italian", "Login problem", []string{"en", "it"}, "en", true},
		{"italian among english and italian", "Buongiorno, il mio ordine non è ancora arrivato.", []string{"en", "it"}, "it", true},
		{"one language served is the answer", "Здравствуйте, заказ не пришёл", []string{"it"}, "it", true},
		{"unknown served languages ask among all", "Здравствуйте, мой заказ до сих пор не пришёл.", []string{"xx"}, "ru", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, sure := d.DetectSureAmong(tc.text, tc.among)
			if sure != tc.wantSure || got != tc.want {
				t.Errorf("DetectSureAmong(%q, %v) = %q, %v; want %q, %v", tc.text, tc.among, got, sure, tc.want, tc.wantSure)
			}
			if len(tc.among) > 0 && tc.among[0] != "xx" && got != "" && !contains(tc.among, got) {
				t.Errorf("answer %q is not among %v", got, tc.among)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
