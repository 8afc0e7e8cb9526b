package web

import (
	"net/http"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestStrictQuery: a page whose address carries a parameter that cannot be
// read answers 400 with a page naming it, in the reader's language, rather
// than showing the page without that filter.
func TestStrictQuery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.login(t, "agent")
		tests := []struct {
			name, path string
			want       []string
		}{
			{"semicolon drops no filter", "/?view=all&status=solved;x", []string{"status: Contains a semicolon"}},
			{"broken escape", "/search?q=%zz", []string{"q: Is not correctly percent-encoded."}},
			{"invalid UTF-8", "/customers?q=%C3", []string{"q: This is not valid text."}},
			{"NUL", "/?tag=a%00b", []string{"tag: Must not contain NUL characters."}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				res := c.get(t, tc.path)
				mustCode(t, res, http.StatusBadRequest, tc.path)
				contains(t, res.body, append(tc.want, "has a parameter that cannot be read"), []string{"Printer"})
			})
		}
		// An unknown status is named too, on the inbox itself.
		res := c.get(t, "/?view=all&status=burning")
		if res.code < 400 {
			t.Errorf("an unknown status: %d", res.code)
		}
		// Customers' pages too, in their language.
		it := f.newClient(t)
		it.lang = "it"
		res = it.get(t, "/contact?ref=a;b")
		mustCode(t, res, http.StatusBadRequest, "contact form in Italian")
		contains(t, res.body, []string{"ref: Contiene un punto e virgola"}, nil)
	})
}
