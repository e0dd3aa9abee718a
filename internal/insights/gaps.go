package insights

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/docent-search/docent/internal/access"
	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/querylog"
)

// Gap statuses: open → assigned (an owner works on it) → resolved.
const (
	Open     = "open"
	Assigned = "assigned"
	Resolved = "resolved"
)

// Resolutions of a gap.
const (
	ByDocument = "document"
	ByCurated  = "curated"
	WontFix    = "wontfix"
)

// Defaults of Gaps.
const (
	// DefaultWindow is how far back gaps count questions: the query log's default retention.
	DefaultWindow = 90 * 24 * time.Hour
	// DefaultMaxCompared bounds the grouped questions (the newest) a new question is compared
	// with, and DefaultMaxNew the new questions one pass groups (the oldest first; the next
	// pass takes the rest), so a large log costs a bounded pass. Reading the compared
	// questions' vectors dominates: BenchmarkRefresh, one new question among 2,000 grouped
	// (1,024 dimensions), takes about 0.55 s on a loaded 2-core machine (0.9 s among 5,000), and
	// a pass of 200 new ones about 3.5 s, so an upgrade's backlog is grouped over a few reads.
	DefaultMaxCompared = 2000
	DefaultMaxNew      = 200
	// maxListed bounds the gaps listed; maxExamples the questions shown of each, each wording
	// once, found among its newest maxScanned.
	maxListed   = 200
	maxExamples = 20
	maxScanned  = 100
	maxClosest  = 5
	// settle is how old a query-log entry must be before it is grouped: its transaction has
	// then committed or failed (querylog gives up after a second), so grouping in id order
	// never skips an entry that commits after a later one.
	settle = 2 * time.Second
)

// Gaps groups the questions the documents failed to answer and keeps each group's workflow.
type Gaps struct {
	Pool     *pgxpool.Pool
	Embedder embedder.Embedder
	// QueryLog says how askers are shown (its Users); nil shows none.
	QueryLog *querylog.Log
	// Threshold is the similarity at which a question joins a gap (default DefaultThreshold).
	Threshold float64
	// Window is how far back questions count (default DefaultWindow).
	Window time.Duration
	// MaxCompared and MaxNew bound a grouping pass (defaults DefaultMaxCompared and
	// DefaultMaxNew).
	MaxCompared, MaxNew int
}

// Document is a document closest to a gap's questions.
type Document struct {
	ID     int64  `json:"id"`
	Source string `json:"source"`
	Path   string `json:"document"`
	Title  string `json:"title"`
	// Times is how many of the gap's questions had it among their top documents.
	Times int `json:"times"`
}

// Gap is a group of similar questions the documents did not answer.
type Gap struct {
	ID     int64     `json:"id"`
	Size   int       `json:"size"`
	Status string    `json:"status"`
	Owner  string    `json:"owner"`
	Last   time.Time `json:"last_asked"`
	// Questions are up to 20 of the gap's questions, newest first.
	Questions []string `json:"questions"`
	// AskedBy are who asked Questions, as DOCENT_QUERY_LOG_USERS shows them (pseudonyms or
	// names); empty with "none".
	AskedBy []string `json:"asked_by"`
	// Closest are the documents retrieval found nearest, among those the viewer may read.
	Closest    []Document  `json:"closest"`
	Resolution *Resolution `json:"resolution"`
	ChangedBy  string      `json:"changed_by,omitempty"`
	ChangedAt  *time.Time  `json:"changed_at,omitempty"`
}

// Resolution is how a gap was resolved: by a document (Source and Document, its path), a
// curated answer (Curated, its id) or "won't fix".
type Resolution struct {
	Kind     string `json:"kind"`
	Source   string `json:"source,omitempty"`
	Document string `json:"document,omitempty"`
	// Curated is the id of the curated answer, which must exist when the gap is resolved. It
	// reads 0 once that answer is deleted, and for a resolution written as free text before
	// answers were referenced by id (migration 00023) that named none.
	Curated int64 `json:"curated,omitempty"`
	// CuratedLabel is what the page shows for it, set by the server and ignored in a change:
	// the answer's question when it was chosen, or an older resolution's free text.
	CuratedLabel string `json:"curated_label,omitempty"`
}

// Change is an admin's change of a gap's status. A nil Owner keeps the gap's owner; an empty
// one removes it (an assigned gap must have one).
type Change struct {
	Status     string      `json:"status"`
	Owner      *string     `json:"owner"`
	Resolution *Resolution `json:"resolution"`
}

