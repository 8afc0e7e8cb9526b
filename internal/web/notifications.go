package web

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/rapport/rapport/internal/notify"
	"github.com/rapport/rapport/internal/recovery"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/webhook"
)

// notificationsShown is the most notifications the list shows, and the
// most the header counts ("99+" beyond).
const notificationsShown = 100

// notificationLine is one notification in words.
type notificationLine struct {
	ID       int64
	Kind     string
	TicketID int64
	Link     string // where it leads: its ticket, or the page of what it tells of
	Text     string
	At       time.Time
}

// notificationLink is where a notification leads: its ticket, else the
// page of what it tells of (a switched-off webhook; a root cause's
// prevention), else the list itself.
func notificationLink(n sla.Notification) string {
	switch {
	case n.TicketID > 0:
		return "/tickets/" + strconv.FormatInt(n.TicketID, 10)
	case n.Kind == webhook.NotifyDisabled:
		if id, ok := n.Data["webhook_id"].(float64); ok && id > 0 {
			return "/admin/webhooks/" + strconv.FormatInt(int64(id), 10)
		}
		return "/admin/webhooks"
	case n.Kind == recovery.NotifyPreventionDueSoon || n.Kind == recovery.NotifyPreventionOverdue:
		return "/manage/causes"
	}
	return "/notifications"
}

// notificationsView is the data of the notifications page.
type notificationsView struct {
	Items []notificationLine
	UpTo  int64 // the newest one listed: marking read stops there
}

// unreadCount is the number of unread notifications of the signed-in
// agent for the header, 0 without the SLA service. A failure to count
// costs the badge, not the page.
func (s *server) unreadCount(r *http.Request, rc *reqCtx) int {
	if s.sla == nil || !rc.loggedIn {
		return 0
	}
	ns, err := s.sla.Unread(r.Context(), rc.me.ID, notificationsShown)
	if err != nil {
		s.log.Warn("unread notifications unavailable", "agent_id", rc.me.ID, slog.Any("error", err))
		return 0
	}
	return len(ns)
}

// UnreadBadge is the header's unread count as shown: "" for none.
func (p *page) UnreadBadge() string {
	switch {
	case p.Unread <= 0:
		return ""
	case p.Unread >= notificationsShown:
		return strconv.Itoa(notificationsShown-1) + "+"
	}
	return strconv.Itoa(p.Unread)
}

// describeNotification puts a notification into words in the page's language.
func describeNotification(p *page, n sla.Notification) string {
	timer := p.Timer(dataStr(n.Data, "timer"))
	switch n.Kind {
	case sla.EventAtRisk:
		return p.T("notif.at_risk", timer, n.TicketID, n.Subject, p.eventDue(n.Data))
	case sla.EventBreached:
		return p.T("notif.breached", timer, n.TicketID, n.Subject, p.eventDue(n.Data))
	case ticket.NotifyWoke:
		return p.T("notif.woke", n.TicketID, n.Subject)
	case ticket.NotifyCollab:
		return p.T("notif.collab", n.TicketID, n.Subject)
	case recovery.NotifyPreventionDueSoon:
		return p.T("notif.prevention_due_soon", dataStr(n.Data, "title"), p.eventDue(n.Data))
	case recovery.NotifyPreventionOverdue:
		return p.T("notif.prevention_overdue", dataStr(n.Data, "title"), p.eventDue(n.Data))
	case recovery.NotifyRequestDecided:
		return p.T("notif.compensation_decided", n.TicketID, n.Subject, dataStr(n.Data, "name")+" "+dataStr(n.Data, "amount"),
			p.CompensationStatus(dataStr(n.Data, "status")))
	case ticket.NotifyPromiseDueSoon:
		return p.T("notif.promise_due_soon", n.TicketID, n.Subject, dataStr(n.Data, "what"))
	case ticket.NotifyPromiseBroken:
		return p.T("notif.promise_broken", n.TicketID, n.Subject, dataStr(n.Data, "what"))
	case notify.KindAssigned:
		return p.T("notif.assigned", n.TicketID, n.Subject)
	case webhook.NotifyDisabled:
		return p.T("notif.webhook_disabled", dataStr(n.Data, "url"), dataStr(n.Data, "reason"))
	case recovery.NotifyRequestWaiting:
		return p.T("notif.compensation_waiting", n.TicketID, n.Subject, dataStr(n.Data, "name")+" "+dataStr(n.Data, "amount"))
	}
	return p.T("notif.other", n.TicketID, n.Subject)
}

// notificationsPage serves GET /notifications: the agent's unread
// notifications, newest first, each linking to its ticket.
func (s *server) notificationsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ns, err := s.sla.Unread(r.Context(), rc.me.ID, notificationsShown)
	if err != nil {
		return err
	}
	p := s.newPage(w, r, rc, "notif.title")
	p.Nav = "notifications"
	v := notificationsView{Items: []notificationLine{}}
	for _, n := range ns {
		v.Items = append(v.Items, notificationLine{ID: n.ID, Kind: n.Kind, TicketID: n.TicketID, Link: notificationLink(n),
			Text: describeNotification(p, n), At: n.At})
		v.UpTo = max(v.UpTo, n.ID)
	}
	p.Data = v
	s.render(w, r, http.StatusOK, "notifications", p)
	return nil
}

// notificationsRead serves POST /notifications/read: marks read what the
// page listed (up to the newest id shown), not what arrived since.
func (s *server) notificationsRead(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	upTo, err := strconv.ParseInt(r.PostForm.Get("upto"), 10, 64)
	if err != nil || upTo <= 0 {
		return errBadForm
	}
	if err := s.sla.MarkRead(r.Context(), rc.me.ID, upTo); err != nil {
		return err
	}
	s.setFlash(w, "flash.notifications_read")
	redirect(w, r, "/notifications")
	return nil
}
