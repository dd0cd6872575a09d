// Package accessmatrix holds the access-matrix test: every kind of actor,
// role and scope against every operation on client data, each either
// allowed or refused with an audit event. It has no code of its own.
package accessmatrix
