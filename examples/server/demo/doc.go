// Package demo builds the demonstration organisation of the reference host
// on the memory store: two Helsinki health-station areas (Kallio, postal
// codes 00500 and 00530; Vallila, 00510 and 00550) with nurses' and
// doctors' teams, a self-bookable blood-pressure check, callback rosters,
// guidance content in Finnish, Swedish and English (guidance.json,
// imported and published at start) and the staff directory that says each
// professional's teams and grants.
//
// The postal codes are Posti's public postal codes of those districts. The
// people are invented; the demo passwords are printed in Passwords and are
// for a laptop, never for a real deployment.
package demo
