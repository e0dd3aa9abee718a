package web

import "time"

// RecheckKeyGroupsAfter sets how long s trusts that a reader's API keys still hold the groups it
// last wrote to them (see keyGroupsSeen), so tests need not wait the default.
func RecheckKeyGroupsAfter(s *Server, d time.Duration) { s.keyGroups.recheck = d }
