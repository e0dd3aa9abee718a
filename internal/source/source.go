// Package source keeps the registry of document folders (sources): their roots, who may read
// them and their files, their schedules and last runs, and the files they hold as indexed
// (a document's original, served for download). It reads and writes the database only: the
// file parsers live in ingest, so the web server and the job queue can manage sources without
// linking them.
package source

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/docent-search/docent/internal/access"
	"github.com/docent-search/docent/internal/postgres"
)

// Source is a named document folder and who may read it.
type Source struct {
	ID   int64
	Name string
	// Root is the folder's real path (symlinks resolved) from when the source was added; a run
	// refuses a root that no longer resolves to it.
	Root string
	// RootResolved is false for a source stored before roots were resolved: its first run
	// stores the real path.
	RootResolved bool
	Groups       []string // empty: every signed-in user
	Rules        []Rule
	// Every re-indexes the source on this schedule; 0 means only when asked.
	Every time.Duration
	// Watch re-indexes the source within seconds of a change in its folder.
	Watch bool
}

// Rule restricts the files whose path relative to the source root matches Glob to Groups.
// The first matching rule wins over the source's groups.
type Rule struct {
	Glob   string   `json:"glob"`
	Groups []string `json:"groups"`
}

// ErrNotFound is returned for a source name that does not exist.
var ErrNotFound = errors.New("not found")

// ErrInvalid marks input a source refuses (its name, a group, a rule, a schedule, its folder)
// and ErrExists a name already taken: their messages name what is wrong, so a caller can show
// them as they are and answer with a client error rather than a server error.
var (
	ErrInvalid = errors.New("invalid")
	ErrExists  = errors.New("already exists")
)

// kindError is an error of one of the kinds above, with a message of its own.
type kindError struct {
	kind error
	msg  string
}

func (e kindError) Error() string        { return e.msg }
func (e kindError) Is(target error) bool { return target == e.kind }

// invalid is an ErrInvalid with the message format gives.
func invalid(format string, a ...any) error {
	return kindError{ErrInvalid, fmt.Sprintf(format, a...)}
}

var sourceName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// ParseEvery reads a schedule such as 30m, 1h or 24h ("" or 0: none).
func ParseEvery(v string) (time.Duration, error) {
	if v = strings.TrimSpace(v); v == "" || v == "0" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Minute {
		return 0, invalid("schedule %q: want a duration of at least a minute, such as 30m or 24h", v)
	}
	return d, nil
}

// ParseRule reads a rule written as GLOB=g1,g2.
func ParseRule(s string) (Rule, error) {
	glob, groups, ok := strings.Cut(s, "=")
	r := Rule{Glob: strings.TrimSpace(glob), Groups: SplitGroups(groups)}
	if !ok || r.Glob == "" || len(r.Groups) == 0 {
		return Rule{}, invalid("rule %q: want GLOB=group1,group2 (e.g. 'hr/**=hr')", s)
	}
	if _, err := path.Match(strings.ReplaceAll(r.Glob, "**", "*"), ""); err != nil {
		return Rule{}, invalid("rule %q: bad glob: %v", s, err)
	}
	return r, nil
}

