package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rapport/rapport/internal/store"
)

// Channel is the PostgreSQL LISTEN/NOTIFY channel events cross nodes on.
const Channel = "rapport_live"

// DefaultQueue is how many events may wait for one connection before it
// is dropped as too slow.
const DefaultQueue = 64

// Errors that end a subscription; Sub.Err tells which.
var (
	// ErrSlow: the connection did not take its events as fast as they
	// came; it is dropped so that it cannot stall the others.
	ErrSlow = errors.New("realtime: connection too slow")
	// ErrDraining: the node is shutting down; the client should reconnect,
	// to another node if there is one.
	ErrDraining = errors.New("realtime: node is draining")
	// ErrClosed: the subscriber closed it.
	ErrClosed = errors.New("realtime: subscription closed")
)

// Opts configure a Broker.
type Opts struct {
	// DB, when PostgreSQL, carries events between nodes; nil or SQLite
	// keeps them in this process (one node).
	DB  *store.DB
	Log *slog.Logger
	// Queue is each subscription's queue length (DefaultQueue when 0).
	Queue int
	// Heartbeat is how often an idle connection is pinged (DefaultHeartbeat
	// when 0).
	Heartbeat time.Duration
	// OriginPatterns are the hosts, besides the request's own, whose pages
	// may open a connection (websocket.AcceptOptions.OriginPatterns).
	OriginPatterns []string
}

// Broker fans events out to this node's subscriptions. One exists per
// process; with PostgreSQL every node's broker hears every node's events.
type Broker struct {
	o      Opts
	pg     bool
	ready  chan struct{} // closed once LISTEN is on (at once without PostgreSQL)
	readyO sync.Once

	mu       sync.RWMutex
	subs     map[*Sub]struct{}
	draining bool
	streams  sync.WaitGroup // open connections (Stream), for Drain

	// PublishSoon's events waiting for Run's sender, which runs while
	// sending is set; send asks it to look.
	soonMu  sync.Mutex
	soon    []Event
	send    chan struct{}
	sending atomic.Bool
}

// New returns a Broker. With PostgreSQL, Run must run for it to hear any
// event, its own included.
func New(o Opts) *Broker {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Queue <= 0 {
		o.Queue = DefaultQueue
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = DefaultHeartbeat
	}
	b := &Broker{o: o, pg: o.DB != nil && o.DB.Dialect == store.Postgres, ready: make(chan struct{}), subs: map[*Sub]struct{}{},
		send: make(chan struct{}, 1)}
	if !b.pg {
		close(b.ready)
	}
	return b
}

// Ready is closed once the broker hears events: at once on one node, and
// with PostgreSQL when its LISTEN is on.
func (b *Broker) Ready() <-chan struct{} { return b.ready }

// Sub is one subscription: a connection's queue of events.
type Sub struct {
	b      *Broker
	filter Filter
	ch     chan Event
	done   chan struct{}
	once   sync.Once
	err    error
}

// Events is the subscription's queue.
func (s *Sub) Events() <-chan Event { return s.ch }

// Done is closed when the subscription ends; Err then says why.
func (s *Sub) Done() <-chan struct{} { return s.done }

// Err is why the subscription ended (ErrSlow, ErrDraining, ErrClosed), nil
// while it lasts.
func (s *Sub) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

// Close ends the subscription.
func (s *Sub) Close() { s.b.drop(s, ErrClosed) }

// Subscribe opens a subscription to the events f lets through. It fails
// with ErrDraining while the node shuts down.
func (b *Broker) Subscribe(f Filter) (*Sub, error) {
	s := &Sub{b: b, filter: f, ch: make(chan Event, b.o.Queue), done: make(chan struct{})}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.draining {
		return nil, ErrDraining
	}
	b.subs[s] = struct{}{}
	return s, nil
}

// Subscribers is how many subscriptions are open on this node.
func (b *Broker) Subscribers() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.subs)
}

// drop ends s with err, once.
func (b *Broker) drop(s *Sub, err error) {
	b.mu.Lock()
	delete(b.subs, s)
	b.mu.Unlock()
	s.once.Do(func() {
		s.err = err
		close(s.done)
	})
}

// deliver hands evs to every subscription whose filter takes them, without
// ever waiting: a subscription whose queue is full is dropped (ErrSlow).
func (b *Broker) deliver(evs []Event) {
	var slow []*Sub
	b.mu.RLock()
subs:
	for s := range b.subs {
		for _, ev := range evs {
			if !s.filter(ev) {
				continue
			}
			select {
			case s.ch <- ev:
			default:
				slow = append(slow, s)
				continue subs
			}
		}
	}
	b.mu.RUnlock()
	for _, s := range slow {
		b.drop(s, ErrSlow)
	}
	if len(slow) > 0 {
		b.o.Log.Info("dropped slow connections", "count", len(slow))
	}
}

