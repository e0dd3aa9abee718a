package source

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/docent-search/docent/internal/access"
)

// Narrowed counts what Update or Narrow narrowed: documents whose groups it restricted, and of
// them those no reader may see until the re-index run gives them their new groups.
type Narrowed struct {
	Documents, Hidden int64
}

// Narrow applies the access source ran has now to its stored documents where it is narrower,
// for a run that read ran at its start and ends now: access saved meanwhile narrowed what was
// stored then, but the run went on writing files with ran's groups, and saving queues no run
// while one is under way. The source row is locked against a save until this commits; with
// its groups and rules as ran had them, no document is read.
func Narrow(ctx context.Context, pool *pgxpool.Pool, ran Source) (Narrowed, error) {
	var n Narrowed
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		now := Source{ID: ran.ID, Name: ran.Name}
		var rules []byte
		err := tx.QueryRow(ctx, `SELECT groups, rules FROM sources WHERE id = $1 FOR SHARE`, ran.ID).Scan(&now.Groups, &rules)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // removed, with its documents
		}
		if err == nil {
			err = json.Unmarshal(rules, &now.Rules)
		}
		if err != nil {
			return fmt.Errorf("reading the access of source %s: %w", ran.Name, err)
		}
		if SameAccess(now, ran) {
			return nil
		}
		n, err = narrow(ctx, tx, now)
		return err
	})
	return n, err
}

// SameAccess reports whether a and b give their files the same groups: the same groups and
// the same rules in the same order, each rule with the same groups in any order.
func SameAccess(a, b Source) bool {
	a, b = a.canonical(), b.canonical()
	return slices.Equal(a.Groups, b.Groups) && slices.EqualFunc(a.Rules, b.Rules, func(x, y Rule) bool {
		return x.Glob == y.Glob && slices.Equal(x.Groups, y.Groups)
	})
}

// narrow restricts the groups of s's stored documents and their chunks, in tx, to what its new
// groups and rules allow, so that access an admin withdraws is withdrawn as Update returns:
// not after the re-index run queued for it, which may wait behind others, take hours or fail.
// A document keeps the groups it has where the new ones are wider (a run applies those, after
// reading the file): this never shows anyone anything the next run may still refuse them.
//
// A document's groups come from its file's path (see ingest's groupsOf): an e-mail
// attachment's, stored below its message as "<message>/<name>", from its message's. A
// symlink's document is narrowed by its own path's groups only (its target's are not stored):
// the run may narrow it further.
func narrow(ctx context.Context, tx pgx.Tx, s Source) (Narrowed, error) {
	type doc struct {
		id     int64
		path   string
		groups []string
	}
	rows, err := tx.Query(ctx, `SELECT id, path, groups FROM documents WHERE source_id = $1`, s.ID)
	if err != nil {
		return Narrowed{}, fmt.Errorf("reading the documents of source %s: %w", s.Name, err)
	}
	docs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (doc, error) {
		var d doc
		return d, row.Scan(&d.id, &d.path, &d.groups)
	})
	if err != nil {
		return Narrowed{}, fmt.Errorf("reading the documents of source %s: %w", s.Name, err)
	}
	paths := make(map[string]bool, len(docs))
	for _, d := range docs {
		paths[d.path] = true
	}
	// One UPDATE per distinct resulting group list, not per document: a source's files mostly
	// share a handful of lists.
	type batch struct {
		groups []string
		ids    []int64
	}
	var batches []*batch
	byGroups := map[string]*batch{}
	for _, d := range docs {
		g := restrict(d.groups, s.groupsOfStored(fileOf(d.path, paths)))
		if SameGroups(g, d.groups) {
			continue
		}
		key := fmt.Sprintf("%q", g) // tells {} from {""}, which a plain join does not
		b := byGroups[key]
		if b == nil {
			b = &batch{groups: nonNil(g)}
			byGroups[key] = b
			batches = append(batches, b)
		}
		b.ids = append(b.ids, d.id)
	}
	var n Narrowed
	for _, b := range batches {
		tag, err := tx.Exec(ctx, `UPDATE documents SET groups = $2 WHERE id = ANY($1) AND groups <> $2`, b.ids, b.groups)
		if err != nil {
			return Narrowed{}, fmt.Errorf("narrowing the groups of the documents of source %s: %w", s.Name, err)
		}
		if _, err := tx.Exec(ctx, `UPDATE chunks SET groups = $2 WHERE document_id = ANY($1) AND groups <> $2`, b.ids, b.groups); err != nil {
			return Narrowed{}, fmt.Errorf("narrowing the groups of the passages of source %s: %w", s.Name, err)
		}
		n.Documents += tag.RowsAffected()
		if slices.Equal(b.groups, nobody) {
			n.Hidden += tag.RowsAffected()
		}
	}
	return n, nil
}

// nobody is the group list no reader matches (see access.Nobody).
var nobody = []string{access.Nobody}

// restrict returns the groups of a document that had groups old and whose file now gets
// groups now: readers both allow, in now's order (the order the run stores, so that it finds
// them unchanged). Empty means everyone, so an empty list restricts nothing; two lists with no
// group in common leave no reader.
func restrict(old, now []string) []string {
	switch {
	case len(old) == 0:
		return now
	case len(now) == 0:
		return old
	}
	var both []string
	for _, g := range now {
		if slices.Contains(old, g) {
			both = append(both, g)
		}
	}
	if len(both) == 0 {
		return nobody
	}
	return both
}

// fileOf returns the stored path of the file whose groups the document at path takes: an
// attachment's is its message's, the shortest proper prefix of its path that is another
// document's, ending at a slash (an attachment of a forwarded message goes up to the message
// on disk); any other document's is its own.
func fileOf(path string, paths map[string]bool) string {
	for i := 0; ; {
		j := strings.IndexByte(path[i:], '/')
		if j < 0 {
			return path
		}
		if paths[path[:i+j]] {
			return path[:i+j]
		}
		i += j + 1
	}
}

// groupsOfStored returns the groups of the file stored at path (escaped, see EscapePath),
// whose rules match the name on disk. A path that does not unescape was not stored by
// EscapePath: no reader until the run reads the folder again.
func (s Source) groupsOfStored(path string) []string {
	raw, err := UnescapePath(path)
	if err != nil {
		return nobody
	}
	return s.GroupsFor(raw)
}
