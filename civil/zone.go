package civil

import (
	"sync"
	"time"

	// Embed the IANA time zone database so that Europe/Helsinki loads on
	// machines without zoneinfo files.
	_ "time/tzdata"
)

// Zone is the IANA time zone in which the library reads wall clocks.
const Zone = "Europe/Helsinki"

var helsinki = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation(Zone)
	if err != nil {
		// time/tzdata is embedded, so this happens only in a broken build.
		// Fall back to Finnish standard time rather than panic.
		return time.FixedZone("EET", 2*60*60)
	}
	return loc
})

// Helsinki returns the Europe/Helsinki location. It is loaded once, from
// the embedded zone database.
func Helsinki() *time.Location { return helsinki() }
