package ticket

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/rapport/rapport/internal/search"
	"github.com/rapport/rapport/internal/store"
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
	relevance  bool // best match first: the default when the search has text
}

// sorts are the orders List knows. "oldest" is the oldest created first;
// "sla" the earliest SLA deadline first, tickets without one last.
var sorts = map[string]sortSpec{
	"updated":  {col: "updated_at", desc: true},
	"created":  {col: "created_at", desc: true},
	"oldest":   {col: "created_at"},
	"priority": {col: "updated_at", desc: true, byPriority: true},
	"sla":      {col: "sla_due_at", byDue: true},
	// relevance needs search text; without it the list is by updated.
	"relevance": {col: "updated_at", desc: true, relevance: true},
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

// List returns one page of tickets. Each page is found by walking an index
// of tickets in sort order from the cursor on — one branch per status (and
// per priority for the priority sort) merged by UNION ALL — so a page
// costs the same at the start and deep into a million tickets, and no
// page counts rows.
func (s *Service) List(ctx context.Context, o ListOptions) (Page, error) {
	reach, err := s.idx.ReachFor(ctx, search.Parse(o.Query).Terms)
	if err != nil {
		return Page{}, fmt.Errorf("ticket: list: %w", err)
	}
	lq, err := s.buildList(o, reach)
	if err != nil {
		return Page{}, err
	}
	for _, c := range lq.counts {
		var n int
		if err := s.o.DB.R.QueryRowContext(ctx, c.sql, c.args...).Scan(&n); err != nil {
			return Page{}, fmt.Errorf("ticket: list: count filtered: %w", err)
		}
		if n < fewFiltered {
			if lq, err = s.buildListPlan(o, reach, true); err != nil {
				return Page{}, err
			}
			break
		}
	}
	if lq.sql == "" {
		return Page{Tickets: []Ticket{}}, nil
	}
	args := lq.args
	if lq.relevance {
		args = s.o.DB.PlannedEachRun(args)
	}
	rows, err := s.o.DB.R.QueryContext(ctx, lq.sql, args...)
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
		if lq.relevance {
			t.Rank = float64(c.key) / 1e6
		}
		out.Tickets = append(out.Tickets, t)
	}
	if err := rows.Err(); err != nil {
		return Page{}, fmt.Errorf("ticket: list: %w", err)
	}
	rows.Close()
	if err := s.loadTags(ctx, out.Tickets); err != nil {
		return Page{}, fmt.Errorf("ticket: list: tags: %w", err)
	}
	if err := s.addSnippets(ctx, o.Query, out.Tickets); err != nil {
		return Page{}, fmt.Errorf("ticket: list: %w", err)
	}
	return out, nil
}

