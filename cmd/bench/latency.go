package main

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	pgxvec "github.com/pgvector/pgvector-go/pgx"

	"github.com/docent-search/docent/internal/config"
	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/postgres"
	"github.com/docent-search/docent/internal/retrieve"
)

// latencyOptions select the latency section: the exact lexical branch's cost by query length,
// on a database kept between runs so that two builds can be timed in turn on the same data.
type latencyOptions struct {
	url, queriesURL string
	size, queries   int
	keep, trace     bool
	explain         bool
	dump            string
	kinds, modes    string
}

// longQueryWords is the length of the long queries: the 300-word case.
const longQueryWords = 300

// latency times Docent's searches by kind of query (typical 2-10 words, one very common word,
// 300-word passages; on synthetic passages also "passage", 3-10 consecutive words of one) and mode, on a synthetic corpus of o.size passages (fake embedder) or on
// a database already indexed (-latency-url; queries then come from its own passages or those
// of -latency-queries-url, and the configured embedder embeds them). With -latency-trace it
// also prints each SQL statement's count, rows and time per search.
func latency(ctx context.Context, adminURL string, o options, r *report) error {
	lo := o.latency
	url := lo.url
	s := newSynth()
	if url == "" {
		e := newFakeEmbedder()
		db, err := loadDocent(ctx, adminURL, s, lo.size, e, postgres.Model{Name: fakeModel, Dimension: fakeDim}, defaults().IndexBuildMemory)
		if err != nil {
			return err
		}
		db.pool.Close()
		if lo.keep {
			fmt.Fprintf(os.Stderr, "bench: kept %s (measure it again with -latency-url)\n", db.url)
		} else {
			defer db.drop()
		}
		url = db.url
	}
	tracer := &statementTracer{stats: map[string]*statementStats{}}
	pool, err := tracedPool(ctx, url, lo.trace || lo.explain, tracer)
	if err != nil {
		return err
	}
	defer pool.Close()
	model, err := postgres.CurrentModel(ctx, pool)
	if err != nil {
		return err
	}
	var e embedder.Embedder
	queries := map[string][]string{}
	if model.Name == fakeModel {
		e = newFakeEmbedder()
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM chunks`).Scan(&n); err != nil {
			return err
		}
		queries["typical"], queries["common"] = s.queries(lo.queries)
		// The synthetic typical queries are 2-3 words of middling frequency; a query taken from
		// a passage's text, as passageQueries takes them, also has its common words.
		r := rand.New(rand.NewPCG(13, 8))
		for range lo.queries {
			queries["passage"] = append(queries["passage"], excerpt(r, strings.Fields(s.passage(r.IntN(n)))))
		}
		// Passages the corpus does not hold, three to a query, cut at 300 words.
		for i := range lo.queries {
			var words []string
			for j := 0; len(words) < longQueryWords; j++ {
				words = append(words, strings.Fields(s.passage(n+4*i+j))...)
			}
			queries["long"] = append(queries["long"], strings.Join(words[:longQueryWords], " "))
		}
	} else {
		cfg, err := config.Load(nil)
		if err != nil {
			return err
		}
		cfg.EmbedModel = model.Name
		if e, err = embedder.New(cfg); err != nil {
			return err
		}
		if queries, err = passageQueries(ctx, cmp.Or(lo.queriesURL, url), lo.queries); err != nil {
			return err
		}
	}
	var avg [3]float64
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Sscan(string(b), &avg[0], &avg[1], &avg[2])
	}
	r.section("Search latency by query length", fmt.Sprintf(`Docent's Searcher (snippets included) on %s, %d queries of each kind after a warm-up pass;
load average %.1f at the start.`, cmp.Or(lo.url, fmt.Sprintf("%d synthetic passages", lo.size)), lo.queries, avg[0]),
		"| Queries | Mode | p50 / p95 / p99 | mean | CPU per search: Go / PostgreSQL |", "| --- | --- | --- | --- | --- |")
	searcher := &retrieve.Searcher{Pool: pool, Embedder: e, EfSearch: defaults().EfSearch}
	if lo.dump != "" {
		if err := dumpResults(ctx, lo.dump, searcher, queries, lo); err != nil {
			return err
		}
	}
	for _, kind := range strings.Split(lo.kinds, ",") {
		qs := queries[kind]
		if len(qs) == 0 {
			return fmt.Errorf("-latency-kinds: no %q queries (typical, common, long; passage on synthetic passages)", kind)
		}
		for _, mode := range strings.Split(lo.modes, ",") {
			tracer.reset()
			goBefore, pgBefore := processCPU(), int64(0)
			if pgBefore, _, err = backendTicks(ctx, pool); err != nil {
				return err
			}
			lat, err := timeAll(ctx, qs, func(ctx context.Context, q string) error {
				_, err := searcher.Search(ctx, retrieve.Query{Text: q, Mode: mode})
				return err
			})
			if err != nil {
				return err
			}
			pgAfter, _, err := backendTicks(ctx, pool)
			if err != nil {
				return err
			}
			searches := time.Duration(len(qs) + min(10, len(qs)))
			var sum time.Duration
			for _, l := range lat {
				sum += l
			}
			r.row("| %s | %s | %s | %s | %s / %s |", kind, mode, lat, ms(sum/time.Duration(len(lat))),
				ms((processCPU()-goBefore)/searches), ms(time.Duration(pgAfter-pgBefore)*10*time.Millisecond/searches))
			if lo.trace {
				tracer.print(os.Stdout, len(qs)+min(10, len(qs)))
			}
			if lo.explain {
				if err := explainSearch(ctx, pool, tracer, searcher, retrieve.Query{Text: qs[len(qs)/2], Mode: mode}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// dumpResults writes every query's results, ids and scores to the last bit, one line per
// search, so that two builds' rankings can be compared with diff.
func dumpResults(ctx context.Context, name string, s *retrieve.Searcher, queries map[string][]string, lo latencyOptions) error {
	var b strings.Builder
	for _, kind := range strings.Split(lo.kinds, ",") {
		for _, mode := range strings.Split(lo.modes, ",") {
			for i, q := range queries[kind] {
				rs, err := s.Search(ctx, retrieve.Query{Text: q, Mode: mode})
				if err != nil {
					return err
				}
				fmt.Fprintf(&b, "%s %s %d:", kind, mode, i)
				for _, r := range rs {
					fmt.Fprintf(&b, " %d=%v/%v/%v", r.ChunkID, r.Score, r.Similarity, r.Coverage)
				}
				b.WriteString("\n")
			}
		}
	}
	return os.WriteFile(name, []byte(b.String()), 0o644)
}

// passageQueries makes queries from the passages of the database at url: typical ones of 3-10
// consecutive words of a passage, long ones of 300 consecutive words of passages in id order.
func passageQueries(ctx context.Context, url string, n int) (map[string][]string, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT text FROM chunks ORDER BY id`)
	if err != nil {
		return nil, err
	}
	texts, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	if len(texts) == 0 {
		return nil, fmt.Errorf("%s holds no passages", postgres.Redact(url))
	}
	r := rand.New(rand.NewPCG(13, 8))
	out := map[string][]string{}
	for len(out["typical"]) < n {
		words := strings.Fields(texts[r.IntN(len(texts))])
		if len(words) < 10 {
			continue
		}
		out["typical"] = append(out["typical"], excerpt(r, words))
	}
	for range n {
		var words []string
		for i := r.IntN(len(texts)); len(words) < longQueryWords; i = (i + 1) % len(texts) {
			words = append(words, strings.Fields(texts[i])...)
		}
		out["long"] = append(out["long"], strings.Join(words[:longQueryWords], " "))
	}
	return out, nil
}

