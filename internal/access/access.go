// Package access is Docent's one rule of who may read what, written as SQL so that every query
// filters in the database: a document, and each of its chunks, carries the groups that may read
// it, and none means every reader. Retrieval, the document page, the source list and the
// benchmarks all use it; it imports nothing, so any package reading documents for a reader can.
package access

// Visible is the condition that the row named alias (a documents or chunks row: both carry
// groups) may be read by the reader whose groups are bound to the query parameter param, for
// example Visible("d", "$2"). A nil or empty groups argument sees only what everyone sees.
func Visible(alias, param string) string {
	// The empty-groups test is written as an equality so column statistics estimate it.
	return "(" + Everyone(alias) + " OR " + alias + ".groups && " + param + "::text[])"
}

// Everyone is the condition that the row named alias is visible to every reader.
func Everyone(alias string) string { return alias + ".groups = '{}'" }

// Nobody is a group no reader holds: every way groups reach a reader (the proxy's header, the
// OIDC claim, API keys, view-as) drops empty names, and sources refuse them. Groups {Nobody}
// hide a document from every reader; source.Update gives them to a document whose old and new
// groups share none, until the re-index run stores its new groups.
const Nobody = ""
