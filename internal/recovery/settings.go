package recovery

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/purchases"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// Settings are the business's compensation settings.
type Settings struct {
	// Currency of every compensation amount and limit (ISO 4217).
	Currency string
	// RequestDueHours is how long a request may wait for a manager before
	// the managers are notified.
	RequestDueHours int
}

// Settings returns the compensation settings.
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	return s.settings(ctx, s.o.DB.R)
}

func (s *Service) settings(ctx context.Context, q querier) (Settings, error) {
	var st Settings
	if err := q.QueryRowContext(ctx, s.q.Get("settings")).Scan(&st.Currency, &st.RequestDueHours); err != nil {
		return Settings{}, fmt.Errorf("recovery: settings: %w", err)
	}
	return st, nil
}

// MaxRequestDueHours is the longest a request may wait before managers are told.
const MaxRequestDueHours = 24 * 14

func checkSettings(st Settings, errs valid.Fields) Settings {
	cur, err := purchases.ParseCurrency(st.Currency)
	if err != nil {
		errs.Add("currency", purchases.MoneyMessage(err))
	}
	if st.RequestDueHours < 1 || st.RequestDueHours > MaxRequestDueHours {
		errs.Add("request_due_hours", valid.Msg("valid.hours_max", "must be between 1 and %d hours", MaxRequestDueHours))
	}
	st.Currency = cur
	return st
}

// SaveSettings checks and stores st.
func (s *Service) SaveSettings(ctx context.Context, st Settings) (Settings, error) {
	return s.SaveAll(ctx, st, nil)
}

// SaveAll checks st and every kind in ks, then stores them all in one
// transaction, or nothing when any of it is invalid. Kind fields are
// reported as kind_ID_name and kind_ID_ROLE_ticket / _month.
func (s *Service) SaveAll(ctx context.Context, st Settings, ks []Kind) (Settings, error) {
	errs := valid.Fields{}
	st = checkSettings(st, errs)
	args := make([][]any, len(ks))
	for i, k := range ks {
		args[i] = kindArgs(k, "kind_"+strconv.FormatInt(k.ID, 10)+"_", errs)
	}
	if err := errs.Err(); err != nil {
		return Settings{}, err
	}
	before, err := s.Settings(ctx)
	if err != nil {
		return Settings{}, err
	}
	now := store.Millis(s.now())
	err = s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.Get("save-settings"), st.Currency, st.RequestDueHours, now); err != nil {
			return err
		}
		if err := s.audit.RecordTx(ctx, tx, audit.Entry{Action: "settings.compensation", TargetKind: "settings",
			TargetID: "compensation", Before: before, After: struct {
				Settings Settings
				Kinds    []Kind
			}{st, ks}}); err != nil {
			return err
		}
		for i, k := range ks {
			res, err := tx.ExecContext(ctx, s.q.Get("save-kind"), append(args[i], now)...)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return fmt.Errorf("recovery: kind %d: %w", k.ID, store.ErrNotFound)
			}
		}
		return nil
	})
	if err != nil {
		return Settings{}, fmt.Errorf("recovery: save settings: %w", err)
	}
	return st, nil
}

// What each Kind's Kind does.
const (
	KindRefund      = "refund"      // of an order or part of it
	KindDiscount    = "discount"    // a discount code
	KindVoucher     = "voucher"     // a gift or voucher
	KindShipping    = "shipping"    // free shipping
	KindReplacement = "replacement" // not monetary
	KindOther       = "other"
)

// Limit is the most one role may grant without a manager: per ticket and
// per agent per calendar month, in minor units; nil is no limit.
type Limit struct {
	Ticket *int64
	Month  *int64
}