// SplitGroups parses a comma-separated group list, dropping blanks and duplicates.
func SplitGroups(s string) []string {
	var out []string
	seen := map[string]bool{} // not slices.Contains: a proxy's header of 60,000 groups took 4 s
	for _, g := range strings.Split(s, ",") {
		if g = strings.TrimSpace(g); g != "" && !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out
}

// GroupsFor returns the access groups of the file at rel (slash-separated, relative to the root).
func (s Source) GroupsFor(rel string) []string {
	for _, r := range s.Rules {
		if matchGlob(r.Glob, rel) {
			return r.Groups
		}
	}
	return s.Groups
}

// matchGlob matches like .gitignore: "**" spans folders, "*" and "?" stay within one, and a
// pattern without a slash matches the file name at any depth.
func matchGlob(glob, rel string) bool {
	if !strings.Contains(glob, "/") {
		ok, _ := path.Match(glob, path.Base(rel))
		return ok
	}
	return matchParts(strings.Split(glob, "/"), strings.Split(rel, "/"))
}

func matchParts(g, p []string) bool {
	for len(g) > 0 {
		if g[0] == "**" {
			for i := 0; i <= len(p); i++ {
				if matchParts(g[1:], p[i:]) {
					return true
				}
			}
			return false
		}
		if len(p) == 0 {
			return false
		}
		if ok, _ := path.Match(g[0], p[0]); !ok {
			return false
		}
		g, p = g[1:], p[1:]
	}
	return len(p) == 0
}

// checkAccess refuses groups and rule globs that are not text PostgreSQL stores, naming the
// one at fault: a NUL or invalid UTF-8 came back as PostgreSQL's own message, and in a rule
// (stored as JSON) invalid UTF-8 became U+FFFD, a group no one is in or a glob matching
// nothing, saved without a word. (A folder whose name is not UTF-8 is matched with '?'.) The
// empty group name is refused too: it is access.Nobody, which Update gives documents to hide.
func (s Source) checkAccess() error {
	groups := slices.Clone(s.Groups)
	for _, r := range s.Rules {
		if !postgres.StorableText(r.Glob) {
			return invalid("rule glob %q: must be UTF-8 text without NUL characters", r.Glob)
		}
		groups = append(groups, r.Groups...)
	}
	for _, g := range groups {
		if g == access.Nobody {
			return invalid("a group with an empty name: it is reserved for documents no reader may see")
		}
		if !postgres.StorableText(g) {
			return invalid("group %q: must be UTF-8 text without NUL characters", g)
		}
	}
	return nil
}

// Add records a new source. The folder must exist; its real path is stored (absolute,
// symlinks resolved), and runs index that folder only, wherever links in the given path
// point later.
func Add(ctx context.Context, pool *pgxpool.Pool, s Source) (Source, error) {
	if !sourceName.MatchString(s.Name) {
		return Source{}, invalid("source name %q: use letters, digits, '.', '_' or '-' (at most 64)", s.Name)
	}
	if err := s.checkAccess(); err != nil {
		return Source{}, err
	}
	s = s.canonical()
	root, err := realFolder(s.Name, s.Root)
	if err != nil {
		return Source{}, err
	}
	s.Root, s.RootResolved = root, true
	rules, _ := json.Marshal(nonNil(s.Rules))
	err = pool.QueryRow(ctx, `INSERT INTO sources (name, root, root_resolved, groups, rules, every, watch)
		VALUES ($1, $2, true, $3, $4, CASE WHEN $5::bigint > 0 THEN make_interval(secs => $5::bigint) END, $6) RETURNING id`,
		s.Name, s.Root, nonNil(s.Groups), rules, int64(s.Every.Seconds()), s.Watch).Scan(&s.ID)
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "23505" {
		return Source{}, kindError{ErrExists, fmt.Sprintf("a source named %s already exists (remove it first, or pick another name)", s.Name)}
	}
	if err != nil {
		return Source{}, fmt.Errorf("adding source %s: %w", s.Name, err)
	}
	return s, nil
}

// canonical returns s with each group list sorted and without duplicates. The order of groups
// means nothing to access, so groups saved in another order must not count as a change: it
// rewrote the groups of every stored document and passage, and sent a run under way through
// the folder again. (Rules keep their order: the first that matches wins.)
func (s Source) canonical() Source {
	s.Groups = groupSet(s.Groups)
	s.Rules = slices.Clone(s.Rules)
	for i := range s.Rules {
		s.Rules[i].Groups = groupSet(s.Rules[i].Groups)
	}
	return s
}

// SameGroups reports whether a and b name the same groups, in any order: documents stored
// before group lists were saved sorted keep their order until their access changes.
func SameGroups(a, b []string) bool { return slices.Equal(groupSet(a), groupSet(b)) }

// groupSet returns groups sorted, without duplicates (nil stays nil: every reader).
func groupSet(groups []string) []string {
	if groups == nil {
		return nil
	}
	groups = slices.Clone(groups)
	slices.Sort(groups)
	return slices.Compact(groups)
}

// realFolder returns the real path of the folder at p: absolute, with every symlink resolved.
// Links are resolved before any "..": "root/link/../x" is the folder beside the link's target,
// as the file system (and the DOCENT_SOURCE_ROOTS check) sees it, not "root/x".
func realFolder(name, p string) (string, error) {
	real, err := filepath.EvalSymlinks(p)
	if err == nil {
		// A relative result is relative to the working folder, itself a real path.
		real, err = filepath.Abs(real)
	}
	if err != nil {
		return "", invalid("source %s: %s is not a readable folder", name, p)
	}
	if fi, err := os.Stat(real); err != nil || !fi.IsDir() {
		return "", invalid("source %s: %s is not a readable folder", name, p)
	}
	// The path is stored as text, which holds only UTF-8; file names within are escaped
	// (EscapePath), but the folder is where every document's path starts, shown to admins.
	if !postgres.StorableText(real) {
		return "", invalid("source %s: the folder's path %q is not UTF-8 text: rename the folder (a link to it resolves to the same path)", name, real)
	}
	return real, nil
}

// Update changes a source's groups, rules, schedule and watching. In the same transaction it
// narrows the groups of the documents already stored to the new access (see narrow), so a
// reader it refuses loses them as Update returns; wider access reaches them when the source is
// re-indexed. The root stays the one checked and resolved when the source was added (s.Root is
// ignored): to index another folder, remove the source and add it again.
func Update(ctx context.Context, pool *pgxpool.Pool, s Source) (Narrowed, error) {
	if err := s.checkAccess(); err != nil {
		return Narrowed{}, err
	}
	s = s.canonical()
	rules, _ := json.Marshal(nonNil(s.Rules))
	var n Narrowed
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		old := Source{Name: s.Name}
		var oldRules []byte
		err := tx.QueryRow(ctx, `SELECT id, groups, rules FROM sources WHERE name = $1 FOR UPDATE`, s.Name).Scan(&old.ID, &old.Groups, &oldRules)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("source %s: %w", s.Name, ErrNotFound)
		}
		if err == nil {
			err = json.Unmarshal(oldRules, &old.Rules)
		}
		if err != nil {
			return fmt.Errorf("reading source %s: %w", s.Name, err)
		}
		s.ID = old.ID
		if _, err := tx.Exec(ctx, `UPDATE sources SET groups = $2, rules = $3,
			every = CASE WHEN $4::bigint > 0 THEN make_interval(secs => $4::bigint) END, watch = $5 WHERE id = $1`,
			s.ID, nonNil(s.Groups), rules, int64(s.Every.Seconds()), s.Watch); err != nil {
			return fmt.Errorf("updating source %s: %w", s.Name, err)
		}
		// A save that leaves access as it was (a new schedule) reads no document: narrowing
		// reads every one of the source's, and the documents already have that access.
		if SameAccess(old, s) {
			return nil
		}
		n, err = narrow(ctx, tx, s)
		return err
	})
	if err != nil {
		return Narrowed{}, err
	}
	return n, nil
}

