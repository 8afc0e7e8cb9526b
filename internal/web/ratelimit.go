package web

import (
	"sync"
	"time"
)

// rateLimiter allows each key (a client address) at most max events in any
// window. It counts in this process's memory only: with several rapport
// processes behind a load balancer each keeps its own count, so a client
// may get max per process, and a restart forgets. That is enough to slow
// a form spammer down; it is not an exact quota, and nothing else depends
// on it.
type rateLimiter struct {
	max    int
	window time.Duration

	mu    sync.Mutex
	hits  map[string][]time.Time // by key, oldest first, all within a window
	swept time.Time              // when every key was last pruned
}

// newRateLimiter returns a limiter of max events per window.
func newRateLimiter(max int, window time.Duration) *rateLimiter {
	return &rateLimiter{max: max, window: window, hits: map[string][]time.Time{}}
}

// allow records an event of key at now and reports true, or reports false
// and records nothing when key has had max events in the window before now.
func (l *rateLimiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	since := now.Add(-l.window)
	if now.Sub(l.swept) > l.window {
		// Forget the keys that have gone quiet, so the map holds only the
		// clients of the last window.
		for k, ts := range l.hits {
			if ts = recent(ts, since); len(ts) == 0 {
				delete(l.hits, k)
			} else {
				l.hits[k] = ts
			}
		}
		l.swept = now
	}
	ts := recent(l.hits[key], since)
	if len(ts) >= l.max {
		l.hits[key] = ts
		return false
	}
	l.hits[key] = append(ts, now)
	return true
}

// recent drops the times of ts (oldest first) not after since.
func recent(ts []time.Time, since time.Time) []time.Time {
	i := 0
	for i < len(ts) && !ts[i].After(since) {
		i++
	}
	return ts[i:]
}
