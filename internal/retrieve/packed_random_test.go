package retrieve_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/docent-search/docent/internal/retrieve"
	"github.com/docent-search/docent/internal/source"
)

// TestPackedPostingsMatchTheTable runs random changes to chunks (inserted, re-texted, deleted,
// regrouped, and now and then a statistics refresh) and after every few compares the lexical
// branch with itself reading the postings table alone (no blocks): the same results with the
// same scores to the last bit, for readers of each group, none of them shown a chunk outside
// their groups. The statistics are the same for both, so any difference is the blocks'.
func TestPackedPostingsMatchTheTable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newPackedFixture(t, 9, 120)
	pool, s, z, exec := f.pool, f.searcher, f.z, f.exec(t)
	var cols string
	if err := pool.QueryRow(ctx, `SELECT string_agg(column_name, ',') FROM information_schema.columns WHERE table_name='chunks' AND column_name NOT IN ('id','tsv','text','groups','ordinal') AND is_generated='NEVER'`).Scan(&cols); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	pick := func() int64 {
		var id int64
		if err := pool.QueryRow(ctx, `SELECT id FROM chunks ORDER BY id OFFSET $1 LIMIT 1`, r.IntN(100)).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	groups := [][]string{{}, {"hr"}, {"secret"}}
	queries := []string{z.words(2), z.words(3), z.words(8), z.words(40), z.vocab[0] + " " + z.vocab[1], z.vocab[3] + " " + z.vocab[700]}
	readers := [][]string{nil, {"hr"}, {"secret"}}
	run := func() [][]retrieve.Result {
		var out [][]retrieve.Result
		for _, q := range queries {
			for _, g := range readers {
				res, err := s.Search(ctx, retrieve.Query{Text: q, Groups: g, Mode: "lexical", Limit: 20, PerDocument: 20, NoSnippets: true})
				if err != nil {
					t.Fatal(err)
				}
				for _, x := range res {
					var ok bool
					if err := pool.QueryRow(ctx, `SELECT groups = '{}' OR groups && $2::text[] FROM chunks WHERE id = $1`, x.ChunkID, g).Scan(&ok); err != nil || !ok {
						t.Fatalf("chunk %d returned to reader %v (%v)", x.ChunkID, g, err)
					}
				}
				out = append(out, res)
			}
		}
		return out
	}
	for step := range 60 {
		switch op := r.IntN(10); {
		case op < 3:
			exec(fmt.Sprintf(`INSERT INTO chunks (%[1]s, text, groups, ordinal) SELECT %[1]s, $2, $3, 1000 + (SELECT max(id) FROM chunks) FROM chunks WHERE id = $1`, cols), pick(), z.words(10+r.IntN(100)), groups[r.IntN(3)])
		case op < 6:
			exec(`UPDATE chunks SET text = $2 WHERE id = $1`, pick(), z.words(10+r.IntN(100)))
		case op < 8:
			exec(`DELETE FROM chunks WHERE id = $1`, pick())
		case op < 9:
			exec(`UPDATE chunks SET groups = $2 WHERE id = $1`, pick(), groups[r.IntN(3)])
		default:
			if err := source.RefreshStats(ctx, pool); err != nil {
				t.Fatal(err)
			}
		}
		if step%5 != 4 {
			continue
		}
		got := run()
		var upto int64
		if err := pool.QueryRow(ctx, `SELECT blocks_upto FROM corpus_stats`).Scan(&upto); err != nil {
			t.Fatal(err)
		}
		exec(`CREATE TABLE saved AS SELECT * FROM postings_blocks`)
		exec(`DELETE FROM postings_blocks`)
		exec(`UPDATE corpus_stats SET blocks_upto = 0`)
		want := run()
		exec(`INSERT INTO postings_blocks SELECT * FROM saved`)
		exec(`DROP TABLE saved`)
		exec(`UPDATE corpus_stats SET blocks_upto = $1`, upto)
		for i := range got {
			if len(got[i]) != len(want[i]) {
				t.Fatalf("step %d query %d: %d results vs %d", step, i, len(got[i]), len(want[i]))
			}
			for j := range got[i] {
				if got[i][j].ChunkID != want[i][j].ChunkID || got[i][j].Score != want[i][j].Score {
					t.Errorf("step %d query %d rank %d: %d %v, rows %d %v", step, i, j, got[i][j].ChunkID, got[i][j].Score, want[i][j].ChunkID, want[i][j].Score)
				}
			}
		}
	}
}
