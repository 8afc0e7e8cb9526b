package routing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/store"
)

// RingWindow is how far back an unanswered chat still rings: a visitor
// left waiting longer is no longer on the line.
const RingWindow = 24 * time.Hour

// maxRinging bounds the chats one agent's ring list reads.
const maxRinging = 200

// WaitingChat is an unanswered chat that rings for an agent.
type WaitingChat struct {
	ID        int64
	Subject   string
	CreatedAt time.Time
	Mine      bool // the agent owns it; else nobody does and they could take it
}

// Ringing is what rings for one agent: the unanswered chats they own,
// and those nobody owns that they could take now (active and online, a
// member of the chat's team or it has none, speaking its language or it
// has none, with room under their chat capacity); and whether they muted
// the sound.
type Ringing struct {
	Chats []WaitingChat
	Muted bool
}

// Ringing returns what rings for agent id, oldest chat first.
func (r *Router) Ringing(ctx context.Context, id int64) (Ringing, error) {
	var (
		out       Ringing
		available bool
		langs     string
		capacity  int
		load      int
	)
	err := r.o.DB.R.QueryRowContext(ctx, r.q.Get("chat-agent"), id).Scan(&available, &langs, &capacity, &load, &out.Muted)
	if errors.Is(err, sql.ErrNoRows) {
		return Ringing{}, fmt.Errorf("routing: agent %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return Ringing{}, fmt.Errorf("routing: ringing for %d: %w", id, err)
	}
	var spoken []string
	for _, l := range strings.Split(langs, ",") {
		if l = strings.TrimSpace(l); l != "" {
			spoken = append(spoken, l)
		}
	}
	teams := map[int64]bool{}
	rows, err := r.o.DB.R.QueryContext(ctx, r.q.Get("agent-teams"), id)
	if err != nil {
		return Ringing{}, fmt.Errorf("routing: ringing for %d: %w", id, err)
	}
	for rows.Next() {
		var t int64
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return Ringing{}, err
		}
		teams[t] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Ringing{}, err
	}
	canTake := available && load < capacity
	since := store.Millis(r.o.Clock.Now().Add(-RingWindow))
	rows, err = r.o.DB.R.QueryContext(ctx, r.q.Get("unanswered-chats"), since, maxRinging)
	if err != nil {
		return Ringing{}, fmt.Errorf("routing: ringing for %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var c WaitingChat
		var created, owner, team int64
		var lang string
		if err := rows.Scan(&c.ID, &c.Subject, &created, &owner, &team, &lang); err != nil {
			return Ringing{}, err
		}
		c.CreatedAt, c.Mine = store.Time(created), owner == id
		switch {
		case c.Mine:
		case owner != 0 || !canTake:
			continue
		case team != 0 && !teams[team]:
			continue
		case lang != "" && len(spoken) > 0 && !slices.Contains(spoken, lang):
			continue
		}
		out.Chats = append(out.Chats, c)
	}
	return out, rows.Err()
}

// SetChatMuted stores whether new chats ring for agent id with a sound
// (the badge shows them either way).
func (r *Router) SetChatMuted(ctx context.Context, id int64, muted bool) error {
	res, err := r.o.DB.W.ExecContext(ctx, r.q.Get("set-chat-muted"), id, muted)
	if err != nil {
		return fmt.Errorf("routing: mute chats of %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("routing: agent %d: %w", id, store.ErrNotFound)
	}
	return nil
}
