package config

import (
	"os"
	"runtime"
	"runtime/debug"
)

// LimitMemory gives the process a soft memory limit of 256 MiB plus 64 MiB per CPU core (the
// default number of parse workers), unless GOMEMLIMIT sets one. Extraction holds a few copies
// of a file's text at once (a 50 MB log, a page a PDF decompresses), and on a busy machine the
// collector, which by default waits for the heap to double, falls behind: the indexer's peak
// RSS on the hostile corpus varied from 345 to 567 MB between runs. Near the limit, allocation
// pays for collection itself, so the peak follows the live data instead of the machine's load.
// The limit is soft: a larger live heap makes collection more frequent, never an allocation fail.
// Only the commands' main functions call it: it is process-wide.
func LimitMemory() {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(int64(256+64*runtime.NumCPU()) << 20)
}
