package channel_test

import (
	"fmt"

	"github.com/carecontact/carecontact/channel"
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
	// channel: invalid suitability matrix: errands["x"]["chat"].reason: is required when suitable is false
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
