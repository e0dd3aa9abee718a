package main

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/ingest"
	"github.com/docent-search/docent/internal/postgres"
	"github.com/docent-search/docent/internal/source"
)

// curveClients are the client counts of the saturation curve.
var curveClients = []int{1, 2, 4, 8, 16, 32, 64}

// curvePoint is one client count's runs.
type curvePoint struct {
	clients          int
	rates            []float64 // answered (200) requests per second, one per run
	p50s, p95s, p99s []time.Duration
	refused          []float64 // 503s per second (admission control)
	other            int       // 5xx other than 503, and lost requests, over all runs
	loads            []string  // the machine's load average before each run
}

// saturation measures requests/s and latency against client count, for search and for ask,
// through the server binary with its default admission control, on o.curveURL (a database
// already indexed with the built-in embedder) or the sample handbook. Each point is the median
// of o.curveRuns runs of o.curveFor, with the spread shown and the load average recorded
// before each run; the table goes to BENCHMARKS.md and the plot to o.curvePlot (SVG).
func saturation(ctx context.Context, adminURL string, o options, r *report) error {
	var tags []string
	if o.curveProfile != "" {
		tags = append(tags, "pprof")
	}
	bin, cleanup, err := buildServer(tags...)
	if err != nil {
		return err
	}
	defer cleanup()
	dbURL, what, handbook := o.curveURL, "a database indexed with the built-in embedder (-curve-url)", false
	switch {
	case dbURL != "":
	case o.curveFolder != "":
		var drop func()
		if dbURL, drop, err = freshDatabase(ctx, adminURL); err != nil {
			return err
		}
		if o.curveKeep {
			fmt.Fprintln(os.Stderr, "bench: the curve's database is kept: -curve-url", dbURL)
		} else {
			defer drop()
		}
		pool, err := postgres.Open(ctx, dbURL)
		if err != nil {
			return err
		}
		start := time.Now()
		err = indexDefault(ctx, pool, "realtext", o.curveFolder)
		pool.Close()
		if err != nil {
			return fmt.Errorf("indexing %s: %w", o.curveFolder, err)
		}
		what = fmt.Sprintf("%s (-curve-folder, indexed in %s)", o.curveFolder, time.Since(start).Round(time.Second))
	default:
		var drop func()
		if dbURL, drop, err = handbookDatabase(ctx, adminURL); err != nil {
			return err
		}
		defer drop()
		what, handbook = "the sample handbook", true
	}
	// Queries: the handbook's questions, or the opening words of passages of the given database.
	questions, err := readQuestions("testdata/handbook-eval/queries.jsonl")
	if err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	var passages int
	err = conn.QueryRow(ctx, `SELECT count(*) FROM chunks`).Scan(&passages)
	if err == nil && !handbook {
		var rows pgx.Rows
		rows, err = conn.Query(ctx, `SELECT array_to_string((regexp_split_to_array(text, '\s+'))[1:8], ' ') FROM chunks ORDER BY md5(id::text) LIMIT 200`)
		if err == nil {
			questions, err = pgx.CollectRows(rows, pgx.RowTo[string])
		}
	}
	conn.Close(ctx)
	if err != nil {
		return err
	}
	// The server's own default admission limit (two per core, at most its pool's 20).
	env := []string{"DOCENT_MAX_INFLIGHT=" + strconv.Itoa(min(2*runtime.NumCPU(), 20))}
	var pprofAddr string
	if o.curveProfile != "" {
		if pprofAddr, err = freeAddr(); err != nil {
			return err
		}
		env = append(env, "DOCENT_PPROF_ADDR="+pprofAddr)
	}
	srv, err := startServer(ctx, bin, dbURL, env...)
	if err != nil {
		return err
	}
	defer srv.stop()
	request := map[string]func(user, i int) (*http.Request, error){
		"search": func(user, i int) (*http.Request, error) {
			req, err := http.NewRequest(http.MethodGet, srv.base+"/api/search?q="+url.QueryEscape(questions[(user*13+i)%len(questions)]), nil)
			if err == nil {
				req.Header.Set("X-Forwarded-User", fmt.Sprintf("user%02d", user))
			}
			return req, err
		},
		"ask": askRequest(srv.base, questions),
	}
	r.section("Saturation curve", fmt.Sprintf(`The server binary on %s, %d passages, with the built-in embedder, extractive answers and its default
admission control (DOCENT_MAX_INFLIGHT %d, the default queue), each client sending the next
request as soon as the last is answered, or, when refused with 503, after the Retry-After it
was given (as a polite client does; one that retries at once only takes cores from the
admitted requests, see SCALING.md). The clients run on the same machine as the server and
PostgreSQL. Before the first point of each kind, one unrecorded run of %s at 4 clients warms the
caches. Each point is the median of %d runs of %s, min–max in brackets;
"load" is the machine's 1-minute load average before each run. Latency is of answered (200)
requests. Plot: %s.`, what, passages, min(2*runtime.NumCPU(), 20), o.curveFor, o.curveRuns, o.curveFor, cmp.Or(o.curvePlot, "not written")),
		"| Kind | Clients | Answered/s | p50 | p95 | p99 | Refused (503)/s | Other errors | Load before each run |",
		"| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	var knees []string
	curves := map[string][]curvePoint{}
	for _, kind := range []string{"search", "ask"} {
		warm := make(chan struct{})
		time.AfterFunc(o.curveFor, func() { close(warm) })
		usersRetrying(4, warm, true, request[kind])
		for _, n := range curveClients {
			pt := curvePoint{clients: n}
			for run := range o.curveRuns {
				pt.loads = append(pt.loads, loadAverage())
				var probe *kneeProbe
				if o.curveProfile != "" && n == kneeClients && run == 0 {
					probe = startKneeProbe(ctx, dbURL, srv, pprofAddr, fmt.Sprintf("%s-%s.pprof", o.curveProfile, kind), o.curveFor)
				}
				stop := make(chan struct{})
				time.AfterFunc(o.curveFor, func() { close(stop) })
				res := usersRetrying(n, stop, true, request[kind])
				if probe != nil {
					knees = append(knees, fmt.Sprintf("%s at %d clients: %s", kind, n, probe.finish()))
				}
				ok := res.ok
				served := res.status[200]
				pt.rates = append(pt.rates, float64(served)/o.curveFor.Seconds())
				pt.refused = append(pt.refused, float64(res.status[503])/o.curveFor.Seconds())
				pt.other += res.count(func(s int) bool { return s >= 500 && s != 503 }) + res.lost
				slices.Sort(ok)
				pt.p50s, pt.p95s, pt.p99s = append(pt.p50s, ok.pct(.5)), append(pt.p95s, ok.pct(.95)), append(pt.p99s, ok.pct(.99))
				if ctx.Err() != nil {
					return ctx.Err()
				}
			}
			curves[kind] = append(curves[kind], pt)
			r.row("| %s | %d | %s | %s | %s | %s | %s | %d | %s |", kind, n, spreadF(pt.rates), spreadD(pt.p50s), spreadD(pt.p95s), spreadD(pt.p99s),
				spreadF(pt.refused), pt.other, strings.Join(pt.loads, ", "))
		}
	}
	if o.curveProfile != "" {
		n := min(len(questions), 50)
		plans, err := explainStatements(ctx, dbURL, questions[:n], o.curveProfile+"-plans.txt")
		if err != nil {
			plans = "not measured: " + err.Error()
		}
		knees = append(knees, "auto_explain (EXPLAIN ANALYZE, BUFFERS of every statement; plans in "+o.curveProfile+"-plans.txt): "+plans)
	}
	if len(knees) > 0 {
		r.row("\nWhere the time goes at %d clients (-curve-profile; CPU of the whole machine over the first run, "+
			"PostgreSQL sessions of this database sampled every 50 ms by state and wait event, Go CPU profile in %s-KIND.pprof):\n", kneeClients, o.curveProfile)
		for _, k := range knees {
			r.row("- %s", k)
		}
	}
	if o.curvePlot == "" {
		return nil
	}
	return os.WriteFile(o.curvePlot, []byte(curveSVG(curves)), 0o644)
}

// loadAverage is the machine's 1-minute load average, "?" where /proc has none.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}

func spreadF(xs []float64) string {
	s := slices.Sorted(slices.Values(xs))
	return fmt.Sprintf("%.1f [%.1f–%.1f]", s[len(s)/2], s[0], s[len(s)-1])
}

func spreadD(ds []time.Duration) string {
	s := slices.Sorted(slices.Values(ds))
	return fmt.Sprintf("%s [%s–%s]", ms(s[len(s)/2]), ms(s[0]), ms(s[len(s)-1]))
}

// curveSVG plots answered requests/s (solid) and p95 latency (dashed) against client count
// (log scale), one colour per kind: two panels side by side.
func curveSVG(curves map[string][]curvePoint) string {
	const w, h, pad = 360, 240, 40
	colours := map[string]string{"search": "#1f77b4", "ask": "#d62728"}
	med := func(xs []float64) float64 { s := slices.Sorted(slices.Values(xs)); return s[len(s)/2] }
	medD := func(ds []time.Duration) float64 {
		s := slices.Sorted(slices.Values(ds))
		return float64(s[len(s)/2]) / 1e6
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">`+"\n", 2*w, h+20)
	panel := func(x0 int, title string, value func(curvePoint) float64) {
		top := 0.0
		for _, pts := range curves {
			for _, p := range pts {
				top = max(top, value(p))
			}
		}
		top = max(top*1.1, 1)
		px := func(i int) float64 { return float64(x0+pad) + float64(i)*float64(w-2*pad)/float64(len(curveClients)-1) }
		py := func(v float64) float64 { return float64(h-pad) - v/top*float64(h-2*pad) }
		fmt.Fprintf(&b, `<text x="%d" y="14">%s</text>`+"\n", x0+pad, title)
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/><line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`+"\n",
			x0+pad, h-pad, x0+w-pad, h-pad, x0+pad, pad, x0+pad, h-pad)
		for i, c := range curveClients {
			fmt.Fprintf(&b, `<text x="%.0f" y="%d" text-anchor="middle">%d</text>`+"\n", px(i), h-pad+14, c)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d">clients</text><text x="%d" y="%d">%.0f</text><text x="%d" y="%d">0</text>`+"\n",
			x0+w-pad-30, h-pad+28, x0+2, pad+4, top, x0+pad-12, h-pad)
		for _, kind := range []string{"search", "ask"} {
			var pts []string
			for i, p := range curves[kind] {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(i), py(value(p))))
			}
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", colours[kind], strings.Join(pts, " "))
		}
	}
	panel(0, "answered requests/s (median of runs)", func(p curvePoint) float64 { return med(p.rates) })
	panel(w, "p95 latency, ms (median of runs)", func(p curvePoint) float64 { return medD(p.p95s) })
	fmt.Fprintf(&b, `<text x="%d" y="%d" fill="%s">search</text><text x="%d" y="%d" fill="%s">ask</text>`+"\n</svg>\n",
		pad, h+14, colours["search"], pad+60, h+14, colours["ask"])
	return b.String()
}

// handbookDatabase is a fresh database holding the sample handbook, indexed with the default
// embedder (the server starts with it and refuses an index of another), and the function that
// drops it.
func handbookDatabase(ctx context.Context, adminURL string) (string, func(), error) {
	dbURL, drop, err := freshDatabase(ctx, adminURL)
	if err != nil {
		return "", nil, err
	}
	pool, err := postgres.Open(ctx, dbURL)
	if err == nil {
		err = indexDefault(ctx, pool, "handbook", "examples/handbook")
		pool.Close()
	}
	if err != nil {
		drop()
		return "", nil, fmt.Errorf("indexing the handbook: %w", err)
	}
	return dbURL, drop, nil
}

// indexDefault indexes root as source name with the default embedder, the one the server
// binary starts with.
func indexDefault(ctx context.Context, pool *pgxpool.Pool, name, root string) error {
	e, err := embedder.New(defaults())
	if err != nil {
		return err
	}
	src, err := source.Add(ctx, pool, source.Source{Name: name, Root: root})
	if err != nil {
		return err
	}
	_, err = ingest.NewIndexer(pool, e, defaults(), slog.New(slog.DiscardHandler)).Run(ctx, src)
	return err
}
