// Package loadtest drives a running Rapport server the way its users do, all
// at once, for a given time: mail over SMTP, tickets created and answered
// through the API, and agents and managers reading the inbox, searching and
// looking at the dashboard (through the API, and through the web pages when
// it may log in). It counts every request, its latency and its errors,
// samples the server's memory, and at the end checks that what the server
// acknowledged is really stored.
package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/smtp"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Opts says what load to put on which server.
type Opts struct {
	URL      string // the server's base URL, e.g. http://127.0.0.1:8080
	Token    string // an API token of a manager (reads need the reports permission)
	SMTP     string // the SMTP listener's host:port; empty sends no mail
	Mailbox  string // the address mail is sent to
	User     string // a manager's email for the web pages; empty skips them
	Password string // that manager's password
	PID      int    // the server's process, whose memory is sampled; 0 for none

	Duration    time.Duration
	SMTPClients int // connections sending mail, one message after another
	Writers     int // API clients creating tickets and replying to them
	Readers     int // clients reading inbox, search and dashboard
	Verify      int // acknowledged mails and tickets checked at the end; 0 for all

	Log io.Writer // progress lines; nil for none
}

// Op is one kind of request.
type Op struct {
	Name   string
	Count  int
	Errors int
	Rate   float64 // successful requests a second over the run
	P50    time.Duration
	P99    time.Duration
	Max    time.Duration
}

// MemSample is the server's resident memory at one moment.
type MemSample struct {
	At  time.Duration
	RSS int64 // bytes
}

// Report is what a run measured.
type Report struct {
	Elapsed   time.Duration
	Ops       []Op
	Mem       []MemSample
	IdleRSS   int64 // before the load
	PeakRSS   int64 // the process's high-water mark (VmHWM) at the end
	EndRSS    int64
	Checked   int      // acknowledged writes looked up afterwards
	Lost      int      // of those, not found
	ErrorText []string // the first few errors, for the reader
}

// Errors is the number of failed requests.
func (r Report) Errors() int {
	n := 0
	for _, o := range r.Ops {
		n += o.Errors
	}
	return n
}

