package demand_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/demand"
)

// BenchmarkAdmit: admission with duplicate detection against the memory
// store; every fourth request duplicates an earlier one.
func BenchmarkAdmit(b *testing.B) {
	ctx := context.Background()
	f := newAdmitter(&testing.T{}, demand.PolicyMerge)
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		_, err := f.adm.Admit(ctx, demand.Request{Actor: client, Client: carecontact.ClientRef(fmt.Sprintf("client-%d", i/4)),
			Errand: channel.ErrandInfectionSymptoms, Kind: channel.Callback})
		if err != nil {
			b.Fatal(err)
		}
	}
}
