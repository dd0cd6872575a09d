// Package golden checks the output of the example programs against reviewed
// transcripts kept in their testdata directories.
package golden
