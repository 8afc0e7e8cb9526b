package ticket

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/rapport/rapport/internal/search"
	"github.com/rapport/rapport/internal/store"
)

// This file builds the SQL of the inbox (List): the conditions of the
// filters, one keyset branch per status and rank group, and the merge of
// the branches into one page. buildList in list.go puts them together.

// listQuery collects the arguments of one List query and the conditions
// every branch of it shares.
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

// addFilters adds the conditions of o's view and filters, binding their
// arguments in a fixed order. The status is not among them: each branch
// has its own. The priority is not either under the priority sort, where
// it picks the branches instead.
func (q *listQuery) addFilters(o ListOptions, sp sortSpec, idx *search.Index) {
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
	if o.ID != 0 {
		q.where("t.id = %s", q.arg(o.ID))
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
	if !o.CreatedFrom.IsZero() {
		q.where("t.created_at >= %s", q.arg(store.Millis(o.CreatedFrom)))
	}
	if !o.CreatedBefore.IsZero() {
		q.where("t.created_at < %s", q.arg(store.Millis(o.CreatedBefore)))
	}
	q.addSearch(search.Parse(o.Query), idx, sp.relevance)
}

// addSearch adds the conditions of the search box's query sq: the number,
// the customer's address or phone (by the identities' unique index, never
// a scan), the tags, and the text, by the full-text index. Under the
// relevance sort the text is the branch's own source instead (searchBranch).
func (q *listQuery) addSearch(sq search.Query, idx *search.Index, relevance bool) {
	if len(sq.Numbers) > 0 {
		ps := make([]string, len(sq.Numbers))
		for i, n := range sq.Numbers {
			ps[i] = q.arg(n)
		}
		q.where("t.id IN (%s)", strings.Join(ps, ", "))
	}
	if len(sq.From) > 0 {
		ors := make([]string, len(sq.From))
		for i, v := range sq.From {
			kind := "phone"
			if strings.Contains(v, "@") {
				kind = "email"
			}
			ors[i] = fmt.Sprintf("(qi.kind = '%s' AND qi.value = %s)", kind, q.arg(v))
		}
		q.where("t.customer_id IN (SELECT qi.customer_id FROM customer_identities qi WHERE %s)", strings.Join(ors, " OR "))
	}
	for _, tag := range sq.Tags {
		if tag = normTag(tag); tag != "" {
			q.where("EXISTS (SELECT 1 FROM ticket_tags tt WHERE tt.ticket_id = t.id AND tt.tag = %s)", q.arg(tag))
		}
	}
	switch {
	case sq.HasText() && !relevance:
		q.where("t.id IN (SELECT m.ref FROM (%s) m)", idx.Matched(search.KindTicket, sq.Terms, sq.Not, q.arg))
	case !sq.HasText() && len(sq.Not) > 0:
		q.where("t.id NOT IN (SELECT m.ref FROM (%s) m)", idx.Matched(search.KindTicket, sq.Not, nil, q.arg))
	}
}

// rankedMatches is how many matching tickets the relevance sort ranks: the
// newest that pass the filters. Ranking every match of a word that is in
// most tickets would cost seconds at a million; a word in fewer tickets
// than this is ranked in all of them. 250: at 1,000 a word in most tickets took 104–184 ms on SQLite at 100k tickets (docs/PERFORMANCE.md).
const rankedMatches = 250

// searchBranch is the one branch of the relevance sort: the newest
// rankedMatches tickets the full-text index finds for sq that pass the
// filters, best first, from the cursor on, reached as reach says
// (search.Index.ReachFor).
//
// fromTickets starts the query from the tickets the filters keep, each
// one's document checked against the index (search.MatchPartsAfter): the
// cheaper order on SQLite when the filters keep few tickets (fewFiltered),
// where walking a common word's matches newest first could pass most of
// the index before finding those tickets' documents. The page is the
// same either way.
func (q *listQuery) searchBranch(sq search.Query, idx *search.Index, reach search.Reach, statuses []Status, cur *cursor, limit int, fromTickets bool) string {
	conds := slices.Clone(q.conds)
	if len(statuses) > 0 && statuses[0] != "" {
		ps := make([]string, len(statuses))
		for i, st := range statuses {
			ps[i] = q.arg(string(st))
		}
		conds = append(conds, "t.status IN ("+strings.Join(ps, ", ")+")")
	}
	var src string
	if fromTickets {
		mp := idx.MatchPartsAfter(search.KindTicket, "t.id", sq.Terms, sq.Not, q.arg)
		src = fmt.Sprintf("SELECT t.id AS id, CAST(%s * 1000000 AS BIGINT) AS k FROM tickets t CROSS JOIN %s WHERE %s ORDER BY %s LIMIT %d",
			mp.Rank, mp.From, strings.Join(append([]string{mp.Where}, conds...), " AND "), mp.Newest, rankedMatches)
	} else {
		src = idx.NewestMatches(search.KindTicket, sq.Terms, sq.Not, q.arg, "JOIN tickets t ON t.id = d.ref_id", conds, rankedMatches, reach)
	}
	after := ""
	if cur != nil {
		after = fmt.Sprintf(" WHERE (m.k < %s OR (m.k = %[1]s AND m.id < %s))", q.arg(cur.key), q.arg(cur.id))
	}
	return fmt.Sprintf("SELECT m.id AS id, 0 AS r, m.k AS k FROM (%s) m%s ORDER BY m.k DESC, m.id DESC LIMIT %d",
		src, after, limit+1)
}

// fewFiltered is how many tickets a ranked search's filters may keep for
// the search to start from them on SQLite (searchBranch's fromTickets):
// checking a document against the index costs up to about 70 µs (a
// scattered one, a word in every ticket, sqlite3 shell at 1M tickets), so
// 500 of them stay within the search's goal, while a walk of the newest
// matches of such a word for an agent with no ticket read all million
// (13 s).
const fewFiltered = 500

// filterCount is a query counting, up to fewFiltered, the tickets one
// indexed filter keeps, with its arguments.
type filterCount struct {
	sql  string
	args []any
}

// filteredCounts returns a count (filterCount) for each of o's filters
// that an index of tickets finds, with the statuses: the owner (or the
// mine view's agent), no owner (the unassigned view), the team, the
// customer, and the statuses alone when they are not all. Each reads at most fewFiltered rows of
// its index, whatever the other filters; any of them under fewFiltered
// bounds the tickets all the filters keep. Filters without such an index
// (language, channel, dates, tags) are left out: counting them could read
// every ticket.
func filteredCounts(tmpl string, o ListOptions, statuses []Status) []filterCount {
	var conds []func(q *listQuery) string
	if o.View == ViewMine {
		conds = append(conds, func(q *listQuery) string { return "t.owner_id = " + q.arg(o.ViewerID) })
	}
	if o.View == ViewUnassigned {
		conds = append(conds, func(*listQuery) string { return "t.owner_id IS NULL" })
	}
	if o.OwnerID != 0 {
		conds = append(conds, func(q *listQuery) string { return "t.owner_id = " + q.arg(o.OwnerID) })
	}
	if o.TeamID != 0 {
		conds = append(conds, func(q *listQuery) string { return "t.team_id = " + q.arg(o.TeamID) })
	}
	if o.CustomerID != 0 {
		conds = append(conds, func(q *listQuery) string { return "t.customer_id = " + q.arg(o.CustomerID) })
	}
	byStatus := len(statuses) > 0 && statuses[0] != ""
	if byStatus && len(statuses) < len(Statuses) {
		conds = append(conds, func(*listQuery) string { return "" })
	}
	var out []filterCount
	for _, cond := range conds {
		c := &listQuery{}
		if w := cond(c); w != "" {
			c.where("%s", w)
		}
		if byStatus {
			ps := make([]string, len(statuses))
			for i, st := range statuses {
				ps[i] = c.arg(string(st))
			}
			c.where("t.status IN (%s)", strings.Join(ps, ", "))
		}
		sqlText := strings.Replace(tmpl, "/*conds*/", strings.Join(c.conds, " AND "), 1)
		sqlText = strings.Replace(sqlText, "/*limit*/", c.arg(fewFiltered), 1)
		out = append(out, filterCount{sql: sqlText, args: c.args})
	}
	return out
}

// branchStatuses returns the statuses the query has one branch each for;
// []Status{""} is one branch that does not look at the status. ok is false
// when o's status filter and its view exclude each other.
//
// With an owner or team, the (owner|team, status, updated_at, id) indexes
// give the order only one status at a time, so such queries branch by
// status even in views that show every status; so do the priority and sla
// sorts, whose indexes all begin with the status.
func branchStatuses(o ListOptions, sp sortSpec) (statuses []Status, ok bool) {
	statuses = viewStatuses[o.View]
	if o.Status != "" {
		if statuses != nil && !slices.Contains(statuses, o.Status) {
			return nil, false
		}
		statuses = []Status{o.Status}
	}
	if statuses == nil && (sp.byPriority || sp.byDue || (sp.col == "updated_at" && (o.View == ViewMine || o.View == ViewUnassigned || o.OwnerID != 0 || o.TeamID != 0))) {
		statuses = Statuses
	}
	if statuses == nil {
		statuses = []Status{""}
	}
	return statuses, true
}

// rankGroup is one branch per status: a priority for the priority sort;
// with or without a deadline for the sla sort, which keeps the tickets
// without one last on both databases (SQLite sorts NULL first, PostgreSQL
// last) and lets each branch walk the (status, sla_due_at, id) index.
// Other sorts have the one zero group.
type rankGroup struct {
	rank     int
	priority string
	due      bool // sla sort: the branch of tickets with a deadline
	noDue    bool // sla sort: the branch of tickets without one
}

// ranked reports whether g is one of several groups the cursor's rank
// tells apart.
func (g rankGroup) ranked() bool { return g.priority != "" || g.due || g.noDue }

// rankGroups returns the rank groups of sort sp, in rank order. Under the
// priority sort a priority filter keeps only its own group.
func rankGroups(sp sortSpec, priority string) []rankGroup {
	switch {
	case sp.byPriority:
		var groups []rankGroup
		for _, pr := range Priorities {
			if priority == "" || priority == pr {
				groups = append(groups, rankGroup{rank: priorityRank[pr], priority: pr})
			}
		}
		return groups
	case sp.byDue:
		return []rankGroup{{rank: rankDue, due: true}, {rank: rankNoDue, noDue: true}}
	}
	return []rankGroup{{}}
}

// direction returns the ORDER BY suffix of sp and the comparison that
// finds the rows after a cursor.
func (sp sortSpec) direction() (dir, cmp string) {
	if sp.desc {
		return " DESC", "<"
	}
	return "", ">"
}

// branchWriter writes the keyset branches of one List query on top of its
// shared conditions.
//
// Every placeholder must be used: PostgreSQL cannot type an unused one. So
// a branch binds its arguments only once it is known to be kept, and the
// cursor's key and id only when a branch needs them, once for all
// branches.
type branchWriter struct {
	q     *listQuery
	sp    sortSpec
	cur   *cursor // nil on the first page
	limit int

	keyArg, idArg string // the cursor's placeholders, once bound
}

// branch returns the SELECT of the tickets of one status and rank group,
// in sort order from the cursor on, one row more than a page; false when
// the whole group lies before the cursor.
func (w *branchWriter) branch(status Status, g rankGroup) (string, bool) {
	keyset := w.cur != nil
	if w.cur != nil && g.ranked() {
		if g.rank < w.cur.rank {
			return "", false // wholly before the cursor
		}
		keyset = g.rank == w.cur.rank
	}
	conds := slices.Clone(w.q.conds)
	if status != "" {
		conds = append(conds, "t.status = "+w.q.arg(string(status)))
	}
	if g.priority != "" {
		conds = append(conds, "t.priority = "+w.q.arg(g.priority))
	}
	key := "t." + w.sp.col
	switch {
	case g.due:
		conds = append(conds, key+" IS NOT NULL")
	case g.noDue:
		// All keys are NULL here: the order is by id alone, the page's key
		// a constant.
		conds = append(conds, key+" IS NULL")
		key = "0"
	}
	if keyset {
		conds = append(conds, w.afterCursor(g))
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	dir, _ := w.sp.direction()
	return fmt.Sprintf("SELECT t.id AS id, %d AS r, %s AS k FROM tickets t%s ORDER BY t.%s%s, t.id%s LIMIT %d",
		g.rank, key, where, w.sp.col, dir, dir, w.limit+1), true
}

// afterCursor is the keyset condition of a branch in the cursor's own
// group: the rows after (key, id), or after id alone where every key is
// NULL.
func (w *branchWriter) afterCursor(g rankGroup) string {
	_, cmp := w.sp.direction()
	if g.noDue {
		return fmt.Sprintf("t.id %s %s", cmp, w.bindID())
	}
	return fmt.Sprintf("(t.%s, t.id) %s (%s, %s)", w.sp.col, cmp, w.bindKey(), w.bindID())
}

func (w *branchWriter) bindKey() string {
	if w.keyArg == "" {
		w.keyArg = w.q.arg(w.cur.key)
	}
	return w.keyArg
}

func (w *branchWriter) bindID() string {
	if w.idArg == "" {
		w.idArg = w.q.arg(w.cur.id)
	}
	return w.idArg
}

// mergeBranches makes one page of ids out of the branches: a single branch
// as it is; several merged by UNION ALL and cut to a page before the
// joins, so that the joins see one page of ids and no planner is tempted
// to scan tickets.
func mergeBranches(branches []string, dir string, limit int) string {
	if len(branches) == 1 {
		return branches[0]
	}
	wrapped := make([]string, len(branches))
	for i, b := range branches {
		wrapped[i] = fmt.Sprintf("SELECT * FROM (%s) b%d", b, i)
	}
	return fmt.Sprintf("SELECT * FROM (%s) u ORDER BY %s",
		strings.Join(wrapped, " UNION ALL "), pageOrder("", dir, limit))
}

// pageOrder is the ORDER BY and LIMIT of a page of branch rows (columns
// r, k and id, prefixed by prefix): by rank, then sort key, then id, one
// row more than a page to know whether another follows.
func pageOrder(prefix, dir string, limit int) string {
	return fmt.Sprintf("%[1]sr, %[1]sk%[2]s, %[1]sid%[2]s LIMIT %[3]d", prefix, dir, limit+1)
}
