package web

import (
	"context"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/routing"
)

// metrics is the host's Prometheus instrumentation. The counters and the
// wait histogram are updated as the door's events pass through the hub
// (frontdoor.Config.OnEvent, synchronously: nothing runs in the
// background); the queue gauges and the key figures are read from the
// door's state and the KPI tally when /metrics is scraped. They are this
// process's: with several replicas, scrape each and sum.
type metrics struct {
	reg   *prometheus.Registry
	tally *frontdoor.Tally
	staff carecontact.StaffDirectory
	// teams remembers each professional's team label, looked up once.
	mu    sync.Mutex
	teams map[carecontact.ProfessionalID]string

	offers, declined             *prometheus.CounterVec
	promised, atRisk, breached   *prometheus.CounterVec
	waits                        *prometheus.HistogramVec
	closed, withdrawn, contacts  *prometheus.CounterVec
	queueLen, queueOldest        *prometheus.Desc
	kept, tested, sameDay, owed  *prometheus.Desc
	sameDayShare, promiseKeptPct *prometheus.Desc
	door                         *frontdoor.Door
	dir                          *routing.Directory
	clock                        carecontact.Clock
}

// waitBuckets are the histogram's bounds in seconds: from half a minute
// to a working day.
var waitBuckets = []float64{30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 28800}

func newMetrics(cfg Config) (*metrics, error) {
	tally, err := frontdoor.NewTally(frontdoor.TallyConfig{})
	if err != nil {
		return nil, err
	}
	tc := []string{"team", "channel"}
	m := &metrics{reg: prometheus.NewRegistry(), tally: tally, staff: cfg.Staff, teams: map[carecontact.ProfessionalID]string{},
		door: cfg.Door, dir: cfg.Directory, clock: cfg.Clock,
		offers: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "carecontact_offers_total",
			Help: "Offers of work to professionals, by the professional's team and the channel."}, tc),
		declined: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "carecontact_offers_declined_total",
			Help: "Offers declined or timed out, by the professional's team and the channel."}, tc),
		promised: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "carecontact_callbacks_promised_total",
			Help: "Callback windows promised, by the promising team."}, []string{"team"}),
		atRisk: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "carecontact_callbacks_at_risk_total",
			Help: "Callback promises reported at risk, by team."}, []string{"team"}),
		breached: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "carecontact_callbacks_breached_total",
			Help: "Callbacks whose call began after the client's deadline, by team."}, []string{"team"}),
		waits: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "carecontact_wait_seconds",
			Help:    "Wait from queued to accepted, by the accepting professional's team (the promising team for callbacks) and the channel.",
			Buckets: waitBuckets}, tc),
		contacts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "carecontact_contacts_total",
			Help: "Contacts admitted, by channel and whether the client already waited about the errand."}, []string{"channel", "duplicate"}),
		closed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "carecontact_contacts_closed_total",
			Help: "Contacts closed, by outcome."}, []string{"outcome"}),
		withdrawn: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "carecontact_contacts_withdrawn_total",
			Help: "Contacts withdrawn, by why (withdrawn by the client, or duplicate_merged)."}, []string{"reason"}),
		queueLen: prometheus.NewDesc("carecontact_queue_length",
			"Queued contacts the team's members may be offered, by channel, now.", tc, nil),
		queueOldest: prometheus.NewDesc("carecontact_queue_oldest_wait_seconds",
			"How long the longest-waiting of those contacts has waited, now.", tc, nil),
		kept: prometheus.NewDesc("carecontact_callbacks_kept",
			"Callbacks whose first call began inside the first promised window (the KPI tally's PromiseKept numerator).", nil, nil),
		tested: prometheus.NewDesc("carecontact_callbacks_tested",
			"Callbacks whose first promised window has been tested (PromiseKept's denominator).", nil, nil),
		promiseKeptPct: prometheus.NewDesc("carecontact_callback_promise_kept_ratio",
			"carecontact_callbacks_kept over carecontact_callbacks_tested (0 while none is tested).", nil, nil),
		sameDay: prometheus.NewDesc("carecontact_same_day_callbacks",
			"Closed callbacks requested on a working day before the cut-off whose first call began the same day.", nil, nil),
		owed: prometheus.NewDesc("carecontact_same_day_callbacks_owed",
			"Closed callbacks requested on a working day before the cut-off.", nil, nil),
		sameDayShare: prometheus.NewDesc("carecontact_same_day_callback_share",
			"carecontact_same_day_callbacks over carecontact_same_day_callbacks_owed (0 while none is owed).", nil, nil),
	}
	for _, c := range []prometheus.Collector{m.offers, m.declined, m.promised, m.atRisk, m.breached, m.waits, m.contacts,
		m.closed, m.withdrawn, stateCollector{m}} {
		if err := m.reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// teamOf is the label of a professional's team: their first team in the
// staff directory, "" for one it does not know.
// The directory is asked outside the lock, so a slow one stalls only this
// event, not every other event's count.
func (m *metrics) teamOf(ctx context.Context, p carecontact.ProfessionalID) string {
	m.mu.Lock()
	t, ok := m.teams[p]
	m.mu.Unlock()
	if ok {
		return t
	}
	mem, err := m.staff.Member(ctx, p)
	if err != nil {
		return "" // not cached: asked again at the next event
	}
	if len(mem.Teams) > 0 {
		t = string(mem.Teams[0])
	}
	m.mu.Lock()
	m.teams[p] = t
	m.mu.Unlock()
	return t
}

// observe counts e. It runs in the door's OnEvent: quick, and never
// calling the door.
func (m *metrics) observe(e frontdoor.Event) {
	m.tally.Add(e)
	team := string(e.Team)
	if team == "" && e.Professional != "" {
		team = m.teamOf(context.Background(), e.Professional) // the door's OnEvent carries no context
	}
	ch := string(e.Channel)
	switch e.Kind {
	case frontdoor.EventAdmitted:
		dup := "false"
		if e.Duplicate {
			dup = "true"
		}
		m.contacts.WithLabelValues(ch, dup).Inc()
	case frontdoor.EventOffered:
		m.offers.WithLabelValues(team, ch).Inc()
	case frontdoor.EventDeclined:
		m.declined.WithLabelValues(team, ch).Inc()
	case frontdoor.EventAccepted:
		m.waits.WithLabelValues(team, ch).Observe(e.Waited.Seconds())
	case frontdoor.EventCallbackPromised:
		m.promised.WithLabelValues(team).Inc()
	case frontdoor.EventCallbackAtRisk:
		m.atRisk.WithLabelValues(team).Inc()
	case frontdoor.EventCallbackBreached:
		m.breached.WithLabelValues(team).Inc()
	case frontdoor.EventClosed:
		m.closed.WithLabelValues(string(e.Outcome)).Inc()
	case frontdoor.EventWithdrawn:
		m.withdrawn.WithLabelValues(string(e.Outcome)).Inc()
	}
}

// stateCollector reads the queues and the key figures at scrape time.
type stateCollector struct{ m *metrics }

func (c stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.m.queueLen, c.m.queueOldest, c.m.kept, c.m.tested, c.m.promiseKeptPct,
		c.m.sameDay, c.m.owed, c.m.sameDayShare} {
		ch <- d
	}
}

