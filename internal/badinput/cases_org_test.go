package badinput_test

import (
	"context"
	"github.com/carecontact/carecontact"

	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/guidance"
)

func organisationCases() []badCase {
	check := func(edit func(*frontdoor.Organisation)) func(context.Context, *world) error {
		return pure(func() error {
			o := organisation()
			edit(&o)
			return o.Check()
		})
	}
	return []badCase{
		{"organisation/calendar of an unknown team", check(func(o *frontdoor.Organisation) { o.Calendars[0].Team = "kallio-c" }), invalid("calendars[0].team")},
		{"organisation/calendar of an unknown area", check(func(o *frontdoor.Organisation) { o.Calendars[0].Area = "atlantis" }), invalid("calendars[0].area")},
		{"organisation/service of an unknown area", check(func(o *frontdoor.Organisation) { o.Services[0].Area = "atlantis" }), invalid("services[0].area")},
		{"organisation/roster of an unknown team", check(func(o *frontdoor.Organisation) { o.Rosters[0].Team = "ghost-team" }), invalid("rosters[0].team")},
		{"organisation/roster shift of a non-member", check(func(o *frontdoor.Organisation) { o.Rosters[0].Shifts[0].Professional = "n-eero" }),
			invalid("rosters[0].shifts[0].professional")},
		{"organisation/overlapping roster shifts", check(func(o *frontdoor.Organisation) {
			o.Rosters[0].Shifts = append(o.Rosters[0].Shifts, callback.Shift{Professional: "n-aino", From: civil.At(12, 0), To: civil.At(13, 0)})
		}), invalid("shifts[1]")},
		{"organisation/self-booking group not served", check(func(o *frontdoor.Organisation) { o.Services[0].SelfBookGroups = []string{"martian"} }),
			invalid("services[0].selfBookGroups[0]")},
		{"organisation/guidance naming an unknown area", check(func(o *frontdoor.Organisation) {
			o.Guidance = &guidance.Content{Format: guidance.FormatName, Version: guidance.FormatVersion, Languages: []string{"fi"},
				Channels: []guidance.ChannelConfig{{Area: "atlantis", AreaName: guidance.Localized{"fi": "x"}, Offers: []guidance.Offer{
					{Kind: channel.Callback, Rank: 1, Identity: channel.IdentityWeak, Hours: guidance.Localized{"fi": "x"}}}}},
				Texts: []guidance.Text{{Key: guidance.AdviceKey(channel.Callback), Text: guidance.Localized{"fi": "x"}}}}
		}), invalid("guidance.channels[0].area")},
		{"organisation/pilot of an unknown team", check(func(o *frontdoor.Organisation) { o.Routing.Pilots[0].Teams = []carecontact.TeamID{"ghost-team"} }),
			invalid("pilots[0].teams")},
		{"organisation/escalation to pigeon", check(func(o *frontdoor.Organisation) {
			o.Escalations = []channel.Escalation{{From: channel.Chat, To: "pigeon", Identity: channel.IdentityWeak}}
		}), invalid("edges[0].to")},
	}
}
