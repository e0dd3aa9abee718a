package source

import "time"

// Progress is the state of a run, reported after each file.
type Progress struct {
	Source      string
	Done, Total int
	Current     string
	Started     time.Time
}

// Summary is what a run did; it is stored as the source's last run.
type Summary struct {
	Source    string        `json:"source"`
	Seen      int           `json:"seen"`
	Added     int           `json:"added"`
	Updated   int           `json:"updated"`
	Unchanged int           `json:"unchanged"`
	Deleted   int           `json:"deleted"`
	Skipped   int           `json:"skipped"`
	Failed    int           `json:"failed"`
	Chunks    int           `json:"chunks"`
	Embedded  int           `json:"embedded"`
	Elapsed   time.Duration `json:"elapsed"`
	// Error is why a run was refused before it read any file (its root moved).
	Error string `json:"error,omitempty"`
}

// After returns the summary of a pass s made after first, over the same files, as one run:
// what either added, deleted or embedded, the second pass's view of the files, both times.
func (s Summary) After(first Summary) Summary {
	s.Added += first.Added
	s.Deleted += first.Deleted
	s.Chunks += first.Chunks
	s.Embedded += first.Embedded
	s.Elapsed += first.Elapsed
	return s
}
