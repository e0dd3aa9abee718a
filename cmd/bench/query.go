package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pgvector/pgvector-go"

	"github.com/docent-search/docent/internal/access"
	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/retrieve"
)

// latencies are per-query times, sorted.
type latencies []time.Duration

func (l latencies) pct(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	return l[min(len(l)-1, int(p*float64(len(l))))]
}

func (l latencies) String() string {
	return fmt.Sprintf("%s / %s / %s", ms(l.pct(.5)), ms(l.pct(.95)), ms(l.pct(.99)))
}

func ms(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.0f s", d.Seconds())
	case d >= 100*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.1f ms", float64(d)/1e6)
}

// timeAll runs each query once after a warm-up pass over the first few, and returns the times.
func timeAll(ctx context.Context, queries []string, run func(context.Context, string) error) (latencies, error) {
	for _, q := range queries[:min(10, len(queries))] {
		if err := run(ctx, q); err != nil {
			return nil, err
		}
	}
	var out latencies
	for _, q := range queries {
		start := time.Now()
		if err := run(ctx, q); err != nil {
			return nil, err
		}
		out = append(out, time.Since(start))
	}
	slices.Sort(out)
	return out, nil
}

// searchLatency times Docent's Searcher, as the server calls it (snippets included), for one mode.
func searchLatency(ctx context.Context, pool *pgxpool.Pool, e embedder.Embedder, mode string, queries []string) (latencies, error) {
	return searchLatencyEf(ctx, pool, e, mode, queries, defaults().EfSearch)
}

// searchLatencyEf is searchLatency with the given ef_search.
func searchLatencyEf(ctx context.Context, pool *pgxpool.Pool, e embedder.Embedder, mode string, queries []string, ef int) (latencies, error) {
	s := &retrieve.Searcher{Pool: pool, Embedder: e, EfSearch: ef}
	return timeAll(ctx, queries, func(ctx context.Context, q string) error {
		rs, err := s.Search(ctx, retrieve.Query{Text: q, Mode: mode})
		if err == nil && len(rs) == 0 {
			err = fmt.Errorf("%s search for %q found nothing", mode, q)
		}
		return err
	})
}

// replan goes before the settings of a query whose plan they change: pgx prepares a statement
// once per connection, and after five executions PostgreSQL may keep a generic plan, which a
// later SET does not replan. An exact pass (index scans off) and an HNSW pass run the same
// text, and the HNSW queries of a -realtext-url run were served the exact pass's sequential
// scan: recall 1.000 at 255-681 ms a query (p50) on 201,200 passages.
const replan = "SET LOCAL plan_cache_mode = force_custom_plan; "

// recallAt10 compares HNSW's top 10 at each ef_search with the exact top 10 (a sequential
// scan computing every distance) and returns the mean overlap per ef_search.
func recallAt10(ctx context.Context, pool *pgxpool.Pool, vecs [][]float32, efs []int) (map[int]float64, error) {
	top := func(v []float32, settings string) ([]int64, error) {
		var ids []int64
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, replan+settings); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, `SELECT id FROM chunks ORDER BY embedding <=> $1 LIMIT 10`, pgvector.NewVector(v))
			if err != nil {
				return err
			}
			ids, err = pgx.CollectRows(rows, pgx.RowTo[int64])
			return err
		})
		return ids, err
	}
	out := map[int]float64{}
	for _, v := range vecs {
		exact, err := top(v, `SET LOCAL enable_indexscan = off; SET LOCAL enable_seqscan = on`)
		if err != nil {
			return nil, fmt.Errorf("exact search: %w", err)
		}
		for _, ef := range efs {
			approx, err := top(v, fmt.Sprintf(`SET LOCAL enable_seqscan = off; SET LOCAL hnsw.ef_search = %d`, ef))
			if err != nil {
				return nil, fmt.Errorf("HNSW search: %w", err)
			}
			hit := 0
			for _, id := range approx {
				if slices.Contains(exact, id) {
					hit++
				}
			}
			out[ef] += float64(hit) / float64(len(exact)) / float64(len(vecs))
		}
	}
	return out, nil
}

// usesHNSW checks with EXPLAIN that Docent's vector query is answered by the HNSW index.
func usesHNSW(ctx context.Context, pool *pgxpool.Pool, v []float32) (bool, error) {
	var plan []string
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `EXPLAIN SELECT id FROM chunks c WHERE c.embedding IS NOT NULL AND `+access.Visible("c", "$2")+`
			ORDER BY c.embedding <=> $1 LIMIT 60`, pgvector.NewVector(v), []string{})
		if err != nil {
			return err
		}
		plan, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	return slices.ContainsFunc(plan, func(l string) bool { return strings.Contains(l, "chunks_embedding_hnsw") }), err
}
