package civil

import (
	"time"

	// Embed the IANA time zone database so that Europe/Helsinki loads on
	// machines without zoneinfo files.
	_ "time/tzdata"
)

// Zone is the IANA time zone in which the library reads wall clocks.
const Zone = "Europe/Helsinki"

// helsinki is loaded once, when the package is initialised. There is no
// fallback zone: time.LoadLocation tries the ZONEINFO variable and the
// system's zoneinfo files and then the database embedded above, so it
// cannot fail for Zone. A build that somehow lacked the zone would stop at
// start-up rather than read every wall clock in a wrong offset.
var helsinki = mustLoadLocation(Zone)

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("civil: load time zone: " + err.Error())
	}
	return loc
}

// Helsinki returns the Europe/Helsinki location, loaded once from the
// zoneinfo of the system or, where that has none, from the embedded zone
// database.
func Helsinki() *time.Location { return helsinki }
