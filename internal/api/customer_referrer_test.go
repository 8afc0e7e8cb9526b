package api

import (
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestReferrerScenarios: record who referred a customer by id or email,
// clear it, and each kind of bad input, on every database.
func TestReferrerScenarios(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.seed(t)
		f.run(t, []scenario{
			{name: "by id", method: "PUT", path: "/customers/{other}/referrer", as: "agent", status: 200,
				body: `{"referred_by":{customer}}`, json: map[string]string{"customer_id": "{other}", "referred_by": "{customer}"}},
			{name: "by email", method: "PUT", path: "/customers/{other}/referrer", as: "agent", status: 200,
				body: `{"email":"carla@example.com"}`, json: map[string]string{"referred_by": "{customer}"}},
			{name: "clear", method: "PUT", path: "/customers/{other}/referrer", as: "agent", status: 200,
				body: `{}`, json: map[string]string{"referred_by": "null"}},
			{name: "self", method: "PUT", path: "/customers/{other}/referrer", as: "agent", status: 400,
				body: `{"referred_by":{other}}`, json: map[string]string{"error.fields.referred_by": "*"}},
			{name: "unknown referrer", method: "PUT", path: "/customers/{other}/referrer", as: "agent", status: 400,
				body: `{"referred_by":999999}`, json: map[string]string{"error.fields.referred_by": "*"}},
			{name: "unknown email", method: "PUT", path: "/customers/{other}/referrer", as: "agent", status: 400,
				body: `{"email":"nobody@example.com"}`, json: map[string]string{"error.fields.email": "*"}},
			{name: "both", method: "PUT", path: "/customers/{other}/referrer", as: "agent", status: 400,
				body: `{"referred_by":{customer},"email":"carla@example.com"}`, json: map[string]string{"error.fields.email": "*"}},
			{name: "unknown customer", method: "PUT", path: "/customers/999999/referrer", as: "agent", status: 404,
				body: `{"referred_by":{customer}}`},
		})
	})
}
