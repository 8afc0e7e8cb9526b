package api

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestFieldErrorsInCallersLanguage: the API's own request checks carry a
// catalogue key; without Accept-Language (or asking for English) the
// response keeps the API's English texts, and a caller that asks for
// Italian or Russian gets every field message, and the summary, in that
// language, with the key beside it.
func TestFieldErrorsInCallersLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		get := func(lang string) errorBody {
			t.Helper()
			req := httptest.NewRequest("GET", "/api/v1/tickets?status=lost&limit=0&customer_id=x", nil)
			req.Header.Set("Authorization", "Bearer "+f.tokens["agent"])
			if lang != "" {
				req.Header.Set("Accept-Language", lang)
			}
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, req)
			mustStatus(t, rec, 400, "bad query "+lang)
			checkResponse(t, rec)
			if !strings.Contains(rec.Header().Get("Vary"), "Accept-Language") {
				t.Errorf("%q: Vary %q lacks Accept-Language", lang, rec.Header().Get("Vary"))
			}
			var e errorBody
			decodeJSON(t, rec, &e)
			if want := map[string]string{"": "", "en": "", "it": "it", "ru-RU,ru;q=0.9": "ru"}[lang]; rec.Header().Get("Content-Language") != want {
				t.Errorf("%q: Content-Language %q, want %q", lang, rec.Header().Get("Content-Language"), want)
			}
			return e
		}

		en := get("")
		if en.Error.Message != "some fields are invalid" ||
			en.Error.Fields["limit"] != "must be an integer from 1 to 100" ||
			en.Error.Fields["customer_id"] != "must be a positive integer" ||
			!strings.HasPrefix(en.Error.Fields["status"], "must be one of new, open") {
			t.Errorf("English body changed: %+v", en.Error)
		}
		wantKeys := map[string]string{"customer_id": "valid.api_positive_int", "limit": "valid.range", "status": "valid.choice"}
		if len(en.Error.Details) != len(wantKeys) {
			t.Fatalf("details %+v, want one per field", en.Error.Details)
		}
		for i, d := range en.Error.Details {
			if d.Key != wantKeys[d.Field] || d.Message != en.Error.Fields[d.Field] {
				t.Errorf("detail %+v, want key %s and the field's message", d, wantKeys[d.Field])
			}
			if i > 0 && en.Error.Details[i-1].Field >= d.Field {
				t.Errorf("details not in field order: %+v", en.Error.Details)
			}
		}
		if asEN := get("en"); asEN.Error.Fields["limit"] != en.Error.Fields["limit"] {
			t.Errorf("Accept-Language: en changed the English: %q", asEN.Error.Fields["limit"])
		}

		it := get("it")
		if it.Error.Message != "Alcuni campi non sono validi." ||
			it.Error.Fields["customer_id"] != "Indica un numero intero maggiore di zero." ||
			!strings.Contains(it.Error.Fields["limit"], "100") || strings.Contains(it.Error.Fields["limit"], "must") {
			t.Errorf("Italian body: %+v", it.Error)
		}
		for _, d := range it.Error.Details {
			if d.Key != wantKeys[d.Field] || d.Message != it.Error.Fields[d.Field] {
				t.Errorf("Italian detail %+v", d)
			}
		}
		ru := get("ru-RU,ru;q=0.9")
		if ru.Error.Fields["customer_id"] != "Укажите целое число больше нуля." || ru.Error.Message != "Некоторые поля заполнены неверно." {
			t.Errorf("Russian body: %+v", ru.Error)
		}

		// A body check (POST) in Latvian, and a service's keyed error
		// passed through unchanged in English.
		req := httptest.NewRequest("POST", "/api/v1/inbound/message", strings.NewReader(`{"channel":"sms","from":{},"text":""}`))
		req.Header.Set("Authorization", "Bearer "+f.tokens["admin"])
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept-Language", "lv")
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		mustStatus(t, rec, 400, "empty inbound message")
		var lv errorBody
		decodeJSON(t, rec, &lv)
		if lv.Error.Fields["from"] != "Norādiet sūtītāja e-pastu, tālruni vai external_id." || lv.Error.Fields["text"] == "is required" {
			t.Errorf("Latvian body: %+v", lv.Error)
		}
	})
}