// excerpt returns 3-10 consecutive words of words, which holds at least 10.
func excerpt(r *rand.Rand, words []string) string {
	k := 3 + r.IntN(8)
	at := r.IntN(len(words) - k + 1)
	return strings.Join(words[at:at+k], " ")
}

// tracedPool opens a pool on url as postgres.Open does (no migrations: the database is
// Docent's already), with tracer counting its statements when trace is set.
func tracedPool(ctx context.Context, url string, trace bool, tracer *statementTracer) (*pgxpool.Pool, error) {
	migrated, err := postgres.Open(ctx, url) // migrates, as the server would
	if err != nil {
		return nil, err
	}
	migrated.Close()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = 20
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error { return pgxvec.RegisterTypes(ctx, c) }
	if trace {
		cfg.ConnConfig.Tracer = tracer
	}
	return pgxpool.NewWithConfig(ctx, cfg)
}

// statementTracer sums, per SQL statement (its first words), calls, rows and time.
type statementTracer struct {
	mu    sync.Mutex
	stats map[string]*statementStats
	// capture, when set, keeps each statement with its arguments (explainSearch).
	capture  bool
	captured []capturedStatement
}

type capturedStatement struct {
	sql  string
	args []any
}

type statementStats struct {
	calls, rows int64
	took        time.Duration
}