// FieldError names the field of a Change at fault.
type FieldError struct{ Field, Problem string }

func (e FieldError) Error() string { return e.Field + ": " + e.Problem }

// ErrNotFound is returned for a gap that does not exist.
var ErrNotFound = errors.New("no such gap")

func (g *Gaps) window() time.Duration { return cmp.Or(g.Window, DefaultWindow) }
func (g *Gaps) maxCompared() int      { return cmp.Or(g.MaxCompared, DefaultMaxCompared) }
func (g *Gaps) maxNew() int           { return cmp.Or(g.MaxNew, DefaultMaxNew) }

// refreshLock is the advisory lock one grouping pass holds: servers take turns, and a server
// that finds it taken skips its pass, since the holder is grouping the same questions.
const refreshLock = 0x696e7367 // "insg"

// pending is a question not yet grouped.
type pending struct {
	queryLog, feedback *int64
	at                 time.Time
	text               string
}

// Refresh groups the questions declined or rated 👎 since the last pass into gaps. It runs on
// read (before a listing), so a question shows within a few seconds of being asked and nothing
// slows the answer path; the pass is bounded by MaxCompared and MaxNew.
func (g *Gaps) Refresh(ctx context.Context) error {
	return pgx.BeginFunc(ctx, g.Pool, func(tx pgx.Tx) error {
		var locked bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, refreshLock).Scan(&locked); err != nil || !locked {
			return err
		}
		// A 👎 taken back (rated 👍 since) leaves its gap.
		if _, err := tx.Exec(ctx, `DELETE FROM insight_gap_questions q USING feedback f
			WHERE q.feedback = f.id AND f.rating <> 'down'`); err != nil {
			return fmt.Errorf("dropping ratings taken back: %w", err)
		}
		news, err := g.pending(ctx, tx)
		if err != nil || len(news) == 0 {
			return err
		}
		c, err := g.members(ctx, tx)
		if err != nil {
			return err
		}
		texts := make([]string, len(news))
		for i, n := range news {
			texts[i] = n.text
		}
		vecs, err := g.Embedder.EmbedDocuments(ctx, texts)
		if err != nil {
			return fmt.Errorf("embedding unanswered questions: %w", err)
		}
		model := g.Embedder.Model()
		for i, n := range news {
			q := question{vector: vecs[i], terms: terms(n.text)}
			gap, err := c.add(q, func() (int64, error) {
				var id int64
				err := tx.QueryRow(ctx, `INSERT INTO insight_gaps DEFAULT VALUES RETURNING id`).Scan(&id)
				return id, err
			})
			if err != nil {
				return fmt.Errorf("starting a gap: %w", err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO insight_gap_questions (gap, query_log, feedback, at, model, vector, terms)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, gap, n.queryLog, n.feedback, n.at, model, q.vector, q.terms); err != nil {
				return fmt.Errorf("adding a question to gap %d: %w", gap, err)
			}
			// Asked again after being resolved by a document or a curated answer: the fix did
			// not reach this question, so the gap is open again (with its owner, if any).
			if _, err := tx.Exec(ctx, `UPDATE insight_gaps SET status = CASE WHEN owner = '' THEN 'open' ELSE 'assigned' END,
				resolution = '', resolved_source = '', resolved_document = '', resolved_curated = '', resolved_curated_id = NULL,
				changed_by = 'docent: asked again after it was resolved', changed_at = now()
				WHERE id = $1 AND status = 'resolved' AND resolution IN ('document', 'curated') AND changed_at < $2`, gap, n.at); err != nil {
				return fmt.Errorf("reopening gap %d: %w", gap, err)
			}
		}
		return nil
	})
}

