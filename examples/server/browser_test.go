package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/examples/server/demo"
	"github.com/carecontact/carecontact/examples/server/web"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
)

var update = flag.Bool("update", false, "write the browser tests' screenshots to testdata/screenshots")

// chromium finds Debian's chromium: CARECONTACT_CHROMIUM, or chromium or
// chromium-browser on PATH. A missing browser fails the test: it is never
// skipped (scripts/chromium-bin installs it for make test).
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CARECONTACT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium not found: install Debian's chromium (scripts/chromium-bin does it as root) or set CARECONTACT_CHROMIUM")
	return ""
}

// browserHost serves the demo organisation on a mock clock (a Monday at
// 8:00 in Helsinki) with the handler main serves.
type browserHost struct {
	clk  *clock.Mock
	demo *demo.Demo
	url  string
}

func newBrowserHost(t *testing.T) *browserHost {
	t.Helper()
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 11, 23, 8, 0, 0, 0, civil.Helsinki()))
	hub := web.NewHub()
	d, err := demo.Build(t.Context(), demo.Config{Clock: clk, OnEvent: hub.Notify})
	require.NoError(t, err)
	h, err := handler(d, hub, discardLogger(), clk, nil)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &browserHost{clk: clk, demo: d, url: srv.URL}
}

// advance runs the door's timers up to until, as the driver does.
func (b *browserHost) advance(t *testing.T, until time.Time) {
	t.Helper()
	ctx := t.Context()
	for next, ok, err := b.demo.Door.NextDeadline(ctx); ok && !next.After(until); next, ok, err = b.demo.Door.NextDeadline(ctx) {
		require.NoError(t, err)
		b.clk.Set(next)
		require.NoError(t, b.demo.Door.Advance(ctx))
	}
	b.clk.Set(until)
}

// newBrowser starts chromium headless and returns two tabs, each limited
// to 30 seconds.
func newBrowser(t *testing.T) (nurse, client context.Context) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium(t)), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.WindowSize(1100, 820), chromedp.Flag("lang", "en"))
	actx, cancelA := chromedp.NewExecAllocator(t.Context(), opts...)
	t.Cleanup(cancelA)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	require.NoError(t, chromedp.Do(ctx), "start chromium")
	tab := func() context.Context {
		c, cancel := chromedp.NewContext(ctx)
		t.Cleanup(cancel)
		c, cancelT := context.WithTimeout(c, 30*time.Second)
		t.Cleanup(cancelT)
		return c
	}
	return tab(), tab()
}

// screenshot saves the viewport as name.png in dir (the test's temporary
// directory) and, with -update, in testdata/screenshots.
func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	dirs := []string{dir}
	if *update {
		dirs = append(dirs, filepath.Join("testdata", "screenshots"))
	}
	for _, dir := range dirs {
		require.NoError(t, os.MkdirAll(dir, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644))
	}
}

// text reads the text of sel. The desk page replaces its parts when a
// server-sent event arrives, so a node found can be gone when its text is
// read ("No node with given id found"); the read is then tried again on
// the new page, a few times.
func text[S chromedp.Selectable](t *testing.T, ctx context.Context, sel S) string {
	t.Helper()
	var err error
	for range 20 {
		var s string
		if s, err = chromedp.Run(ctx, chromedp.Text(sel)); err == nil {
			return s
		}
		time.Sleep(50 * time.Millisecond)
	}
	require.NoError(t, err)
	return ""
}

