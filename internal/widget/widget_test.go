package widget

import (
	"testing"

	"github.com/rapport/rapport/internal/realtime"
)

// A visitor's connection hears of its own chat's public messages, status,
// and the agents' typing and reading; nothing of another ticket, no notes,
// no presence, no notifications, not its own typing echoed back.
func TestForChat(t *testing.T) {
	f := forChat(7)
	for _, tc := range []struct {
		name string
		ev   realtime.Event
		want bool
	}{
		{"its message", realtime.Event{Kind: realtime.KindMessage, Ticket: 7, Message: 3}, true},
		{"its status", realtime.Event{Kind: realtime.KindStatus, Ticket: 7}, true},
		{"an agent typing", realtime.Event{Kind: realtime.KindTyping, Ticket: 7, Agent: 2, Typing: true}, true},
		{"an agent reading", realtime.Event{Kind: realtime.KindRead, Ticket: 7, Agent: 2, Message: 3}, true},
		{"a resync", realtime.Event{Kind: realtime.KindResync}, true},
		{"its own typing", realtime.Event{Kind: realtime.KindTyping, Ticket: 7, Typing: true}, false},
		{"a note", realtime.Event{Kind: realtime.KindNote, Ticket: 7, Message: 4}, false},
		{"presence", realtime.Event{Kind: realtime.KindPresence, Ticket: 7, Agent: 2}, false},
		{"a notification", realtime.Event{Kind: realtime.KindNotification, Agent: 2}, false},
		{"another ticket's message", realtime.Event{Kind: realtime.KindMessage, Ticket: 8, Message: 5}, false},
		{"another ticket's typing", realtime.Event{Kind: realtime.KindTyping, Ticket: 8, Agent: 2, Typing: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := f(tc.ev); got != tc.want {
				t.Errorf("forChat(7)(%+v) = %v, want %v", tc.ev, got, tc.want)
			}
		})
	}
	if forChat(0)(realtime.Event{Kind: realtime.KindMessage, Ticket: 0}) {
		t.Error("a session without a chat hears a message")
	}
}

func TestFileName(t *testing.T) {
	for in, want := range map[string]string{
		"photo.png":            "photo.png",
		`C:\Users\me\scan.pdf`: "scan.pdf",
		"../../etc/passwd":     "passwd",
		"a\"b\nc.txt":          "abc.txt",
		"":                     "file",
		"/":                    "file",
	} {
		if got := fileName(in); got != want {
			t.Errorf("fileName(%q) = %q, want %q", in, got, want)
		}
	}
}

// A widget's deflection key is what the widget makes: 32 to 64 lowercase
// hex digits; anything else is refused before it reaches the database.
func TestValidVisitor(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want bool
	}{
		{"32 hex digits", "0123456789abcdef0123456789abcdef", true},
		{"64 hex digits", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true},
		{"too short", "0123456789abcdef", false},
		{"too long", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0", false},
		{"capitals", "0123456789ABCDEF0123456789ABCDEF", false},
		{"not hex", "0123456789abcdef0123456789abcdeg", false},
		{"empty", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := validVisitor(tc.in); got != tc.want {
				t.Errorf("validVisitor(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}
