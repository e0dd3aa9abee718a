package insights

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/docent-search/docent/internal/textseg"
)

// Relevance grades of the regression set: a document an admin resolved a gap with answers the
// gap's questions for certain; a document cited by an answer rated 👍 probably does.
const (
	gradeResolved = 2
	gradeCited    = 1
)

// Exported says what an export wrote.
type Exported struct {
	Queries, Judged int
	// Liked and Resolved are the questions taken from 👍 answers and from gaps resolved by a
	// document (one question may be both).
	Liked, Resolved int
}

// Export writes a BEIR test set of real questions into dir: queries.jsonl and qrels.tsv, from
// the answers rated 👍 (judged against the documents they cite) and the gaps resolved by a
// document (every question of the gap judged against it). Corpus ids are document paths, as
// `indexer eval` matches them, so the set outlives re-indexing; source, when set, keeps only
// that source's documents, for `indexer eval --source`. Only documents still indexed are
// judged, and a question asked several times (in the same words, ignoring case and
// punctuation) is one query.
func Export(ctx context.Context, pool *pgxpool.Pool, source, dir string) (Exported, error) {
	var out Exported
	judged := map[string]map[string]int{} // normalised question → path → grade
	texts := map[string]string{}
	add := func(question, path string, grade int) {
		key := strings.Join(textseg.Words(question), " ")
		// A tab or line break in a path would break the TSV (and no eval could match it).
		if key == "" || strings.ContainsAny(path, "\t\r\n") {
			return
		}
		if judged[key] == nil {
			judged[key], texts[key] = map[string]int{}, strings.TrimSpace(question)
		}
		judged[key][path] = max(judged[key][path], grade)
	}
	// Oldest first: of the wordings of one question, the first asked is the one written.
	indexed := `JOIN sources s ON s.name = c.source JOIN documents d ON d.source_id = s.id AND d.path = c.path
		WHERE d.status = 'indexed' AND ($1 = '' OR s.name = $1) ORDER BY c.at, c.question, d.path`
	rows, err := pool.Query(ctx, `WITH c AS (
			SELECT f.at, f.question, x->>'source' AS source, x->>'document' AS path
			FROM feedback f, jsonb_array_elements(f.citations) x WHERE f.rating = 'up' AND f.found)
		SELECT c.question, d.path FROM c `+indexed, source)
	if err != nil {
		return out, fmt.Errorf("reading the 👍 answers: %w", err)
	}
	liked := map[string]bool{}
	var question, path string
	if _, err := pgx.ForEachRow(rows, []any{&question, &path}, func() error {
		add(question, path, gradeCited)
		liked[question] = true
		return nil
	}); err != nil {
		return out, fmt.Errorf("reading the 👍 answers: %w", err)
	}
	rows, err = pool.Query(ctx, `WITH c AS (
			SELECT q.at, coalesce(l.question, f.question) AS question, g.resolved_source AS source, g.resolved_document AS path
			FROM insight_gaps g JOIN insight_gap_questions q ON q.gap = g.id
				LEFT JOIN query_log l ON l.id = q.query_log LEFT JOIN feedback f ON f.id = q.feedback
			WHERE g.status = 'resolved' AND g.resolution = 'document')
		SELECT c.question, d.path FROM c `+indexed, source)
	if err != nil {
		return out, fmt.Errorf("reading the resolved gaps: %w", err)
	}
	resolved := map[string]bool{}
	if _, err := pgx.ForEachRow(rows, []any{&question, &path}, func() error {
		add(question, path, gradeResolved)
		resolved[question] = true
		return nil
	}); err != nil {
		return out, fmt.Errorf("reading the resolved gaps: %w", err)
	}
	out.Liked, out.Resolved = len(liked), len(resolved)

	// The set holds what people asked, word for word: readable by the one who exported it only.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return out, err
	}
	var queries, qrels strings.Builder
	qrels.WriteString("query-id\tcorpus-id\tscore\n")
	type query struct {
		ID   string `json:"_id"`
		Text string `json:"text"`
	}
	ids := map[string]string{}
	for key := range judged {
		sum := sha256.Sum256([]byte(key))
		ids[key] = "q-" + hex.EncodeToString(sum[:6])
	}
	for _, key := range slices.SortedFunc(maps.Keys(judged), func(a, b string) int { return strings.Compare(ids[a], ids[b]) }) {
		line, err := json.Marshal(query{ids[key], texts[key]})
		if err != nil {
			return out, err
		}
		queries.Write(line)
		queries.WriteByte('\n')
		for _, p := range slices.Sorted(maps.Keys(judged[key])) {
			fmt.Fprintf(&qrels, "%s\t%s\t%d\n", ids[key], p, judged[key][p])
			out.Judged++
		}
		out.Queries++
	}
	for name, text := range map[string]string{"queries.jsonl": queries.String(), "qrels.tsv": qrels.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			return out, fmt.Errorf("writing the regression set: %w", err)
		}
	}
	return out, nil
}