// waitText reads the text of sel until it holds want: a form's answer is
// a new page, which arrives after the click returns. It fails after a
// bounded number of reads.
func waitText[S chromedp.Selectable](t *testing.T, ctx context.Context, sel S, want string) {
	t.Helper()
	var got string
	for range 100 {
		if got = text(t, ctx, sel); strings.Contains(got, want) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	require.Contains(t, got, want)
}

// TestBrowserNurseAndClient drives chromium: nurse Aino signs in; a client
// requests a callback in Swedish and sees the promised window; when the
// window comes the due callback reaches Aino's desk live (server-sent
// events); she accepts it from the keyboard, switches the call to video
// through its gates (identification, consent), invites Dr Dora and closes
// it with an outcome.
func TestBrowserNurseAndClient(t *testing.T) {
	b, shots := newBrowserHost(t), t.TempDir()
	nurse, client := newBrowser(t)
	require.NoError(t, chromedp.Do(nurse,
		chromedp.Navigate(b.url+"/login"),
		chromedp.WaitVisible(chromedp.ID("professional")),
		chromedp.SendKeys(chromedp.ID("professional"), "aino"),
		chromedp.SendKeys(chromedp.ID("password"), "aino-demo"),
		chromedp.Click(chromedp.ID("signin")),
		chromedp.WaitVisible(chromedp.ID("live")),
	))
	require.Equal(t, "Desk of aino", text(t, nurse, chromedp.CSS("h1")))

	require.NoError(t, chromedp.Do(client,
		chromedp.Navigate(b.url+"/callback?lang=sv"),
		chromedp.WaitVisible(chromedp.ID("phone")),
		chromedp.SetValue(chromedp.ID("client"), "client-sv"),
		chromedp.SetValue(chromedp.ID("errand"), "infection_symptoms"),
		chromedp.SendKeys(chromedp.ID("phone"), "+358401234567"),
		chromedp.Click(chromedp.ID("send")),
		chromedp.WaitVisible(chromedp.ID("window")),
	))
	window, told := text(t, client, chromedp.ID("window")), text(t, client, chromedp.ID("told"))
	lang, err := chromedp.Run(client, chromedp.AttributeValue(chromedp.CSS("html"), "lang"))
	require.NoError(t, err)
	require.Equal(t, "sv", lang.Value)
	require.Contains(t, told, "Vi ringer dig")
	require.Regexp(t, `^23\.11\.2026 \d\d:\d\d–\d\d:\d\d$`, window)
	screenshot(t, client, shots, "client-callback-sv")

	start, err := time.ParseInLocation("2.1.2006 15:04", strings.Split(window, "–")[0], civil.Helsinki())
	require.NoError(t, err)
	b.advance(t, start)
	require.NoError(t, chromedp.Do(nurse, chromedp.WaitVisible(chromedp.CSS(".offer button"))))
	offer := text(t, nurse, chromedp.CSS(".offer"))
	require.Contains(t, offer, "Due callback")
	require.Contains(t, offer, "promised "+strings.Split(window, " ")[1], "the window the client was promised")
	id := text(t, nurse, chromedp.CSS(".offer code"))
	screenshot(t, nurse, shots, "desk-offer")

	require.NoError(t, chromedp.Do(nurse,
		chromedp.Focus(chromedp.CSS(".offer button")),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("select[name=outcome]")),
	))
	screenshot(t, nurse, shots, "desk-in-hand")

	// Switch the call to video through its gates, from the keyboard, and
	// invite Dr Dora (signed in elsewhere).
	_, err = b.demo.Door.SetPresence(t.Context(), "dora", routing.PresenceAvailable)
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(nurse,
		chromedp.Focus(chromedp.ID("identified-"+id)),
		chromedp.KeyEvent(" "),
		chromedp.Focus(chromedp.ID("consent-"+id)),
		chromedp.KeyEvent(" "),
		chromedp.Focus(chromedp.CSS("form[action$=switch] button")),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.ID("guest-"+id)),
		chromedp.SendKeys(chromedp.ID("guest-"+id), "dora"),
		chromedp.Click(chromedp.CSS("form[action$=invite] button")),
		chromedp.WaitVisible(chromedp.CSS("select[name=outcome]")),
	))
	// The outcome control was there before the invitation too: the page
	// after the invitation is the one that names the guest.
	waitText(t, nurse, chromedp.CSS("section[aria-labelledby=h-contacts]"), "in the call: dora")
	require.NotContains(t, text(t, nurse, chromedp.CSS("main")), "refused")
	s, err := b.demo.Door.Session(t.Context(), "aino", id)
	require.NoError(t, err)
	require.Equal(t, "video", string(s.LastKind()))
	dora, err := b.demo.Door.Desk(t.Context(), "dora")
	require.NoError(t, err)
	require.Len(t, dora.Contacts, 1, "dr Dora is in the call")
	require.True(t, dora.Contacts[0].Guest)
	inCall := text(t, nurse, chromedp.CSS("section[aria-labelledby=h-contacts]"))
	require.Contains(t, inCall, "on video")
	require.Contains(t, inCall, "in the call: dora")
	require.Equal(t, "Join the video room", text(t, nurse, chromedp.ID("room-"+id)), "the desk links to the video room")
	screenshot(t, nurse, shots, "desk-video")

	require.NoError(t, chromedp.Do(nurse,
		chromedp.SetValue(chromedp.CSS("select[name=outcome]"), "resolved"),
		chromedp.Click(chromedp.CSS("form[action$=close] button")),
		chromedp.WaitNotPresent(chromedp.CSS("select[name=outcome]")),
	))
	inHand := text(t, nurse, chromedp.CSS("section[aria-labelledby=h-contacts]"))
	screenshot(t, nurse, shots, "desk-closed")
	d, err := b.demo.Door.Desk(t.Context(), "aino")
	require.NoError(t, err)
	for _, c := range d.Contacts {
		require.Empty(t, c.Actions, "closed: nothing left to do")
		require.Contains(t, inHand, c.Item.State.String())
	}
	s, err = b.demo.Door.Session(t.Context(), "aino", id)
	require.NoError(t, err)
	require.Equal(t, session.OutcomeResolved, s.Outcome)
	t.Logf("screenshots in %s", shots)
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestBrowserClientBooksAndCancels drives chromium: a client books the
// blood-pressure check in Swedish, reads the guidance text before booking,
// books the first free time and cancels it.
func TestBrowserClientBooksAndCancels(t *testing.T) {
	b, shots := newBrowserHost(t), t.TempDir()
	client, _ := newBrowser(t)
	require.NoError(t, chromedp.Do(client,
		chromedp.Navigate(b.url+"/book?lang=sv"),
		chromedp.WaitVisible(chromedp.ID("search")),
		chromedp.Click(chromedp.ID("search")),
		chromedp.WaitVisible(chromedp.ID("book")),
	))
	require.Contains(t, text(t, client, chromedp.ID("guidance")), "ta med resultaten av dina hemmamätningar")
	first := text(t, client, chromedp.CSS("label[for=slot-0]"))
	require.Regexp(t, `^\d+\.\d+\.2026 \d\d:\d\d–\d\d:\d\d$`, first)
	screenshot(t, client, shots, "client-booking-sv")

	require.NoError(t, chromedp.Do(client,
		chromedp.Click(chromedp.ID("book")),
		chromedp.WaitVisible(chromedp.ID("booked")),
	))
	require.Equal(t, first, text(t, client, chromedp.ID("booked")))
	require.Contains(t, text(t, client, chromedp.ID("guidance")), "Bokad")
	screenshot(t, client, shots, "client-booked-sv")

	require.NoError(t, chromedp.Do(client,
		chromedp.SendKeys(chromedp.ID("reason"), "kan inte komma"),
		chromedp.Click(chromedp.ID("cancel")),
		chromedp.WaitVisible(chromedp.ID("cancelled")),
	))
	require.Equal(t, "Tiden är avbokad.", text(t, client, chromedp.ID("cancelled")))
	t.Logf("screenshots in %s", shots)
}