// Kind is a kind of compensation the business offers, with the limits of
// each role.
type Kind struct {
	ID       int64
	Kind     string // KindRefund, …
	Name     string // what the business calls it
	Monetary bool   // false: granted without an amount
	Active   bool
	Position int
	Limits   map[agent.Role]Limit
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

type scanner interface{ Scan(...any) error }

func scanKind(sc scanner) (Kind, error) {
	var k Kind
	var lim [6]sql.NullInt64
	if err := sc.Scan(&k.ID, &k.Kind, &k.Name, &k.Monetary, &k.Active, &k.Position,
		&lim[0], &lim[1], &lim[2], &lim[3], &lim[4], &lim[5]); err != nil {
		return Kind{}, err
	}
	ptr := func(v sql.NullInt64) *int64 {
		if !v.Valid {
			return nil
		}
		return &v.Int64
	}
	k.Limits = map[agent.Role]Limit{
		agent.RoleAgent:   {Ticket: ptr(lim[0]), Month: ptr(lim[1])},
		agent.RoleManager: {Ticket: ptr(lim[2]), Month: ptr(lim[3])},
		agent.RoleAdmin:   {Ticket: ptr(lim[4]), Month: ptr(lim[5])},
	}
	return k, nil
}

// Kinds lists the kinds of compensation in their order; only the active
// ones unless all.
func (s *Service) Kinds(ctx context.Context, all bool) ([]Kind, error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("kinds"))
	if err != nil {
		return nil, fmt.Errorf("recovery: kinds: %w", err)
	}
	defer rows.Close()
	out := []Kind{}
	for rows.Next() {
		k, err := scanKind(rows)
		if err != nil {
			return nil, fmt.Errorf("recovery: kinds: %w", err)
		}
		if all || k.Active {
			out = append(out, k)
		}
	}
	return out, rows.Err()
}

// Kind returns kind id, wrapping store.ErrNotFound when there is none.
func (s *Service) Kind(ctx context.Context, id int64) (Kind, error) {
	return s.kind(ctx, s.o.DB.R, id)
}

func (s *Service) kind(ctx context.Context, q querier, id int64) (Kind, error) {
	k, err := scanKind(q.QueryRowContext(ctx, s.q.Get("kind"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return Kind{}, fmt.Errorf("recovery: kind %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return Kind{}, fmt.Errorf("recovery: kind %d: %w", id, err)
	}
	return k, nil
}

// MaxName is the longest name of a kind.
const MaxName = 80

// kindArgs checks kind k, adding its errors (fields named prefix+name and
// prefix+ROLE_ticket / _month) to errs, and returns the arguments of
// save-kind but the time.
func kindArgs(k Kind, prefix string, errs valid.Fields) []any {
	name := strings.TrimSpace(k.Name)
	switch {
	case name == "":
		errs.Add(prefix+"name", valid.Msg("valid.required", "give the kind a name"))
	case utf8.RuneCountInString(name) > MaxName:
		errs.Add(prefix+"name", valid.Msg("valid.longer_than", "is longer than %d characters", MaxName))
	}
	args := []any{k.ID, name, k.Active}
	for _, r := range agent.Roles {
		l := k.Limits[r]
		for _, v := range []struct {
			field string
			v     *int64
		}{{prefix + string(r) + "_ticket", l.Ticket}, {prefix + string(r) + "_month", l.Month}} {
			if v.v != nil && *v.v < 0 {
				errs.Add(v.field, valid.Msg("valid.negative", "cannot be negative"))
			}
			if v.v == nil {
				args = append(args, nil)
			} else {
				args = append(args, *v.v)
			}
		}
	}
	return args
}

// SaveKind renames, activates or deactivates kind k.ID and sets its
// limits; what the kind does and whether it is monetary stay.
func (s *Service) SaveKind(ctx context.Context, k Kind) (Kind, error) {
	old, err := s.Kind(ctx, k.ID)
	if err != nil {
		return Kind{}, err
	}
	errs := valid.Fields{}
	args := kindArgs(k, "", errs)
	if err := errs.Err(); err != nil {
		return Kind{}, err
	}
	args = append(args, store.Millis(s.now()))
	if _, err := s.o.DB.W.ExecContext(ctx, s.q.Get("save-kind"), args...); err != nil {
		return Kind{}, fmt.Errorf("recovery: save kind %d: %w", k.ID, err)
	}
	k.Name, k.Kind, k.Monetary, k.Position = strings.TrimSpace(k.Name), old.Kind, old.Monetary, old.Position
	return k, nil
}
