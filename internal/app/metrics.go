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
			Help: "HTTP requests served, by method, route area and status code.",
		}, []string{"method", "area", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "rapport_http_request_duration_seconds",
			Help:    "HTTP request latency, by route area.",
			Buckets: prometheus.DefBuckets,
		}, []string{"area"}),
	}
	m.reg.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		jobsCollector{svc: svc})
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// area groups paths coarsely so that ids in paths do not explode the label set.
func area(path string) string {
	switch {
	case len(path) >= 8 && path[:8] == "/api/v1/":
		return "api"
	case len(path) >= 8 && path[:8] == "/static/":
		return "static"
	case path == "/healthz" || path == "/readyz" || path == "/metrics":
		return "ops"
	default:
		return "web"
	}
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

func (m *metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(rec, r)
		a := area(r.URL.Path)
		m.requests.WithLabelValues(r.Method, a, strconv.Itoa(rec.code)).Inc()
		m.duration.WithLabelValues(a).Observe(time.Since(start).Seconds())
	})
}

// jobsCollector reports the job queue's size by status at scrape time.
type jobsCollector struct{ svc *Services }

var jobsDesc = prometheus.NewDesc("rapport_jobs", "Jobs in the queue, by status.", []string{"status"}, nil)

func (c jobsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- jobsDesc }

func (c jobsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	stats, err := c.svc.Jobs.Stats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(jobsDesc, err)
		return
	}
	for status, n := range stats {
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(n), status)
	}
}
