package channel_test

import (
	"testing"

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
