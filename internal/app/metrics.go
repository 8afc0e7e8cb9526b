package app

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics is the Prometheus registry of one App (not the global one, so
// tests can build several apps).
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(svc *Services) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rapport_http_requests_total",
			Help: "HTTP requests served, by method, route pattern and status code.",
		}, []string{"method", "route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "rapport_http_request_duration_seconds",
			Help:    "HTTP request latency, by route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
	}
	m.reg.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		jobsCollector{svc: svc})
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// unmatchedRoute labels a request no route pattern matched.
const unmatchedRoute = "unmatched"

// routeLabel is the pattern of the route that served r ("GET
// /tickets/{id}"), as the innermost ServeMux left it on the request, so
// that ids and a client's made-up paths never become label values: the
// labels are bounded by the route table.
func routeLabel(r *http.Request) string {
	if r.Pattern == "" {
		return unmatchedRoute
	}
	return r.Pattern
}

// methodLabel is r's method when it is one HTTP defines, else "other": a
// client may send any token as a method.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "other"
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// instrument counts and times each request by its route pattern. It reads
// r.Pattern after next has served r: the muxes set it on the request they
// are given, and the web and API handlers pass theirs the same request.
func (m *metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(rec, r)
		route := routeLabel(r)
		m.requests.WithLabelValues(methodLabel(r.Method), route, strconv.Itoa(rec.code)).Inc()
		m.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

// jobsCollector reports the job queue at scrape time from cheap numbers:
// the backlog (pending, running and failed jobs across every node, an
// index count the queue reuses for jobs.BacklogMaxAge) and the outcomes
// this process recorded, kept in memory. It never counts the done rows.
type jobsCollector struct{ svc *Services }

var (
	jobsDesc = prometheus.NewDesc("rapport_jobs",
		"Jobs in the queue that are not done, by status (pending, running, failed), across every node.", []string{"status"}, nil)
	jobsFinishedDesc = prometheus.NewDesc("rapport_jobs_finished_total",
		"Job runs this process finished, by kind and outcome (done, failed, retry).", []string{"kind", "outcome"}, nil)
)

func (c jobsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- jobsDesc
	ch <- jobsFinishedDesc
}

func (c jobsCollector) Collect(ch chan<- prometheus.Metric) {
	for _, f := range c.svc.Jobs.Finished() {
		ch <- prometheus.MustNewConstMetric(jobsFinishedDesc, prometheus.CounterValue, float64(f.N), f.Kind, string(f.Outcome))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	backlog, err := c.svc.Jobs.Backlog(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(jobsDesc, err)
		return
	}
	for status, n := range backlog {
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(n), status)
	}
}
