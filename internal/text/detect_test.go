package text_test

import (
	"testing"

	"github.com/rapport/rapport/internal/text"
)

func TestDetect(t *testing.T) {
	d, err := text.NewDetector(text.DetectorOpts{Languages: []string{"en", "it", "ru", "lv", "ca"}, Grams: true})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, text, want string
	}{
		{"english", "Hello, my order has not arrived yet and the tracking page shows nothing.", "en"},
		{"italian", "Buongiorno, il mio ordine non è ancora arrivato e il tracciamento non mostra nulla.", "it"},
		{"russian", "Здравствуйте, мой заказ до сих пор не пришёл, а отслеживание ничего не показывает.", "ru"},
		{"latvian", "Labdien, mans pasūtījums joprojām nav atnācis, un izsekošana neko nerāda.", "lv"},
		{"catalan", "Bon dia, la meva comanda encara no ha arribat i el seguiment no mostra res.", "ca"},
		{"short italian subject", "Ordine in ritardo", "it"},
		{"too short", "ok", ""},
		{"empty", "   ", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := d.Detect(tc.text); got != tc.want {
				t.Errorf("Detect(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

func TestNewDetectorRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name  string
		langs []string
	}{
		{"unknown code", []string{"en", "xx"}},
		{"one language", []string{"en"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := text.NewDetector(text.DetectorOpts{Languages: tc.langs, Grams: true}); err == nil {
				t.Fatal("no error")
			}
		})
	}
}
