package demand_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/storage/memory"
)

func ExampleAdmitter_Admit() {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	adm, _ := demand.New(demand.Config{
		Matrix: channel.DefaultMatrix(),
		Store:  memory.NewDemandStore(nil),
		Audit:  memory.NewAuditLog(),
		Clock:  carecontact.ClockFunc(func() time.Time { return now }),
		Policy: demand.PolicyKeepBoth,
	})
	client := audit.Actor{Kind: audit.ActorClient, ID: "client-42"}
	chat, _ := adm.Admit(ctx, demand.Request{Actor: client, Client: "client-42", Errand: channel.ErrandInfectionSymptoms, Kind: channel.Chat})
	cb, _ := adm.Admit(ctx, demand.Request{Actor: client, Client: "client-42", Errand: channel.ErrandInfectionSymptoms, Kind: channel.Callback})
	fmt.Println("callback duplicates the", cb.Existing.Kind, "contact; queue it too:", cb.Queue())

	// The chat nurse resolves the errand: the queued callback is withdrawn.
	s, _ := adm.Settle(ctx, audit.Actor{Kind: audit.ActorProfessional, ID: "nurse-1"}, chat.Contact.ID)
	for _, w := range s.Withdrawn {
		fmt.Println("rescind", w.Kind, "contact:", w.State)
	}
	stats, _ := adm.Stats(ctx, now, now.Add(time.Hour))
	fmt.Printf("duplicate rate %.0f%%\n", 100*stats.DuplicateRate())

	_, err := adm.Admit(ctx, demand.Request{Actor: client, Client: "client-42", Errand: channel.ErrandWoundCare, Kind: channel.Chat})
	fmt.Println(errors.Is(err, channel.ErrUnsuitable), err)
	// Output:
	// callback duplicates the chat contact; queue it too: true
	// rescind callback contact: withdrawn
	// duplicate rate 50%
	// true channel: errand "wound_care" not suitable for chat: the professional needs to see the client; book a visit or use video
}
