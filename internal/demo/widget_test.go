package demo

import (
	"context"
	"testing"

	"github.com/rapport/rapport/internal/chat"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// The demo has a chat widget for its demo page, with the pre-chat form on.
func TestGenerateWidget(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		generate(t, db, 5, 30, 120)
		ws, err := chat.New(chat.Opts{DB: db}).Widgets(context.Background())
		if err != nil || len(ws) != 1 || !ws[0].PreChat || ws[0].Key == "" || ws[0].Secret == "" {
			t.Fatalf("demo widgets: %+v, %v", ws, err)
		}
	})
}
