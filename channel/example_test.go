package channel_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/storage/memory"
)

func ExampleMatrix_Suitable() {
	m := channel.DefaultMatrix()
	for _, k := range []channel.Kind{channel.Callback, channel.Video, channel.SecureMessage} {
		ok, reason := m.Suitable(channel.ErrandInfectionSymptoms, k)
		if ok {
			fmt.Printf("%s: suitable\n", k)
		} else {
			fmt.Printf("%s: not suitable: %s\n", k, reason)
		}
	}
	fmt.Println("video needs", m.RequiredIdentity(channel.ErrandInfectionSymptoms, channel.Video), "identification")
	// Output:
	// callback: suitable
	// video: suitable
	// secure_message: not suitable: symptoms need an assessment the same day; messages are answered within days
	// video needs strong identification
}

func ExampleParseMatrix() {
	m, err := channel.ParseMatrix([]byte(`{
	  "version": 1,
	  "base": "defaults",
	  "errands": {"lab_results": {"video": {"suitable": true, "identity": "strong"}}}
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Channels(channel.ErrandLabResults))
	_, err = channel.ParseMatrix([]byte(`{"version": 1, "errands": {"x": {"chat": {"suitable": false, "identity": "weak"}}}}`))
	fmt.Println(err)
	// Output:
	// [inbound_phone callback video chat secure_message e_booking]
	// channel: invalid suitability matrix: errands["x"]["chat"]: reason is required when suitable is false
}

func ExampleGraph_Check() {
	g := channel.DefaultGraph()
	fmt.Println(g.Check(channel.Callback, channel.Video, channel.IdentityStrong, true))
	fmt.Println(g.Check(channel.Callback, channel.Video, channel.IdentityWeak, true))
	fmt.Println(g.Check(channel.Chat, channel.Callback, channel.IdentityWeak, false))
	fmt.Println(g.Check(channel.Video, channel.Chat, channel.IdentityStrong, true))
	// Output:
	// <nil>
	// callback -> video: channel: client identification too weak: strong required, weak verified
	// chat -> callback: channel: client consent required
	// channel: escalation not allowed: video -> chat
}

func ExampleAdmitter_Admit() {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	adm, _ := channel.NewAdmitter(channel.AdmitterConfig{
		Matrix: channel.DefaultMatrix(),
		Store:  memory.NewDemandStore(nil),
		Clock:  carecontact.ClockFunc(func() time.Time { return now }),
		Policy: channel.PolicyKeepBoth,
	})
	client := audit.Actor{Kind: audit.ActorClient, ID: "client-42"}
	chat, _ := adm.Admit(ctx, channel.Request{Actor: client, Client: "client-42", Errand: channel.ErrandInfectionSymptoms, Kind: channel.Chat})
	cb, _ := adm.Admit(ctx, channel.Request{Actor: client, Client: "client-42", Errand: channel.ErrandInfectionSymptoms, Kind: channel.Callback})
	fmt.Println("callback duplicates the", cb.Existing.Kind, "contact; queue it too:", cb.Queue())

	// The chat nurse resolves the errand: the queued callback is withdrawn.
	s, _ := adm.Settle(ctx, audit.Actor{Kind: audit.ActorProfessional, ID: "nurse-1"}, chat.Contact.ID)
	for _, w := range s.Withdrawn {
		fmt.Println("rescind", w.Kind, "contact:", w.State)
	}
	stats, _ := adm.Stats(ctx, now, now.Add(time.Hour))
	fmt.Printf("duplicate rate %.0f%%\n", 100*stats.DuplicateRate())

	_, err := adm.Admit(ctx, channel.Request{Actor: client, Client: "client-42", Errand: channel.ErrandWoundCare, Kind: channel.Chat})
	fmt.Println(errors.Is(err, channel.ErrUnsuitable), err)
	// Output:
	// callback duplicates the chat contact; queue it too: true
	// rescind callback contact: withdrawn
	// duplicate rate 50%
	// true channel: errand "wound_care" not suitable for chat: the professional needs to see the client; book a visit or use video
}

func ExampleParseGraph() {
	g, err := channel.ParseGraph([]byte(`{
	  "version": 1,
	  "escalations": [
	    {"from": "callback", "to": "video", "consent": true, "identity": "strong"},
	    {"from": "*", "to": "in_person", "identity": "weak"}
	  ]
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range g.From(channel.Callback) {
		fmt.Printf("%s -> %s consent=%v identity=%s\n", e.From, e.To, e.Consent, e.Identity)
	}
	// Output:
	// callback -> video consent=true identity=strong
	// callback -> in_person consent=false identity=weak
}
