package insights_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/docent-search/docent/internal/curated"
	"github.com/docent-search/docent/internal/docenttest"
	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/evaluate"
	"github.com/docent-search/docent/internal/insights"
	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/docent-search/docent/internal/querylog"
	"github.com/docent-search/docent/internal/source"
)

type testBundle struct {
	pool *pgxpool.Pool
	gaps *insights.Gaps
}

// setup indexes a travel policy visible to all and a budget visible to hr only.
func setup(t *testing.T) testBundle {
	t.Helper()
	pool := pgtest.NewPool(t)
	docenttest.Index(t, pool, "docs", docenttest.Folder(t, map[string]string{
		"travel.md":    "# Travel\n\nA taxi home after a client dinner that ends after 9 pm is always reimbursed.\n",
		"hr/budget.md": "# Budget\n\nThe parking budget for next year is frozen.\n",
	}), source.Rule{Glob: "hr/**", Groups: []string{"hr"}})
	return testBundle{pool: pool, gaps: &insights.Gaps{Pool: pool, Embedder: docenttest.Embedder,
		QueryLog: &querylog.Log{Pool: pool, Users: querylog.Name, Retention: time.Hour}}}
}

var bothDocs = []querylog.Document{{Source: "docs", Document: "hr/budget.md"}, {Source: "docs", Document: "travel.md"}}

