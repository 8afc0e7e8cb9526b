package ticket

import (
	"context"
	"log/slog"

	"github.com/rapport/rapport/internal/search"
)

// BackfillSearch indexes the tickets a database held before the search
// index existed (search.Index.Backfill), resumable, until done or ctx
// ends. The server runs it in the background at start.
func (s *Service) BackfillSearch(ctx context.Context, log *slog.Logger) error {
	return s.idx.Backfill(ctx, log)
}

// SearchProgress is how far that backfill has come, for the search page.
func (s *Service) SearchProgress(ctx context.Context) (search.Progress, error) {
	return s.idx.Progress(ctx)
}