// Remove deletes a source with all its documents and chunks.
func Remove(ctx context.Context, pool *pgxpool.Pool, name string) error {
	tag, err := pool.Exec(ctx, `DELETE FROM sources WHERE name = $1`, name)
	if err != nil {
		return fmt.Errorf("removing source %s: %w", name, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("source %s: %w", name, ErrNotFound)
	}
	return RefreshStats(ctx, pool)
}

// Get returns the source called name.
func Get(ctx context.Context, pool *pgxpool.Pool, name string) (Source, error) {
	all, err := list(ctx, pool, name)
	if err != nil {
		return Source{}, err
	}
	if len(all) == 0 {
		return Source{}, fmt.Errorf("source %s: %w", name, ErrNotFound)
	}
	return all[0], nil
}

// List returns every source, by name.
func List(ctx context.Context, pool *pgxpool.Pool) ([]Source, error) {
	return list(ctx, pool, "")
}

func list(ctx context.Context, pool *pgxpool.Pool, name string) ([]Source, error) {
	rows, err := pool.Query(ctx, `SELECT id, name, root, root_resolved, groups, rules, coalesce(extract(epoch FROM every)::bigint, 0), watch FROM sources
		WHERE $1 = '' OR name = $1 ORDER BY name`, name)
	if err != nil {
		return nil, fmt.Errorf("listing sources: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Source, error) {
		var s Source
		var rules []byte
		var every int64
		if err := row.Scan(&s.ID, &s.Name, &s.Root, &s.RootResolved, &s.Groups, &rules, &every, &s.Watch); err != nil {
			return s, err
		}
		s.Every = time.Duration(every) * time.Second
		return s, json.Unmarshal(rules, &s.Rules)
	})
}

// Status summarises a source for `indexer status` and the admin page.
type Status struct {
	Source
	Documents, Chunks int64
	LastRunAt         *time.Time
	LastRun           *Summary
	Problems          []Problem
}

// Problem is a file that was skipped or failed, with the reason, or one indexed with a note
// (how many pages OCR read, and any it could not).
type Problem struct {
	Path, Status, Reason string
}

// Report returns every source (or the one named) with its counts and problem files, in three
// queries however many sources there are (the admin page shows them all).
func Report(ctx context.Context, pool *pgxpool.Pool, name string) ([]Status, error) {
	sources, err := list(ctx, pool, name)
	if err != nil {
		return nil, err
	}
	if name != "" && len(sources) == 0 {
		return nil, fmt.Errorf("source %s: %w", name, ErrNotFound)
	}
	out := make([]Status, len(sources))
	byID := make(map[int64]*Status, len(sources))
	for i, s := range sources {
		out[i] = Status{Source: s, Problems: []Problem{}}
		byID[s.ID] = &out[i]
	}
	rows, err := pool.Query(ctx, `SELECT s.id,
			(SELECT count(*) FROM documents WHERE source_id = s.id AND status = 'indexed'),
			(SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.source_id = s.id),
			s.last_run_at, s.last_run
		FROM sources s WHERE $1 = '' OR s.name = $1`, name)
	if err != nil {
		return nil, fmt.Errorf("reading the status of sources: %w", err)
	}
	for rows.Next() {
		var id int64
		var st Status
		var last []byte
		if err := rows.Scan(&id, &st.Documents, &st.Chunks, &st.LastRunAt, &last); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading the status of sources: %w", err)
		}
		o, ok := byID[id]
		if !ok {
			continue // added since the list was read
		}
		o.Documents, o.Chunks, o.LastRunAt = st.Documents, st.Chunks, st.LastRunAt
		if last != nil {
			o.LastRun = new(Summary)
			if err := json.Unmarshal(last, o.LastRun); err != nil {
				rows.Close()
				return nil, fmt.Errorf("reading last run of source %s: %w", o.Name, err)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the status of sources: %w", err)
	}
	rows, err = pool.Query(ctx, `SELECT d.source_id, d.path, d.status, d.reason FROM documents d JOIN sources s ON s.id = d.source_id
		WHERE (d.status <> 'indexed' OR d.reason <> '') AND ($1 = '' OR s.name = $1) ORDER BY d.source_id, d.status, d.path`, name)
	if err != nil {
		return nil, fmt.Errorf("listing problem files: %w", err)
	}
	for rows.Next() {
		var id int64
		var p Problem
		if err := rows.Scan(&id, &p.Path, &p.Status, &p.Reason); err != nil {
			rows.Close()
			return nil, fmt.Errorf("listing problem files: %w", err)
		}
		if o, ok := byID[id]; ok {
			o.Problems = append(o.Problems, p)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing problem files: %w", err)
	}
	return out, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
