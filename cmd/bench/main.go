// Command bench measures Docent against the store a Go developer would otherwise pick,
// langchaingo's vectorstores/pgvector, on the same data in the same run: ingest into a
// searchable state, query latency at 200k and 1M passages, HNSW recall against exact search,
// server throughput, and end-to-end indexing of files. It prints each table as it goes and
// rewrites BENCHMARKS.md with the machine, the command and the date.
//
// A deterministic fake embedder stands in for the model (see fakeEmbedder) so that the store,
// not the model, is measured; recall is also measured on the built-in embedder's own vectors.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/ingest"
	"github.com/docent-search/docent/internal/postgres"
	"github.com/docent-search/docent/internal/source"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type options struct {
	files, runs, million, local, clients  int
	corpus, realText, realTextURL         string
	realTextVariants, curveURL, curvePlot string
	curveFolder, curveProfile             string
	curveKeep                             bool
	curveRuns                             int
	curveFor                              time.Duration
	sizes                                 []int
	lcBudget, serveFor, askFor            time.Duration
	only                                  map[string]bool
	latency                               latencyOptions
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	var o options
	fs.IntVar(&o.files, "files", 10000, "Markdown files in the generated corpus (about 2 KB each)")
	fs.IntVar(&o.runs, "runs", 3, "repetitions of each load under 100,000 passages (larger ones run once); medians are reported")
	sizes := fs.String("sizes", "20000,200000", "passage counts at which Docent and langchaingo are compared; the largest also gets recall and server throughput")
	fs.IntVar(&o.million, "million", 1000000, "passages for the large-scale latency run (0 skips it)")
	fs.IntVar(&o.local, "local", 100000, "passages embedded by the built-in embedder for its recall and the server-binary search load (0 skips both)")
	fs.StringVar(&o.corpus, "corpus", "", "a folder of real documents on which to measure the built-in embedder's HNSW recall too (e.g. SciFact converted by ../shared/eval/beir-to-folder)")
	fs.StringVar(&o.realText, "realtext", "", "a large folder of real text (100,000 passages or so) on which to measure the default built-in embedder's HNSW recall and search latency (section realtext)")
	fs.StringVar(&o.realTextURL, "realtext-url", "", "a database already indexed from such a folder with the default built-in embedder, measured instead of indexing -realtext (its HNSW index is dropped when -realtext-variants names any)")
	fs.StringVar(&o.realTextVariants, "realtext-variants", "ef64,halfvec,m24", "other HNSW index choices to build and measure on the real-text vectors, in order (each a serial build of several minutes): ef64, halfvec, m24, ef256")
	fs.StringVar(&o.curveURL, "curve-url", "", "a database indexed with the built-in embedder for the saturation curve (section curve; default: the sample handbook)")
	fs.StringVar(&o.curveFolder, "curve-folder", "", "a folder to index with the built-in embedder for the saturation curve instead (e.g. what scripts/corpus-realtext.sh builds: about 110,000 passages, 25 min or more to index on 2 cores)")
	fs.BoolVar(&o.curveKeep, "curve-keep", false, "keep the database indexed from -curve-folder and print its URL, for -curve-url next time")
	fs.StringVar(&o.curveProfile, "curve-profile", "", "profile the curve's knee (4 clients, first run of each kind): the server built with -tags pprof, its CPU profile written to PREFIX-search.pprof and PREFIX-ask.pprof, the machine's CPU split and PostgreSQL's wait events added to the section")
	fs.StringVar(&o.curvePlot, "curve-plot", "BENCHMARKS-saturation.svg", "SVG file for the saturation curve's plot (empty: none)")
	fs.IntVar(&o.curveRuns, "curve-runs", 3, "runs per point of the saturation curve (the median is reported)")
	fs.DurationVar(&o.curveFor, "curve-for", 10*time.Second, "length of each run of the saturation curve")
	fs.IntVar(&o.clients, "clients", 16, "concurrent clients of the server throughput run")
	fs.DurationVar(&o.serveFor, "serve-for", 20*time.Second, "length of each search throughput run")
	fs.DurationVar(&o.askFor, "ask-for", time.Minute, "length of the 50-user ask run")
	fs.DurationVar(&o.lcBudget, "langchaingo-budget", 3*time.Minute, "time allowed to langchaingo's HNSW store per load; its rate is measured on what it loaded by then")
	fs.StringVar(&o.latency.url, "latency-url", "", "section latency: a database already indexed to time (default: load -latency-size synthetic passages)")
	fs.StringVar(&o.latency.queriesURL, "latency-queries-url", "", "section latency: a database whose passages make the queries for -latency-url (default: its own)")
	fs.IntVar(&o.latency.size, "latency-size", 10000, "section latency: synthetic passages to load when -latency-url is not set")
	fs.IntVar(&o.latency.queries, "latency-queries", 60, "section latency: queries of each kind")
	fs.BoolVar(&o.latency.keep, "latency-keep", false, "section latency: keep the loaded database (its URL is printed) for later runs with -latency-url")
	fs.BoolVar(&o.latency.trace, "latency-trace", false, "section latency: print each SQL statement's calls, rows and time per search")
	fs.BoolVar(&o.latency.explain, "latency-explain", false, "section latency: print EXPLAIN (ANALYZE, BUFFERS) of each statement of one search of each kind and mode")
	fs.StringVar(&o.latency.dump, "latency-dump", "", "section latency: write every query's results (ids and scores) to this file first, to compare two builds with diff")
	fs.StringVar(&o.latency.kinds, "latency-kinds", "typical,common,long", "section latency: the kinds of queries to time (passage too on synthetic passages: 3-10 consecutive words of one)")
	fs.StringVar(&o.latency.modes, "latency-modes", "hybrid,lexical", "section latency: the search modes to time")
	only := fs.String("only", "store,storage,scale,recall,realtext,load,curve,indexing", "sections to run (storage runs within store, at its largest size)")
	write := fs.String("write", "BENCHMARKS.md", "file to rewrite with the results (empty: print only)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof reads it)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	for _, f := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < chunksPerDoc {
			return fmt.Errorf("-sizes: %q is not a passage count", f)
		}
		o.sizes = append(o.sizes, n)
	}
	slices.Sort(o.sizes)
	o.only = map[string]bool{}
	for _, s := range strings.Split(*only, ",") {
		o.only[strings.TrimSpace(s)] = true
	}
	adminURL := os.Getenv("DATABASE_URL")
	if adminURL == "" {
		return fmt.Errorf("DATABASE_URL is not set: run `make bench`, which starts the local cluster")
	}
	r := &report{out: out}
	steps := []struct {
		name string
		run  func() error
	}{
		{"store", func() error { return compareStores(ctx, adminURL, o, r) }},
		{"scale", func() error { return atScale(ctx, adminURL, o, r) }},
		{"recall", func() error { return localRecall(ctx, adminURL, o, r) }},
		{"realtext", func() error { return realText(ctx, adminURL, o, r) }},
		{"load", func() error { return askLoad(ctx, adminURL, o, r) }},
		{"curve", func() error { return saturation(ctx, adminURL, o, r) }},
		{"indexing", func() error { return indexing(ctx, adminURL, o.files, o.runs, r) }},
		{"latency", func() error { return latency(ctx, adminURL, o, r) }},
	}
	for _, s := range steps {
		if o.only[s.name] {
			if err := s.run(); err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
		}
	}
	if *write == "" {
		return nil
	}
	return r.write(ctx, *write, adminURL, strings.Join(args, " "))
}

