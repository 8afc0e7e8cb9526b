package demo

import (
	"context"

	"github.com/rapport/rapport/internal/chat"
)

// seedWidget adds the shop's live-chat widget. It allows no other site yet
// (an admin adds the shop's own origin at /admin/widget), but works on the
// server's own demo page, /widget/demo, where a person can chat with the
// team in one browser and answer in another. It is always open, so that
// the demo can be tried at any hour; the office-hours calendar is one
// choice away.
func (r *runner) seedWidget(ctx context.Context) error {
	_, err := chat.New(chat.Opts{DB: r.o.DB, Clock: r.clock}).CreateWidget(ctx, chat.Widget{
		Name: "Aurora Home · live chat", Color: "#1f6f54", Position: "right", PreChat: true,
	})
	return err
}
