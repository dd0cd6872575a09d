package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// lockedBuffer is a log sink the server's goroutines may share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRunServesAndShutsDown starts the host on a free port, makes a
// callback request, and stops it as a signal would: run returns nil, and
// every log line is JSON without the client's reference or phone number.
func TestRunServesAndShutsDown(t *testing.T) {
	logs := &lockedBuffer{}
	ctx, cancel := context.WithCancel(t.Context())
	started, done := make(chan string, 1), make(chan error, 1)
	go func() {
		done <- run(ctx, options{addr: "127.0.0.1:0", log: slog.New(slog.NewJSONHandler(logs, nil)), started: started})
	}()
	var addr string
	select {
	case addr = <-started:
	case err := <-done:
		t.Fatalf("run: %v", err)
	}
	tests := []struct {
		method, path, body string
		status             int
	}{
		{"GET", "/healthz", "", http.StatusOK},
		{"GET", "/readyz", "", http.StatusOK},
		{"POST", "/api/contacts", `{"client":"client-secret-ref","errand":"infection_symptoms","channel":"callback","postal_code":"00530","phone":"+358401234567"}`, http.StatusCreated},
	}
	for _, tt := range tests {
		req, err := http.NewRequestWithContext(t.Context(), tt.method, "http://"+addr+tt.path, strings.NewReader(tt.body))
		require.NoError(t, err)
		req.Header.Set("Idempotency-Key", "main-test")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		require.NoError(t, resp.Body.Close())
		require.Equal(t, tt.status, resp.StatusCode, tt.path)
	}
	// A desk listening on its event stream does not hold up the shutdown.
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	desk := &http.Client{Jar: jar}
	resp, err := desk.Post("http://"+addr+"/api/login", "application/json", strings.NewReader(`{"professional":"aino","password":"aino-demo"}`))
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)
	stream, err := desk.Get("http://" + addr + "/desk/events")
	require.NoError(t, err)
	defer stream.Body.Close()
	require.Equal(t, "text/event-stream", stream.Header.Get("Content-Type"))

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return after the context ended")
	}
	out := logs.String()
	require.Contains(t, out, `"msg":"shutting down"`)
	require.NotContains(t, out, "+358401234567")
	require.NotContains(t, out, "client-secret-ref")
	s := bufio.NewScanner(strings.NewReader(out))
	for s.Scan() {
		require.True(t, json.Valid(s.Bytes()), s.Text())
	}
}