// addSnippets gives each ticket of a search with text the passage of its
// document that matched.
func (s *Service) addSnippets(ctx context.Context, query string, ts []Ticket) error {
	sq := search.Parse(query)
	if !sq.HasText() || len(ts) == 0 {
		return nil
	}
	ids := make([]int64, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	snips, err := s.idx.Snippets(ctx, search.KindTicket, sq.Terms, ids)
	if err != nil {
		return err
	}
	for i := range ts {
		ts[i].Snippet = snips[ts[i].ID]
	}
	return nil
}

// builtList is the query of one List call; sql is "" when the options
// select nothing and the page is empty without asking the database.
type builtList struct {
	sql   string
	args  []any
	limit int
	sort  string // o.Sort with its default filled in, for the cursors
	// relevance: the page is in rank order, k its rank.
	relevance bool
	// counts count, up to fewFiltered, the tickets each indexed filter
	// keeps; fewer in any, and the query is to start from the tickets the
	// filters keep (buildListPlan with fromTickets).
	counts []filterCount
}

// buildList checks o and builds the query List runs for it; reach is how
// a search with text reaches its matches (search.Index.ReachFor, which
// List asks first). It is apart from List so that tests can read the
// query plan of exactly that query.
//
// The query is made in four steps: the options are checked and defaulted
// (checkListOptions); the statuses and rank groups say which keyset
// branches there are (branchStatuses, rankGroups); the filters become the
// conditions every branch shares (addFilters); and each branch adds its
// own status, rank and cursor conditions (branchWriter) before the
// branches are merged into one page (mergeBranches).
func (s *Service) buildList(o ListOptions, reach search.Reach) (builtList, error) {
	return s.buildListPlan(o, reach, false)
}

// buildListPlan is buildList; fromTickets starts a ranked search on SQLite
// from the tickets the filters keep (searchBranch). Without it, such a
// search with indexed filters comes with the queries that count the
// tickets they keep (filteredCounts).
func (s *Service) buildListPlan(o ListOptions, reach search.Reach, fromTickets bool) (builtList, error) {
	lo, err := checkListOptions(o)
	if err != nil {
		return builtList{}, err
	}
	statuses, ok := branchStatuses(lo.o, lo.sort)
	if !ok {
		return builtList{}, nil // the filter and the view exclude each other
	}
	groups := rankGroups(lo.sort, lo.o.Priority)

	q := &listQuery{}
	q.addFilters(lo.o, lo.sort, s.idx)
	if lo.sort.relevance {
		page := q.searchBranch(search.Parse(lo.o.Query), s.idx, reach, statuses, lo.cur, lo.limit, fromTickets)
		sqlText := strings.Replace(s.q.Get("list-tickets"), "(/*page*/)", "("+page+")", 1)
		sqlText = strings.Replace(sqlText, "BY /*order*/", "BY "+pageOrder("p.", " DESC", lo.limit), 1)
		bl := builtList{sql: sqlText, args: q.args, limit: lo.limit, sort: lo.o.Sort, relevance: true}
		if !fromTickets && s.o.DB != nil && s.o.DB.Dialect == store.SQLite {
			bl.counts = filteredCounts(s.q.Get("count-filtered"), lo.o, statuses)
		}
		return bl, nil
	}
	bw := &branchWriter{q: q, sp: lo.sort, cur: lo.cur, limit: lo.limit}
	var branches []string
	for _, st := range statuses {
		for _, g := range groups {
			if b, ok := bw.branch(st, g); ok {
				branches = append(branches, b)
			}
		}
	}
	if len(branches) == 0 {
		return builtList{}, nil
	}
	dir, _ := lo.sort.direction()
	sqlText := strings.Replace(s.q.Get("list-tickets"), "(/*page*/)", "("+mergeBranches(branches, dir, lo.limit)+")", 1)
	sqlText = strings.Replace(sqlText, "BY /*order*/", "BY "+pageOrder("p.", dir, lo.limit), 1)
	return builtList{sql: sqlText, args: q.args, limit: lo.limit, sort: lo.o.Sort}, nil
}

// checkedOptions are ListOptions checked: with their defaults filled in, the
// sort they name, the decoded cursor (nil on the first page) and the page
// size.
type checkedOptions struct {
	o     ListOptions
	sort  sortSpec
	cur   *cursor
	limit int
}

// checkListOptions fills in the defaults of o (view open, sort updated,
// DefaultLimit rows, at most MaxLimit) and checks every field, reporting
// all problems at once.
func checkListOptions(o ListOptions) (checkedOptions, error) {
	errs := valid.Fields{}
	if o.View == "" {
		o.View = ViewOpen
	}
	if _, ok := viewStatuses[o.View]; !ok {
		errs.Add("view", valid.Msg("valid.choice", "must be one of mine, unassigned, open, pending, snoozed, solved, all"))
	}
	if o.View == ViewMine && o.ViewerID <= 0 {
		errs.Add("view", valid.Msg("valid.mine_agent", "mine needs the viewing agent"))
	}
	hasText := search.Parse(o.Query).HasText()
	if o.Sort == "" && hasText {
		o.Sort = "relevance"
	}
	if o.Sort == "" || (o.Sort == "relevance" && !hasText) {
		o.Sort = "updated"
	}
	sp, ok := sorts[o.Sort]
	if !ok {
		errs.Add("sort", valid.Msg("valid.choice", "must be one of updated, created, oldest, priority, sla, relevance"))
	}
	if o.Status != "" && !slices.Contains(Statuses, o.Status) {
		errs.Add("status", valid.Msg("valid.choice", "must be one of new, open, pending, solved, closed"))
	}
	if o.Priority != "" && !slices.Contains(Priorities, o.Priority) {
		errs.Add("priority", valid.Msg("valid.choice", "must be one of low, normal, high, urgent"))
	}
	if o.Kind != "" && !slices.Contains(Kinds, o.Kind) {
		errs.Add("kind", valid.OneOf(Kinds))
	}
	if o.Channel != "" && !slices.Contains(Channels, o.Channel) {
		errs.Add("channel", valid.OneOf(Channels))
	}
	var cur *cursor
	if o.Cursor != "" {
		c, ok := decodeCursor(o.Cursor, o.Sort)
		if !ok {
			errs.Add("cursor", valid.Msg("valid.cursor", "is not a cursor of this list; start again from the first page"))
		}
		cur = &c
	}
	if err := errs.Err(); err != nil {
		return checkedOptions{}, err
	}
	limit := o.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	return checkedOptions{o: o, sort: sp, cur: cur, limit: min(limit, MaxLimit)}, nil
}
