package guidance_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/storage/memory"
)

// starterPath is the starter content shipped with the examples.
const starterPath = "../examples/guidance/content.json"

func starter(t testing.TB) guidance.Content {
	t.Helper()
	f, err := os.Open(starterPath)
	require.NoError(t, err)
	defer f.Close()
	c, err := guidance.Decode("content.json", f, nil)
	require.NoError(t, err)
	return c
}

func starterCatalog(t testing.TB) *guidance.Catalog {
	t.Helper()
	c, err := guidance.NewCatalog(starter(t), nil)
	require.NoError(t, err)
	return c
}

// miniContent is a small valid content set used by many tests.
func miniContent() guidance.Content {
	all := func(fi, sv, en string) guidance.Localized { return guidance.Localized{"fi": fi, "sv": sv, "en": en} }
	hours := all("ma–pe 8–16", "mån–fre 8–16", "Mon–Fri 8–16")
	return guidance.Content{
		Format: guidance.FormatName, Version: guidance.FormatVersion,
		Languages: []string{"fi", "sv", "en"},
		Texts: []guidance.Text{
			{Key: guidance.KeyCallbackRequested, Text: all("Soitamme {callback_window}.", "Vi ringer {callback_window}.", "We call {callback_window}.")},
			{Key: guidance.KeyCallbackRequested, Area: "north", Text: guidance.Localized{"fi": "{area_name}: soitamme {callback_window}."}},
			{Key: guidance.AdviceKey(channel.Callback), Text: all("Jätä soittopyyntö ({opening_hours}).", "Lämna en begäran ({opening_hours}).", "Leave a request ({opening_hours}).")},
			{Key: guidance.AdviceKey(channel.Chat), Text: all("Chat {opening_hours}.", "Chatt {opening_hours}.", "Chat {opening_hours}.")},
			{Key: guidance.AdviceKey(channel.EBooking), Text: all("Varaa: {service_name}.", "Boka: {service_name}.", "Book: {service_name}.")},
		},
		Channels: []guidance.ChannelConfig{
			{AreaName: all("Terveysasema", "Hälsostationen", "Health station"), Offers: []guidance.Offer{
				{Kind: channel.Callback, Rank: 1, Identity: channel.IdentityWeak, Hours: hours},
			}},
			{Area: "north", AreaName: all("Pohjoinen", "Norra", "North"), Offers: []guidance.Offer{
				{Kind: channel.Callback, Rank: 2, Identity: channel.IdentityWeak, Hours: hours},
				{Kind: channel.Chat, Rank: 1, Identity: channel.IdentityStrong, Languages: []string{"fi"}, Hours: hours},
				{Kind: channel.EBooking, Rank: 3, Identity: channel.IdentityStrong, Groups: []string{"adult"}, Hours: hours},
			}},
		},
		Booking: []guidance.BookingConfig{{Area: "north", Services: []guidance.BookableService{
			{ID: "flu", Errand: channel.ErrandVaccination, Name: all("influenssarokotus", "influensavaccination", "flu vaccination")},
		}}},
		Checklist: []guidance.ChecklistItem{
			{ID: "identity-verified", Category: guidance.CategoryPrivacy, Actions: []string{"leg.start"}, Text: all("Henkilöllisyys tarkistettu", "Identitet kontrollerad", "Identity verified")},
			{ID: "private-place", Category: guidance.CategoryPrivacy, Actions: []string{"leg.start"}, Kinds: []channel.Kind{channel.Video}, Text: all("Rauhallinen paikka", "Lugn plats", "Private place")},
			{ID: "av-tested", Category: guidance.CategoryTechnical, Actions: []string{"leg.start"}, Kinds: []channel.Kind{channel.Video}, Text: all("Kuva ja ääni", "Bild och ljud", "Audio and video")},
			{ID: "consent", Category: guidance.CategoryPrivacy, Actions: []string{"participant.invite"}, Text: all("Suostumus", "Samtycke", "Consent")},
			{ID: "summary", Category: guidance.CategoryInteraction, Actions: []string{"close"}, Text: all("Yhteenveto", "Sammanfattning", "Summary")},
		},
	}
}

