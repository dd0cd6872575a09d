package postgres_test

import (
	"testing"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/storage/storagetest"
)

// harness opens postgres stores for the conformance suite: each call makes
// a fresh database and n DB values on separate pools over it, like n host
// replicas.
func harness() storagetest.Harness {
	return storagetest.Harness{
		Name: "postgres",
		Audit: func(t *testing.T, n int) []audit.Log {
			dbs := openDBs(t, n, 4)
			out := make([]audit.Log, n)
			for i, db := range dbs {
				out[i] = db.AuditLog()
			}
			return out
		},
	}
}

func TestConformance(t *testing.T) { storagetest.Run(t, harness()) }
