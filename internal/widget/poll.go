package widget

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/rapport/rapport/internal/chat"
	"github.com/rapport/rapport/internal/realtime"
)

// DefaultPollWait is how long a long-poll waits for something to send:
// under the usual 30 to 60 s idle timeouts of proxies.
const DefaultPollWait = 25 * time.Second

// polled is a long-poll's answer: the messages after ?after=, whether the
// chat ended, how far the agents have read, and the agents' typing when
// it changed.
type polled struct {
	Messages []chat.Message `json:"messages"`
	Ended    bool           `json:"ended"`
	Read     int64          `json:"read"`
	Typing   *bool          `json:"typing,omitempty"`
	Ticket   bool           `json:"ticket"`
}

// poll serves GET …/poll?after=ID, the fallback for networks where
// neither a WebSocket nor an event stream gets through (a proxy that
// buffers responses): it answers at once when there are messages after ID
// or the chat has ended, else waits until one comes, the agents' typing or
// read state changes, or PollWait passes (an empty answer). The widget
// asks again with the last id it saw, so a message is neither lost nor
// sent twice. A draining node answers 503 with Retry-After, and the
// widget asks again, from another node.
func (h *Handler) poll(w http.ResponseWriter, r *http.Request, c *call) error {
	b := h.o.Chat.Broker()
	if b == nil {
		return errNoService
	}
	after, err := afterParam(r)
	if err != nil {
		return err
	}
	// Subscribe before reading, so that nothing stored in between is missed.
	sub, err := b.Subscribe(forChat(c.sess.TicketID))
	if err != nil {
		w.Header().Set("Retry-After", "1")
		return errNoService
	}
	defer sub.Close()
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(h.o.PollWait + writeTimeout))
	ctx := r.Context()
	res := polled{Read: c.sess.AgentRead, Ticket: c.sess.TicketID != 0}
	fetch := func() error {
		msgs, err := h.o.Chat.Messages(ctx, c.sess, after)
		if err != nil {
			return err
		}
		st, err := h.o.Chat.TicketStatus(ctx, c.sess)
		if err != nil {
			return err
		}
		res.Messages, res.Ended = msgs, chat.Ended(st)
		return nil
	}
	if err := fetch(); err != nil {
		return gone(ctx, err)
	}
	wait := time.NewTimer(h.o.PollWait)
	defer wait.Stop()
	for len(res.Messages) == 0 && !res.Ended && res.Typing == nil && res.Read == c.sess.AgentRead {
		select {
		case ev := <-sub.Events():
			switch ev.Kind {
			case realtime.KindTyping:
				typing := ev.Typing
				res.Typing = &typing
			case realtime.KindRead:
				res.Read = max(res.Read, ev.Message)
			default: // a message, a status, a resync
				if err := fetch(); err != nil {
					return gone(ctx, err)
				}
			}
		case <-sub.Done():
			if err := fetch(); err != nil {
				return gone(ctx, err)
			}
			if len(res.Messages) == 0 && errors.Is(sub.Err(), realtime.ErrDraining) {
				w.Header().Set("Retry-After", "1")
				return errNoService
			}
			return h.answerPoll(w, res)
		case <-wait.C:
			return h.answerPoll(w, res)
		case <-ctx.Done():
			return nil
		}
	}
	return h.answerPoll(w, res)
}

// gone is err, or nil when the visitor went away (the widget gave up the
// ask, the network was cut): nothing to answer and nothing to log.
func gone(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

func (h *Handler) answerPoll(w http.ResponseWriter, res polled) error {
	if res.Messages == nil {
		res.Messages = []chat.Message{}
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
