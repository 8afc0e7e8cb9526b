package purchases

import (
	"github.com/rapport/rapport/internal/valid"

	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Money is an amount in a currency's minor unit (cents for EUR).
type Money struct {
	Minor    int64
	Currency string
}

// minorDigits are the currencies whose minor unit is not a hundredth
// (ISO 4217); every other currency has two decimals.
var minorDigits = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
	"RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}

// MinorDigits is the number of decimals of currency's minor unit.
func MinorDigits(currency string) int {
	if d, ok := minorDigits[currency]; ok {
		return d
	}
	return 2
}

// Major is the amount in major units, as the models use it.
func (m Money) Major() float64 {
	d := MinorDigits(m.Currency)
	f := float64(m.Minor)
	for range d {
		f /= 10
	}
	return f
}

// Decimal writes the amount with the currency's decimals and '.', as in
// "1234.50".
func (m Money) Decimal() string {
	d := MinorDigits(m.Currency)
	neg := m.Minor < 0
	v := m.Minor
	if neg {
		v = -v
	}
	s := strconv.FormatInt(v, 10)
	if d > 0 {
		for len(s) <= d {
			s = "0" + s
		}
		s = s[:len(s)-d] + "." + s[len(s)-d:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// String is the amount and its currency: "1234.50 EUR".
func (m Money) String() string { return m.Decimal() + " " + m.Currency }

// maxMinor keeps amounts far from int64 overflow when summed.
const maxMinor = 1e15

// ParseCurrency checks an ISO 4217 code (three letters) and upper-cases it.
func ParseCurrency(s string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(s))
	if len(c) != 3 || strings.IndexFunc(c, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return "", moneyErr("valid.currency", "currency %q is not a three-letter code like EUR", s)
	}
	return c, nil
}

// ParseMoney reads a non-negative decimal amount with '.' decimals (at most
// as many as the currency has) exactly into minor units.
func ParseMoney(amount, currency string) (Money, error) {
	cur, err := ParseCurrency(currency)
	if err != nil {
		return Money{}, err
	}
	a := strings.TrimSpace(amount)
	if a == "" {
		return Money{}, moneyErr("valid.compensation_amount", "amount is required")
	}
	if strings.HasPrefix(a, "-") {
		return Money{}, moneyErr("valid.negative", "amount %q is negative; a refund is not a purchase", amount)
	}
	a = strings.TrimPrefix(a, "+")
	whole, frac, hasDot := strings.Cut(a, ".")
	digits := MinorDigits(cur)
	okDigits := func(s string) bool {
		return strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
	}
	if (whole == "" && frac == "") || !okDigits(whole) || !okDigits(frac) || (hasDot && frac == "" && whole == "") {
		return Money{}, moneyErr("valid.compensation_decimal", "amount %q is not a decimal number with '.' decimals", amount)
	}
	if len(frac) > digits {
		// Trailing zeros beyond the currency's decimals are harmless.
		if strings.Trim(frac[digits:], "0") != "" {
			return Money{}, moneyErr("valid.compensation_decimal", "amount %q has more decimals than %s allows (%d)", amount, cur, digits)
		}
		frac = frac[:digits]
	}
	frac += strings.Repeat("0", digits-len(frac))
	whole = strings.TrimLeft(whole, "0")
	if len(whole)+digits > 15 {
		return Money{}, moneyErr("valid.amount_too_large", "amount %q is too large", amount)
	}
	v, err := strconv.ParseInt("0"+whole+frac, 10, 64)
	if err != nil || v > maxMinor {
		return Money{}, moneyErr("valid.amount_too_large", "amount %q is too large", amount)
	}
	return Money{Minor: v, Currency: cur}, nil
}

// moneyError is what ParseMoney and ParseCurrency refuse, with the
// catalogue key that says it in the reader's language.
type moneyError struct{ m valid.Message }

func (e *moneyError) Error() string { return e.m.Text }

func moneyErr(key, english string, args ...any) error {
	return &moneyError{valid.Message{Key: key, Text: fmt.Sprintf(english, args...)}}
}

// MoneyMessage is the field message for an error of ParseMoney or
// ParseCurrency.
func MoneyMessage(err error) valid.Message {
	var me *moneyError
	if errors.As(err, &me) {
		return me.m
	}
	return valid.Message{Key: "valid.invalid", Text: err.Error()}
}
