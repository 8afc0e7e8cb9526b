package survey

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// Solving a ticket sends one survey email in the customer's language, with
// a one-click link per answer of the first question, both text and HTML,
// and writes the survey row with the agent and channel of the ticket.
func TestSendOnSolve(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		tests := []struct {
			name, lang, wantLang, wantSubject string
		}{
			{"italian", "it", "it", "Come ci siamo comportati?"},
			{"russian", "ru", "ru", "Как мы справились?"},
			{"latvian", "lv", "lv", "Kā mums veicās?"},
			{"catalan", "ca", "ca", "Com ho hem fet?"},
			{"english", "en", "en", "How did we do?"},
			{"unsupported falls back to english", "de", "en", "How did we do?"},
		}
		for i, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				e.t = t
				id := e.solve("customer"+tc.lang+"@example.com", tc.lang)
				ms := e.mails()
				if len(ms) != i+1 {
					t.Fatalf("%d mails after %d solved tickets", len(ms), i+1)
				}
				m := ms[i]
				if !strings.Contains(m.subject(), tc.wantSubject) || !strings.Contains(m.subject(), "#") {
					t.Errorf("subject %q, want %q", m.subject(), tc.wantSubject)
				}
				if got := m.Header.Get("Content-Language"); got != tc.wantLang {
					t.Errorf("Content-Language %q, want %q", got, tc.wantLang)
				}
				if got := m.Header.Get("To"); !strings.Contains(got, "customer"+tc.lang+"@example.com") {
					t.Errorf("To %q", got)
				}
				links := m.links()
				// CSAT 1–5 by one click, then the whole survey.
				if len(links) != 6 || !strings.HasSuffix(links[0], "?q=csat&v=1") || !strings.HasSuffix(links[4], "?q=csat&v=5") || strings.Contains(links[5], "?") {
					t.Errorf("links %v", links)
				}
				if len(m.token()) < 32 {
					t.Errorf("token %q is short", m.token())
				}
				if !strings.Contains(m.HTML, "q=csat&amp;v=5") || !strings.Contains(m.HTML, `lang="`+tc.wantLang+`"`) {
					t.Errorf("HTML part lacks the one-click links or language: %.300s", m.HTML)
				}
				sv, err := e.svc.Lookup(e.ctx, m.token())
				if err != nil {
					t.Fatal(err)
				}
				if sv.TicketID != id || sv.Language != tc.wantLang || sv.AgentID != e.agentID || sv.Channel != "email" || sv.Answered() ||
					!sv.ExpiresAt.Equal(e.clock.Now().Add(30*24*time.Hour)) {
					t.Errorf("survey %+v", sv)
				}
				var hash string
				db.R.QueryRowContext(e.ctx, "SELECT token_hash FROM surveys WHERE ticket_id = $1", id).Scan(&hash)
				if hash == m.token() || hash != hashToken(m.token()) {
					t.Errorf("the row keeps %q for token %q, want its SHA-256", hash, m.token())
				}
			})
		}
	})
}

// The first enabled question is the one asked by one click: NPS 0–10 when
// CSAT is off; the incentive line appears when set.
func TestFirstQuestionAndIncentive(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		st := DefaultSettings()
		st.Questions = []string{Comment, NPS, Return}
		st.Incentive = "Use THANKS10 for a discount on your next order."
		if _, err := e.svc.SaveSettings(e.ctx, st); err != nil {
			t.Fatal(err)
		}
		e.solve("nina@example.com", "en")
		ms := e.mails()
		if len(ms) != 1 {
			t.Fatalf("%d mails", len(ms))
		}
		links := ms[0].links()
		if len(links) != 12 || !strings.HasSuffix(links[0], "?q=nps&v=0") || !strings.HasSuffix(links[10], "?q=nps&v=10") {
			t.Errorf("links %v", links)
		}
		if !strings.Contains(ms[0].Text, st.Incentive) || !strings.Contains(ms[0].HTML, "THANKS10") {
			t.Error("no incentive line")
		}
		if !strings.Contains(ms[0].Text, "recommend Aurora") {
			t.Errorf("NPS question does not name the business: %s", ms[0].Text)
		}
		// The last day in words (in the business's zone, UTC here), not a stamp.
		if !strings.Contains(ms[0].Text, "This link works until ") || !strings.Contains(ms[0].Text, " June 2025.") ||
			strings.Contains(ms[0].Text, "2025-05") {
			t.Errorf("the expiry is not in words: %s", ms[0].Text)
		}
	})
}

