package storagetest

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
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/guidance"
)

func guidanceRecord(subjectArea string, versions int) guidance.Record {
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	editor := audit.Actor{Kind: audit.ActorProfessional, ID: "editor-1", Role: "editor"}
	rec := guidance.Record{Subject: "channels/" + subjectArea}
	for n := 1; n <= versions; n++ {
		rec.Versions = append(rec.Versions, guidance.Version{
			Number: n,
			State:  guidance.StateDraft,
			Entry: guidance.Entry{Channels: &guidance.ChannelConfig{
				Area:     carecontact.AreaID(subjectArea),
				AreaName: guidance.Localized{"fi": "Alue", "sv": "Område"},
				Offers: []guidance.Offer{{Kind: channel.Callback, Rank: n, Identity: channel.IdentityWeak,
					Languages: []string{"fi"}, Groups: []string{"adult"}, Hours: guidance.Localized{"fi": "ma–pe 8–16"}}},
			}},
			Steps: []guidance.Step{{Action: guidance.ActionDraft, State: guidance.StateDraft, Actor: editor, At: at.Add(time.Duration(n) * time.Minute), Note: "n"}},
		})
	}
	return rec
}

func guidanceEvent(subject string, i int) audit.Event {
	return audit.Event{
		At:      time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second),
		Actor:   audit.Actor{Kind: audit.ActorProfessional, ID: fmt.Sprintf("editor-%d", i)},
		Action:  "guidance.draft",
		Subject: "guidance/" + subject,
		Outcome: audit.Allowed,
		Detail:  map[string]string{"writer": fmt.Sprint(i)},
	}
}