// TestBrowserGuidanceEditor drives chromium: nurse Aino changes the
// Swedish text shown before booking the blood-pressure check and submits
// it, her colleague Bertil reviews it from his worklist, head nurse Hanna
// approves and publishes it, and the client's booking page then shows the
// changed text.
func TestBrowserGuidanceEditor(t *testing.T) {
	b, shots := newBrowserHost(t), t.TempDir()
	pro, client := newBrowser(t)
	// Each page is reached by a link or a form, never by navigating away
	// while a form's answer may still be loading.
	signIn := func(who, lands string) {
		t.Helper()
		require.NoError(t, chromedp.Do(pro,
			chromedp.WaitVisible(chromedp.ID("professional")),
			chromedp.SendKeys(chromedp.ID("professional"), who),
			chromedp.SendKeys(chromedp.ID("password"), who+"-demo"),
			chromedp.Click(chromedp.ID("signin")),
			chromedp.WaitReady(chromedp.CSS("h1")),
		))
		waitText(t, pro, chromedp.CSS("h1"), lands)
	}
	signOut := func() {
		t.Helper()
		require.NoError(t, chromedp.Do(pro,
			chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
			chromedp.WaitVisible(chromedp.ID("signin")),
		))
	}
	toEditor := func() {
		t.Helper()
		require.NoError(t, chromedp.Do(pro,
			chromedp.Click(chromedp.ID("to-guidance")),
			chromedp.WaitVisible(chromedp.ID("worklist")),
		))
	}
	fromWorklist := func() {
		t.Helper()
		waitText(t, pro, chromedp.ID("worklist"), "text/ebooking.before/kallio/bp-check")
		require.NoError(t, chromedp.Do(pro,
			chromedp.Click(chromedp.CSS(`#worklist a[href*="ebooking.before"]`)),
			chromedp.WaitVisible(chromedp.ID("version-state")),
		))
	}
	step := func(who, action, state string) {
		t.Helper()
		require.NoError(t, chromedp.Do(pro,
			chromedp.WaitVisible(chromedp.ID("step-"+action)),
			chromedp.SendKeys(chromedp.ID("step-note"), action+" ok"),
			chromedp.Click(chromedp.ID("step-"+action)),
		))
		// A review leaves the state as it was: the history names the step.
		waitText(t, pro, chromedp.CSS("section[aria-labelledby=h-history] ol"), action+" → "+state+" by "+who)
		require.Equal(t, state, text(t, pro, chromedp.ID("version-state")))
		require.NotContains(t, text(t, pro, chromedp.CSS("main")), "refused")
	}

	changed := "{service_name}: ta med dina hemmamätningar och listan över dina läkemedel."
	require.NoError(t, chromedp.Do(pro, chromedp.Navigate(b.url+"/login")))
	signIn("aino", "Desk of aino")
	toEditor()
	require.NoError(t, chromedp.Do(pro,
		chromedp.Click(chromedp.CSS(`a[href*="ebooking.before"]`)),
		chromedp.WaitVisible(chromedp.ID("text_sv")),
		chromedp.Clear(chromedp.ID("text_sv")),
		chromedp.SendKeys(chromedp.ID("text_sv"), changed),
		chromedp.SendKeys(chromedp.ID("draft-note"), "the medicine list too"),
		chromedp.Click(chromedp.ID("save-draft")),
	))
	waitText(t, pro, chromedp.ID("h-edit"), "Edit the draft")
	require.Equal(t, "draft", text(t, pro, chromedp.ID("version-state")))
	require.Contains(t, text(t, pro, chromedp.ID("preview-sv")), "Blodtryckskontroll: ta med dina hemmamätningar och listan över dina läkemedel.")
	require.Contains(t, text(t, pro, chromedp.CSS("#diff-sv ins")), "listan")
	require.Contains(t, text(t, pro, chromedp.ID("diff-fi")), "(unchanged)")
	screenshot(t, pro, shots, "guidance-draft")
	step("aino", "submit", "in_review")
	signOut()

	signIn("bertil", "Desk of bertil")
	toEditor()
	fromWorklist()
	step("bertil", "review", "in_review")
	signOut()

	signIn("hanna", "Guidance texts") // a head nurse who takes no contacts lands in the editor
	fromWorklist()
	step("hanna", "approve", "approved")
	step("hanna", "publish", "published")
	require.Contains(t, text(t, pro, chromedp.CSS("section[aria-labelledby=h-history] ol")), "review → in_review by bertil")
	screenshot(t, pro, shots, "guidance-published")

	require.NoError(t, chromedp.Do(client,
		chromedp.Navigate(b.url+"/book?lang=sv"),
		chromedp.WaitVisible(chromedp.ID("search")),
		chromedp.Click(chromedp.ID("search")),
		chromedp.WaitVisible(chromedp.ID("book")),
	))
	require.Equal(t, "Blodtryckskontroll: ta med dina hemmamätningar och listan över dina läkemedel.", text(t, client, chromedp.ID("guidance")))
	screenshot(t, client, shots, "client-booking-sv-changed")
	t.Logf("screenshots in %s", shots)
}