// efs are the ef_search values whose recall is measured; 40 is pgvector's default.
var efs = []int{40, 100, 200, 400}

// compareStores loads the same passages into Docent and into langchaingo's store (default and
// with its HNSW option), then times searches on each.
func compareStores(ctx context.Context, adminURL string, o options, r *report) error {
	s, e := newSynth(), newFakeEmbedder()
	model := postgres.Model{Name: fakeModel, Dimension: fakeDim}
	typical, common := s.queries(200)
	r.section("Docent vs langchaingo's pgvector store", fmt.Sprintf(`The same synthetic passages (about 90 words each, Zipf-distributed vocabulary) and the same
deterministic 384-dimensional fake embedder for both. "Load" runs from the first row to a state
where every search the store offers works: for Docent that includes the HNSW and full-text
indexes and the BM25 term statistics (hybrid search); langchaingo's default store has no index
at all, and its HNSW option maintains the index row by row. Loads under 100,000 passages are the
median of %d runs; larger ones run once. langchaingo's HNSW store gets %s per load; its rate is
measured on what it loaded in that time (optimistic for it: HNSW inserts slow down as the graph
grows). Latency is p50 / p95 / p99 over %d queries (langchaingo: %d at 20k, 20 above), after a warm-up.`,
		o.runs, o.lcBudget, len(typical), 50),
		"| Passages | Store | Load (searchable) | Passages/s | Docent's load speed-up | Vector search p50 / p95 / p99 | Hybrid search p50 / p95 / p99 |",
		"| --- | --- | --- | --- | --- | --- | --- |")
	for i, n := range o.sizes {
		runs := o.runs
		if n >= 100000 {
			runs = 1
		}
		db, docentLoad, err := repeat(runs, func() (*docentDB, time.Duration, error) {
			d, err := loadDocent(ctx, adminURL, s, n, e, model, defaults().IndexBuildMemory)
			if err != nil {
				return nil, 0, err
			}
			return d, d.load, nil
		})
		if err != nil {
			return err
		}
		vecLat, err := searchLatency(ctx, db.pool, e, "vector", typical)
		if err != nil {
			db.Close()
			return err
		}
		hybLat, err := searchLatency(ctx, db.pool, e, "hybrid", typical)
		if err != nil {
			db.Close()
			return err
		}
		docentRow := func(speedups string) {
			r.row("| %d | **Docent** | %s | %.0f | %s | %s | %s |", n, ms(docentLoad), float64(n)/docentLoad.Seconds(), speedups, vecLat, hybLat)
		}

		lc, lcLoad, err := repeat(runs, func() (*lcStore, time.Duration, error) {
			l, err := loadLangchaingo(ctx, adminURL, s, n, e, false, 0)
			if err != nil {
				return nil, 0, err
			}
			return l, l.load, nil
		})
		if err != nil {
			db.Close()
			return err
		}
		nq := 50
		if n > 20000 {
			nq = 20
		}
		lcLat, err := timeAll(ctx, typical[:nq], func(ctx context.Context, q string) error {
			_, err := lc.store.SimilaritySearch(ctx, q, 10)
			return err
		})
		lc.Close()
		if err != nil {
			db.Close()
			return fmt.Errorf("langchaingo SimilaritySearch: %w", err)
		}
		hn, err := loadLangchaingo(ctx, adminURL, s, n, e, true, o.lcBudget)
		if err != nil {
			db.Close()
			return err
		}
		hn.Close()
		hnRate := float64(hn.loaded) / hn.load.Seconds()
		docentRate := float64(n) / docentLoad.Seconds()
		docentRow(fmt.Sprintf("%.1f× default, %.0f× HNSW", lcLoad.Seconds()/docentLoad.Seconds(), docentRate/hnRate))
		r.row("| %d | langchaingo default | %s | %.0f | | %s | — |", n, ms(lcLoad), float64(n)/lcLoad.Seconds(), lcLat)
		hnNote := ms(hn.load)
		if hn.loaded < n {
			hnNote = fmt.Sprintf("%s for %d (≈ %s for all)", ms(hn.load), hn.loaded, ms(time.Duration(float64(n)/hnRate*1e9)))
		}
		r.row("| %d | langchaingo WithHNSWIndex | %s | %.0f | | (same query as default) | — |", n, hnNote, hnRate)
		r.target(fmt.Sprintf("load into a searchable hybrid index at %d ≥ 10× langchaingo's HNSW store", n), docentRate/hnRate >= 10,
			fmt.Sprintf("%.0f×", docentRate/hnRate))
		r.target(fmt.Sprintf("… and ≥ 1× its default (unindexed) store at %d", n), lcLoad >= docentLoad,
			fmt.Sprintf("%.2f×", lcLoad.Seconds()/docentLoad.Seconds()))
		r.target(fmt.Sprintf("search p95 vs langchaingo's SimilaritySearch at %d", n), n < 200000 || lcLat.pct(.95) >= 200*vecLat.pct(.95),
			fmt.Sprintf("%.0f× faster (vector), %.0f× (hybrid)", float64(lcLat.pct(.95))/float64(vecLat.pct(.95)), float64(lcLat.pct(.95))/float64(hybLat.pct(.95))))

		if i == len(o.sizes)-1 {
			err = largest(ctx, db, e, n, typical, common, o, r, vecLat, hybLat)
		}
		db.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// repeat loads runs times, closing every store but the last, and returns the last with the
// median load time.
func repeat[T interface{ Close() }](runs int, load func() (T, time.Duration, error)) (T, time.Duration, error) {
	var times []time.Duration
	var last T
	for k := range runs {
		store, took, err := load()
		if err != nil {
			return last, 0, err
		}
		times = append(times, took)
		if k < runs-1 {
			store.Close()
		} else {
			last = store
		}
	}
	return last, median(times), nil
}

// largest measures, at the largest compared size, what needs a big index: the plan, recall,
// one-word queries that match almost every passage, and the server under concurrent load.
func largest(ctx context.Context, db *docentDB, e *fakeEmbedder, n int, typical, common []string, o options, r *report, vecLat, hybLat latencies) error {
	r.target(fmt.Sprintf("vector search p95 ≤ 10 ms at %d", n), vecLat.pct(.95) <= 10*time.Millisecond, ms(vecLat.pct(.95)))
	r.target(fmt.Sprintf("hybrid search p95 ≤ 25 ms at %d", n), hybLat.pct(.95) <= 25*time.Millisecond, ms(hybLat.pct(.95)))
	commonLat, err := searchLatency(ctx, db.pool, e, "hybrid", common[:50])
	if err != nil {
		return err
	}
	var df int64
	db.pool.QueryRow(ctx, `SELECT df FROM term_stats ORDER BY df DESC LIMIT 1`).Scan(&df)
	r.target(fmt.Sprintf("bounded hybrid cost for a one-word query matching %d%% of %d passages", df*100/int64(n), n),
		commonLat.pct(.95) <= 25*time.Millisecond, "p50/p95/p99 "+commonLat.String())
	hnsw, err := usesHNSW(ctx, db.pool, e.Vector(typical[0]))
	if err != nil {
		return err
	}
	r.target("EXPLAIN shows Docent's vector query using the HNSW index", hnsw, strconv.FormatBool(hnsw))
	vecs := make([][]float32, 100)
	for i := range vecs {
		vecs[i] = e.Vector(typical[i])
	}
	rec, err := recallAt10(ctx, db.pool, vecs, efs)
	if err != nil {
		return err
	}
	r.recall(fmt.Sprintf("fake embedder (realistic: 24-dim latent), %d passages, 384 dims", n), rec)
	def := defaults().EfSearch
	r.target("HNSW recall@10 ≥ 0.95 at Docent's default ef_search (realistic vectors)", rec[def] >= 0.95, fmt.Sprintf("%.3f at ef_search %d", rec[def], def))
	res, err := serveSearch(ctx, db.pool, e, typical, o.clients, o.serveFor)
	if err != nil {
		return err
	}
	r.target(fmt.Sprintf("server: /api/search, %d clients for %s at %d passages (hybrid, snippets)", o.clients, o.serveFor, n),
		res.count(func(s int) bool { return s != 200 }) == 0 && res.lost == 0, res.rate(o.serveFor))
	if !o.only["storage"] {
		return nil
	}
	return storage(ctx, db.pool, vecs[:30], n, r)
}

// atScale loads a million passages and times Docent's searches there.
func atScale(ctx context.Context, adminURL string, o options, r *report) error {
	if o.million == 0 {
		return nil
	}
	s, e := newSynth(), newFakeEmbedder()
	typical, common := s.queries(200)
	// 1M × 384 dims needs about 1.6 GB of graph: more than the 1 GiB default (see the storage table).
	db, err := loadDocent(ctx, adminURL, s, o.million, e, postgres.Model{Name: fakeModel, Dimension: fakeDim}, 3<<30)
	if err != nil {
		return err
	}
	defer db.Close()
	r.section(fmt.Sprintf("Docent at %d passages", o.million), fmt.Sprintf(`Loaded once with ingest.Load (DOCENT_INDEX_BUILD_MEMORY=3GiB): %s, %.0f passages/s including both index
builds and term statistics. Latency over %d queries.`, ms(db.load), float64(o.million)/db.load.Seconds(), len(typical)),
		"| Search | p50 / p95 / p99 |", "| --- | --- |")
	for _, c := range []struct {
		name, mode string
		qs         []string
	}{{"vector", "vector", typical}, {"hybrid", "hybrid", typical}, {"hybrid, one very common word", "hybrid", common[:50]}} {
		lat, err := searchLatency(ctx, db.pool, e, c.mode, c.qs)
		if err != nil {
			return err
		}
		r.row("| %s | %s |", c.name, lat)
		if c.name == "vector" {
			r.target(fmt.Sprintf("vector search p95 ≤ 25 ms at %d", o.million), lat.pct(.95) <= 25*time.Millisecond, ms(lat.pct(.95)))
		}
	}
	vecs := make([][]float32, 50)
	for i := range vecs {
		vecs[i] = e.Vector(typical[i])
	}
	rec, err := recallAt10(ctx, db.pool, vecs, efs[:2])
	if err != nil {
		return err
	}
	r.recall(fmt.Sprintf("fake embedder (realistic), %d passages, 384 dims", o.million), rec)
	return nil
}

// localRecall measures HNSW recall on the built-in embedder's own vectors: feature hashing
// spreads passages almost uniformly over the sphere, the hard case for a graph index.
func localRecall(ctx context.Context, adminURL string, o options, r *report) error {
	if o.local == 0 {
		return nil
	}
	s := newSynth()
	e := embedder.Local{}
	db, err := loadDocent(ctx, adminURL, s, o.local, e, postgres.Model{Name: embedder.LocalModel, Dimension: embedder.LocalDimension}, defaults().IndexBuildMemory)
	if err != nil {
		return err
	}
	defer db.Close()
	typical, _ := s.queries(100)
	vecs := make([][]float32, len(typical))
	for i, q := range typical {
		vecs[i] = e.Vector(q)
	}
	localEfs := []int{40, 100, 200, 400, 600, 800, 1000}
	rec, err := recallAt10(ctx, db.pool, vecs, localEfs)
	if err != nil {
		return err
	}
	r.recall(fmt.Sprintf("built-in %s, %d passages, %d dims (loaded in %s)", embedder.LocalModel, o.local, embedder.LocalDimension, ms(db.load)), rec)
	r.section(fmt.Sprintf("Built-in embedder: ef_search at %d synthetic passages", o.local), `Feature hashing of an invented, Zipf-distributed vocabulary spreads passages almost uniformly
over the sphere: the worst case for a graph index, where recall climbs slowly with ef_search
(real text does far better: see the recall table). Latency is Docent's search (snippets
included) at each setting, over the same queries.`,
		"| ef_search | Recall@10 | Vector search p50 / p95 / p99 | Hybrid search p50 / p95 / p99 |", "| --- | --- | --- | --- |")
	def := defaults().EfSearch
	for _, ef := range localEfs[1:] {
		var cells []string
		for _, mode := range []string{"vector", "hybrid"} {
			lat, err := searchLatencyEf(ctx, db.pool, e, mode, typical, ef)
			if err != nil {
				return err
			}
			cells = append(cells, lat.String())
		}
		mark := ""
		if ef == def {
			mark = " (default)"
		}
		r.row("| %d%s | %.3f | %s | %s |", ef, mark, rec[ef], cells[0], cells[1])
	}
	if o.corpus != "" {
		if err := corpusRecall(ctx, adminURL, o.corpus, localEfs, r); err != nil {
			return err
		}
	}
	if !o.only["load"] {
		return nil
	}
	return searchLoad(ctx, db.url, o.local, typical, o, r)
}

// corpusRecall indexes a folder of real documents with the built-in embedder and measures
// HNSW recall there, with the opening words of 100 of its passages as queries.
func corpusRecall(ctx context.Context, adminURL, dir string, efs []int, r *report) error {
	url, drop, err := freshDatabase(ctx, adminURL)
	if err != nil {
		return err
	}
	defer drop()
	pool, err := postgres.Open(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	src, err := source.Add(ctx, pool, source.Source{Name: "corpus", Root: dir})
	if err != nil {
		return err
	}
	sum, err := ingest.NewIndexer(pool, embedder.Local{}, defaults(), slog.New(slog.DiscardHandler)).Run(ctx, src)
	if err != nil {
		return err
	}
	rows, err := pool.Query(ctx, `SELECT text FROM chunks ORDER BY md5(id::text) LIMIT 100`)
	if err != nil {
		return err
	}
	texts, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	vecs := make([][]float32, len(texts))
	for i, t := range texts {
		words := strings.Fields(t)
		vecs[i] = embedder.Local{}.Vector(strings.Join(words[:min(len(words), 8)], " "))
	}
	rec, err := recallAt10(ctx, pool, vecs, efs)
	if err != nil {
		return err
	}
	r.recall(fmt.Sprintf("built-in %s on %s, %d passages (queries: a passage's first 8 words)", embedder.LocalModel, filepath.Base(dir), sum.Chunks), rec)
	def := defaults().EfSearch
	r.target(fmt.Sprintf("HNSW recall@10 ≥ 0.95 at Docent's default ef_search, built-in embedder on %s", filepath.Base(dir)), rec[def] >= 0.95,
		fmt.Sprintf("%.3f at ef_search %d", rec[def], def))
	return nil
}

// report collects the tables, printing each line as it comes.
type report struct {
	out      io.Writer
	sections []string
	recalls  []string
	targets  []string
}

func (r *report) section(title, intro string, header ...string) {
	fmt.Fprintf(r.out, "\n## %s\n\n", title)
	r.sections = append(r.sections, fmt.Sprintf("## %s\n\n%s\n", title, intro))
	for _, h := range header {
		r.row("%s", h)
	}
}

func (r *report) row(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	fmt.Fprintln(r.out, line)
	r.sections[len(r.sections)-1] += "\n" + line
}

func (r *report) recall(what string, rec map[int]float64) {
	keys := slices.Sorted(func(yield func(int) bool) {
		for k := range rec {
			if !yield(k) {
				return
			}
		}
	})
	var cells []string
	for _, k := range keys {
		cells = append(cells, fmt.Sprintf("%d: %.3f", k, rec[k]))
	}
	line := fmt.Sprintf("| %s | %s |", what, strings.Join(cells, ", "))
	fmt.Fprintln(r.out, "recall@10 by ef_search:", line)
	r.recalls = append(r.recalls, line)
}

func (r *report) target(what string, met bool, measured string) {
	verdict := "met"
	if !met {
		verdict = "**missed**"
	}
	line := fmt.Sprintf("| %s | %s | %s |", what, measured, verdict)
	fmt.Fprintln(r.out, line)
	r.targets = append(r.targets, line)
}

func (r *report) write(ctx context.Context, name, adminURL, args string) error {
	var pgVersion string
	if conn, err := pgx.Connect(ctx, adminURL); err == nil {
		conn.QueryRow(ctx, `SELECT current_setting('server_version') || ', pgvector ' ||
			coalesce((SELECT default_version FROM pg_available_extensions WHERE name = 'vector'), '?') ||
			', shared_buffers ' || current_setting('shared_buffers')`).Scan(&pgVersion)
		conn.Close(ctx)
	}
	mem, huge := "?", "?"
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		fmt.Sscanf(strings.TrimPrefix(strings.SplitN(string(b), "\n", 2)[0], "MemTotal:"), "%d", &kb)
		mem = fmt.Sprintf("%d GiB", (kb+(1<<19))>>20)
		// Whether PostgreSQL could have its shared memory in huge pages: HNSW search latency
		// differs threefold with them (SCALING.md, section 1).
		for _, line := range strings.Split(string(b), "\n") {
			if n, ok := strings.CutPrefix(line, "HugePages_Total:"); ok {
				huge = strings.TrimSpace(n)
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Benchmarks\n\nWritten by `make bench` (`go run ./cmd/bench %s`) on %s.\n", cmp.Or(args, "(defaults)"), time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintf(&b, "Machine: %d cores, %s RAM (huge pages reserved: %s), %s, PostgreSQL %s. Absolute times vary by ±25 %% between runs on\nthis machine; ratios measured in the same run are what count.\n", runtime.NumCPU(), mem, huge, runtime.Version(), pgVersion)
	if len(r.targets) > 0 {
		b.WriteString("\n## Targets\n\n| Target | Measured | |\n| --- | --- | --- |\n" + strings.Join(r.targets, "\n") + "\n")
	}
	for _, s := range r.sections {
		b.WriteString("\n" + s + "\n")
	}
	if len(r.recalls) > 0 {
		b.WriteString(`
## HNSW recall@10 against exact search

The share of the exact 10 nearest passages (a sequential scan computing every distance) that the
HNSW index returns, by ` + "`hnsw.ef_search`" + ` (pgvector's default is 40; Docent searches with
DOCENT_EF_SEARCH, default 400 (200 before 2026-11-30), and at least its 60 candidates per branch). Indexes are built
as Docent builds them: m = 16, ef_construction = 128 (32 before 2026-11-30). On real text
(the row marked so) a result counts when it is no farther than the exact 10th nearest, since
duplicate passages tie.

| Vectors | Recall@10 by ef_search |
| --- | --- |
` + strings.Join(r.recalls, "\n") + "\n")
	}
	b.WriteString("\nGo micro-benchmarks: `go test -run '^$' -bench . ./...` (also run by `make bench`).\nRetrieval quality: see README, \"Search quality\" (`indexer eval`).\n")
	return os.WriteFile(name, []byte(b.String()), 0o644)
}
