package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// storage measures the storage choices on a loaded index: the HNSW build's memory, vector
// against halfvec, and vectors inline against TOAST. It leaves the index as it found it.
func storage(ctx context.Context, pool *pgxpool.Pool, vecs [][]float32, n int, r *report) error {
	r.section(fmt.Sprintf("Storage decisions, measured at %d passages", n), `Each row changes one thing on the loaded 384-dimensional index. Builds are serial (pgvector
0.8.0's parallel HNSW build has a buffer overflow, CVE-2026-3172); latency is the exact or
HNSW top 10 alone, p50 / p95 over the queries.`,
		"| Choice | Build | Size | Top-10 latency p50 / p95 | Recall@10 (ef_search 100) | Decision |",
		"| --- | --- | --- | --- | --- | --- |")
	exec := func(sql string) error {
		_, err := pool.Exec(ctx, sql)
		return err
	}
	build := func(mem, create string) (time.Duration, string, error) {
		var took time.Duration
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			for _, q := range []string{`SET LOCAL max_parallel_maintenance_workers = 0`, `SET LOCAL maintenance_work_mem = '` + mem + `'`} {
				if _, err := tx.Exec(ctx, q); err != nil {
					return err
				}
			}
			start := time.Now()
			_, err := tx.Exec(ctx, create)
			took = time.Since(start)
			return err
		})
		var size string
		if err == nil {
			err = pool.QueryRow(ctx, `SELECT pg_size_pretty(pg_relation_size('bench_hnsw'))`).Scan(&size)
		}
		return took, size, err
	}
	// top10 times a top-10 query per vector and returns the times and the ids found.
	top10 := func(table, expr, cast, settings string) (latencies, [][]int64, error) {
		found, lat, err := timedQueries[int64](ctx, pool, vecs, settings,
			fmt.Sprintf(`SELECT id FROM %s ORDER BY %s <=> $1::vector%s LIMIT 10`, table, expr, cast))
		return lat, found, err
	}
	const hnsw = `SET LOCAL enable_seqscan = off; SET LOCAL hnsw.ef_search = 100`
	const exact = `SET LOCAL enable_indexscan = off; SET LOCAL enable_seqscan = on`
	exactLat, truth, err := top10("chunks", "embedding", "", exact)
	if err != nil {
		return err
	}
	recall := func(found [][]int64) float64 {
		var hit, all int
		for i, ids := range found {
			for _, id := range ids {
				if slices.Contains(truth[i], id) {
					hit++
				}
			}
			all += len(truth[i])
		}
		return float64(hit) / float64(max(all, 1))
	}

	// The index Docent builds, rebuilt here under each memory setting.
	if err := exec(`DROP INDEX IF EXISTS chunks_embedding_hnsw`); err != nil {
		return err
	}
	var vecBuild time.Duration
	var vecRecall float64
	for _, mem := range []string{"64MB", "1GB"} {
		took, size, err := build(mem, `CREATE INDEX bench_hnsw ON chunks USING hnsw (embedding vector_cosine_ops) WITH (ef_construction = 32)`)
		if err != nil {
			return err
		}
		if mem == "64MB" {
			r.row("| HNSW built with maintenance_work_mem 64MB (PostgreSQL's default) | %s | %s | | | |", ms(took), size)
			if err := exec(`DROP INDEX bench_hnsw`); err != nil {
				return err
			}
			continue
		}
		vecBuild = took
		lat, found, err := top10("chunks", "embedding", "", hnsw)
		if err != nil {
			return err
		}
		vecRecall = recall(found)
		r.row("| **vector(384)**, HNSW with 1GB | %s | %s | %s / %s | %.3f | kept: DOCENT_INDEX_BUILD_MEMORY defaults to 1 GiB |", ms(took), size, ms(lat.pct(.5)), ms(lat.pct(.95)), vecRecall)
	}
	if err := exec(`ALTER INDEX bench_hnsw RENAME TO chunks_embedding_hnsw`); err != nil {
		return err
	}
	took, size, err := build("1GB", `CREATE INDEX bench_hnsw ON chunks USING hnsw ((embedding::halfvec(384)) halfvec_cosine_ops) WITH (ef_construction = 32)`)
	if err != nil {
		return err
	}
	lat, found, err := top10("chunks", "embedding::halfvec(384)", "::halfvec(384)", hnsw)
	if err != nil {
		return err
	}
	decision := "not taken: every query would have to repeat the cast; worth it once the index outgrows memory"
	if halfRecall := recall(found); halfRecall < vecRecall-0.01 {
		decision = fmt.Sprintf("not taken: recall@10 %.3f against %.3f; worth it only once the index outgrows memory", halfRecall, vecRecall)
	}
	r.row("| halfvec(384) expression index | %s (%.2f×) | %s | %s / %s | %.3f | %s |",
		ms(took), took.Seconds()/vecBuild.Seconds(), size, ms(lat.pct(.5)), ms(lat.pct(.95)), recall(found), decision)
	if err := exec(`DROP INDEX bench_hnsw`); err != nil {
		return err
	}

	// A copy of the table with pgvector's default storage: wide rows move the vector to TOAST.
	for _, q := range []string{
		`CREATE TABLE bench_toast (LIKE chunks)`,
		`ALTER TABLE bench_toast ALTER COLUMN embedding SET STORAGE EXTERNAL`,
		`INSERT INTO bench_toast SELECT * FROM chunks`,
		`VACUUM ANALYZE bench_toast`,
	} {
		if err := exec(q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	defer exec(`DROP TABLE IF EXISTS bench_toast`)
	toastLat, _, err := top10("bench_toast", "embedding", "", exact)
	if err != nil {
		return err
	}
	r.row("| exact scan, vectors inline (STORAGE MAIN) | | | %s / %s | 1 | kept (migration 00005): %.1f× faster than TOAST |", ms(exactLat.pct(.5)), ms(exactLat.pct(.95)),
		toastLat.pct(.5).Seconds()/exactLat.pct(.5).Seconds())
	r.row("| exact scan, vectors in TOAST (pgvector's default) | | | %s / %s | 1 | |", ms(toastLat.pct(.5)), ms(toastLat.pct(.95)))
	return nil
}