// TestBrowserClientChat drives chromium: a client asks in Finnish for the
// channels that suit renewing a prescription in Kallio (postal code
// 00530) and starts a chat from the advice; the chat reaches nurse Aino's
// desk live, she accepts it from the keyboard, reads the client's message
// and answers, and the client's page shows her answer without a reload.
func TestBrowserClientChat(t *testing.T) {
	b, shots := newBrowserHost(t), t.TempDir()
	nurse, client := newBrowser(t)
	require.NoError(t, chromedp.Do(nurse,
		chromedp.Navigate(b.url+"/login"),
		chromedp.WaitVisible(chromedp.ID("professional")),
		chromedp.SendKeys(chromedp.ID("professional"), "aino"),
		chromedp.SendKeys(chromedp.ID("password"), "aino-demo"),
		chromedp.Click(chromedp.ID("signin")),
		chromedp.WaitVisible(chromedp.ID("live")),
	))

	require.NoError(t, chromedp.Do(client,
		chromedp.Navigate(b.url+"/chat?lang=fi"),
		chromedp.WaitVisible(chromedp.ID("advise")),
		chromedp.SetValue(chromedp.ID("client"), "client-fi"),
		chromedp.SetValue(chromedp.ID("errand"), "prescription_renewal"),
		chromedp.Clear(chromedp.ID("postal_code")),
		chromedp.SendKeys(chromedp.ID("postal_code"), "00530"),
		chromedp.Click(chromedp.ID("advise")),
		chromedp.WaitVisible(chromedp.ID("advice")),
	))
	lang, err := chromedp.Run(client, chromedp.AttributeValue(chromedp.CSS("html"), "lang"))
	require.NoError(t, err)
	require.Equal(t, "fi", lang.Value)
	require.Contains(t, text(t, client, chromedp.ID("fit-chat")), "Chat on auki ma–pe 8–16")
	require.Contains(t, text(t, client, chromedp.ID("fit-callback")), "Jätä soittopyyntö")
	screenshot(t, client, shots, "client-chat-advice-fi")

	require.NoError(t, chromedp.Do(client,
		chromedp.Focus(chromedp.ID("start")),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.ID("chat")),
	))
	require.Contains(t, text(t, client, chromedp.ID("state")), "Odotat vuoroasi")
	require.NoError(t, chromedp.Do(client, chromedp.WaitVisible(chromedp.ID("withdraw"))))

	// Routed by the postal code to Kallio's nurses: Aino's desk offers it.
	require.NoError(t, chromedp.Do(nurse, chromedp.WaitVisible(chromedp.CSS(".offer button"))))
	require.Contains(t, text(t, nurse, chromedp.CSS(".offer")), "chat")
	id := text(t, nurse, chromedp.CSS(".offer code"))
	require.NoError(t, chromedp.Do(nurse,
		chromedp.Focus(chromedp.CSS(".offer button")),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.ID("text-"+id)),
	))
	waitText(t, client, chromedp.ID("state"), "Keskustelet: aino")
	require.NoError(t, chromedp.Do(client, chromedp.WaitNotPresent(chromedp.ID("withdraw"))), "taken: no longer withdrawn from the page")

	require.NoError(t, chromedp.Do(client,
		chromedp.SendKeys(chromedp.ID("text"), "Tarvitsen verenpainelääkkeeni reseptin uusimisen."),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.ID("chat")),
	))
	waitText(t, client, chromedp.ID("messages"), "Sinä: Tarvitsen verenpainelääkkeeni reseptin uusimisen.")
	waitText(t, nurse, chromedp.ID("messages-"+id), "client: Tarvitsen verenpainelääkkeeni")
	require.NoError(t, chromedp.Do(nurse,
		chromedp.SendKeys(chromedp.ID("text-"+id), "Uusin reseptin tänään, se näkyy apteekissa huomenna."),
		chromedp.KeyEvent(kb.Enter),
	))
	waitText(t, nurse, chromedp.ID("messages-"+id), "aino: Uusin reseptin tänään")
	screenshot(t, nurse, shots, "desk-chat")

	// The client's page polls the conversation: the answer arrives
	// without a reload.
	waitText(t, client, chromedp.ID("messages"), "aino: Uusin reseptin tänään, se näkyy apteekissa huomenna.")
	require.NotContains(t, text(t, client, chromedp.CSS("main")), "Pyyntöä ei voitu")
	screenshot(t, client, shots, "client-chat-fi")
	t.Logf("screenshots in %s", shots)
}
