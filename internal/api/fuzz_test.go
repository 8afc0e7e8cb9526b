package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/store/storetest"
)

// FuzzCreateTicketBody posts arbitrary bodies to POST /tickets: whatever
// arrives, the answer is never a 500 and always JSON.
func FuzzCreateTicketBody(f *testing.F) {
	seeds := []string{
		``,
		`{}`,
		`null`,
		`[]`,
		`"x"`,
		`{"subject":"Hi","body":"Hello","customer_email":"a@example.com"}`,
		`{"subject":"Hi","body":"Hello","customer_email":"a@example.com","priority":"urgent","kind":"praise","tags":["a","b"],"language":"it"}`,
		`{"subject":"Hi","body":"Hello","customer_id":1}`,
		`{"subject":"Hi","body":"Hello","customer_id":-1,"owner_id":-5,"team_id":99}`,
		`{"subject":"Hi","body":"Hello","customer_id":9223372036854775807}`,
		`{"subject":"Hi","body":"<b>x</b>","body_html":"<script>alert(1)</script>","customer_email":"a@example.com"}`,
		`{"subject":"a\u0000b","body":"x","customer_email":"a@example.com"}`,
		`{"subject":"\ud800","body":"\udfff","customer_email":"a@example.com"}`,
		`{"subject":"` + strings.Repeat("s", 5000) + `","body":"x","customer_email":"a@example.com"}`,
		`{"subject":"Hi","body":"x","customer_email":"not-an-email"}`,
		`{"subject":"Hi","body":"x","customer_email":"","customer_name":""}`,
		`{"subject":1}`,
		`{"subject":"x",}`,
		`{"subject":"x"}{}`,
		`{"tags":[null,1,{}]}`,
		`{"channel":"api","subject":"x","body":"y","customer_email":"b@example.com","owner_id":1,"team_id":0}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	fx := newFixture(f, storetest.SQLite(f))
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := fx.do(t, http.MethodPost, Prefix+"/tickets", string(body), "agent")
		if rec.Code >= 500 {
			t.Fatalf("status %d for body %q: %s", rec.Code, body, rec.Body.String())
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("response is not JSON for body %q: %s", body, rec.Body.String())
		}
	})
}
