package demo

import (
	"context"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/carecontact/carecontact/civil"
	"github.com/stretchr/testify/require"
)

func TestBuild(t *testing.T) {
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 11, 23, 8, 0, 0, 0, civil.Helsinki()))
	d, err := Build(context.Background(), Config{Clock: clk})
	require.NoError(t, err)
	require.NotNil(t, d.Door)
}