// testClock is a settable clock for workflow tests.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

var _ carecontact.Clock = (*testClock)(nil)

var (
	t0            = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	editor        = audit.Actor{Kind: audit.ActorProfessional, ID: "editor-n", Role: "nurse"}
	editor2       = audit.Actor{Kind: audit.ActorProfessional, ID: "editor-s", Role: "nurse"}
	reviewer      = audit.Actor{Kind: audit.ActorProfessional, ID: "reviewer-n", Role: "nurse"}
	manager       = audit.Actor{Kind: audit.ActorProfessional, ID: "manager-n", Role: "head nurse"}
	managerS      = audit.Actor{Kind: audit.ActorProfessional, ID: "manager-s", Role: "head nurse"}
	chief         = audit.Actor{Kind: audit.ActorProfessional, ID: "chief", Role: "chief physician"}
	chiefEditor   = audit.Actor{Kind: audit.ActorProfessional, ID: "chief-editor"}
	chiefReviewer = audit.Actor{Kind: audit.ActorProfessional, ID: "chief-reviewer"}
	clientAct     = audit.Actor{Kind: audit.ActorClient, ID: "client-7f3a"}
	// dual holds the reviewer and the manager role in north.
	dual = audit.Actor{Kind: audit.ActorProfessional, ID: "dual-n"}
)

// pro is the professional ID of a professional actor.
func pro(a audit.Actor) carecontact.ProfessionalID { return carecontact.ProfessionalID(a.ID) }

var grants = guidance.Grants{
	pro(editor):        {{Role: guidance.RoleEditor, Area: "north"}},
	pro(editor2):       {{Role: guidance.RoleEditor, Area: "south"}},
	pro(reviewer):      {{Role: guidance.RoleReviewer, Area: "north"}},
	pro(manager):       {{Role: guidance.RoleManager, Area: "north"}},
	pro(managerS):      {{Role: guidance.RoleManager, Area: "south"}},
	pro(chief):         {{Role: guidance.RoleManager}},
	pro(chiefEditor):   {{Role: guidance.RoleEditor}},
	pro(chiefReviewer): {{Role: guidance.RoleReviewer}},
	pro(dual):          {{Role: guidance.RoleReviewer, Area: "north"}, {Role: guidance.RoleManager, Area: "north"}},
}

type fixture struct {
	g     *guidance.Guide
	clock *testClock
	log   *memory.AuditLog
	store *memory.GuidanceStore
}

func newFixture(t testing.TB) fixture {
	t.Helper()
	log := memory.NewAuditLog()
	store := memory.NewGuidanceStore(log)
	clock := &testClock{now: t0}
	g, err := guidance.New(guidance.Config{Store: store, Audit: log, Roles: grants, Clock: clock})
	require.NoError(t, err)
	return fixture{g: g, clock: clock, log: log, store: store}
}

// advance moves the fixture's clock forward by d.
func (f fixture) advance(d time.Duration) time.Time {
	f.clock.Set(f.clock.Now().Add(d))
	return f.clock.Now()
}

// publish takes e through the whole workflow in area north and returns its
// ref; each step is a minute after the previous one.
func (f fixture) publish(t testing.TB, e guidance.Entry) guidance.Ref {
	t.Helper()
	ctx := context.Background()
	ed, rv, mg := editor, reviewer, manager
	if e.Area() == "" {
		ed, rv, mg = chiefEditor, chiefReviewer, chief
	}
	ref, err := f.g.Draft(ctx, ed, e, "new")
	require.NoError(t, err)
	f.advance(time.Minute)
	require.NoError(t, f.g.Submit(ctx, ed, ref, ""))
	f.advance(time.Minute)
	require.NoError(t, f.g.Review(ctx, rv, ref, "ok"))
	f.advance(time.Minute)
	require.NoError(t, f.g.Approve(ctx, mg, ref, ""))
	f.advance(time.Minute)
	require.NoError(t, f.g.Publish(ctx, mg, ref, ""))
	return ref
}
