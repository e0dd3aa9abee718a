package web

import (
	"encoding/json"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestUnencodableJSONIsA500 writes a NaN score through writeJSON, as a search once did: the
// client must get a whole 500 with a JSON error, never a 200 cut off after its header.
func TestUnencodableJSONIsA500(t *testing.T) {
	t.Parallel()
	s := &Server{Log: slog.New(slog.DiscardHandler)}
	h := s.recoverer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"results": []map[string]float64{{"score": math.NaN()}}})
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/search?q=x", nil))
	var out struct{ Error string }
	if rec.Code != http.StatusInternalServerError || json.Unmarshal(rec.Body.Bytes(), &out) != nil || out.Error == "" {
		t.Fatalf("status %d body %q: want 500 with a JSON error", rec.Code, rec.Body)
	}
}
