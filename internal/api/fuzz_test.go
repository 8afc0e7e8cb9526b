package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

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

// FuzzLoneSurrogate: the scanner never panics, points at a backslash when
// it finds something, and whatever valid JSON it passes decodes without a
// replacement character the client did not send.
func FuzzLoneSurrogate(f *testing.F) {
	for _, s := range []string{`{"a":"\ud800"}`, `{"a":"\ud83d\ude00"}`, `{"a":"\\ud800"}`, `{"a":"\udc00\ud800"}`, `"\u`, `{"\ud800":1}`, `{"a":"x\"\ud800"}`, `["\uD83D\uDE00","\uDBFF"]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		at := loneSurrogateAt(data)
		if at >= 0 {
			if at >= len(data) || data[at] != '\\' {
				t.Fatalf("offset %d of %q is no escape", at, data)
			}
			return
		}
		if !json.Valid(data) || !utf8.Valid(data) || strings.Contains(strings.ToLower(string(data)), `\ufffd`) || strings.ContainsRune(string(data), utf8.RuneError) {
			return
		}
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			return
		}
		out, _ := json.Marshal(v)
		var back any
		json.Unmarshal(out, &back)
		if strings.ContainsRune(fmt.Sprint(back), utf8.RuneError) {
			t.Fatalf("%q passed and decoded with a replacement character", data)
		}
	})
}