type teamChannel struct{ team, channel string }

func (c stateCollector) Collect(ch chan<- prometheus.Metric) {
	m := c.m
	now := m.clock.Now()
	disp := m.door.Parts().Dispatcher
	queued := map[teamChannel]map[carecontact.ItemID]time.Time{}
	var pros []carecontact.ProfessionalID
	if m.dir != nil {
		pros = m.dir.Professionals()
	}
	for _, p := range pros {
		prof, err := m.dir.Professional(p)
		if err != nil {
			continue
		}
		for _, it := range disp.Waiting(p) {
			if it.State != routing.ItemQueued {
				continue
			}
			for _, t := range prof.Teams {
				k := teamChannel{string(t), string(it.Contact.Channel)}
				if queued[k] == nil {
					queued[k] = map[carecontact.ItemID]time.Time{}
				}
				queued[k][it.ID] = it.EnqueuedAt
			}
		}
	}
	keys := make([]teamChannel, 0, len(queued))
	for k := range queued {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].team != keys[j].team {
			return keys[i].team < keys[j].team
		}
		return keys[i].channel < keys[j].channel
	})
	for _, k := range keys {
		var oldest time.Time
		for _, at := range queued[k] {
			if oldest.IsZero() || at.Before(oldest) {
				oldest = at
			}
		}
		ch <- prometheus.MustNewConstMetric(m.queueLen, prometheus.GaugeValue, float64(len(queued[k])), k.team, k.channel)
		ch <- prometheus.MustNewConstMetric(m.queueOldest, prometheus.GaugeValue, now.Sub(oldest).Seconds(), k.team, k.channel)
	}
	k := m.tally.Report(now).Total.KPIs
	gauge := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	gauge(m.kept, float64(k.PromiseKept.Num))
	gauge(m.tested, float64(k.PromiseKept.Den))
	gauge(m.promiseKeptPct, k.PromiseKept.Share())
	gauge(m.sameDay, float64(k.SameDayCallback.Num))
	gauge(m.owed, float64(k.SameDayCallback.Den))
	gauge(m.sameDayShare, k.SameDayCallback.Share())
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}
