package ticket_test

import (
	"context"
	"errors"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// The inbox's list takes the request's context down to its query: a
// request whose client has gone gets context.Canceled, not a page.
// (internal/store's TestCancelledContextStopsQuery shows that such a
// cancel stops a query already running, on both databases.)
func TestListStopsWithItsContext(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx, cancel := context.WithCancel(context.Background())
		if _, err := f.svc.List(ctx, ticket.ListOptions{}); err != nil {
			t.Fatalf("List before the cancel: %v", err)
		}
		cancel()
		if _, err := f.svc.List(ctx, ticket.ListOptions{}); !errors.Is(err, context.Canceled) {
			t.Fatalf("List after the cancel = %v, want context.Canceled", err)
		}
	})
}
