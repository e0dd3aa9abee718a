package ingest

import (
	"slices"

	"github.com/docent-search/docent/internal/source"
)

// groupsOf returns the groups of the document of f. A symlink's document gets the stricter of
// its own path's groups and its target's, so that a link can never widen who reads a file:
// with "no groups" meaning everyone, a path without groups adds no restriction, and two
// restricted paths leave the groups they have in common. A reader must then hold a group both
// paths allow; that may turn away someone allowed by each path through a different group, but
// never admits anyone either path refuses. ok is false when the two paths' groups have nothing
// in common: no reader may see the link's document.
func groupsOf(s source.Source, f file) (groups []string, ok bool) {
	groups = s.GroupsFor(f.Raw)
	if f.Target == "" {
		return groups, true
	}
	target := s.GroupsFor(f.Target)
	switch {
	case len(target) == 0:
		return groups, true
	case len(groups) == 0:
		return target, true
	}
	var both []string
	for _, g := range groups {
		if slices.Contains(target, g) {
			both = append(both, g)
		}
	}
	return both, len(both) > 0
}

// nonNil makes a nil list an empty one: the groups columns are NOT NULL, and '{}' means everyone.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