// Publish tells every node of evs: with PostgreSQL through NOTIFY (this
// node hears it back through its LISTEN, as the others do), else straight
// to this node's subscriptions. It is called after the change committed.
func (b *Broker) Publish(ctx context.Context, evs ...Event) error {
	if len(evs) == 0 {
		return nil
	}
	if !b.pg {
		b.deliver(evs)
		return nil
	}
	for len(evs) > 0 {
		n := min(len(evs), maxEvents)
		payload, err := json.Marshal(evs[:n])
		if err != nil {
			return fmt.Errorf("realtime: publish: %w", err)
		}
		if _, err := b.o.DB.W.ExecContext(ctx, "SELECT pg_notify($1, $2)", Channel, string(payload)); err != nil {
			return fmt.Errorf("realtime: publish: %w", err)
		}
		evs = evs[n:]
	}
	return nil
}

// maxSoon is how many events PublishSoon lets wait for the sender; past
// it the caller publishes its own, so that a stalled database slows the
// writers instead of filling the memory.
const maxSoon = 10000

// PublishSoon is Publish for a caller that need not wait for the
// events to leave: a change that has committed. With PostgreSQL and Run
// running, the events wait for Run's sender, which publishes everything
// waiting in one pg_notify per maxEvents, one at a time: the writes of
// many clients then share a NOTIFY, whose commit takes a lock every
// NOTIFY of the database waits for, and none answers a round trip later
// for it. Otherwise (one node, or Run not running, or too many waiting)
// it is Publish. Events stay hints either way: pushes of different
// changes may arrive in another order than their commits.
func (b *Broker) PublishSoon(ctx context.Context, evs ...Event) error {
	if len(evs) == 0 {
		return nil
	}
	if b.pg && b.sending.Load() {
		b.soonMu.Lock()
		queued := len(b.soon) < maxSoon
		if queued {
			b.soon = append(b.soon, evs...)
		}
		b.soonMu.Unlock()
		if queued {
			select {
			case b.send <- struct{}{}:
			default: // the sender has been asked already and takes these too
			}
			return nil
		}
	}
	return b.Publish(ctx, evs...)
}

// sender publishes what PublishSoon queued until ctx ends, and then what
// is left.
func (b *Broker) sender(ctx context.Context) {
	b.sending.Store(true)
	flush := func(ctx context.Context) {
		b.soonMu.Lock()
		evs := b.soon
		b.soon = nil
		b.soonMu.Unlock()
		if len(evs) == 0 {
			return
		}
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if err := b.Publish(pctx, evs...); err != nil {
			b.o.Log.Warn("live events not published", "events", len(evs), slog.Any("error", err))
		}
	}
	for {
		select {
		case <-b.send:
			flush(ctx)
		case <-ctx.Done():
			b.sending.Store(false)
			flush(context.WithoutCancel(ctx))
			return
		}
	}
}

// Run listens for other nodes' events until ctx ends, with PostgreSQL;
// without, it only waits for ctx. After a lost LISTEN connection it
// reconnects and tells its subscriptions to fetch afresh (KindResync),
// since events may have passed meanwhile.
func (b *Broker) Run(ctx context.Context) {
	if !b.pg {
		<-ctx.Done()
		return
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); b.sender(ctx) }()
	defer wg.Wait()
	for first := true; ctx.Err() == nil; first = false {
		err := b.listen(ctx, !first)
		if ctx.Err() != nil {
			return
		}
		b.o.Log.Warn("realtime notifications lost; reconnecting", slog.Any("error", err))
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

// listen holds one LISTEN connection and delivers what arrives on it.
func (b *Broker) listen(ctx context.Context, resync bool) error {
	conn, err := b.o.DB.W.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc, err := store.PgxConn(dc)
		if err != nil {
			return fmt.Errorf("realtime: listen: %w", err)
		}
		if _, err := pc.Exec(ctx, "LISTEN "+Channel); err != nil {
			return err
		}
		defer pc.Exec(context.WithoutCancel(ctx), "UNLISTEN "+Channel)
		b.readyO.Do(func() { close(b.ready) })
		if resync {
			b.deliver([]Event{{Kind: KindResync}})
		}
		for {
			n, err := pc.WaitForNotification(ctx)
			if err != nil {
				return err
			}
			evs, err := ParseEvents([]byte(n.Payload))
			if err != nil {
				b.o.Log.Warn("realtime notification ignored", slog.Any("error", err))
				continue
			}
			b.deliver(evs)
		}
	})
}

// Drain ends every subscription with ErrDraining, refuses new ones, and
// waits until every connection has told its client to reconnect and
// closed, or ctx ends. It is the first step of a graceful shutdown.
func (b *Broker) Drain(ctx context.Context) error {
	b.mu.Lock()
	b.draining = true
	subs := make([]*Sub, 0, len(b.subs))
	for s := range b.subs {
		subs = append(subs, s)
	}
	b.mu.Unlock()
	for _, s := range subs {
		b.drop(s, ErrDraining)
	}
	done := make(chan struct{})
	go func() { b.streams.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("realtime: drain: %w", ctx.Err())
	}
}
