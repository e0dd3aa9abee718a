// Command bm25ref checks the lexical branch against a reference BM25 on a test collection:
// it ranks every judged query exhaustively with internal/retrieve/bm25ref (every chunk of the
// source scored from its tsvector, documents ranked by their best chunk, as eval ranks them)
// and with Docent's lexical branch, and prints both evaluations side by side.
//
//	DATABASE_URL=... go run ./cmd/bm25ref --source scifact --queries queries.jsonl --qrels test.tsv
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"

	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/evaluate"
	"github.com/docent-search/docent/internal/postgres"
	"github.com/docent-search/docent/internal/retrieve"
	"github.com/docent-search/docent/internal/retrieve/bm25ref"
	"github.com/jackc/pgx/v5/pgxpool"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "bm25ref:", err)
		os.Exit(1)
	}
}

// params are the search's BM25 parameters.
var params = bm25ref.Params{K1: retrieve.BM25K1, B: retrieve.BM25B, TitleWeight: retrieve.TitleWeight, HeadingWeight: retrieve.HeadingWeight}

func run(ctx context.Context) error {
	queries := flag.String("queries", "", "BEIR queries.jsonl")
	qrels := flag.String("qrels", "", "BEIR qrels TSV")
	source := flag.String("source", "", "the source the collection is indexed as (empty: all)")
	k := flag.Int("k", 100, "documents ranked per query")
	flag.Parse()
	if *queries == "" || *qrels == "" || os.Getenv("DATABASE_URL") == "" {
		return errors.New("set DATABASE_URL and give --queries and --qrels")
	}
	qs, err := evaluate.ReadQueries(*queries)
	if err != nil {
		return fmt.Errorf("reading --queries: %w", err)
	}
	judged, err := evaluate.ReadQrels(*qrels)
	if err != nil {
		return fmt.Errorf("reading --qrels: %w", err)
	}
	pool, err := postgres.Open(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		return err
	}
	defer pool.Close()
	ix, err := bm25ref.Load(ctx, pool, *source)
	if err != nil {
		return err
	}
	opt := evaluate.Options{K: *k, Source: *source, Mode: "lexical"}
	ref, _, err := evaluate.Run(ctx, reference{ix, pool}, qs, judged, opt)
	if err != nil {
		return err
	}
	docent, _, err := evaluate.Run(ctx, &retrieve.Searcher{Pool: pool, Embedder: embedder.Local{}}, qs, judged, opt)
	if err != nil {
		return err
	}
	fmt.Printf("%-10s %8s %10s %8s\n", "", "nDCG@10", "Recall@100", "queries")
	fmt.Printf("%-10s %8.4f %10.4f %8d\n", "reference", ref.NDCG10, ref.Recall100, ref.Queries)
	fmt.Printf("%-10s %8.4f %10.4f %8d\n", "lexical", docent.NDCG10, docent.Recall100, docent.Queries)
	fmt.Printf("%-10s %+8.4f %+10.4f\n", "difference", docent.NDCG10-ref.NDCG10, docent.Recall100-ref.Recall100)
	return nil
}

// reference ranks a query's documents by their best chunk's reference BM25 score.
type reference struct {
	ix   *bm25ref.Index
	pool *pgxpool.Pool
}

func (r reference) Search(ctx context.Context, q retrieve.Query) ([]retrieve.Result, error) {
	lexemes, err := bm25ref.Lexemes(ctx, r.pool, postgres.DefaultTextSearchConfig, q.Text)
	if err != nil {
		return nil, err
	}
	paths := map[int64]string{}
	for _, c := range r.ix.Chunks {
		paths[c.ID] = c.Path
	}
	var out []retrieve.Result
	for _, h := range r.ix.TopK(lexemes, params, len(r.ix.Chunks), func(c bm25ref.Chunk) bool { return len(c.Groups) == 0 }) {
		if !slices.ContainsFunc(out, func(o retrieve.Result) bool { return o.Path == paths[h.ID] }) {
			out = append(out, retrieve.Result{ChunkID: h.ID, Path: paths[h.ID], Score: h.Score})
		}
		if len(out) == q.Limit {
			break
		}
	}
	return out, nil
}