// At most one survey per customer within the window; a ticket never gets
// a second one, even solved again after a reopen.
func TestWindowRule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		first := e.solve("carla@example.com", "en")
		// Reopened and solved again: not a second survey for the ticket.
		e.setStatus(first, ticket.Open)
		e.setStatus(first, ticket.Solved)
		if n := len(e.mails()); n != 1 || e.surveys(first) != 1 {
			t.Fatalf("a ticket solved again got another survey: %d mails", n)
		}
		e.clock.Advance(29 * 24 * time.Hour)
		second := e.solve("carla@example.com", "en")
		other := e.solve("otto@example.com", "en")
		if n := len(e.mails()); n != 2 {
			t.Fatalf("%d mails within the window, want 2 (first ticket and another customer)", n)
		}
		if e.surveys(first) != 1 || e.surveys(second) != 0 || e.surveys(other) != 1 {
			t.Fatal("wrong survey rows")
		}
		e.clock.Advance(24*time.Hour + time.Minute)
		third := e.solve("carla@example.com", "en")
		if n := len(e.mails()); n != 3 || e.surveys(third) != 1 {
			t.Fatalf("after the window: %d mails", n)
		}
		// Window 0: every solved ticket.
		st, _ := e.svc.Settings(e.ctx)
		st.WindowDays = 0
		if _, err := e.svc.SaveSettings(e.ctx, st); err != nil {
			t.Fatal(err)
		}
		e.solve("carla@example.com", "en")
		if n := len(e.mails()); n != 4 {
			t.Fatalf("window 0: %d mails", n)
		}
	})
}

// Surveys switched off send nothing; a delay sends later, and a ticket
// reopened meanwhile gets none; a customer without email gets none.
func TestSettingsOnOffAndDelay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		st := DefaultSettings()
		st.Enabled = false
		if _, err := e.svc.SaveSettings(e.ctx, st); err != nil {
			t.Fatal(err)
		}
		off := e.solve("off@example.com", "en")
		if len(e.mails()) != 0 || e.surveys(off) != 0 {
			t.Fatal("sent while off")
		}
		if _, err := e.svc.Send(e.ctx, off); err != nil {
			t.Fatal(err)
		}
		if len(e.mails()) != 0 {
			t.Fatal("a job that runs while surveys are off sent one")
		}

		st.Enabled, st.DelayHours = true, 3
		if _, err := e.svc.SaveSettings(e.ctx, st); err != nil {
			t.Fatal(err)
		}
		late := e.solve("late@example.com", "en")
		reopened := e.solve("reopen@example.com", "en")
		if len(e.mails()) != 0 {
			t.Fatal("sent before the delay")
		}
		e.clock.Advance(time.Hour)
		e.setStatus(reopened, ticket.Open)
		e.clock.Advance(2*time.Hour + time.Minute)
		e.run()
		ms := e.mails()
		if len(ms) != 1 || e.surveys(late) != 1 || e.surveys(reopened) != 0 {
			t.Fatalf("after the delay: %d mails", len(ms))
		}
	})
}

// A send that fails leaves the survey unmailed; the retry sends a new
// token, and only that one works.
func TestSendRetryRotatesToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		blocker := filepath.Join(t.TempDir(), "blocker")
		if err := os.WriteFile(blocker, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		var tickets = e.tickets
		failing := mailout.New(mailout.Opts{DB: db, Jobs: e.jobs, Tickets: tickets, I18n: i18n.MustLoad(),
			Transport: mailout.Outbox{Dir: filepath.Join(blocker, "outbox")}, Clock: e.clock, Mailbox: "support@shop.example"})
		working := e.svc.o.Mail
		e.svc.o.Mail = failing
		id := e.open("retry@example.com", "en")
		st := ticket.Solved
		if _, err := e.tickets.Update(e.ctx, ticket.AgentActor(e.agentID), id, ticket.Update{Status: &st}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Send(e.ctx, id); err == nil {
			t.Fatal("send into an impossible folder succeeded")
		}
		var oldHash string
		var mailed *int64
		db.R.QueryRowContext(e.ctx, "SELECT token_hash, mailed_at FROM surveys WHERE ticket_id = $1", id).Scan(&oldHash, &mailed)
		if oldHash == "" || mailed != nil {
			t.Fatalf("after a failed send: hash %q mailed %v", oldHash, mailed)
		}
		e.svc.o.Mail = working
		if why, err := e.svc.Send(e.ctx, id); err != nil || why != "" {
			t.Fatalf("retry: %q %v", why, err)
		}
		ms := e.mails()
		if len(ms) != 1 || e.surveys(id) != 1 {
			t.Fatalf("%d mails, %d rows", len(ms), e.surveys(id))
		}
		if hashToken(ms[0].token()) == oldHash {
			t.Fatal("the retry reused the token of the failed send")
		}
		if why, err := e.svc.Send(e.ctx, id); err != nil || why != skipSent || len(e.mails()) != 1 {
			t.Fatalf("third send: %q %v", why, err)
		}
	})
}