type traceKey struct{}

type traceStart struct {
	sql   string
	start time.Time
}

func (t *statementTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	t.mu.Lock()
	if t.capture {
		t.captured = append(t.captured, capturedStatement{sql: d.SQL, args: d.Args})
	}
	t.mu.Unlock()
	return context.WithValue(ctx, traceKey{}, traceStart{sql: d.SQL, start: time.Now()})
}

func (t *statementTracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryEndData) {
	st, ok := ctx.Value(traceKey{}).(traceStart)
	if !ok {
		return
	}
	key := strings.Join(strings.Fields(st.sql), " ")
	if strings.HasPrefix(key, "SET TRANSACTION SNAPSHOT") {
		key = "SET TRANSACTION SNAPSHOT …"
	}
	key = key[:min(len(key), 90)]
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.stats[key]
	if s == nil {
		s = &statementStats{}
		t.stats[key] = s
	}
	s.calls++
	s.rows += d.CommandTag.RowsAffected()
	s.took += time.Since(st.start)
}

func (t *statementTracer) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	clear(t.stats)
}

// print writes each statement's calls, rows and time per search, costliest first.
func (t *statementTracer) print(w *os.File, searches int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	keys := make([]string, 0, len(t.stats))
	for k := range t.stats {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Compare(t.stats[b].took, t.stats[a].took) })
	n := float64(searches)
	for _, k := range keys {
		s := t.stats[k]
		fmt.Fprintf(w, "    %6.2f calls %8.0f rows %7.2f ms  %s\n", float64(s.calls)/n, float64(s.rows)/n, float64(s.took)/1e6/n, k)
	}
}

// explainSearch runs one search with its statements captured, then prints EXPLAIN (ANALYZE,
// BUFFERS) of each query among them, in a read-only transaction with the search's settings.
func explainSearch(ctx context.Context, pool *pgxpool.Pool, t *statementTracer, s *retrieve.Searcher, q retrieve.Query) error {
	t.mu.Lock()
	t.capture, t.captured = true, nil
	t.mu.Unlock()
	_, err := s.Search(ctx, q)
	t.mu.Lock()
	t.capture = false
	captured := t.captured
	t.mu.Unlock()
	if err != nil {
		return err
	}
	fmt.Printf("\n### EXPLAIN of a %s search for %q\n", q.Mode, q.Text[:min(len(q.Text), 60)])
	for _, c := range captured {
		sql := strings.TrimSpace(c.sql)
		if !strings.HasPrefix(sql, "SELECT") && !strings.HasPrefix(sql, "WITH") || strings.Contains(sql, "pg_export_snapshot") {
			continue
		}
		err := pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SET LOCAL hnsw.iterative_scan = relaxed_order; SET LOCAL hnsw.ef_search = `+strconv.Itoa(cmp.Or(s.EfSearch, 400))+`; SET LOCAL enable_seqscan = off; SET LOCAL jit = off`); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+sql, c.args...)
			if err != nil {
				return err
			}
			plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return err
			}
			fmt.Printf("\n%s\n%s\n", short(strings.Join(strings.Fields(sql), " "), 120), strings.Join(plan, "\n"))
			return nil
		})
		if err != nil {
			return fmt.Errorf("explaining %.60s: %w", sql, err)
		}
	}
	return nil
}

// short returns s cut to at most n bytes.
func short(s string, n int) string { return s[:min(len(s), n)] }
