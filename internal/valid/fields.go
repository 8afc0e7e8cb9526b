package valid

import (
	"fmt"
	"strings"
)

// Message is what is wrong with one field: Key and Args name the catalogue
// message the UI shows in the reader's language, and Text says it in
// English for the API's JSON and the logs.
type Message struct {
	Key  string
	Args []any
	Text string
}

// Msg is the message key with args, in English the format english filled
// with the same args: Msg("valid.password_short", "needs at least %d characters", 12).
func Msg(key, english string, args ...any) Message {
	text := english
	if len(args) > 0 {
		text = fmt.Sprintf(english, args...)
	}
	return Message{Key: key, Args: args, Text: text}
}

// OneOf is the message for a value outside list: the UI asks to pick one
// of the values its form lists (the form shows them translated); the
// English names them for the API.
func OneOf(list []string) Message {
	return Message{Key: "valid.choice", Text: "must be one of " + strings.Join(list, ", ")}
}

// Fields maps a field name to what is wrong with it, with the catalogue key
// to translate it by. It is the form of Errors that services return so that
// the UI need not read their English: errors.As finds a Fields as an Errors
// too, holding the English texts, so the API's JSON stays as it was. A
// non-empty Fields is an error.
type Fields map[string]Message

// Add records m for field unless the field already has a message.
func (f Fields) Add(field string, m Message) {
	if _, ok := f[field]; !ok {
		f[field] = m
	}
}

// Err returns f as an error, or nil when no field failed.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return f
}

// Errors returns the English texts by field.
func (f Fields) Errors() Errors {
	out := make(Errors, len(f))
	for k, m := range f {
		out[k] = m.Text
	}
	return out
}

// Error lists the failing fields in name order, as Errors does.
func (f Fields) Error() string { return f.Errors().Error() }

// As lets errors.As find f as an Errors, for the code that only needs the
// English texts.
func (f Fields) As(target any) bool {
	if t, ok := target.(*Errors); ok {
		*t = f.Errors()
		return true
	}
	return false
}

// Field is the single-field Fields{field: m}, as an error.
func Field(field string, m Message) error { return Fields{field: m} }
