package channel_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
)

func BenchmarkSuitable(b *testing.B) {
	m := channel.DefaultMatrix()
	b.ReportAllocs()
	for b.Loop() {
		if ok, _ := m.Suitable(channel.ErrandWoundCare, channel.Video); !ok {
			b.Fatal("wound care suits video")
		}
	}
}

// BenchmarkAdmit: admission with duplicate detection against the memory
// store; every fourth request duplicates an earlier one.
func BenchmarkAdmit(b *testing.B) {
	ctx := context.Background()
	f := newAdmitter(&testing.T{}, channel.PolicyMerge)
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		_, err := f.adm.Admit(ctx, channel.Request{Actor: client, Client: carecontact.ClientRef(fmt.Sprintf("client-%d", i/4)),
			Errand: channel.ErrandInfectionSymptoms, Kind: channel.Callback})
		if err != nil {
			b.Fatal(err)
		}
	}
}
