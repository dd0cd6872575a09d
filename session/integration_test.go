package session_test

import (
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/session"
)

// The guidance package's published checklists gate session actions.
var (
	_ session.ChecklistPolicy = (*guidance.Catalog)(nil)
	_ session.ChecklistPolicy = guidance.Checklist{}
)