// Print writes the report as a table.
func (r Report) Print(w io.Writer) {
	fmt.Fprintf(w, "elapsed %s\n", r.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "%-22s %9s %7s %9s %9s %9s %9s\n", "operation", "count", "errors", "per s", "p50 ms", "p99 ms", "max ms")
	for _, o := range r.Ops {
		fmt.Fprintf(w, "%-22s %9d %7d %9.1f %9.2f %9.2f %9.2f\n", o.Name, o.Count, o.Errors, o.Rate, ms(o.P50), ms(o.P99), ms(o.Max))
	}
	if len(r.Mem) > 0 {
		fmt.Fprintf(w, "memory: idle %.1f MB, peak (VmHWM) %.1f MB, end %.1f MB\n", mb(r.IdleRSS), mb(r.PeakRSS), mb(r.EndRSS))
		fmt.Fprint(w, "memory over time (s: MB):")
		for _, s := range r.Mem {
			fmt.Fprintf(w, " %d:%.0f", int(s.At.Seconds()), mb(s.RSS))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "errors %d; acknowledged writes checked %d, lost %d\n", r.Errors(), r.Checked, r.Lost)
	for _, e := range r.ErrorText {
		fmt.Fprintln(w, "  error:", e)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
func mb(b int64) float64         { return float64(b) / 1e6 }

// recorder keeps the latencies and errors of one kind of request.
type recorder struct {
	mu     sync.Mutex
	lat    []time.Duration
	errors int
}

func (r *recorder) ok(d time.Duration) {
	r.mu.Lock()
	r.lat = append(r.lat, d)
	r.mu.Unlock()
}

func (r *recorder) fail() {
	r.mu.Lock()
	r.errors++
	r.mu.Unlock()
}

// run is one load run in progress.
type run struct {
	o      Opts
	id     string // this run's mark, in every subject and Message-ID
	client *http.Client
	web    *http.Client
	ops    map[string]*recorder

	errMu   sync.Mutex
	errText []string

	mailSeq atomic.Int64
	mailMu  sync.Mutex
	mails   []int64 // numbers of acknowledged mails

	tMu     sync.Mutex
	tickets map[int64]int // ticket created through the API → replies acknowledged
	words   []string      // a word of each created ticket's body, for searches
}

var opNames = []string{
	"smtp mail (DATA→250)", "api create", "api reply",
	"api inbox", "api search", "api dashboard 30d", "api dashboard 90d", "api dashboard 365d",
	"web inbox", "web search", "web dashboard 30d", "web dashboard 90d", "web dashboard 365d",
}

// Run puts the load on the server for o.Duration and reports.
func Run(ctx context.Context, o Opts) (Report, error) {
	if o.URL == "" || o.Token == "" {
		return Report{}, errors.New("loadtest: the server's URL and an API token are required")
	}
	if o.SMTP != "" && o.Mailbox == "" {
		return Report{}, errors.New("loadtest: mail needs the mailbox it is sent to")
	}
	o.URL = strings.TrimRight(o.URL, "/")
	tr := &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 0}
	r := &run{
		o:       o,
		id:      strconv.FormatInt(time.Now().UnixMilli()%1e9, 36),
		client:  &http.Client{Transport: tr, Timeout: time.Minute},
		ops:     map[string]*recorder{},
		tickets: map[int64]int{},
	}
	for _, n := range opNames {
		r.ops[n] = &recorder{}
	}
	if o.User != "" {
		jar, _ := cookiejar.New(nil)
		r.web = &http.Client{Transport: tr, Timeout: time.Minute, Jar: jar}
		if err := r.login(ctx); err != nil {
			return Report{}, fmt.Errorf("loadtest: web login: %w", err)
		}
	}
	// A first ticket, so readers and writers have something from the start
	// and a bad token fails here rather than as a million errors.
	if _, err := r.create(ctx); err != nil {
		return Report{}, fmt.Errorf("loadtest: first ticket: %w", err)
	}

	rep := Report{}
	if o.PID > 0 {
		rss, _, err := procMem(o.PID)
		if err != nil {
			return Report{}, fmt.Errorf("loadtest: memory of process %d: %w", o.PID, err)
		}
		rep.IdleRSS = rss
	}
	runCtx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	spawn := func(n int, f func(ctx context.Context, i int)) {
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				f(runCtx, i)
			}()
		}
	}
	if o.SMTP != "" {
		spawn(o.SMTPClients, r.mailer)
	}
	spawn(o.Writers, r.writer)
	spawn(o.Readers, r.reader)

	// Sample memory every second (kept at most every tenth of the run, so
	// the report stays short) and print progress.
	every := o.Duration / 10
	if every < time.Second {
		every = time.Second
	}
	tick := time.NewTicker(time.Second)
	lastKept, lastLog := time.Duration(-every), time.Duration(0)
	var peakRSS int64
sample:
	for {
		select {
		case <-runCtx.Done():
			break sample
		case <-tick.C:
			at := time.Since(start)
			if o.PID > 0 {
				if rss, _, err := procMem(o.PID); err == nil {
					peakRSS = max(peakRSS, rss)
					if at-lastKept >= every {
						rep.Mem = append(rep.Mem, MemSample{At: at, RSS: rss})
						lastKept = at
					}
				}
			}
			if o.Log != nil && at-lastLog >= every {
				r.progress(o.Log, at)
				lastLog = at
			}
		}
	}
	tick.Stop()
	wg.Wait()
	rep.Elapsed = time.Since(start)
	if o.PID > 0 {
		rss, hwm, err := procMem(o.PID)
		if err == nil {
			rep.EndRSS = rss
			rep.PeakRSS = max(hwm, peakRSS)
			rep.Mem = append(rep.Mem, MemSample{At: rep.Elapsed, RSS: rss})
		}
	}
	for _, n := range opNames {
		rec := r.ops[n]
		if len(rec.lat) == 0 && rec.errors == 0 {
			continue
		}
		rep.Ops = append(rep.Ops, summarize(n, rec, rep.Elapsed))
	}
	if err := r.verify(ctx, &rep); err != nil {
		return rep, err
	}
	rep.ErrorText = r.errText
	return rep, nil
}

