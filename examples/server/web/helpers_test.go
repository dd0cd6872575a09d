package web_test

import (
	"io"
	"log/slog"

	"github.com/carecontact/carecontact"
)

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func carecontactID(p string) carecontact.ProfessionalID { return carecontact.ProfessionalID(p) }
