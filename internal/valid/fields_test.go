package valid

import (
	"errors"
	"fmt"
	"testing"
)

func TestFields(t *testing.T) {
	f := Fields{}
	f.Add("password", Msg("valid.password_short", "needs at least %d characters", 12))
	f.Add("password", Msg("valid.required", "is required"))
	f.Add("email", Msg("valid.email", "is not an email address"))
	err := fmt.Errorf("agent: create: %w", f.Err())

	var fields Fields
	if !errors.As(err, &fields) {
		t.Fatal("errors.As does not find the Fields")
	}
	if m := fields["password"]; m.Key != "valid.password_short" || len(m.Args) != 1 || m.Args[0] != 12 {
		t.Errorf("password: %+v, want the first message with its argument", m)
	}
	var ve Errors
	if !errors.As(err, &ve) {
		t.Fatal("errors.As does not find the Fields as Errors")
	}
	if ve["password"] != "needs at least 12 characters" || ve["email"] != "is not an email address" || len(ve) != 2 {
		t.Errorf("English texts: %v", ve)
	}
	if got, want := f.Error(), "invalid input: email: is not an email address; password: needs at least 12 characters"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if (Fields{}).Err() != nil {
		t.Error("an empty Fields is an error")
	}
	if m := Msg("valid.too_long", "is longer than 200 characters"); m.Text != "is longer than 200 characters" || m.Args != nil {
		t.Errorf("a message without arguments is not formatted: %q", m.Text)
	}
}