func summarize(name string, rec *recorder, elapsed time.Duration) Op {
	lat := rec.lat
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	op := Op{Name: name, Count: len(lat) + rec.errors, Errors: rec.errors}
	if len(lat) > 0 {
		op.Rate = float64(len(lat)) / elapsed.Seconds()
		op.P50 = lat[len(lat)/2]
		op.P99 = lat[min(len(lat)-1, len(lat)*99/100)]
		op.Max = lat[len(lat)-1]
	}
	return op
}

func (r *run) progress(w io.Writer, at time.Duration) {
	var parts []string
	for _, n := range opNames[:3] {
		rec := r.ops[n]
		rec.mu.Lock()
		parts = append(parts, fmt.Sprintf("%s %d (%d errors)", n, len(rec.lat), rec.errors))
		rec.mu.Unlock()
	}
	fmt.Fprintf(w, "%3ds: %s\n", int(at.Seconds()), strings.Join(parts, ", "))
}

func (r *run) fail(op string, err error) {
	r.ops[op].fail()
	r.errMu.Lock()
	if len(r.errText) < 10 {
		r.errText = append(r.errText, op+": "+err.Error())
	}
	r.errMu.Unlock()
}

// timed runs f and records it under op; a failure from a context that
// ended with the run is not counted.
func (r *run) timed(ctx context.Context, op string, f func() error) bool {
	t0 := time.Now()
	err := f()
	if err != nil {
		if ctx.Err() != nil {
			return false
		}
		r.fail(op, err)
		return false
	}
	r.ops[op].ok(time.Since(t0))
	return true
}

// mailer sends new mail over one SMTP connection until the run ends.
func (r *run) mailer(ctx context.Context, _ int) {
	var c *smtp.Client
	defer func() {
		if c != nil {
			c.Quit()
		}
	}()
	for ctx.Err() == nil {
		if c == nil {
			var err error
			if c, err = smtp.Dial(r.o.SMTP); err != nil {
				r.fail(opNames[0], err)
				time.Sleep(100 * time.Millisecond)
				continue
			}
		}
		n := r.mailSeq.Add(1)
		err := r.sendMail(c, n)
		if err != nil {
			r.fail(opNames[0], err)
			c.Close()
			c = nil
		}
	}
}

// mailWord is the word only mail n has, in its subject.
func (r *run) mailWord(n int64) string { return fmt.Sprintf("lt%sm%d", r.id, n) }

func (r *run) sendMail(c *smtp.Client, n int64) error {
	from := fmt.Sprintf("loadcustomer%d@load.example", n%5000)
	if err := c.Mail(from); err != nil {
		return err
	}
	if err := c.Rcpt(r.o.Mailbox); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("From: Load Customer <%s>\r\nTo: %s\r\nSubject: Order question %s\r\nMessage-ID: <%s@load.example>\r\n"+
		"Date: %s\r\n\r\nHello, where is my order %d? It has not arrived yet and I would like to know when it will.\r\n",
		from, r.o.Mailbox, r.mailWord(n), r.mailWord(n), time.Now().Format(time.RFC1123Z), n)
	if _, err := io.WriteString(w, msg); err != nil {
		return err
	}
	t0 := time.Now()
	if err := w.Close(); err != nil { // the final dot, then the server's 250
		return err
	}
	r.ops[opNames[0]].ok(time.Since(t0))
	r.mailMu.Lock()
	r.mails = append(r.mails, n)
	r.mailMu.Unlock()
	return c.Reset()
}

