// Package callbacksim drives a callback.Planner through simulated days in
// virtual time: requests arrive, professionals on duty take due requests,
// calls end answered or not, absences are reported, and Advance is called
// at every deadline. Tests and the examples use it; researchers can use it
// to ask staffing questions. It runs in the calling goroutine, reads no
// clock and is deterministic for a given Scenario.
package callbacksim
