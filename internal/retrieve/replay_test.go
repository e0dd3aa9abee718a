//go:build replay

package retrieve

// An offline replay of the fusion, for measuring a change to fuse on every dev set in seconds
// instead of re-indexing them. Neither test checks anything: both are tools, run by hand, and
// the build tag keeps them out of `go test ./...` (README, "Search quality").
//
// 1. Keep the databases of a `make eval` run (EVAL_ARGS='-db-prefix P_ -keep') and dump each
//    set's candidates, as the hybrid search of `indexer eval` sees them before fusion:
//
//	DOCENT_DUMP=/tmp/dump/scifact.json DOCENT_DUMP_DB=postgres://…/P_scifact \
//	DOCENT_DUMP_SOURCE=scifact DOCENT_DUMP_QUERIES=…/queries.jsonl DOCENT_DUMP_QRELS=…/test.tsv \
//	  go test -tags replay ./internal/retrieve -run TestDumpFusionCandidates
//
// 2. Change fuse and replay every dump of a folder (lexical-only, vector-only and hybrid
//    nDCG@10 / Recall@100, as `indexer eval` computes them):
//
//	DOCENT_REPLAY=/tmp/dump go test -tags replay ./internal/retrieve -run TestReplayFusion -v
//
// On the dumps of the run that the README's table reports, the replay reproduced every set's
// three figures to the third decimal (vector-only NFCorpus 0.261 against 0.260).

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/evaluate/metric"
	"github.com/docent-search/docent/internal/wordvec"
	"github.com/jackc/pgx/v5/pgxpool"
)

type replayCandidate struct {
	ID, Doc                      int64
	BM25, DocBM25, Sim, Coverage float64
	Nearest                      bool
}

type replayQuery struct {
	ID, Text string
	Known    float64
	Judged   map[string]int
	Cands    []replayCandidate
}

type replaySet struct {
	Paths   map[int64]string // document id → path
	Queries []replayQuery
}

func TestDumpFusionCandidates(t *testing.T) {
	out := os.Getenv("DOCENT_DUMP")
	if out == "" {
		t.Fatal("set DOCENT_DUMP and DOCENT_DUMP_DB, _SOURCE, _QUERIES, _QRELS to dump a set's candidates")
	}
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DOCENT_DUMP_DB"))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	vectors, err := wordvec.Resolve(cmp.Or(os.Getenv("DOCENT_WORD_VECTORS"), wordvec.DefaultPath))
	if err != nil {
		t.Fatal(err)
	}
	emb, err := embedder.NewLocalV3(vectors)
	if err != nil {
		t.Fatal(err)
	}
	source := os.Getenv("DOCENT_DUMP_SOURCE")
	set := replaySet{Paths: map[int64]string{}}
	rows, err := pool.Query(ctx, `SELECT d.id, d.path FROM documents d JOIN sources s ON s.id = d.source_id WHERE s.name = $1`, source)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var p string
		if err := rows.Scan(&id, &p); err != nil {
			t.Fatal(err)
		}
		set.Paths[id] = p
	}
	rows.Close()
	var q replayQuery
	s := &Searcher{Pool: pool, Embedder: emb, inspect: func(_ string, cands []candidate, known float64) {
		q.Known = known
		for _, c := range cands {
			q.Cands = append(q.Cands, replayCandidate{c.id, c.doc, c.bm25, c.docBM25, c.sim, c.coverage, c.nearest})
		}
	}}
	qrels := readReplayQrels(t, os.Getenv("DOCENT_DUMP_QRELS"))
	for _, query := range readReplayQueries(t, os.Getenv("DOCENT_DUMP_QUERIES")) {
		if len(qrels[query.ID]) == 0 {
			continue
		}
		q = replayQuery{ID: query.ID, Text: query.Text, Judged: qrels[query.ID]}
		// As evaluate.Run searches.
		if _, err := s.Search(ctx, Query{Text: query.Text, Limit: 101, PerDocument: 1, NoSnippets: true, Source: source}); err != nil {
			t.Fatal(err)
		}
		set.Queries = append(set.Queries, q)
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReplayFusion(t *testing.T) {
	dir := os.Getenv("DOCENT_REPLAY")
	if dir == "" {
		t.Fatal("set DOCENT_REPLAY to a folder of TestDumpFusionCandidates dumps")
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no dumps in %s (%v)", dir, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var set replaySet
		if err := json.Unmarshal(b, &set); err != nil {
			t.Fatal(err)
		}
		line := strings.TrimSuffix(filepath.Base(f), ".json")
		for _, mode := range []string{"lexical", "vector", "hybrid"} {
			var ndcg, r100 float64
			for _, q := range set.Queries {
				ids := replayIDs(set, q, replayFuse(q, mode))
				ndcg += metric.NDCG(ids, q.Judged, 10)
				r100 += metric.Recall(ids, q.Judged, 100)
			}
			n := float64(len(set.Queries))
			line += " " + mode + " " + strconv.FormatFloat(ndcg/n, 'f', 3, 64) + "/" + strconv.FormatFloat(r100/n, 'f', 3, 64)
		}
		t.Log(line)
	}
}

// replayFuse ranks a query's candidates as Search does in mode: lexical-only searches fuse
// BM25's candidates alone (no document scores), vector-only ones the nearest passages alone.
func replayFuse(q replayQuery, mode string) []candidate {
	var cands []candidate
	for _, c := range q.Cands {
		cand := candidate{id: c.ID, doc: c.Doc, bm25: c.BM25, docBM25: c.DocBM25, sim: c.Sim, coverage: c.Coverage, nearest: c.Nearest}
		switch mode {
		case "lexical":
			if c.BM25 == 0 {
				continue
			}
			cand.docBM25, cand.sim, cand.nearest = 0, 0, false
		case "vector":
			if !c.Nearest {
				continue
			}
			cand.bm25, cand.docBM25, cand.coverage = 0, 0, 0
		}
		cands = append(cands, cand)
	}
	return fuse(cands, DefaultLexicalWeight, DefaultVectorWeight, trustFloor(q.Text, q.Known), 101, 1)
}

// replayIDs maps a page to corpus ids as evaluate.Run does.
func replayIDs(set replaySet, q replayQuery, page []candidate) []string {
	var ids []string
	for _, c := range page {
		p := set.Paths[c.doc]
		id := p
		if _, ok := q.Judged[id]; !ok {
			id = strings.TrimSuffix(p, path.Ext(p))
		}
		if p == q.ID || id == q.ID || slices.Contains(ids, id) {
			continue
		}
		if ids = append(ids, id); len(ids) == 100 {
			break
		}
	}
	return ids
}

type replayQueryText struct {
	ID   string `json:"_id"`
	Text string `json:"text"`
}

// readReplayQueries and readReplayQrels read BEIR files as package evaluate does (which this
// package cannot import: evaluate imports retrieve).
func readReplayQueries(t *testing.T, name string) []replayQueryText {
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var out []replayQueryText
	for _, l := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		var q replayQueryText
		if err := json.Unmarshal([]byte(l), &q); err != nil {
			t.Fatal(err)
		}
		out = append(out, q)
	}
	return out
}

func readReplayQrels(t *testing.T, name string) map[string]map[string]int {
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Split(sc.Text(), "\t")
		if len(fs) < 3 {
			continue
		}
		g, err := strconv.Atoi(strings.TrimSpace(fs[2]))
		if err != nil {
			continue // the header
		}
		if out[fs[0]] == nil {
			out[fs[0]] = map[string]int{}
		}
		out[fs[0]][fs[1]] = g
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
