//go:build pprof

package main

// Built only with `-tags pprof` (cmd/bench builds the server so to profile the saturation
// curve's knee): the Go runtime's profiles on DOCENT_PPROF_ADDR, a loopback address of its
// own, never on the server's listener. A release build holds none of this.

import (
	"log/slog"
	"net/http"
	_ "net/http/pprof"
	"os"
)

func init() {
	addr := os.Getenv("DOCENT_PPROF_ADDR")
	if addr == "" {
		return
	}
	go func() {
		// net/http/pprof registers its handlers on http.DefaultServeMux, which the server
		// itself does not use.
		if err := http.ListenAndServe(addr, nil); err != nil {
			slog.Error("pprof listener", "addr", addr, "err", err)
		}
	}()
}
