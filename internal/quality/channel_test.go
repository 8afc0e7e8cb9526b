package quality

import (
	"context"
	"testing"
)

// TestChannel: what a reply owes depends on where it goes. Letters (email,
// web, and channels the analyzer does not know) keep the greeting check;
// chat, phone, sms, social and forum replies are turns of a conversation.
// A bare refusal is curt in a letter (in chat the evidence gate keeps that
// rule silent: real chat replies have not shown it right), and a channel's
// own vocabulary is not condescension there.
func TestChannel(t *testing.T) {
	a := newTestAnalyzer(t)
	parcel := []Turn{{Role: "customer", Text: "My parcel was due yesterday and the tracking has not moved since Monday."}}
	warm := "So sorry about the wait! I've checked with the courier: your parcel left the depot this morning and will arrive tomorrow before noon."
	tests := []struct {
		name    string
		channel string
		text    string
		conv    []Turn
		want    []Sin // nil: no finding at all
		notWant []Sin
	}{
		{name: "email keeps the greeting rule", channel: "email", text: warm, conv: parcel, want: []Sin{Coldness}},
		{name: "web keeps the greeting rule", channel: "web", text: warm, conv: parcel, want: []Sin{Coldness}},
		{name: "unknown channel reads as a letter", channel: "", text: warm, conv: parcel, want: []Sin{Coldness}},
		{name: "api reads as a letter", channel: "api", text: warm, conv: parcel, want: []Sin{Coldness}},
		{name: "chat", channel: "chat", text: warm, conv: parcel},
		{name: "chat, any case", channel: " Chat ", text: warm, conv: parcel},
		{name: "phone", channel: "phone", text: warm, conv: parcel},
		{name: "social", channel: "social", text: warm, conv: parcel},
		{name: "forum", channel: "forum", text: warm, conv: parcel},
		{name: "a bare refusal is curt by email", channel: "email", text: "No, we can't do that.", conv: parcel, want: []Sin{Coldness}},
		{name: "a bare refusal in chat: gated", channel: "chat", text: "No, we can't do that.", conv: parcel},
		{name: "DM on social", channel: "social", conv: parcel,
			text: "So sorry to see this! DM us your order number and we'll take a closer look."},
		{name: "DM in an email is an acronym the customer may not know", channel: "email", conv: parcel,
			text: "Hi Sam, so sorry to see this! DM us your order number and we'll take a closer look. Best wishes, Ola", want: []Sin{Condescension}},
		{name: "PR on a code forum", channel: "forum",
			conv: []Turn{{Role: "customer", Text: "The build broke after my last change."}},
			text: "Thanks! It looks like the failed builds all ran on the same PR; I've restarted them."},
		{name: "the business's own name beside its address", channel: "email", conv: parcel,
			text: "Dear Sam, thank you for writing to ACME. I've checked with the courier: it arrives tomorrow. More news on acme.com. Kind regards, Ola"},
		{name: "resolution words answer the problem", channel: "forum",
			conv:    []Turn{{Role: "customer", Text: "The billing page says there is a problem with my account and won't load."}},
			text:    "Your billing page should be restored now.",
			notWant: []Sin{Apathy}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := a.Analyze(context.Background(), Input{Text: tc.text, Lang: "en", Conversation: tc.conv, Channel: tc.channel})
			if tc.want == nil && tc.notWant == nil && len(fs) > 0 {
				t.Fatalf("want no finding, got %+v", fs)
			}
			for _, s := range tc.want {
				if !hasSin(fs, s) {
					t.Errorf("missing %s: %+v", s, fs)
				}
			}
			for _, s := range tc.notWant {
				if hasSin(fs, s) {
					t.Errorf("unexpected %s: %+v", s, fs)
				}
			}
		})
	}
}

func TestConversational(t *testing.T) {
	for ch, want := range map[string]bool{"chat": true, "PHONE": true, "sms": true, "social": true, "forum": true,
		"email": false, "web": false, "api": false, "hook": false, "": false} {
		if got := Conversational(ch); got != want {
			t.Errorf("Conversational(%q) = %v, want %v", ch, got, want)
		}
	}
}