func runGuidance(t *testing.T, h Harness) {
	ctx := context.Background()
	t.Run("save load list", func(t *testing.T) {
		st, _ := h.Guidance(t, 1)
		require.Len(t, st, 1)
		s := st[0]
		_, err := s.Load(ctx, "channels/north")
		require.ErrorIs(t, err, guidance.ErrNotFound)
		recs, err := s.List(ctx)
		require.NoError(t, err)
		require.Empty(t, recs)

		rec := guidanceRecord("north", 2)
		rev, err := s.Save(ctx, rec, []audit.Event{guidanceEvent(rec.Subject, 1)})
		require.NoError(t, err)
		require.Equal(t, int64(1), rev)
		got, err := s.Load(ctx, "channels/north")
		require.NoError(t, err)
		require.Equal(t, int64(1), got.Rev)
		rec.Rev = 1
		requireSameRecord(t, rec, got)

		got.Versions[0].State = guidance.StatePublished
		got.Versions = append(got.Versions, guidanceRecord("north", 3).Versions[2])
		rev, err = s.Save(ctx, got, nil)
		require.NoError(t, err)
		require.Equal(t, int64(2), rev)
		again, err := s.Load(ctx, "channels/north")
		require.NoError(t, err)
		require.Len(t, again.Versions, 3)
		require.Equal(t, guidance.StatePublished, again.Versions[0].State)

		_, err = s.Save(ctx, guidanceRecord("south", 1), nil)
		require.NoError(t, err)
		_, err = s.Save(ctx, guidanceRecord("east", 1), nil)
		require.NoError(t, err)
		recs, err = s.List(ctx)
		require.NoError(t, err)
		require.Len(t, recs, 3)
		require.Equal(t, []string{"channels/east", "channels/north", "channels/south"},
			[]string{recs[0].Subject, recs[1].Subject, recs[2].Subject}, "ordered by subject")
	})
	t.Run("stale revision conflicts and writes nothing", func(t *testing.T) {
		s, log := guidanceOne(t, h)
		rec := guidanceRecord("north", 1)
		_, err := s.Save(ctx, rec, nil)
		require.NoError(t, err)
		_, err = s.Save(ctx, rec, []audit.Event{guidanceEvent(rec.Subject, 2)}) // Rev 0 again: exists already
		require.ErrorIs(t, err, guidance.ErrConflict)
		ahead := guidanceRecord("west", 1)
		ahead.Rev = 5
		_, err = s.Save(ctx, ahead, nil)
		require.ErrorIs(t, err, guidance.ErrConflict, "a record that does not exist has revision 0")
		_, err = s.Load(ctx, "channels/west")
		require.ErrorIs(t, err, guidance.ErrNotFound)
		events, err := log.Events(ctx, audit.Filter{Subject: "guidance/" + rec.Subject})
		require.NoError(t, err)
		require.Empty(t, events, "a lost compare-and-set writes no audit event")
	})
	t.Run("bad audit event fails the whole save", func(t *testing.T) {
		s, log := guidanceOne(t, h)
		rec := guidanceRecord("north", 1)
		bad := guidanceEvent(rec.Subject, 1)
		bad.Detail = map[string]string{"phone": "+358401234567"}
		_, err := s.Save(ctx, rec, []audit.Event{guidanceEvent(rec.Subject, 0), bad})
		require.ErrorIs(t, err, audit.ErrInvalidEvent)
		_, err = s.Load(ctx, rec.Subject)
		require.ErrorIs(t, err, guidance.ErrNotFound, "nothing half-written")
		events, err := log.Events(ctx, audit.Filter{Subject: "guidance/" + rec.Subject})
		require.NoError(t, err)
		require.Empty(t, events, "no event of a failed save")
	})
	t.Run("empty subject is refused", func(t *testing.T) {
		s, _ := guidanceOne(t, h)
		_, err := s.Save(ctx, guidance.Record{}, nil)
		require.ErrorIs(t, err, guidance.ErrInvalid)
	})
	t.Run("returned records are copies", func(t *testing.T) {
		s, _ := guidanceOne(t, h)
		rec := guidanceRecord("north", 1)
		_, err := s.Save(ctx, rec, nil)
		require.NoError(t, err)
		rec.Versions[0].Entry.Channels.AreaName["fi"] = "changed by caller"
		got, err := s.Load(ctx, rec.Subject)
		require.NoError(t, err)
		require.Equal(t, "Alue", got.Versions[0].Entry.Channels.AreaName["fi"])
		got.Versions[0].Entry.Channels.Offers[0].Groups[0] = "changed"
		got.Versions[0].Steps[0].Note = "changed"
		again, err := s.Load(ctx, rec.Subject)
		require.NoError(t, err)
		require.Equal(t, "adult", again.Versions[0].Entry.Channels.Offers[0].Groups[0])
		require.Equal(t, "n", again.Versions[0].Steps[0].Note)
	})
	t.Run("change sets and booking rules round-trip", func(t *testing.T) {
		s, _ := guidanceOne(t, h)
		at := time.Date(2026, 2, 24, 10, 0, 0, 0, time.UTC)
		from := time.Date(2026, 2, 28, 22, 0, 0, 0, time.UTC)
		manager := audit.Actor{Kind: audit.ActorProfessional, ID: "head-1"}
		set := guidance.Record{Subject: guidance.SetSubject("flu"), Versions: []guidance.Version{{Number: 1, State: guidance.StatePublished, Set: "flu",
			ChangeSet: &guidance.ChangeSet{ID: "flu", Area: "north", Members: []guidance.Ref{{Subject: "booking/north", Number: 2}},
				Effective: from, Replaced: []guidance.Ref{{Subject: "booking/north", Number: 1}}},
			Steps: []guidance.Step{{Action: guidance.ActionPublish, State: guidance.StatePublished, Actor: manager, At: at}}}}}
		member := guidance.Record{Subject: "booking/north", Versions: []guidance.Version{{Number: 1, State: guidance.StatePublished, Set: "flu",
			Entry: guidance.Entry{Booking: &guidance.BookingConfig{Area: "north", Services: []guidance.BookableService{{ID: "flu",
				Errand: channel.ErrandVaccination, Name: guidance.Localized{"fi": "Rokotus"}, Groups: []string{"adult"},
				Rules: &guidance.BookingRules{DurationMinutes: 10, Channel: channel.InPerson, Capacity: 4,
					Requires:     []guidance.BookingRequirement{{Kind: "professional", Role: "nurse"}},
					PreQuestions: []byte(`[{"id":"egg","kind":"yesno"}]`)}}}}},
			Steps: []guidance.Step{{Action: guidance.ActionPublish, State: guidance.StatePublished, Actor: manager, At: at,
				Effective: from, Set: "flu"}}}}}
		for _, rec := range []guidance.Record{set, member} {
			_, err := s.Save(ctx, rec, nil)
			require.NoError(t, err)
			got, err := s.Load(ctx, rec.Subject)
			require.NoError(t, err)
			w, g := rec.Versions[0], got.Versions[0]
			require.Equal(t, w.Set, g.Set)
			require.Equal(t, w.Steps[0].Set, g.Steps[0].Set)
			require.True(t, w.Steps[0].Effective.Equal(g.Steps[0].Effective))
			if w.ChangeSet != nil {
				require.NotNil(t, g.ChangeSet)
				require.Equal(t, w.ChangeSet.Members, g.ChangeSet.Members)
				require.Equal(t, w.ChangeSet.Replaced, g.ChangeSet.Replaced)
				require.True(t, w.ChangeSet.Effective.Equal(g.ChangeSet.Effective))
				continue
			}
			wr, gr := w.Entry.Booking.Services[0].Rules, g.Entry.Booking.Services[0].Rules
			require.NotNil(t, gr)
			require.JSONEq(t, string(wr.PreQuestions), string(gr.PreQuestions))
			wr.PreQuestions, gr.PreQuestions = nil, nil
			require.Equal(t, wr, gr)
		}
	})
	t.Run("canceled context", func(t *testing.T) {
		s, _ := guidanceOne(t, h)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := s.Save(cctx, guidanceRecord("north", 1), nil)
		require.ErrorIs(t, err, context.Canceled)
		_, err = s.Load(cctx, "channels/north")
		require.ErrorIs(t, err, context.Canceled)
		_, err = s.List(cctx)
		require.ErrorIs(t, err, context.Canceled)
	})
	t.Run("concurrent compare-and-set has exactly one winner", func(t *testing.T) {
		stores, log := h.Guidance(t, 4)
		require.Len(t, stores, 4)
		base := guidanceRecord("north", 1)
		_, err := stores[0].Save(ctx, base, nil)
		require.NoError(t, err)
		start, err := stores[1].Load(ctx, base.Subject)
		require.NoError(t, err)
		const racers = 32
		var wins, conflicts atomic.Int32
		var winner atomic.Int32
		var wg sync.WaitGroup
		for i := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rec := start.Clone()
				rec.Versions[0].Steps[0].Note = fmt.Sprint(i)
				_, err := stores[i%len(stores)].Save(ctx, rec, []audit.Event{guidanceEvent(rec.Subject, i)})
				switch {
				case err == nil:
					wins.Add(1)
					winner.Store(int32(i))
				case errors.Is(err, guidance.ErrConflict):
					conflicts.Add(1)
				default:
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		require.Equal(t, int32(1), wins.Load(), "exactly one winner")
		require.Equal(t, int32(racers-1), conflicts.Load())
		for _, s := range stores {
			got, err := s.Load(ctx, base.Subject)
			require.NoError(t, err)
			require.Equal(t, int64(2), got.Rev)
			require.Equal(t, fmt.Sprint(winner.Load()), got.Versions[0].Steps[0].Note, "the winner's change is stored")
		}
		events, err := log.Events(ctx, audit.Filter{Subject: "guidance/" + base.Subject})
		require.NoError(t, err)
		require.Len(t, events, 1, "only the winner's event is written")
		require.Equal(t, fmt.Sprint(winner.Load()), events[0].Detail["writer"])
	})
	t.Run("concurrent read-modify-write loses no update", func(t *testing.T) {
		stores, log := h.Guidance(t, 3)
		const writers, each = 8, 10
		subject := "channels/north"
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := stores[w%len(stores)]
				for i := 0; i < each; {
					rec, err := s.Load(ctx, subject)
					if errors.Is(err, guidance.ErrNotFound) {
						rec, err = guidance.Record{Subject: subject}, nil
					}
					if err != nil {
						t.Error(err)
						return
					}
					v := guidanceRecord("north", 1).Versions[0]
					v.Number = len(rec.Versions) + 1
					rec.Versions = append(rec.Versions, v)
					_, err = s.Save(ctx, rec, []audit.Event{guidanceEvent(subject, w*each+i)})
					if errors.Is(err, guidance.ErrConflict) {
						continue
					}
					if err != nil {
						t.Error(err)
						return
					}
					i++
				}
			}()
		}
		wg.Wait()
		got, err := stores[0].Load(ctx, subject)
		require.NoError(t, err)
		require.Len(t, got.Versions, writers*each)
		require.Equal(t, int64(writers*each), got.Rev)
		for i, v := range got.Versions {
			require.Equal(t, i+1, v.Number, "version numbers are dense")
		}
		events, err := log.Events(ctx, audit.Filter{Subject: "guidance/" + subject})
		require.NoError(t, err)
		require.Len(t, events, writers*each)
	})
}

func guidanceOne(t *testing.T, h Harness) (guidance.Store, audit.Reader) {
	st, log := h.Guidance(t, 1)
	require.Len(t, st, 1)
	require.NotNil(t, log)
	return st[0], log
}

func requireSameRecord(t *testing.T, want, got guidance.Record) {
	t.Helper()
	require.Equal(t, want.Subject, got.Subject)
	require.Equal(t, want.Rev, got.Rev)
	require.Len(t, got.Versions, len(want.Versions))
	for i := range want.Versions {
		w, g := want.Versions[i], got.Versions[i]
		require.Equal(t, w.Number, g.Number)
		require.Equal(t, w.State, g.State)
		require.Equal(t, w.Entry, g.Entry)
		require.Len(t, g.Steps, len(w.Steps))
		for j := range w.Steps {
			require.True(t, w.Steps[j].At.Equal(g.Steps[j].At))
			require.Equal(t, w.Steps[j].Actor, g.Steps[j].Actor)
			require.Equal(t, w.Steps[j].Action, g.Steps[j].Action)
			require.Equal(t, w.Steps[j].Note, g.Steps[j].Note)
		}
	}
}
