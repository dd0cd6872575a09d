package main

import (
	"fmt"
	"os"
)

// Example runs the quick start, so its output cannot drift from this
// listing.
func Example() {
	if err := run(os.Stdout); err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// 10:00:00  call-1: callback, postal code 00530, own nurse aino
	// 10:00:00    queued    call-1           step 0 own_professional
	// 10:00:00    offered   call-1   aino    step 0 own_professional
	// 10:00:00    accepted  call-1   aino    step 0 own_professional
	// 10:01:00  chat-1: chat, postal code 00550
	// 10:01:00    skipped   chat-1           step 0 own_professional: contact has no own professional
	// 10:01:00    skipped   chat-1           step 1 own_team: contact has no own team
	// 10:01:00    queued    chat-1           step 2 home_area
	// 10:01:00    offered   chat-1   eero    step 2 home_area
	// 10:01:00    accepted  chat-1   eero    step 2 home_area
	// 10:02:00  video-1: video, postal code 00510, own team vallila-a
	// 10:02:00    skipped   video-1          step 0 own_professional: contact has no own professional
	// 10:02:00    skipped   video-1          step 1 own_team: nobody in the step's scope is in the video pilot
	// 10:02:00    skipped   video-1          step 2 home_area: nobody in the step's scope is in the video pilot
	// 10:02:00    queued    video-1          step 3 neighbour_areas
	// 10:02:00    offered   video-1  bertil  step 3 neighbour_areas
	// 10:02:00    declined  video-1  bertil  step 3 neighbour_areas
	// 10:02:00    offered   video-1  carita  step 3 neighbour_areas
	// 10:02:00    accepted  video-1  carita  step 3 neighbour_areas
	// 10:03:00  call-2: callback, own nurse aino (busy)
	// 10:03:00    queued    call-2           step 0 own_professional
	// 10:05:00    widened   call-2           step 1 own_team
	// 10:05:00    offered   call-2   bertil  step 1 own_team
	// 10:05:30    timed_out call-2   bertil  step 1 own_team
	// 10:06:30  aino finishes call-1
	// 10:06:30    wrap_up   call-1   aino    step 0 own_professional
	// 10:08:30    completed call-1   aino    step 0 own_professional
	// 10:08:30    offered   call-2   aino    step 1 own_team
	// 10:08:30    accepted  call-2   aino    step 1 own_team
	// 10:08:30  call-3: callback, postal code 00990 (no area)
	// 10:08:30    skipped   call-3           step 0 own_professional: contact has no own professional
	// 10:08:30    skipped   call-3           step 1 own_team: contact has no own team
	// 10:08:30    skipped   call-3           step 2 home_area: postal code 00990 is in no area
	// 10:08:30    skipped   call-3           step 3 neighbour_areas: postal code 00990 is in no area
	// 10:08:30    queued    call-3           step 4 central_pool
	// 10:08:30    offered   call-3   kaisa   step 4 central_pool
	// 10:08:30  call-4: callback, postal code 530
	// 10:08:30  call-4: refused: routing: malformed postal code: postalCode: must be 5 digits, got 3 bytes
	// 10:08:30  cert-1: certificate, postal code 00250 (Töölö, not served here)
	// 10:08:30    no_route  cert-1  : no_candidates
	// 10:08:30  cert-1: no route (no_candidates)
	// 10:08:30    accepted  call-3   kaisa   step 4 central_pool
	// 10:08:30  queued 0, offered 0, accepted 4, in wrap-up 0
	// 10:08:30  continuity of care: 2 of 5 accepted contacts went to the own professional or own team
}