// writer creates a ticket, replies to it twice, and again.
func (r *run) writer(ctx context.Context, _ int) {
	for ctx.Err() == nil {
		var id int64
		if !r.timed(ctx, "api create", func() (err error) { id, err = r.create(ctx); return err }) {
			continue
		}
		for i := 0; i < 2 && ctx.Err() == nil; i++ {
			status := "pending"
			if i == 1 {
				status = "solved"
			}
			if r.timed(ctx, "api reply", func() error { return r.reply(ctx, id, status) }) {
				r.tMu.Lock()
				r.tickets[id]++
				r.tMu.Unlock()
			}
		}
	}
}

var ticketSeq atomic.Int64

func (r *run) create(ctx context.Context) (int64, error) {
	n := ticketSeq.Add(1)
	word := fmt.Sprintf("lt%st%d", r.id, n)
	body := map[string]any{
		"subject":        "Question about invoice " + strconv.FormatInt(n, 10),
		"body":           "Good morning, my invoice shows a charge I do not recognise. Reference " + word + ". Thank you.",
		"customer_email": fmt.Sprintf("apicustomer%d@load.example", n%5000),
		"customer_name":  "API Customer",
	}
	var out struct {
		ID int64 `json:"id"`
	}
	if err := r.api(ctx, http.MethodPost, "/tickets", body, http.StatusCreated, &out); err != nil {
		return 0, err
	}
	if out.ID == 0 {
		return 0, errors.New("create: no id in the answer")
	}
	r.tMu.Lock()
	r.tickets[out.ID] += 0
	r.words = append(r.words, word)
	r.tMu.Unlock()
	return out.ID, nil
}

func (r *run) reply(ctx context.Context, id int64, status string) error {
	body := map[string]any{"body": "Thank you for writing. We have looked at your invoice and corrected it.", "status": status}
	return r.api(ctx, http.MethodPost, "/tickets/"+strconv.FormatInt(id, 10)+"/reply", body, http.StatusCreated, nil)
}

// searchTerms are what the readers look for, in turn: a word in most
// tickets, a rarer one, a word no ticket has, an address, a number, and a
// word of one ticket made in this run.
func (r *run) searchTerm(i int) string {
	switch i % 6 {
	case 0:
		return "order"
	case 1:
		return "invoice"
	case 2:
		return "zyxwvutsr"
	case 3:
		return "from:loadcustomer17@load.example"
	case 4:
		return "#" + strconv.Itoa(1+i%100)
	}
	r.tMu.Lock()
	defer r.tMu.Unlock()
	if len(r.words) == 0 {
		return "order"
	}
	return r.words[rand.IntN(len(r.words))]
}

var dashQueries = map[string]string{
	"30d": "period=30", "90d": "period=90", "365d": "",
}

func dashQuery(which string) string {
	if which == "365d" {
		today := time.Now().UTC()
		return "from=" + today.AddDate(0, 0, -364).Format(time.DateOnly) + "&to=" + today.Format(time.DateOnly)
	}
	return dashQueries[which]
}

// reader goes round the reads: inbox, search, the dashboard at three
// periods, through the API and (logged in) the web pages.
func (r *run) reader(ctx context.Context, worker int) {
	for i := worker; ctx.Err() == nil; i++ {
		switch step := i % 5; step {
		case 0:
			r.timed(ctx, "api inbox", func() error { return r.api(ctx, http.MethodGet, "/tickets?view=open", nil, 200, nil) })
			if r.web != nil {
				r.timed(ctx, "web inbox", func() error { return r.page(ctx, "/") })
			}
		case 1:
			q := url.QueryEscape(r.searchTerm(i / 5))
			r.timed(ctx, "api search", func() error { return r.api(ctx, http.MethodGet, "/tickets?q="+q, nil, 200, nil) })
			if r.web != nil && !strings.HasPrefix(q, "%23") { // a number goes straight to its ticket
				r.timed(ctx, "web search", func() error { return r.page(ctx, "/search?q="+q) })
			}
		default:
			which := []string{"30d", "90d", "365d"}[step-2]
			q := dashQuery(which)
			r.timed(ctx, "api dashboard "+which, func() error { return r.api(ctx, http.MethodGet, "/metrics?"+q, nil, 200, nil) })
			if r.web != nil {
				r.timed(ctx, "web dashboard "+which, func() error { return r.page(ctx, "/dashboard?"+q) })
			}
		}
	}
}

