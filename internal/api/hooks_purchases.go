package api

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/purchases"
)

// SignatureHeader carries the signature of a webhook delivery:
// "sha256=" and the hex HMAC-SHA256 of the raw body with the shared secret.
const SignatureHeader = "X-Rapport-Signature"

// errBadSignature answers a webhook delivery whose signature is missing or
// does not match.
var errBadSignature = &apiError{status: http.StatusUnauthorized, code: "bad_signature",
	message: "the " + SignatureHeader + " header must be sha256=HEX, the HMAC-SHA256 of the body with the shared secret"}

// errNoHook answers the webhook of a server without a shared secret.
var errNoHook = &apiError{status: http.StatusServiceUnavailable, code: "unavailable",
	message: "the purchases webhook is off: set --purchase-hook-secret (RAPPORT_PURCHASE_HOOK_SECRET)"}

// Sign returns the signature header value of body with secret, as a
// point-of-sale or shop system computes it.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// validSignature reports whether header is body's signature with secret,
// in constant time.
func validSignature(secret string, body []byte, header string) bool {
	got, ok := strings.CutPrefix(strings.TrimSpace(header), "sha256=")
	if !ok {
		return false
	}
	sig, err := hex.DecodeString(got)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hmac.Equal(sig, m.Sum(nil))
}

// purchaseHook serves POST /hooks/purchases: purchases pushed by a
// point-of-sale or shop system, authenticated by an HMAC-SHA256 signature
// of the body instead of a token. Every purchase needs a reference, so a
// replayed or retried delivery adds nothing; unknown customers are
// created unless the body says "create_customers": false.
func (s *server) purchaseHook(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if !s.purchasesOn() {
		return errNoPurchases
	}
	if s.hookSecret == "" {
		return errNoHook
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return invalidJSON("could not read the request body")
	}
	if !validSignature(s.hookSecret, body, r.Header.Get(SignatureHeader)) {
		return errBadSignature
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var req purchasesRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	return s.addPurchases(r.Context(), w, req, purchases.AddOpts{CreateCustomers: true, Channel: "webhook"}, true)
}
