package routing

// ForbidTicketReads makes every read of waiting tickets by r fail, so that
// a test can show a round reads none; the returned func undoes it.
func ForbidTicketReads(r *Router) (restore func()) {
	saved := map[string]string{}
	for _, name := range []string{"waiting-team-language", "waiting-team"} {
		saved[name] = r.q[name]
		r.q[name] = "SELECT no_such_column FROM tickets_read_forbidden_by_test"
	}
	return func() {
		for name, q := range saved {
			r.q[name] = q
		}
	}
}
