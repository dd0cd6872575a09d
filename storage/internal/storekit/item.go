package storekit

import (
	"slices"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/routing"
)

// NormItem returns the routing item as an adapter stores and returns it:
// times in UTC, and its Excluded and Guests lists copied, or nil when
// empty, so no caller shares a slice with the store.
func (Kit) NormItem(it routing.Item) routing.Item {
	it.EnqueuedAt = it.EnqueuedAt.UTC()
	it.StepAt = it.StepAt.UTC()
	if !it.Deadline.IsZero() {
		it.Deadline = it.Deadline.UTC()
	}
	it.Excluded = cloneIDs(it.Excluded)
	it.Guests = cloneIDs(it.Guests)
	return it
}

// CloneItem returns a copy of a stored item that shares no slice with it.
func (Kit) CloneItem(it routing.Item) routing.Item {
	it.Excluded = cloneIDs(it.Excluded)
	it.Guests = cloneIDs(it.Guests)
	return it
}

func cloneIDs(ids []carecontact.ProfessionalID) []carecontact.ProfessionalID {
	if len(ids) == 0 {
		return nil
	}
	return slices.Clone(ids)
}