// api calls the API and wants the status want.
func (r *run) api(ctx context.Context, method, path string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.o.URL+"/api/v1"+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+r.o.Token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: HTTP %d: %.200s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// page fetches a web page as the logged-in manager.
func (r *run) page(ctx context.Context, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.o.URL+path, nil)
	if err != nil {
		return err
	}
	resp, err := r.web.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: HTTP %d", path, resp.StatusCode)
	}
	if want, _, _ := strings.Cut(path, "?"); resp.Request.URL.Path != want {
		return fmt.Errorf("GET %s: sent to %s", path, resp.Request.URL.Path)
	}
	return nil
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// login signs the manager in through the login form.
func (r *run) login(ctx context.Context) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, r.o.URL+"/login", nil)
	resp, err := r.web.Do(req)
	if err != nil {
		return err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(b)
	if m == nil {
		return errors.New("no CSRF field on the login page")
	}
	form := url.Values{"email": {r.o.User}, "password": {r.o.Password}, "csrf": {string(m[1])}}
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, r.o.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = r.web.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.Request.URL.Path == "/login" || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("login refused (HTTP %d at %s)", resp.StatusCode, resp.Request.URL.Path)
	}
	return nil
}

// verify looks up acknowledged writes: each mail's ticket by its unique
// subject word, and each created ticket with its replies.
func (r *run) verify(ctx context.Context, rep *Report) error {
	mails := r.mails
	ids := make([]int64, 0, len(r.tickets))
	for id := range r.tickets {
		ids = append(ids, id)
	}
	mails, ids = sample(mails, r.o.Verify), sample(ids, r.o.Verify)
	for _, n := range mails {
		var page struct {
			Data []struct {
				ID int64 `json:"id"`
			} `json:"data"`
		}
		if err := r.api(ctx, http.MethodGet, "/tickets?q="+r.mailWord(n), nil, 200, &page); err != nil {
			return fmt.Errorf("loadtest: checking mail %d: %w", n, err)
		}
		rep.Checked++
		if len(page.Data) != 1 {
			rep.Lost++
			r.errText = append(r.errText, fmt.Sprintf("mail %s: %d tickets found, want 1", r.mailWord(n), len(page.Data)))
		}
	}
	for _, id := range ids {
		var msgs struct {
			Data []json.RawMessage `json:"data"`
		}
		err := r.api(ctx, http.MethodGet, "/tickets/"+strconv.FormatInt(id, 10)+"/messages", nil, 200, &msgs)
		if err != nil {
			return fmt.Errorf("loadtest: checking ticket %d: %w", id, err)
		}
		rep.Checked++
		if want := 1 + r.tickets[id]; len(msgs.Data) < want {
			rep.Lost++
			r.errText = append(r.errText, fmt.Sprintf("ticket %d: %d messages, want %d", id, len(msgs.Data), want))
		}
	}
	return nil
}

// sample returns up to n of xs, spread over them; n 0 means all.
func sample(xs []int64, n int) []int64 {
	if n <= 0 || len(xs) <= n {
		return xs
	}
	out := make([]int64, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, xs[i*len(xs)/n])
	}
	return out
}

// procMem reads a process's resident memory and its high-water mark.
func procMem(pid int) (rss, hwm int64, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb * 1024
		case "VmHWM:":
			hwm = kb * 1024
		}
	}
	return rss, hwm, nil
}