// Answering: one row, updated by a second answer; the first answer's time
// stays; out-of-range answers change nothing; unknown and expired tokens
// have their errors.
func TestAnswer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.solve("carla@example.com", "en")
		token := e.mails()[0].token()
		first := e.clock.Now()
		sv, err := e.svc.Answer(e.ctx, token, Answers{CSAT: intp(4)})
		if err != nil {
			t.Fatal(err)
		}
		if !sv.AnsweredAt.Equal(first) || *sv.Answers.CSAT != 4 {
			t.Fatalf("after the first answer: %+v", sv)
		}
		// A double click: the same answer again, harmless.
		if _, err := e.svc.Answer(e.ctx, token, Answers{CSAT: intp(4)}); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(10 * time.Minute)
		sv, err = e.svc.Answer(e.ctx, token, Answers{NPS: intp(9), Return: "yes", Comment: strp("Quick and kind.")})
		if err != nil {
			t.Fatal(err)
		}
		if !sv.AnsweredAt.Equal(first) || !sv.UpdatedAt.Equal(e.clock.Now()) || *sv.Answers.CSAT != 4 || *sv.Answers.NPS != 9 ||
			sv.Answers.Return != "yes" || *sv.Answers.Comment != "Quick and kind." {
			t.Fatalf("after the second answer: %+v", sv)
		}
		if e.surveys(id) != 1 {
			t.Fatalf("%d rows", e.surveys(id))
		}
		// Changing one's mind replaces that answer only.
		sv, _ = e.svc.Answer(e.ctx, token, Answers{CSAT: intp(5)})
		if *sv.Answers.CSAT != 5 || *sv.Answers.NPS != 9 {
			t.Fatalf("after changing CSAT: %+v", sv.Answers)
		}

		bad := []struct {
			name  string
			a     Answers
			field string
		}{
			{"csat above 5", Answers{CSAT: intp(6)}, CSAT},
			{"csat 0", Answers{CSAT: intp(0)}, CSAT},
			{"nps below 0", Answers{NPS: intp(-1)}, NPS},
			{"nps 11", Answers{NPS: intp(11)}, NPS},
			{"speed 9", Answers{Speed: intp(9)}, Speed},
			{"wait 0", Answers{Wait: intp(0)}, Wait},
			{"feeling 7", Answers{Feeling: intp(7), CSAT: intp(3)}, Feeling},
			{"return perhaps", Answers{Return: "perhaps"}, Return},
			{"comment too long", Answers{Comment: strp(strings.Repeat("a", MaxComment+1))}, Comment},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.svc.Answer(e.ctx, token, tc.a)
				var ve valid.Errors
				if !errors.As(err, &ve) || ve[tc.field] == "" {
					t.Fatalf("err %v, want a message for %s", err, tc.field)
				}
				after, _ := e.svc.Lookup(e.ctx, token)
				if *after.Answers.CSAT != 5 {
					t.Fatalf("a rejected answer changed the survey: %+v", after.Answers)
				}
			})
		}

		changed := token[:len(token)-1] + "x"
		if strings.HasSuffix(token, "x") {
			changed = token[:len(token)-1] + "y"
		}
		for _, tok := range []string{"", "short", strings.Repeat("A", 32), changed, "../../etc/passwd"} {
			if _, err := e.svc.Answer(e.ctx, tok, Answers{CSAT: intp(1)}); !errors.Is(err, ErrNotFound) {
				t.Errorf("token %q: %v, want ErrNotFound", tok, err)
			}
		}

		e.clock.Advance(30 * 24 * time.Hour)
		if _, err := e.svc.Answer(e.ctx, token, Answers{CSAT: intp(1)}); !errors.Is(err, ErrExpired) {
			t.Fatalf("expired: %v", err)
		}
		if sv, _ := e.svc.Lookup(e.ctx, token); *sv.Answers.CSAT != 5 {
			t.Fatal("an expired link changed the answer")
		}
	})
}

func TestSettingsValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*Settings)
		fields []string
	}{
		{"defaults", func(*Settings) {}, nil},
		{"no questions while on", func(s *Settings) { s.Questions = nil }, []string{"questions"}},
		{"no questions while off", func(s *Settings) { s.Questions, s.Enabled = nil, false }, nil},
		{"unknown question", func(s *Settings) { s.Questions = []string{"mood"} }, []string{"questions"}},
		{"negative window", func(s *Settings) { s.WindowDays = -1 }, []string{"window_days"}},
		{"expiry 0", func(s *Settings) { s.ExpiryDays = 0 }, []string{"expiry_days"}},
		{"delay too long", func(s *Settings) { s.DelayHours = MaxDelayDays*24 + 1 }, []string{"delay_hours"}},
		{"incentive two lines", func(s *Settings) { s.Incentive = "a\nb" }, []string{"incentive"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := DefaultSettings()
			tc.edit(&st)
			err := st.Validate()
			var ve valid.Errors
			errors.As(err, &ve)
			if len(ve) != len(tc.fields) {
				t.Fatalf("errors %v, want fields %v", ve, tc.fields)
			}
			for _, f := range tc.fields {
				if ve[f] == "" {
					t.Errorf("no message for %s: %v", f, ve)
				}
			}
		})
	}
	// Questions come back in the survey's order, without repeats.
	st := DefaultSettings()
	st.Questions = []string{Comment, CSAT, Comment, NPS}
	if err := st.Validate(); err != nil || strings.Join(st.Questions, ",") != "csat,nps,comment" {
		t.Fatalf("%v %v", st.Questions, err)
	}
}

func TestParseAnswers(t *testing.T) {
	tests := []struct {
		name   string
		form   url.Values
		want   string // csat,nps,speed,wait,feeling,return,comment as Value gives them
		fields []string
	}{
		{"one click csat", url.Values{"q": {"csat"}, "v": {"4"}}, "4,,,,,,", nil},
		{"one click nps 0", url.Values{"q": {"nps"}, "v": {"0"}}, ",0,,,,,", nil},
		{"one click return", url.Values{"q": {"return"}, "v": {"maybe"}}, ",,,,,maybe,", nil},
		{"one click out of range", url.Values{"q": {"csat"}, "v": {"6"}}, "", []string{"csat"}},
		{"one click not a number", url.Values{"q": {"nps"}, "v": {"ten"}}, "", []string{"nps"}},
		{"one click unknown question", url.Values{"q": {"mood"}, "v": {"3"}}, "", []string{"q"}},
		{"one click comment", url.Values{"q": {"comment"}, "v": {"hi"}}, "", []string{"q"}},
		{"one click no value", url.Values{"q": {"csat"}}, "", []string{"csat"}},
		{"one click ignores other fields", url.Values{"q": {"csat"}, "v": {"2"}, "nps": {"3"}}, "2,,,,,,", nil},
		{"form", url.Values{"csat": {"5"}, "nps": {"10"}, "speed": {" 3 "}, "wait": {""}, "feeling": {"4"}, "return": {"YES"}, "comment": {"  Thanks!\r\nBye "}},
			"5,10,3,,4,yes,Thanks!\nBye", nil},
		{"form several bad", url.Values{"csat": {"9"}, "wait": {"x"}, "return": {"sometimes"}}, "", []string{"csat", "wait", "return"}},
		{"empty form", url.Values{}, ",,,,,,", nil},
		{"blank comment is no answer", url.Values{"comment": {"   "}}, ",,,,,,", nil},
		{"huge number", url.Values{"nps": {"99999999999999999999"}}, "", []string{"nps"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ParseAnswers(tc.form)
			var ve valid.Errors
			errors.As(err, &ve)
			if len(ve) != len(tc.fields) {
				t.Fatalf("errors %v, want fields %v", err, tc.fields)
			}
			for _, f := range tc.fields {
				if ve[f] == "" {
					t.Errorf("no message for %s: %v", f, ve)
				}
			}
			if err != nil {
				return
			}
			var got []string
			for _, q := range Questions {
				got = append(got, a.Value(q))
			}
			if g := strings.Join(got, ","); g != tc.want {
				t.Errorf("got %q, want %q", g, tc.want)
			}
		})
	}
}
