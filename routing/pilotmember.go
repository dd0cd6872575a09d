package routing

import (
	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
)

// InPilot reports whether professional p may take work on channel k: k is
// not piloted, or p is in its pilot.
func (d *Directory) InPilot(k channel.Kind, p carecontact.ProfessionalID) bool {
	in, piloted := d.pilot[k]
	if !piloted {
		return true
	}
	i, ok := d.profIdx[p]
	return ok && in[i]
}
