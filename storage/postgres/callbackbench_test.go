package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
)

// BenchmarkPromiseReplicas measures callback promises into one team
// through 1 and 4 planners, each on a pool of its own over one database:
// every promise reserves the team's day, and a reservation that lost its
// race is planned again (reported as retries/op).
func BenchmarkPromiseReplicas(b *testing.B) {
	for _, planners := range []int{1, 4} {
		b.Run(fmt.Sprintf("planners=%d", planners), func(b *testing.B) {
			ctx := context.Background()
			dbs := openDBs(b, planners, 2)
			capa := callback.NewStaticCapacity(nil)
			shifts := make([]callback.Shift, 40)
			for i := range shifts {
				shifts[i] = callback.Shift{Professional: carecontact.ProfessionalID(fmt.Sprintf("n-%d", i)), From: civil.At(8, 0), To: civil.At(16, 0)}
			}
			require.NoError(b, capa.SetTeam("team-a", shifts...))
			router := callback.StaticRouter{Areas: map[string]carecontact.AreaID{"00100": "area-a"},
				Teams: map[carecontact.AreaID]carecontact.TeamID{"area-a": "team-a"}}
			now := time.Date(2026, 11, 24, 7, 30, 0, 0, civil.Helsinki()).UTC()
			var lost atomic.Int64
			ps := make([]*callback.Planner, planners)
			for i, db := range dbs {
				var n atomic.Int64
				p, err := callback.New(callback.Config{Audit: db.AuditLog(), Clock: carecontact.ClockFunc(func() time.Time { return now }),
					Store: countingStore{db.CallbackStore(), &lost}, Router: router, Capacity: capa,
					NewID: func() string { return fmt.Sprintf("cbp%dn%d", i, n.Add(1)) }})
				require.NoError(b, err)
				ps[i] = p
			}
			var next atomic.Int64
			b.ResetTimer()
			var wg sync.WaitGroup
			for i := range planners {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						k := next.Add(1)
						if k > int64(b.N) {
							return
						}
						_, err := ps[i].Request(ctx, callback.Request{Client: carecontact.ClientRef(fmt.Sprintf("client-%d", k)),
							Phone: "0401234567", Errand: channel.ErrandOther, PostalCode: "00100"})
						if err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(lost.Load())/float64(b.N), "retries/op")
		})
	}
}

// countingStore counts the reservations that lost their race.
type countingStore struct {
	callback.Store
	lost *atomic.Int64
}

func (s countingStore) OpenReserved(ctx context.Context, r callback.Record, res callback.Reservation, actor audit.Actor, at time.Time) (callback.Record, bool, error) {
	rec, joined, err := s.Store.OpenReserved(ctx, r, res, actor, at)
	if errors.Is(err, callback.ErrPlanChanged) {
		s.lost.Add(1)
	}
	return rec, joined, err
}