// logged writes a query-log entry asked ago, as the server does, and returns its id.
func logged(t *testing.T, pool *pgxpool.Pool, asker, question, outcome string, ago time.Duration, docs []querylog.Document) int64 {
	t.Helper()
	if docs == nil {
		docs = []querylog.Document{}
	}
	d, _ := json.Marshal(docs)
	var id int64
	if err := pool.QueryRow(context.Background(), `INSERT INTO query_log (at, asker, channel, question, outcome, latency_ms, documents)
		VALUES (now() - make_interval(secs => $1), $2, 'api', $3, $4, 12, $5) RETURNING id`, ago.Seconds(), asker, question, outcome, d).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// rated writes a rating of an answer, as feedback.Store does.
func rated(t *testing.T, pool *pgxpool.Pool, owner, question, rating string, found bool, ago time.Duration, cited ...string) {
	t.Helper()
	cs := []map[string]string{}
	for _, c := range cited {
		cs = append(cs, map[string]string{"source": "docs", "document": c})
	}
	d, _ := json.Marshal(cs)
	if _, err := pool.Exec(context.Background(), `INSERT INTO feedback (at, owner, conversation, turn, rating, question, answer, found, citations, mode, model)
		VALUES (now() - make_interval(secs => $1), $2, $3, 1, $4, $3, 'an answer', $5, $6, 'extractive', 'extractive')
		ON CONFLICT (conversation, turn) DO UPDATE SET rating = excluded.rating`, ago.Seconds(), owner, question, rating, found, d); err != nil {
		t.Fatal(err)
	}
}

// listed groups what arrived, then lists, as the server does.
func listed(ctx context.Context, t *testing.T, g *insights.Gaps, groups []string, status string) ([]insights.Gap, error) {
	t.Helper()
	if err := g.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	return g.List(ctx, groups, status)
}

func byQuestion(gaps []insights.Gap, q string) *insights.Gap {
	for i, g := range gaps {
		if slices.Contains(g.Questions, q) {
			return &gaps[i]
		}
	}
	return nil
}

const (
	parking1 = "how do I book a parking space at the office"
	parking2 = "can I book a parking space for my car"
	parking3 = "booking a parking space at the office for tomorrow"
	peru     = "what is the capital of Peru?"
)

func TestGapsGroupUnansweredQuestions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	logged(t, b.pool, "ann", parking1, querylog.Declined, time.Minute, bothDocs)
	logged(t, b.pool, "bo", parking2, querylog.Declined, 50*time.Second, bothDocs)
	logged(t, b.pool, "ann", "is a taxi home reimbursed", querylog.Answered, 40*time.Second, bothDocs[1:])
	logged(t, b.pool, "cy", peru, querylog.Declined, 30*time.Second, nil)
	// Asked this instant: not yet settled, grouped by a later pass.
	logged(t, b.pool, "cy", "what is the capital of Chile?", querylog.Declined, 0, nil)
	// A 👎 of a given answer is a gap too; a 👍 and a 👎 of a declined answer are not.
	rated(t, b.pool, "dee", "how late can the client dinner end for a taxi", "down", true, 20*time.Second, "travel.md")
	rated(t, b.pool, "ann", "is a taxi home reimbursed", "up", true, 20*time.Second, "travel.md")
	rated(t, b.pool, "ann", peru, "down", false, 20*time.Second)

	gaps, err := listed(ctx, t, b.gaps, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(gaps) != 3 {
		t.Fatalf("%d gaps, want 3 (parking, Peru, the taxi 👎): %+v", len(gaps), gaps)
	}
	park := byQuestion(gaps, parking1)
	if park == nil || park.Size != 2 || !slices.Contains(park.Questions, parking2) || gaps[0].ID != park.ID {
		t.Fatalf("parking gap %+v: want both parking questions, listed first (largest)", park)
	}
	if park.Status != insights.Open || park.Owner != "" || park.Resolution != nil {
		t.Errorf("new gap: %+v, want open with no owner", park)
	}
	// The closest documents are filtered by the viewer's groups.
	if len(park.Closest) != 1 || park.Closest[0].Path != "travel.md" || park.Closest[0].Times != 2 {
		t.Errorf("closest documents for a viewer without hr: %+v, want travel.md alone", park.Closest)
	}
	withHR, err := listed(ctx, t, b.gaps, []string{"hr"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if c := byQuestion(withHR, parking1).Closest; len(c) != 2 {
		t.Errorf("closest documents for hr: %+v, want both", c)
	}
	if g := byQuestion(gaps, "how late can the client dinner end for a taxi"); g == nil || g.Size != 1 {
		t.Errorf("the 👎 answer: %+v, want a gap of its own", g)
	}
	if g := byQuestion(gaps, peru); g == nil || g.Size != 1 {
		t.Errorf("Peru: %+v, want a gap of size 1 (its 👎 of a declined answer adds nothing)", g)
	}
	// DOCENT_QUERY_LOG_USERS=name shows who asked.
	if !slices.Equal(park.AskedBy, []string{"bo", "ann"}) {
		t.Errorf("asked by %v, want bo and ann (newest first)", park.AskedBy)
	}
	if byQuestion(gaps, "what is the capital of Chile?") != nil {
		t.Error("a question asked this instant was grouped before its entry settled")
	}
	// Time passes: it has settled.
	if _, err := b.pool.Exec(ctx, `UPDATE query_log SET at = at - interval '5 seconds'`); err != nil {
		t.Fatal(err)
	}

	// Assigned, then joined by a third question: the gap keeps its id, status and owner.
	if _, err := b.gaps.Update(ctx, park.ID, insights.Change{Status: insights.Assigned, Owner: ptr("facilities")}, "root", nil); err != nil {
		t.Fatal(err)
	}
	logged(t, b.pool, "eve", parking3, querylog.Declined, 10*time.Second, nil)
	gaps, err = listed(ctx, t, b.gaps, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	again := byQuestion(gaps, parking3)
	if again == nil || again.ID != park.ID || again.Size != 3 || again.Status != insights.Assigned || again.Owner != "facilities" || again.ChangedBy != "root" {
		t.Errorf("after a new question: %+v, want gap %d, size 3, assigned to facilities by root", again, park.ID)
	}
	if byQuestion(gaps, "what is the capital of Chile?") == nil {
		t.Error("the question still settling when the first pass ran was never grouped")
	}

	// Resolved by a document, then asked again: the fix did not reach it, so it is open again.
	done := insights.Change{Status: insights.Resolved, Resolution: &insights.Resolution{Kind: insights.ByDocument, Source: "docs", Document: "travel.md"}}
	if _, err := b.gaps.Update(ctx, park.ID, done, "root", nil); err != nil {
		t.Fatal(err)
	}
	open, err := listed(ctx, t, b.gaps, nil, insights.Open)
	if err != nil {
		t.Fatal(err)
	}
	if byQuestion(open, parking1) != nil {
		t.Error("a resolved gap is listed under status=open")
	}
	if _, err := b.pool.Exec(ctx, `UPDATE insight_gaps SET changed_at = now() - interval '1 hour'`); err != nil {
		t.Fatal(err)
	}
	logged(t, b.pool, "fay", "book a parking space at the office", querylog.Declined, 30*time.Second, nil)
	gaps, err = listed(ctx, t, b.gaps, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if g := byQuestion(gaps, parking1); g.Status != insights.Assigned || g.Owner != "facilities" || g.Resolution != nil {
		t.Errorf("asked again after resolution: %+v, want assigned to facilities again", g)
	}

	// A 👎 taken back leaves its gap.
	rated(t, b.pool, "dee", "how late can the client dinner end for a taxi", "up", true, 0, "travel.md")
	gaps, err = listed(ctx, t, b.gaps, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if g := byQuestion(gaps, "how late can the client dinner end for a taxi"); g != nil {
		t.Errorf("a 👎 changed to 👍 is still a gap: %+v", g)
	}
}

func TestGapsShowAskersAsTheQueryLogSettingSays(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	ql := b.gaps.QueryLog
	ql.Users = querylog.Pseudonym
	pseudo, err := ql.Pseudonym(ctx, "ann")
	if err != nil {
		t.Fatal(err)
	}
	// The query log stores the pseudonym already; a rating names its owner, shown as one too.
	logged(t, b.pool, pseudo, parking1, querylog.Declined, time.Minute, nil)
	rated(t, b.pool, "ann", parking2, "down", true, 30*time.Second)
	for _, c := range []struct {
		users string
		want  []string
	}{{querylog.Pseudonym, []string{pseudo}}, {querylog.None, []string{}}} {
		ql.Users = c.users
		gaps, err := listed(ctx, t, b.gaps, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(gaps) != 1 || !slices.Equal(gaps[0].AskedBy, c.want) {
			t.Errorf("%s: gaps %+v, want one asked by %v", c.users, gaps, c.want)
		}
	}
}

func TestGapChangesAreChecked(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	logged(t, b.pool, "ann", peru, querylog.Declined, time.Minute, nil)
	gaps, err := listed(ctx, t, b.gaps, nil, "")
	if err != nil || len(gaps) != 1 {
		t.Fatalf("gaps %+v, %v", gaps, err)
	}
	id := gaps[0].ID
	for _, c := range []struct {
		change insights.Change
		field  string
	}{
		{insights.Change{Status: "done"}, "status"},
		{insights.Change{Status: insights.Assigned}, "owner"},
		{insights.Change{Status: insights.Resolved}, "resolution"},
		{insights.Change{Status: insights.Resolved, Resolution: &insights.Resolution{Kind: "fixed"}}, "resolution.kind"},
		{insights.Change{Status: insights.Resolved, Resolution: &insights.Resolution{Kind: insights.ByCurated}}, "resolution.curated"},
		{insights.Change{Status: insights.Open, Resolution: &insights.Resolution{Kind: insights.WontFix}}, "resolution"},
		// A document the admin may not read cannot resolve a gap.
		{insights.Change{Status: insights.Resolved, Resolution: &insights.Resolution{Kind: insights.ByDocument, Source: "docs", Document: "hr/budget.md"}}, "resolution.document"},
	} {
		var fe insights.FieldError
		if _, err := b.gaps.Update(ctx, id, c.change, "root", nil); !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%+v: %v, want a FieldError naming %s", c.change, err, c.field)
		}
	}
	if _, err := b.gaps.Update(ctx, id+1000, insights.Change{Status: insights.Open}, "root", nil); !errors.Is(err, insights.ErrNotFound) {
		t.Errorf("changing a gap that does not exist: %v", err)
	}
	// A curated answer is named by the id of one that exists.
	store := &curated.Store{Pool: b.pool}
	answer, err := store.Create(ctx, curated.Input{Question: "Is a trip to Peru reimbursed?", Answer: "Ask the travel team.", Owner: "travel team", ReviewBy: "2099-01-01"}, "root")
	if err != nil {
		t.Fatal(err)
	}
	var fe insights.FieldError
	missing := insights.Change{Status: insights.Resolved, Resolution: &insights.Resolution{Kind: insights.ByCurated, Curated: answer + 1000}}
	if _, err := b.gaps.Update(ctx, id, missing, "root", nil); !errors.As(err, &fe) || fe.Field != "resolution.curated" || !strings.Contains(fe.Problem, strconv.FormatInt(answer+1000, 10)) {
		t.Errorf("resolved by a curated answer that does not exist: %v, want a FieldError naming resolution.curated and the id", err)
	}
	byAnswer := insights.Change{Status: insights.Resolved, Resolution: &insights.Resolution{Kind: insights.ByCurated, Curated: answer, CuratedLabel: "ignored"}}
	if _, err := b.gaps.Update(ctx, id, byAnswer, "root", nil); err != nil {
		t.Fatal(err)
	}
	if byAnswer.Resolution.CuratedLabel != "Is a trip to Peru reimbursed?" {
		t.Errorf("the change's label: %q, want the answer's question", byAnswer.Resolution.CuratedLabel)
	}
	gaps, _ = listed(ctx, t, b.gaps, nil, insights.Resolved)
	if len(gaps) != 1 || gaps[0].Resolution == nil || *gaps[0].Resolution != (insights.Resolution{Kind: insights.ByCurated, Curated: answer, CuratedLabel: "Is a trip to Peru reimbursed?"}) || gaps[0].ChangedAt == nil {
		t.Errorf("resolved by a curated answer: %+v", gaps)
	}
	// The answer deleted: the gap stays resolved, its label kept, the id gone.
	if err := store.Delete(ctx, answer); err != nil {
		t.Fatal(err)
	}
	gaps, _ = listed(ctx, t, b.gaps, nil, insights.Resolved)
	if len(gaps) != 1 || gaps[0].Resolution == nil || *gaps[0].Resolution != (insights.Resolution{Kind: insights.ByCurated, CuratedLabel: "Is a trip to Peru reimbursed?"}) {
		t.Errorf("after its curated answer was deleted: %+v", gaps)
	}
}

// The export is a BEIR set `indexer eval` reads: the 👍 answers judged against their citations
// and a document-resolved gap's questions against the document.
func TestExport(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	rated(t, b.pool, "ann", "is a taxi home reimbursed?", "up", true, time.Minute, "travel.md", "gone.md")
	rated(t, b.pool, "bo", "Is a taxi home reimbursed", "up", true, time.Minute, "travel.md")
	logged(t, b.pool, "ann", parking1, querylog.Declined, time.Minute, nil)
	logged(t, b.pool, "ann", parking2, querylog.Declined, time.Minute, nil)
	logged(t, b.pool, "ann", peru, querylog.Declined, time.Minute, nil)
	gaps, err := listed(ctx, t, b.gaps, []string{"hr"}, "")
	if err != nil {
		t.Fatal(err)
	}
	park, other := byQuestion(gaps, parking1), byQuestion(gaps, peru)
	for id, r := range map[int64]insights.Resolution{park.ID: {Kind: insights.ByDocument, Source: "docs", Document: "hr/budget.md"}, other.ID: {Kind: insights.WontFix}} {
		if _, err := b.gaps.Update(ctx, id, insights.Change{Status: insights.Resolved, Resolution: &r}, "root", []string{"hr"}); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	n, err := insights.Export(ctx, b.pool, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	if n.Queries != 3 || n.Judged != 3 || n.Liked != 2 || n.Resolved != 2 {
		t.Errorf("exported %+v, want 3 queries (the taxi question once, both parking ones) and 3 judgments", n)
	}
	// People's questions are not left readable by every account on the machine.
	for _, name := range []string{"queries.jsonl", "qrels.tsv"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		} else if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s: mode %v; want readable by its owner only", name, fi.Mode())
		}
	}
	qs, err := evaluate.ReadQueries(filepath.Join(dir, "queries.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	qrels, err := evaluate.ReadQrels(filepath.Join(dir, "qrels.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]int{}
	for _, q := range qs {
		got[strings.TrimRight(q.Text, "?")] = qrels[q.ID]
	}
	// The first wording asked is the one kept.
	want := map[string]map[string]int{"is a taxi home reimbursed": {"travel.md": 1},
		parking1: {"hr/budget.md": 2}, parking2: {"hr/budget.md": 2}}
	for q, w := range want {
		if !mapsEqual(got[q], w) {
			t.Errorf("%q judged %v, want %v", q, got[q], w)
		}
	}
	// Another export writes the same ids: a set can be compared run to run.
	again := t.TempDir()
	if _, err := insights.Export(ctx, b.pool, "", again); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(filepath.Join(dir, "queries.jsonl"))
	c, _ := os.ReadFile(filepath.Join(again, "queries.jsonl"))
	if string(a) != string(c) {
		t.Error("two exports of the same feedback differ")
	}
	if n, err := insights.Export(ctx, b.pool, "other", t.TempDir()); err != nil || n.Queries != 0 {
		t.Errorf("export for a source with no judged documents: %+v, %v", n, err)
	}
}

func ptr(s string) *string { return &s }

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestStats(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	logged(t, b.pool, "ann", "slow one", querylog.Answered, time.Minute, nil)
	b.pool.Exec(ctx, `UPDATE query_log SET latency_ms = 900`)
	logged(t, b.pool, "ann", "a", querylog.Answered, time.Minute, nil)
	logged(t, b.pool, "ann", "b", querylog.Declined, time.Minute, nil)
	logged(t, b.pool, "ann", "c", querylog.Error, time.Minute, nil)
	logged(t, b.pool, "ann", "old", querylog.Answered, 10*24*time.Hour, nil)
	rated(t, b.pool, "ann", "a", "up", true, time.Minute)
	rated(t, b.pool, "bo", "b", "up", true, time.Minute)
	rated(t, b.pool, "cy", "c", "down", true, time.Minute)
	st, err := insights.ReadStats(ctx, b.pool, 7)
	if err != nil {
		t.Fatal(err)
	}
	today := st.PerDay[len(st.PerDay)-1]
	if len(st.PerDay) != 7 || st.Questions != 4 || today.Answered != 2 || today.Declined != 1 || today.Errors != 1 {
		t.Errorf("7 days: %d days, %d questions, today %+v; want 7 days, 4 questions (the 10-day-old one out)", len(st.PerDay), st.Questions, today)
	}
	if st.Answered != 0.5 || st.Declined != 0.25 || st.Up != 2 || st.Down != 1 || st.UpShare < 0.66 || st.UpShare > 0.67 {
		t.Errorf("shares: %+v", st)
	}
	if len(st.Slowest) != 4 || st.Slowest[0].Question != "slow one" || st.Slowest[0].LatencyMS != 900 {
		t.Errorf("slowest: %+v", st.Slowest)
	}
	if st, err := insights.ReadStats(ctx, b.pool, 30); err != nil || st.Questions != 5 || len(st.PerDay) != 30 {
		t.Errorf("30 days: %d questions over %d days, %v", st.Questions, len(st.PerDay), err)
	}
	var fe insights.FieldError
	if _, err := insights.ReadStats(ctx, b.pool, 365); !errors.As(err, &fe) || fe.Field != "days" {
		t.Errorf("365 days: %v, want a FieldError naming days", err)
	}
}

// failing is an embedding server that is down.
type failing struct{ embedder.Embedder }

func (failing) EmbedDocuments(context.Context, []string) ([][]float32, error) {
	return nil, errors.New("connection refused")
}

// A pass whose embedder fails changes nothing: the next pass groups the same questions.
func TestRefreshWithTheEmbedderDownLosesNothing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	logged(t, b.pool, "ann", peru, querylog.Declined, time.Minute, nil)
	down := *b.gaps
	down.Embedder = failing{docenttest.Embedder}
	if err := down.Refresh(ctx); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("refresh with the embedder down: %v", err)
	}
	gaps, err := listed(ctx, t, b.gaps, nil, "")
	if err != nil || len(gaps) != 1 || gaps[0].Questions[0] != peru {
		t.Errorf("after the embedder is back: %+v, %v", gaps, err)
	}
}

// A declined question with no content words ("what is it?", only stop words, or only
// punctuation) is a gap like any other. Its terms were a nil list, stored as NULL in a NOT NULL
// column: the pass failed there, rolled back its progress, and every later pass failed at the
// same question, so one such question stopped every later one from being grouped.
func TestQuestionWithoutContentWordsDoesNotStopGrouping(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	for i, q := range []string{"what is it?", "!&|:*()", "a a a a"} {
		logged(t, b.pool, "ann", q, querylog.Declined, time.Duration(90-i)*time.Second, nil)
	}
	logged(t, b.pool, "bo", peru, querylog.Declined, time.Minute, nil)
	gaps, err := listed(ctx, t, b.gaps, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"what is it?", "!&|:*()", "a a a a", peru} {
		if byQuestion(gaps, q) == nil {
			t.Errorf("%q is in no gap: %+v", q, gaps)
		}
	}
}

// BenchmarkRefresh times a grouping pass that places one new question among a full window of
// DefaultMaxCompared grouped ones (docent-local-v2 vectors, 1,024 dimensions).
func BenchmarkRefresh(b *testing.B) {
	pool := pgtest.NewPool(b)
	ctx := context.Background()
	g := &insights.Gaps{Pool: pool, Embedder: docenttest.Embedder}
	if _, err := pool.Exec(ctx, `INSERT INTO query_log (at, channel, question, outcome, latency_ms)
		SELECT now() - interval '1 hour', 'api', 'question number ' || i || ' about topic ' || (i % 700), 'declined', 5
		FROM generate_series(1, $1) i`, insights.DefaultMaxCompared); err != nil {
		b.Fatal(err)
	}
	for range insights.DefaultMaxCompared / insights.DefaultMaxNew {
		if err := g.Refresh(ctx); err != nil {
			b.Fatal(err)
		}
	}
	var grouped int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM insight_gap_questions`).Scan(&grouped); err != nil || grouped != insights.DefaultMaxCompared {
		b.Fatalf("%d questions grouped, %v; want %d, %d a pass", grouped, err, insights.DefaultMaxCompared, insights.DefaultMaxNew)
	}
	b.ResetTimer()
	for i := range b.N {
		if _, err := pool.Exec(ctx, `INSERT INTO query_log (at, channel, question, outcome, latency_ms)
			VALUES (now() - interval '1 minute', 'api', $1, 'declined', 5)`, "a new question "+strconv.Itoa(i)); err != nil {
			b.Fatal(err)
		}
		if err := g.Refresh(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
