package intake

import "context"

// CommitTogether commits ins as one batch, as Receive does with messages
// that arrive together, and returns what each caller would be told.
func (s *Service) CommitTogether(ctx context.Context, ins []Inbound) ([]Result, []error) {
	batch := make([]*request, len(ins))
	for i, in := range ins {
		if in.Class == "" {
			in.Class = ClassCustomer
		}
		batch[i] = &request{in: in, done: make(chan struct{}), lead: make(chan struct{})}
	}
	s.commit(ctx, batch)
	res, errs := make([]Result, len(batch)), make([]error, len(batch))
	for i, r := range batch {
		<-r.done
		res[i], errs[i] = r.res, r.err
	}
	return res, errs
}
