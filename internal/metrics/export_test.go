package metrics

import "context"

// ComputeDays is Compute reading every day from the day rollups, never a
// week from the week rollups: the reference the week path is checked
// against.
func (s *Service) ComputeDays(ctx context.Context, f Filter) (Report, error) {
	return s.compute(ctx, f, false)
}

// BucketOf is the histogram bucket of a duration in milliseconds.
var BucketOf = bucketOf

// GreetingsFromTickets is Greetings read from the tickets, not from the
// greeting facts: the reference the facts are checked against.
func (s *Service) GreetingsFromTickets(ctx context.Context, f Filter) (GreetingReport, error) {
	return s.greetings(ctx, s.o.DB.R, f, false)
}
