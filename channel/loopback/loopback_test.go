package loopback_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/channel/loopback"
)

func TestRecordsAndFailures(t *testing.T) {
	ctx := context.Background()
	tr := loopback.New()
	call, err := tr.PlaceCall(ctx, channel.CallRequest{Session: "s1", Client: "client-1", Professional: "nurse-1"})
	require.NoError(t, err)
	require.Equal(t, "call-1", call)
	tr.Fail(loopback.OpCreateRoom, fmt.Errorf("media server busy: %w", channel.ErrTransient))
	_, err = tr.CreateRoom(ctx, channel.RoomRequest{Session: "s1", Host: "nurse-1"})
	require.ErrorIs(t, err, channel.ErrTransient)
	room, err := tr.CreateRoom(ctx, channel.RoomRequest{Session: "s1", Host: "nurse-1"})
	require.NoError(t, err)
	require.Equal(t, "room-2", room)
	require.NoError(t, tr.Invite(ctx, room, channel.Invitee{Client: "client-1"}))
	require.NoError(t, tr.UpgradeToVideo(ctx, call, room))
	require.NoError(t, tr.RemoveParticipant(ctx, room, "doctor-1"))
	require.NoError(t, tr.EndRoom(ctx, room))
	require.Error(t, tr.Invite(ctx, room, channel.Invitee{Professional: "doctor-2"}), "an ended room takes no invitations")
	require.Error(t, tr.Transfer(ctx, call, "team-a"), "an upgraded call is gone")
	require.NoError(t, tr.HangUp(ctx, call))
	require.NoError(t, tr.Post(ctx, "conv-1", channel.ChatMessage{From: "system", Text: "moved to callback"}))
	require.NoError(t, tr.Close(ctx, "conv-1"))
	var lines []string
	for _, r := range tr.Records() {
		lines = append(lines, r.String())
	}
	require.Equal(t, []string{
		"telephony.place_call call-1 client:client-1 professional:nurse-1",
		"video.create_room room-1 host:nurse-1 FAILED: media server busy: channel: transient transport failure",
		"video.create_room room-2 host:nurse-1",
		"video.invite room-2 client:client-1",
		"telephony.upgrade_to_video call-1 room:room-2",
		"video.remove_participant room-2 professional:doctor-1",
		"video.end_room room-2",
		"video.invite room-2 professional:doctor-2",
		"telephony.transfer call-1 to:team-a",
		"telephony.hang_up call-1",
		`chat.post conv-1 from:system text:"moved to callback"`,
		"chat.close conv-1",
	}, lines)
	tr.Reset()
	require.Empty(t, tr.Ops())
}

func TestCancelledContextAndConcurrency(t *testing.T) {
	tr := loopback.New()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := tr.PlaceCall(ctx, channel.CallRequest{Client: "c"})
	require.True(t, errors.Is(err, context.Canceled))
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := tr.CreateRoom(context.Background(), channel.RoomRequest{Host: "h"})
			require.NoError(t, err)
		}()
	}
	wg.Wait()
	require.Len(t, tr.Ops(), 21)
}

func ExampleTransport() {
	ctx := context.Background()
	tr := loopback.New()
	tr.Fail(loopback.OpInvite, errors.New("participant unreachable"))
	room, _ := tr.CreateRoom(ctx, channel.RoomRequest{Session: "s1", Host: "nurse-1"})
	fmt.Println(tr.Invite(ctx, room, channel.Invitee{Professional: "doctor-1"}))
	for _, r := range tr.Records() {
		fmt.Println(r)
	}
	// Output:
	// participant unreachable
	// video.create_room room-1 host:nurse-1
	// video.invite room-1 professional:doctor-1 FAILED: participant unreachable
}
