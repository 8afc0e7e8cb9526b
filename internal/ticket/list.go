package ticket

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/rapport/rapport/internal/valid"
)

// Paging limits of List.
const (
	DefaultLimit = 25
	MaxLimit     = 100
)

// sortSpec is how one List sort orders tickets: by col (then id) in one
// direction, after the priority rank when byPriority, after whether a
// deadline runs when byDue.
type sortSpec struct {
	col        string // "updated_at", "created_at" or "sla_due_at"
	desc       bool
	byPriority bool
	byDue      bool
}

// sorts are the orders List knows. "oldest" is the oldest created first;
// "sla" the earliest SLA deadline first, tickets without one last.
var sorts = map[string]sortSpec{
	"updated":  {col: "updated_at", desc: true},
	"created":  {col: "created_at", desc: true},
	"oldest":   {col: "created_at"},
	"priority": {col: "updated_at", desc: true, byPriority: true},
	"sla":      {col: "sla_due_at", byDue: true},
}

// Ranks of the "sla" sort's two branches.
const (
	rankDue   = 0 // tickets with a running deadline, by deadline
	rankNoDue = 1 // tickets without one, by number
)

// priorityRank orders priorities for the "priority" sort: urgent first.
var priorityRank = map[string]int{Urgent: 0, High: 1, Normal: 2, Low: 3}

// viewStatuses are the statuses each view shows; nil means all.
var viewStatuses = map[string][]Status{
	ViewMine:       {New, Open, Pending},
	ViewUnassigned: {New, Open},
	ViewOpen:       {New, Open},
	ViewPending:    {Pending},
	ViewSolved:     {Solved, Closed},
	ViewAll:        nil,
	ViewSnoozed:    {New, Open, Pending},
}

// awakeViews are the views that leave snoozed tickets out until they wake.
var awakeViews = []string{ViewMine, ViewUnassigned, ViewOpen, ViewPending}

// cursor is the position after the last row of a page: its sort key and
// id (and priority rank), tied to the sort it came from.
type cursor struct {
	sort string
	rank int
	key  int64
	id   int64
}

func (c cursor) encode() string {
	s := fmt.Sprintf("%s.%d.%d.%d", c.sort, c.rank, c.key, c.id)
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

func decodeCursor(s, sort string) (cursor, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, false
	}
	parts := strings.Split(string(b), ".")
	if len(parts) != 4 || parts[0] != sort {
		return cursor{}, false
	}
	c := cursor{sort: sort}
	var e1, e2, e3 error
	c.rank, e1 = strconv.Atoi(parts[1])
	c.key, e2 = strconv.ParseInt(parts[2], 10, 64)
	c.id, e3 = strconv.ParseInt(parts[3], 10, 64)
	if e1 != nil || e2 != nil || e3 != nil || c.rank < 0 || c.rank > 3 || c.id <= 0 {
		return cursor{}, false
	}
	return c, true
}

// listQuery builds the SQL of one List call: shared conditions plus one
// keyset branch per (status, priority) pair the index is walked by.
type listQuery struct {
	args  []any
	conds []string
}

// arg binds v and returns its placeholder.
func (q *listQuery) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

func (q *listQuery) where(format string, v ...any) {
	q.conds = append(q.conds, fmt.Sprintf(format, v...))
}

// likePattern is a LIKE pattern matching s anywhere, with the wildcards
// in s escaped (ESCAPE '\').
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// queryID reads "#123" or "123" as a ticket number.
func queryID(q string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimPrefix(q, "#"), 10, 64)
	return n, err == nil && n > 0
}

// List returns one page of tickets. Each page is found by walking an index
// of tickets in sort order from the cursor on — one branch per status (and
// per priority for the priority sort) merged by UNION ALL — so a page
// costs the same at the start and deep into a million tickets, and no
// page counts rows.
func (s *Service) List(ctx context.Context, o ListOptions) (Page, error) {
	lq, err := s.buildList(o)
	if err != nil {
		return Page{}, err
	}
	if lq.sql == "" {
		return Page{Tickets: []Ticket{}}, nil
	}
	rows, err := s.o.DB.R.QueryContext(ctx, lq.sql, lq.args...)
	if err != nil {
		return Page{}, fmt.Errorf("ticket: list: %w", err)
	}
	defer rows.Close()
	out := Page{Tickets: make([]Ticket, 0, lq.limit)}
	var last cursor
	for rows.Next() {
		var c cursor
		t, err := scanTicket(rows, &c.rank, &c.key)
		if err != nil {
			return Page{}, fmt.Errorf("ticket: list: %w", err)
		}
		if len(out.Tickets) == lq.limit {
			out.NextCursor = last.encode()
			break
		}
		c.sort, c.id = lq.sort, t.ID
		last = c
		out.Tickets = append(out.Tickets, t)
	}
	if err := rows.Err(); err != nil {
		return Page{}, fmt.Errorf("ticket: list: %w", err)
	}
	rows.Close()
	if err := s.loadTags(ctx, out.Tickets); err != nil {
		return Page{}, fmt.Errorf("ticket: list: tags: %w", err)
	}
	return out, nil
}

