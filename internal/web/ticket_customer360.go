package web

import (
	"context"
	"math"
	"strconv"
	"strings"

	"github.com/rapport/rapport/internal/customer360"
	"github.com/rapport/rapport/internal/purchases"
	"github.com/rapport/rapport/internal/recommit"
	"github.com/rapport/rapport/internal/ticket"
)

// customer360View is the customer-360 panel beside a ticket and on the
// customer page: what the customer bought, what they are worth, how they
// feel, and the re-commitments earned with them.
type customer360View struct {
	P customer360.Panel
	// TicketID is the ticket the panel stands beside; 0 on the customer page.
	TicketID int64
	// Complaints are the customer's open complaints (not solved or closed).
	Complaints []ticket.Ticket
	// Proposals are the re-commitments of this ticket waiting for an agent;
	// Earned those confirmed on it.
	Proposals []recommit.Recommitment
	Earned    []recommit.Recommitment
	// CanMark shows the form to record a re-commitment.
	CanMark bool
	// AllURL lists every purchase of the customer.
	AllURL string
}

// complaintsShown is how many of a customer's open complaints the panel lists.
const complaintsShown = 10

// customer360 gathers the panel for customer id; t is the ticket it stands
// beside, nil on the customer page. Without the loyalty services there is
// no panel (nil).
func (s *server) customer360(ctx context.Context, customerID int64, t *ticket.Ticket) (*customer360View, error) {
	if !s.loyaltyOn() {
		return nil, nil
	}
	panel, err := s.panels.Panel(ctx, customerID)
	if err != nil {
		return nil, err
	}
	v := &customer360View{P: panel, AllURL: customerURL(customerID) + "/purchases"}
	page, err := s.tickets.List(ctx, ticket.ListOptions{View: ticket.ViewAll, CustomerID: customerID, Kind: "complaint", Limit: 100})
	if err != nil {
		return nil, err
	}
	for _, c := range page.Tickets {
		if c.Status != ticket.Solved && c.Status != ticket.Closed && len(v.Complaints) < complaintsShown {
			v.Complaints = append(v.Complaints, c)
		}
	}
	if t != nil {
		v.TicketID, v.CanMark = t.ID, t.Status != ticket.Closed
		rcs, err := s.recommits.ForTicket(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		for _, rc := range rcs {
			switch rc.Status {
			case recommit.Proposed:
				v.Proposals = append(v.Proposals, rc)
			case recommit.Confirmed:
				v.Earned = append(v.Earned, rc)
			}
		}
	}
	return v, nil
}

// groupDigits writes a non-negative integer with the page's thousands
// separator.
func (p *page) groupDigits(s string) string {
	sep := p.T("loyalty.thousands_sep")
	if sep == "loyalty.thousands_sep" || len(s) <= 3 {
		return s
	}
	var b strings.Builder
	lead := len(s) % 3
	if lead > 0 {
		b.WriteString(s[:lead])
	}
	for i := lead; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// localNumber writes a decimal string ("1234.50") with the page's
// separators ("1 234,50").
func (p *page) localNumber(dec string) string {
	neg := strings.HasPrefix(dec, "-")
	dec = strings.TrimPrefix(dec, "-")
	whole, frac, hasFrac := strings.Cut(dec, ".")
	out := p.groupDigits(whole)
	if hasFrac {
		out += p.T("loyalty.decimal_mark") + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// Money writes a stored amount with its currency: "1 234,50 EUR".
func (p *page) Money(m purchases.Money) string {
	return p.T("loyalty.money", p.localNumber(m.Decimal()), m.Currency)
}

// Worth writes a predicted value in major units, rounded to whole units
// (a prediction has no meaningful cents): "1 235 EUR".
func (p *page) Worth(v float64, currency string) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	return p.T("loyalty.money", p.localNumber(strconv.FormatFloat(math.Round(v), 'f', 0, 64)), currency)
}

// Standing names a customer's standing: VIP or regular.
func (p *page) Standing(st string) string { return p.label("loyalty.standing.", st) }

// ChurnFeature names a feature of the churn model for people, or gives the
// model's own name when the catalogue has none.
func (p *page) ChurnFeature(name string) string { return p.label("loyalty.feature.", name) }

// RiskClass is the CSS class of a churn risk or of 1 − P(alive).
func (p *page) RiskClass(risk float64) string {
	switch {
	case risk >= 0.5:
		return "risk-high"
	case risk >= 0.25:
		return "risk-mid"
	}
	return "risk-low"
}

// Loss is 1 − x, for showing P(alive) as a risk.
func (p *page) Loss(x float64) float64 { return 1 - x }

// Source names where a re-commitment came from.
func (p *page) Source(src string) string { return p.label("loyalty.source.", src) }

// LoyaltyOn reports whether purchases and lifetime values are shown.
func (p *page) LoyaltyOn() bool { return p.s.loyaltyOn() }

// loyaltyOn reports whether the server has every service the customer-360
// panel, the purchases page and re-commitments need.
func (s *server) loyaltyOn() bool {
	return s.purchases != nil && s.values != nil && s.recommits != nil && s.panels != nil
}

// panelCtx is what the customer360 template gets: the page, for texts and
// the CSRF token, and the panel.
type panelCtx struct {
	P *page
	V *customer360View
}

// Panel360 pairs the page with a panel for the customer360 template.
func (p *page) Panel360(v *customer360View) panelCtx { return panelCtx{P: p, V: v} }

// scorecardRecommitView is what the scorecardRecommit template gets: an
// agent's re-commitments over the scorecard's period.
type scorecardRecommitView struct {
	P        *page
	A        recommit.AgentStats
	Currency string // of the value; several currencies show the first
}

// RecommitCard pairs the page with an agent's re-commitment figures.
func (p *page) RecommitCard(a *recommit.AgentStats) scorecardRecommitView {
	v := scorecardRecommitView{P: p, A: *a}
	if len(a.Currencies) > 0 {
		v.Currency = a.Currencies[0]
	}
	return v
}

// standings returns the badge (VIP or regular) of each customer of the
// tickets that has one; nil without the loyalty services.
func (s *server) standings(ctx context.Context, tickets []ticket.Ticket) (map[int64]string, error) {
	if !s.loyaltyOn() {
		return nil, nil
	}
	ids := make([]int64, 0, len(tickets))
	for _, t := range tickets {
		ids = append(ids, t.CustomerID)
	}
	return s.values.Standings(ctx, ids)
}
