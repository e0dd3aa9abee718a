package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/docent-search/docent/internal/docenttest"
	"github.com/docent-search/docent/internal/postgres/pgtest"
)

// TestFeedbackExportThenEval: real questions exported from feedback and a resolved gap are a
// test set `indexer eval` reads as it is, its corpus ids matching the documents' paths.
func TestFeedbackExportThenEval(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDatabase(t)
	root := docenttest.Folder(t, map[string]string{
		"policies/travel.md":  "# Travel\n\nA taxi home after a client dinner that ends after 9 pm is always reimbursed.\n",
		"policies/parking.md": "# Parking\n\nBook a parking space in the facilities app by 6 pm the day before.\n",
		"policies/coffee.md":  "# Coffee\n\nThe machine on the second floor makes espresso.\n",
	})
	for _, args := range [][]string{{"sources", "add", "handbook", root}, {"index"}} {
		if _, err := indexer(t, db, args...); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	_, err = pool.Exec(ctx, `
		INSERT INTO feedback (owner, conversation, turn, rating, question, answer, found, citations, mode, model) VALUES
			('ann', 'c1', 1, 'up', 'is a taxi home after a client dinner reimbursed', 'Yes [1].', true,
			 '[{"source": "handbook", "document": "policies/travel.md"}]', 'extractive', 'extractive'),
			('bo', 'c2', 1, 'down', 'where is the espresso machine', 'No.', true,
			 '[{"source": "handbook", "document": "policies/travel.md"}]', 'extractive', 'extractive');
		INSERT INTO query_log (id, channel, question, outcome, latency_ms) VALUES (1, 'api', 'how do I book a parking space', 'declined', 5);
		INSERT INTO insight_gaps (id, status, resolution, resolved_source, resolved_document, changed_by, changed_at)
			VALUES (1, 'resolved', 'document', 'handbook', 'policies/parking.md', 'root', now());
		INSERT INTO insight_gap_questions (gap, query_log, at, model, vector, terms) VALUES (1, 1, now(), 'm', '{}', '{}')`)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "regression")
	out, err := indexer(t, db, "feedback", "export", "--out", dir, "--source", "handbook")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "wrote 2 queries (1 from answers rated 👍, 1 from gaps resolved by a document) and 2 judgments") ||
		!strings.Contains(out, "indexer eval --queries "+filepath.Join(dir, "queries.jsonl")) {
		t.Errorf("export printed:\n%s", out)
	}
	qrels, _ := os.ReadFile(filepath.Join(dir, "qrels.tsv"))
	if !strings.Contains(string(qrels), "\tpolicies/travel.md\t1\n") || !strings.Contains(string(qrels), "\tpolicies/parking.md\t2\n") {
		t.Errorf("qrels.tsv:\n%s", qrels)
	}
	out, err = indexer(t, db, "eval", "--queries", filepath.Join(dir, "queries.jsonl"), "--qrels", filepath.Join(dir, "qrels.tsv"),
		"--source", "handbook", "--json", "--mode", "lexical")
	if err != nil {
		t.Fatal(err)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("eval --json printed %q: %v", out, err)
	}
	if rep["queries"] != 2.0 || rep["ndcg@10"] != 1.0 {
		t.Errorf("eval of the exported set: %s; want both questions judged, each finding its document first", out)
	}
	if _, err := indexer(t, db, "feedback", "export"); err == nil || !strings.Contains(err.Error(), "--out") {
		t.Errorf("export without --out: %v", err)
	}
}