// builtList is the query of one List call; sql is "" when the options
// select nothing and the page is empty without asking the database.
type builtList struct {
	sql   string
	args  []any
	limit int
	sort  string // o.Sort with its default filled in, for the cursors
}

// buildList checks o and builds the query List runs for it. It is apart
// from List so that tests can read the query plan of exactly that query.
func (s *Service) buildList(o ListOptions) (builtList, error) {
	errs := valid.Errors{}
	if o.View == "" {
		o.View = ViewOpen
	}
	statuses, ok := viewStatuses[o.View]
	if !ok {
		errs.Add("view", "must be one of mine, unassigned, open, pending, snoozed, solved, all")
	}
	if o.View == ViewMine && o.ViewerID <= 0 {
		errs.Add("view", "mine needs the viewing agent")
	}
	if o.Sort == "" {
		o.Sort = "updated"
	}
	sp, ok := sorts[o.Sort]
	if !ok {
		errs.Add("sort", "must be one of updated, created, oldest, priority, sla")
	}
	if o.Status != "" && !slices.Contains(Statuses, o.Status) {
		errs.Add("status", "must be one of new, open, pending, solved, closed")
	}
	if o.Priority != "" && !slices.Contains(Priorities, o.Priority) {
		errs.Add("priority", "must be one of low, normal, high, urgent")
	}
	if o.Kind != "" && !slices.Contains(Kinds, o.Kind) {
		errs.Add("kind", "must be one of "+strings.Join(Kinds, ", "))
	}
	if o.Channel != "" && !slices.Contains(Channels, o.Channel) {
		errs.Add("channel", "must be one of "+strings.Join(Channels, ", "))
	}
	var cur *cursor
	if o.Cursor != "" {
		c, ok := decodeCursor(o.Cursor, o.Sort)
		if !ok {
			errs.Add("cursor", "is not a cursor of this list; start again from the first page")
		}
		cur = &c
	}
	if err := errs.Err(); err != nil {
		return builtList{}, err
	}
	limit := o.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)

	if o.Status != "" {
		if statuses != nil && !slices.Contains(statuses, o.Status) {
			return builtList{}, nil // the filter and the view exclude each other
		}
		statuses = []Status{o.Status}
	}
	// With an owner or team, the (owner|team, status, updated_at, id)
	// indexes give the order only one status at a time, so branch by status.
	if statuses == nil && (sp.byPriority || sp.byDue || (sp.col == "updated_at" && (o.View == ViewMine || o.View == ViewUnassigned || o.OwnerID != 0 || o.TeamID != 0))) {
		statuses = Statuses
	}
	// A rank group is one branch per status: a priority for the priority
	// sort; with or without a deadline for the sla sort, which keeps the
	// tickets without one last on both databases (SQLite sorts NULL first,
	// PostgreSQL last) and lets each branch walk the (status, sla_due_at,
	// id) index.
	type rankGroup struct {
		rank     int
		priority string
		due      bool // sla sort: the branch of tickets with a deadline
		noDue    bool // sla sort: the branch of tickets without one
	}
	groups := []rankGroup{{}}
	switch {
	case sp.byPriority:
		groups = nil
		for _, pr := range Priorities {
			if o.Priority == "" || o.Priority == pr {
				groups = append(groups, rankGroup{rank: priorityRank[pr], priority: pr})
			}
		}
	case sp.byDue:
		groups = []rankGroup{{rank: rankDue, due: true}, {rank: rankNoDue, noDue: true}}
	}

	q := &listQuery{}
	switch o.View {
	case ViewMine:
		q.where("t.owner_id = %s", q.arg(o.ViewerID))
	case ViewUnassigned:
		q.where("t.owner_id IS NULL")
	case ViewSnoozed:
		q.where("t.snoozed_until IS NOT NULL")
	}
	if slices.Contains(awakeViews, o.View) {
		q.where("t.snoozed_until IS NULL")
	}
	if o.OwnerID != 0 {
		q.where("t.owner_id = %s", q.arg(o.OwnerID))
	}
	if o.TeamID != 0 {
		q.where("t.team_id = %s", q.arg(o.TeamID))
	}
	if o.CustomerID != 0 {
		q.where("t.customer_id = %s", q.arg(o.CustomerID))
	}
	if o.Priority != "" && !sp.byPriority {
		q.where("t.priority = %s", q.arg(o.Priority))
	}
	if o.Kind != "" {
		q.where("t.kind = %s", q.arg(o.Kind))
	}
	if o.Channel != "" {
		q.where("t.channel = %s", q.arg(o.Channel))
	}
	if lang := strings.ToLower(strings.TrimSpace(o.Language)); lang != "" {
		q.where("t.language = %s", q.arg(lang))
	}
	if tag := normTag(o.Tag); tag != "" {
		q.where("EXISTS (SELECT 1 FROM ticket_tags tt WHERE tt.ticket_id = t.id AND tt.tag = %s)", q.arg(tag))
	}
	if text := strings.TrimSpace(o.Query); text != "" {
		p := q.arg(likePattern(text))
		match := fmt.Sprintf(`lower(t.subject) LIKE lower(%[1]s) ESCAPE '\'`+
			` OR EXISTS (SELECT 1 FROM customers qc WHERE qc.id = t.customer_id AND lower(qc.name) LIKE lower(%[1]s) ESCAPE '\')`+
			` OR EXISTS (SELECT 1 FROM customer_identities qi WHERE qi.customer_id = t.customer_id AND lower(qi.value) LIKE lower(%[1]s) ESCAPE '\')`, p)
		if id, ok := queryID(text); ok {
			match = fmt.Sprintf("t.id = %s OR %s", q.arg(id), match)
		}
		q.where("(%s)", match)
	}

	dir, cmp := "", ">"
	if sp.desc {
		dir, cmp = " DESC", "<"
	}
	// Every placeholder must be used: PostgreSQL cannot type an unused one.
	// So a branch binds its arguments only once it is known to be kept, and
	// the cursor's only when a branch needs them.
	var keyArg, idArg string
	bindKey := func() string {
		if keyArg == "" {
			keyArg = q.arg(cur.key)
		}
		return keyArg
	}
	bindID := func() string {
		if idArg == "" {
			idArg = q.arg(cur.id)
		}
		return idArg
	}
	branch := func(status Status, g rankGroup) (string, bool) {
		keyset := cur != nil
		if cur != nil && (g.priority != "" || g.due || g.noDue) {
			if g.rank < cur.rank {
				return "", false // wholly before the cursor
			}
			keyset = g.rank == cur.rank
		}
		conds := slices.Clone(q.conds)
		if status != "" {
			conds = append(conds, "t.status = "+q.arg(string(status)))
		}
		if g.priority != "" {
			conds = append(conds, "t.priority = "+q.arg(g.priority))
		}
		key := "t." + sp.col
		switch {
		case g.due:
			conds = append(conds, key+" IS NOT NULL")
		case g.noDue:
			// All keys are NULL here: the order is by id alone, the
			// page's key a constant.
			conds = append(conds, key+" IS NULL")
			key = "0"
		}
		if keyset {
			if g.noDue {
				conds = append(conds, fmt.Sprintf("t.id %s %s", cmp, bindID()))
			} else {
				conds = append(conds, fmt.Sprintf("(t.%s, t.id) %s (%s, %s)", sp.col, cmp, bindKey(), bindID()))
			}
		}
		where := ""
		if len(conds) > 0 {
			where = " WHERE " + strings.Join(conds, " AND ")
		}
		return fmt.Sprintf("SELECT t.id AS id, %d AS r, %s AS k FROM tickets t%s ORDER BY t.%s%s, t.id%s LIMIT %d",
			g.rank, key, where, sp.col, dir, dir, limit+1), true
	}
	// A nil list does not branch on status: one branch without it.
	stList := statuses
	if stList == nil {
		stList = []Status{""}
	}
	var branches []string
	for _, st := range stList {
		for _, g := range groups {
			if b, ok := branch(st, g); ok {
				branches = append(branches, b)
			}
		}
	}
	if len(branches) == 0 {
		return builtList{}, nil
	}
	page := branches[0]
	if len(branches) > 1 {
		for i, b := range branches {
			branches[i] = fmt.Sprintf("SELECT * FROM (%s) b%d", b, i)
		}
		// Merge and cut the branches before the joins, so that the joins
		// see one page of ids and no planner is tempted to scan tickets.
		page = fmt.Sprintf("SELECT * FROM (%s) u ORDER BY r, k%s, id%s LIMIT %d",
			strings.Join(branches, " UNION ALL "), dir, dir, limit+1)
	}
	order := fmt.Sprintf("p.r, p.k%s, p.id%s LIMIT %d", dir, dir, limit+1)
	sqlText := strings.Replace(s.q.Get("list-tickets"), "(/*page*/)", "("+page+")", 1)
	sqlText = strings.Replace(sqlText, "BY /*order*/", "BY "+order, 1)
	return builtList{sql: sqlText, args: q.args, limit: limit, sort: o.Sort}, nil
}