// pending returns the questions to group, oldest first: declined query-log entries after the
// progress mark (which it advances) and 👎 ratings of given answers not yet grouped. A 👎 of
// a declined answer adds nothing: the question is in the query log already.
func (g *Gaps) pending(ctx context.Context, tx pgx.Tx) ([]pending, error) {
	since := time.Now().Add(-g.window())
	// Entries are read in id order up to the first one not yet settled, which the next pass
	// takes up again with all after it.
	rows, err := tx.Query(ctx, `SELECT id, outcome = 'declined', at, question, at < now() - make_interval(secs => $1)
		FROM query_log WHERE id > (SELECT query_log FROM insight_progress) ORDER BY id LIMIT $2`, settle.Seconds(), g.maxNew()*20)
	if err != nil {
		return nil, fmt.Errorf("reading the query log: %w", err)
	}
	var out []pending
	var id, last int64
	var declined, settled bool
	var p pending
	done := false
	_, err = pgx.ForEachRow(rows, []any{&id, &declined, &p.at, &p.text, &settled}, func() error {
		if done = done || !settled || len(out) == g.maxNew(); done {
			return nil
		}
		last = id
		if declined && p.at.After(since) {
			entry := id
			out = append(out, pending{queryLog: &entry, at: p.at, text: p.text})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the query log: %w", err)
	}
	if last > 0 {
		if _, err := tx.Exec(ctx, `UPDATE insight_progress SET query_log = $1`, last); err != nil {
			return nil, err
		}
	}
	rows, err = tx.Query(ctx, `SELECT f.id, f.at, f.question FROM feedback f
		WHERE f.rating = 'down' AND f.found AND f.at > $1
		  AND NOT EXISTS (SELECT FROM insight_gap_questions q WHERE q.feedback = f.id)
		ORDER BY f.at LIMIT $2`, since, g.maxNew())
	if err != nil {
		return nil, fmt.Errorf("reading the 👎 ratings: %w", err)
	}
	_, err = pgx.ForEachRow(rows, []any{&id, &p.at, &p.text}, func() error {
		fid := id
		out = append(out, pending{feedback: &fid, at: p.at, text: p.text})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the 👎 ratings: %w", err)
	}
	slices.SortStableFunc(out, func(a, b pending) int { return a.at.Compare(b.at) })
	return out, nil
}

// members returns the newest grouped questions of the window, re-embedding those whose
// vectors another embedder made.
func (g *Gaps) members(ctx context.Context, tx pgx.Tx) (*clusters, error) {
	rows, err := tx.Query(ctx, `SELECT q.gap, q.model, q.vector, q.terms, coalesce(l.question, f.question, ''), q.query_log, q.feedback
		FROM insight_gap_questions q LEFT JOIN query_log l ON l.id = q.query_log LEFT JOIN feedback f ON f.id = q.feedback
		WHERE q.at > $1 ORDER BY q.at DESC LIMIT $2`, time.Now().Add(-g.window()), g.maxCompared())
	if err != nil {
		return nil, fmt.Errorf("reading the grouped questions: %w", err)
	}
	c := &clusters{threshold: cmp.Or(g.Threshold, DefaultThreshold), share: vectorShare}
	var gap int64
	var model, text string
	var q question
	var ql, fb *int64
	type stale struct {
		i      int
		text   string
		ql, fb *int64
	}
	var old []stale
	_, err = pgx.ForEachRow(rows, []any{&gap, &model, &q.vector, &q.terms, &text, &ql, &fb}, func() error {
		if model != g.Embedder.Model() {
			old = append(old, stale{len(c.members), text, ql, fb})
		}
		c.members = append(c.members, q)
		c.gap = append(c.gap, gap)
		return nil
	})
	if err != nil || len(old) == 0 {
		return c, err
	}
	texts := make([]string, len(old))
	for i, s := range old {
		texts[i] = s.text
	}
	vecs, err := g.Embedder.EmbedDocuments(ctx, texts)
	if err != nil {
		return nil, fmt.Errorf("re-embedding grouped questions: %w", err)
	}
	for i, s := range old {
		c.members[s.i].vector = vecs[i]
		if _, err := tx.Exec(ctx, `UPDATE insight_gap_questions SET model = $1, vector = $2
			WHERE query_log IS NOT DISTINCT FROM $3 AND feedback IS NOT DISTINCT FROM $4`, g.Embedder.Model(), vecs[i], s.ql, s.fb); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// List returns the gaps with questions in the window, unresolved first, then the largest and
// most recent; status filters when set. Closest documents are those groups (the viewer's
// access groups) may read. Call Refresh first to group what arrived since the last pass.
func (g *Gaps) List(ctx context.Context, groups []string, status string) ([]Gap, error) {
	since := time.Now().Add(-g.window())
	rows, err := g.Pool.Query(ctx, `SELECT g.id, count(*)::int, g.status, g.owner, max(q.at), g.resolution,
			g.resolved_source, g.resolved_document, coalesce(g.resolved_curated_id, 0), g.resolved_curated, g.changed_by, g.changed_at
		FROM insight_gaps g JOIN insight_gap_questions q ON q.gap = g.id
		WHERE q.at > $1 AND ($2 = '' OR g.status = $2)
		GROUP BY g.id
		ORDER BY g.status = 'resolved', count(*) DESC, max(q.at) DESC LIMIT $3`, since, status, maxListed)
	if err != nil {
		return nil, fmt.Errorf("listing gaps: %w", err)
	}
	gaps, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Gap, error) {
		var x Gap
		var r Resolution
		err := row.Scan(&x.ID, &x.Size, &x.Status, &x.Owner, &x.Last, &r.Kind, &r.Source, &r.Document, &r.Curated, &r.CuratedLabel, &x.ChangedBy, &x.ChangedAt)
		if r.Kind != "" {
			x.Resolution = &r
		}
		x.Questions, x.AskedBy, x.Closest = []string{}, []string{}, []Document{}
		return x, err
	})
	if err != nil || len(gaps) == 0 {
		return gaps, err
	}
	if err := g.examples(ctx, gaps, since); err != nil {
		return nil, err
	}
	return gaps, g.closest(ctx, gaps, since, groups)
}

func index(gaps []Gap) ([]int64, map[int64]*Gap) {
	ids := make([]int64, len(gaps))
	by := make(map[int64]*Gap, len(gaps))
	for i := range gaps {
		ids[i] = gaps[i].ID
		by[gaps[i].ID] = &gaps[i]
	}
	return ids, by
}

// examples fills in each gap's newest questions, each wording once, and, as the query log's
// privacy setting allows, who asked them.
func (g *Gaps) examples(ctx context.Context, gaps []Gap, since time.Time) error {
	ids, by := index(gaps)
	rows, err := g.Pool.Query(ctx, `SELECT gap, question, asker, rated FROM (
			SELECT q.gap, coalesce(l.question, f.question) AS question, coalesce(l.asker, f.owner, '') AS asker,
				f.id IS NOT NULL AS rated, row_number() OVER (PARTITION BY q.gap ORDER BY q.at DESC) AS n
			FROM insight_gap_questions q LEFT JOIN query_log l ON l.id = q.query_log LEFT JOIN feedback f ON f.id = q.feedback
			WHERE q.gap = ANY($1) AND q.at > $2) x
		WHERE n <= $3 ORDER BY gap, n`, ids, since, maxScanned)
	if err != nil {
		return fmt.Errorf("reading the gaps' questions: %w", err)
	}
	var gap int64
	var text, asker string
	var rated bool
	_, err = pgx.ForEachRow(rows, []any{&gap, &text, &asker, &rated}, func() error {
		x := by[gap]
		if len(x.Questions) < maxExamples && !slices.Contains(x.Questions, text) {
			x.Questions = append(x.Questions, text)
		}
		if who, err := g.shown(ctx, asker, rated); err != nil {
			return err
		} else if who != "" && !slices.Contains(x.AskedBy, who) {
			x.AskedBy = append(x.AskedBy, who)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading the gaps' questions: %w", err)
	}
	return nil
}

// shown is how an asker is shown: the query log stores them as the setting says already; a
// rating names its owner, who is shown the same way.
func (g *Gaps) shown(ctx context.Context, asker string, rated bool) (string, error) {
	if g.QueryLog == nil {
		return "", nil
	}
	switch g.QueryLog.Users {
	case querylog.None:
		return "", nil
	case querylog.Name:
		return asker, nil
	}
	if !rated {
		return asker, nil
	}
	return g.QueryLog.Pseudonym(ctx, asker)
}

// closest fills in each gap's documents: those its questions' answers cited or found
// closest, most often first, among the documents groups may read.
func (g *Gaps) closest(ctx context.Context, gaps []Gap, since time.Time, groups []string) error {
	ids, by := index(gaps)
	rows, err := g.Pool.Query(ctx, `WITH cited AS (
			SELECT q.gap, x->>'source' AS source, x->>'document' AS path
			FROM insight_gap_questions q LEFT JOIN query_log l ON l.id = q.query_log LEFT JOIN feedback f ON f.id = q.feedback,
				jsonb_array_elements(coalesce(l.documents, f.citations)) x
			WHERE q.gap = ANY($1) AND q.at > $2 AND jsonb_typeof(coalesce(l.documents, f.citations)) = 'array')
		SELECT c.gap, d.id, s.name, d.path, d.title, count(*)::int
		FROM cited c JOIN sources s ON s.name = c.source JOIN documents d ON d.source_id = s.id AND d.path = c.path
		WHERE d.status = 'indexed' AND `+access.Visible("d", "$3")+`
		GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 6 DESC, 4`, ids, since, groups)
	if err != nil {
		return fmt.Errorf("finding the gaps' closest documents: %w", err)
	}
	var gap int64
	var d Document
	_, err = pgx.ForEachRow(rows, []any{&gap, &d.ID, &d.Source, &d.Path, &d.Title, &d.Times}, func() error {
		if x := by[gap]; len(x.Closest) < maxClosest {
			x.Closest = append(x.Closest, d)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("finding the gaps' closest documents: %w", err)
	}
	return nil
}

// Check returns a FieldError for the first field of c that is missing or out of range.
func (c Change) Check() error {
	switch c.Status {
	case Open, Assigned, Resolved:
	default:
		return FieldError{"status", `must be "open", "assigned" or "resolved"`}
	}
	if c.Owner != nil && len(*c.Owner) > 200 {
		return FieldError{"owner", "at most 200 bytes"}
	}
	r := c.Resolution
	if c.Status != Resolved {
		if r != nil {
			return FieldError{"resolution", `only a "resolved" gap has a resolution`}
		}
		return nil
	}
	switch {
	case r == nil:
		return FieldError{"resolution", `a resolved gap needs {"kind": "document", "source", "document"}, {"kind": "curated", "curated": id} or {"kind": "wontfix"}`}
	case r.Kind == ByDocument && (r.Source == "" || r.Document == ""):
		return FieldError{"resolution.document", "name the document by its source and path"}
	case r.Kind == ByCurated && r.Curated <= 0:
		return FieldError{"resolution.curated", "name the curated answer by its id (a number)"}
	case r.Kind != ByDocument && r.Kind != ByCurated && r.Kind != WontFix:
		return FieldError{"resolution.kind", `must be "document", "curated" or "wontfix"`}
	}
	return nil
}

// Update applies an admin's change to gap id, by is who made it, and returns the gap's owner
// after it; a document resolving it must be one groups may read, a curated answer one that
// exists (admins manage every one). A curated resolution's label is set in c.
func (g *Gaps) Update(ctx context.Context, id int64, c Change, by string, groups []string) (string, error) {
	if err := c.Check(); err != nil {
		return "", err
	}
	r := cmp.Or(c.Resolution, &Resolution{})
	if r.Kind == ByDocument {
		var ok bool
		err := g.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM documents d JOIN sources s ON s.id = d.source_id
			WHERE s.name = $1 AND d.path = $2 AND d.status = 'indexed' AND `+access.Visible("d", "$3")+`)`,
			r.Source, r.Document, groups).Scan(&ok)
		if err != nil {
			return "", fmt.Errorf("checking the resolving document: %w", err)
		}
		if !ok {
			return "", FieldError{"resolution.document", "no such indexed document " + r.Source + ":" + r.Document}
		}
	}
	var curatedID *int64
	label := ""
	if r.Kind == ByCurated {
		err := g.Pool.QueryRow(ctx, `SELECT question FROM curated_answers WHERE id = $1`, r.Curated).Scan(&label)
		if errors.Is(err, pgx.ErrNoRows) {
			return "", FieldError{"resolution.curated", fmt.Sprintf("no curated answer has id %d", r.Curated)}
		}
		if err != nil {
			return "", fmt.Errorf("checking the resolving curated answer: %w", err)
		}
		curatedID = &r.Curated
	}
	var owner *string
	if c.Owner != nil {
		o := strings.TrimSpace(*c.Owner)
		owner = &o
	}
	var stored string
	err := g.Pool.QueryRow(ctx, `UPDATE insight_gaps SET status = $2, owner = coalesce($3, owner), resolution = $4, resolved_source = $5,
		resolved_document = $6, resolved_curated = $7, resolved_curated_id = $8, changed_by = $9, changed_at = now() WHERE id = $1 RETURNING owner`,
		id, c.Status, owner, r.Kind, r.Source, r.Document, label, curatedID, by).Scan(&stored)
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr) && pgErr.ConstraintName == "insight_gaps_curated_exists":
		// Deleted since it was checked.
		return "", FieldError{"resolution.curated", fmt.Sprintf("no curated answer has id %d", r.Curated)}
	case errors.As(err, &pgErr) && pgErr.ConstraintName == "assigned_has_owner":
		return "", FieldError{"owner", "an assigned gap needs an owner"}
	case errors.Is(err, pgx.ErrNoRows):
		return "", ErrNotFound
	case err != nil:
		return "", fmt.Errorf("changing gap %d: %w", id, err)
	}
	r.CuratedLabel = label
	return stored, nil
}
