package storekit

import (
	"slices"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/routing"
)

// NormItem returns the routing item as an adapter stores and returns it:
// times in UTC, and its Excluded and Guests lists copied, or nil when
// empty, so no caller shares a slice with the store.
func (k Kit) NormItem(it routing.Item) routing.Item {
	k.Norm(&it)
	return it
}

// Norm is NormItem in place, for an adapter that keeps the record it
// was given (the memory store's hot path copies an item once).
func (Kit) Norm(it *routing.Item) {
	it.EnqueuedAt = it.EnqueuedAt.UTC()
	it.StepAt = it.StepAt.UTC()
	if !it.Deadline.IsZero() {
		it.Deadline = it.Deadline.UTC()
	}
	it.Excluded = cloneIDs(it.Excluded)
	it.Guests = cloneIDs(it.Guests)
}

// CloneItem returns a copy of a stored item that shares no slice with it.
func (k Kit) CloneItem(it routing.Item) routing.Item {
	k.Detach(&it)
	return it
}

// Detach gives a copied item slices of its own, so it shares none with the
// record it was copied from.
func (Kit) Detach(it *routing.Item) {
	it.Excluded = cloneIDs(it.Excluded)
	it.Guests = cloneIDs(it.Guests)
}

func cloneIDs(ids []carecontact.ProfessionalID) []carecontact.ProfessionalID {
	if len(ids) == 0 {
		return nil
	}
	return slices.Clone(ids)
}
