package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pgvector/pgvector-go"

	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/ingest"
	"github.com/docent-search/docent/internal/postgres"
	"github.com/docent-search/docent/internal/source"
)

// realTextEfs are the ef_search values measured on real text: around the default, where the
// choice is made.
var realTextEfs = []int{40, 100, 200, 300, 400}

// indexVariant is one way to build the HNSW index over the same vectors: its CREATE INDEX
// and the expression its queries order by (the cast a halfvec index needs).
type indexVariant struct {
	key, label, create, expr string
}

// realText measures the default built-in embedder's HNSW index on a large folder of real
// text (o.realText; or the database o.realTextURL already indexed from one): recall@10 against
// exact search and latency at each ef_search on the index Docent builds, Docent's own searches
// at the default ef_search, then the same recall and latency on other index choices over the
// same vectors.
func realText(ctx context.Context, adminURL string, o options, r *report) error {
	if o.realText == "" && o.realTextURL == "" {
		return nil
	}
	e, err := embedder.New(defaults())
	if err != nil {
		return err
	}
	url, drop := o.realTextURL, func() {}
	name := "a database indexed from " + filepath.Base(o.realText)
	if url == "" {
		if url, drop, err = freshDatabase(ctx, adminURL); err != nil {
			return err
		}
		name = filepath.Base(o.realText)
	}
	defer drop()
	pool, err := postgres.Open(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	var loaded string
	if o.realTextURL == "" {
		src, err := source.Add(ctx, pool, source.Source{Name: "realtext", Root: o.realText})
		if err != nil {
			return err
		}
		start := time.Now()
		sum, err := ingest.NewIndexer(pool, e, defaults(), slog.New(slog.DiscardHandler)).Run(ctx, src)
		if err != nil {
			return err
		}
		loaded = fmt.Sprintf(", %d files indexed in %s", sum.Seen, ms(time.Since(start)))
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM chunks WHERE embedding IS NOT NULL`).Scan(&n); err != nil {
		return err
	}
	model, err := postgres.CurrentModel(ctx, pool)
	if err != nil {
		return err
	}
	if model.Name != e.Model() {
		return fmt.Errorf("%s was indexed with %s, not the default %s", name, model.Name, e.Model())
	}
	// Queries: the opening words of 100 passages spread over the corpus, embedded as Docent
	// embeds a query, so that each has near neighbours of its own language and subject.
	rows, err := pool.Query(ctx, `SELECT text FROM chunks WHERE embedding IS NOT NULL ORDER BY md5(id::text) LIMIT 100`)
	if err != nil {
		return err
	}
	texts, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	var queries []string
	var vecs [][]float32
	for _, t := range texts {
		words := strings.Fields(t)
		q := strings.Join(words[:min(len(words), 8)], " ")
		v, err := e.EmbedQuery(ctx, q)
		if err != nil {
			return err
		}
		queries, vecs = append(queries, q), append(vecs, v)
	}
	truth, exactLat, err := knn(ctx, pool, vecs, "embedding", `SET LOCAL enable_indexscan = off; SET LOCAL enable_seqscan = on`)
	if err != nil {
		return fmt.Errorf("exact search: %w", err)
	}
	def := defaults().EfSearch
	r.section(fmt.Sprintf("Built-in embedder at %d passages of real text", n), fmt.Sprintf(`The folder given with -realtext, %s (%s, %d dimensions, the default model%s). For the
figures here: SciFact and NFCorpus abstracts (../shared/eval/beir-to-folder) and every manual
page installed on the machine (English, German, French, Chinese and 25 other languages, roff
markup stripped), 35,939 files. Queries: the first 8 words of 100 passages spread over the
corpus, embedded as a query. Recall@10 is the share of the index's 10 results no farther than the exact
10th nearest passage (a sequential scan, %s p95 a query; by distance, because many passages
are duplicates: the same page under two names); latency is that top-10 query alone, p50 / p95.
Each row after the first drops the index and builds another over the same vectors (serial
builds, maintenance_work_mem %d MiB).`, name, model.Name, model.Dimension, loaded, ms(exactLat.pct(.95)), defaults().IndexBuildMemory>>20),
		"| Index | Build | Size | Recall@10 by ef_search | Top-10 latency at ef_search 40 / 100 / 200 / 300 / 400 (p50 / p95) |",
		"| --- | --- | --- | --- | --- |")
	all := []indexVariant{
		{"ef64", "m 16, ef_construction 64", `CREATE INDEX bench_hnsw ON chunks USING hnsw (embedding vector_cosine_ops) WITH (ef_construction = 64)`, "embedding"},
		{"halfvec", fmt.Sprintf("halfvec(%d), m 16, ef_construction 128", model.Dimension),
			fmt.Sprintf(`CREATE INDEX bench_hnsw ON chunks USING hnsw ((embedding::halfvec(%d)) halfvec_cosine_ops) WITH (ef_construction = 128)`, model.Dimension),
			fmt.Sprintf("embedding::halfvec(%d)", model.Dimension)},
		{"m24", "m 24, ef_construction 128", `CREATE INDEX bench_hnsw ON chunks USING hnsw (embedding vector_cosine_ops) WITH (m = 24, ef_construction = 128)`, "embedding"},
		{"ef256", "m 16, ef_construction 256", `CREATE INDEX bench_hnsw ON chunks USING hnsw (embedding vector_cosine_ops) WITH (ef_construction = 256)`, "embedding"},
	}
	variants := []indexVariant{{"", "m 16, ef_construction 128 (Docent's)", "", "embedding"}}
	for _, k := range strings.Split(o.realTextVariants, ",") {
		i := slices.IndexFunc(all, func(v indexVariant) bool { return v.key == strings.TrimSpace(k) })
		if i < 0 && strings.TrimSpace(k) != "" {
			return fmt.Errorf("-realtext-variants: no variant %q", k)
		}
		if i >= 0 {
			variants = append(variants, all[i])
		}
	}
	for i, v := range variants {
		var took time.Duration
		index := "chunks_embedding_hnsw"
		if v.create == "" {
			// Dropped by an earlier run's variants: built again as Docent builds it.
			if exists, err := indexExists(ctx, pool, index); err != nil || !exists {
				start := time.Now()
				if err := postgres.BuildVectorIndex(ctx, pool, defaults().IndexBuildMemory); err != nil {
					return err
				}
				took = time.Since(start)
			}
		} else {
			if _, err := pool.Exec(ctx, `DROP INDEX IF EXISTS chunks_embedding_hnsw, bench_hnsw`); err != nil {
				return err
			}
			index = "bench_hnsw"
			if took, err = buildSerial(ctx, pool, v.create); err != nil {
				return fmt.Errorf("%s: %w", v.label, err)
			}
		}
		var size string
		if err := pool.QueryRow(ctx, `SELECT pg_size_pretty(pg_relation_size($1::regclass))`, index).Scan(&size); err != nil {
			return err
		}
		rec := map[int]float64{}
		var lats []string
		for _, ef := range realTextEfs {
			found, lat, err := knn(ctx, pool, vecs, v.expr, fmt.Sprintf(`SET LOCAL enable_seqscan = off; SET LOCAL hnsw.ef_search = %d`, ef))
			if err != nil {
				return fmt.Errorf("%s: %w", v.label, err)
			}
			rec[ef] = overlap(found, truth)
			lats = append(lats, ms(lat.pct(.5))+" / "+ms(lat.pct(.95)))
		}
		build := "(built by the indexer)"
		if took > 0 {
			build = ms(took)
		}
		var cells []string
		for _, ef := range realTextEfs {
			cells = append(cells, fmt.Sprintf("%d: %.3f", ef, rec[ef]))
		}
		r.row("| %s | %s | %s | %s | %s |", v.label, build, size, strings.Join(cells, ", "), strings.Join(lats, "; "))
		if i > 0 {
			continue
		}
		r.recall(fmt.Sprintf("built-in %s, %d passages of real text (%s), %d dims", model.Name, n, name, model.Dimension), rec)
		r.target(fmt.Sprintf("HNSW recall@10 ≥ 0.95 at Docent's default ef_search, built-in embedder, %d passages of real text", n),
			rec[def] >= 0.95, fmt.Sprintf("%.3f at ef_search %d", rec[def], def))
		// Docent's own searches (snippets included) at the default ef_search, before any
		// index is dropped.
		var search []string
		for _, mode := range []string{"vector", "hybrid"} {
			lat, err := searchLatency(ctx, pool, e, mode, queries)
			if err != nil {
				return err
			}
			search = append(search, fmt.Sprintf("%s %s", mode, lat))
			r.target(fmt.Sprintf("%s search p95 ≤ 30 ms, built-in embedder, %d passages of real text", mode, n),
				lat.pct(.95) <= 30*time.Millisecond, "p50/p95/p99 "+lat.String())
		}
		fmt.Fprintln(r.out, "Docent's searches:", strings.Join(search, "; "))
	}
	return nil
}

// buildSerial builds an index on one core with the build memory Docent uses, and returns how
// long the build took.
func buildSerial(ctx context.Context, pool *pgxpool.Pool, create string) (time.Duration, error) {
	var took time.Duration
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		for _, q := range []string{`SET LOCAL max_parallel_maintenance_workers = 0`,
			fmt.Sprintf(`SET LOCAL maintenance_work_mem = '%dkB'`, defaults().IndexBuildMemory>>10)} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		start := time.Now()
		_, err := tx.Exec(ctx, create)
		took = time.Since(start)
		return err
	})
	return took, err
}

// knn runs a top-10 query per vector, ordered by expr under settings, and returns the
// distances found (the exact one's, in float8, whatever the index's type) and the time each
// query took (sorted).
func knn(ctx context.Context, pool *pgxpool.Pool, vecs [][]float32, expr, settings string) ([][]float64, latencies, error) {
	cast := ""
	if i := strings.Index(expr, "::"); i >= 0 {
		cast = expr[i:]
	}
	return timedQueries[float64](ctx, pool, vecs, settings, fmt.Sprintf(`SELECT (embedding <=> $1::vector)::float8 FROM (
		SELECT embedding FROM chunks WHERE embedding IS NOT NULL ORDER BY %s <=> $1::vector%s LIMIT 10) top`, expr, cast))
}

// timedQueries runs query (one column of T; $1 is the vector) once per vector in a
// transaction of its own under settings, and returns each one's rows and the time each took
// (sorted).
func timedQueries[T any](ctx context.Context, pool *pgxpool.Pool, vecs [][]float32, settings, query string) ([][]T, latencies, error) {
	var found [][]T
	var lat latencies
	for _, v := range vecs {
		var got []T
		start := time.Now()
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, replan+settings); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, query, pgvector.NewVector(v))
			if err != nil {
				return err
			}
			got, err = pgx.CollectRows(rows, pgx.RowTo[T])
			return err
		})
		if err != nil {
			return nil, nil, err
		}
		lat = append(lat, time.Since(start))
		found = append(found, got)
	}
	slices.Sort(lat)
	return found, lat, nil
}

// overlap is recall@10 by distance: the share of found passages no farther than the exact
// 10th nearest. Counting ids instead would count a miss wherever the index returns one of
// several passages at the same distance (the same text in two files: manual pages installed
// under two names, an abstract in both collections) and the exact scan another.
func overlap(found, truth [][]float64) float64 {
	var hit, all int
	for i, ds := range found {
		if len(truth[i]) == 0 {
			continue
		}
		tenth := truth[i][len(truth[i])-1]
		for _, d := range ds {
			if d <= tenth+1e-6 {
				hit++
			}
		}
		all += len(truth[i])
	}
	return float64(hit) / float64(max(all, 1))
}

func indexExists(ctx context.Context, pool *pgxpool.Pool, name string) (bool, error) {
	var ok bool
	err := pool.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, name).Scan(&ok)
	return ok, err
}
