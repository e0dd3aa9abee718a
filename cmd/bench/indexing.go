package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/docent-search/docent/internal/config"
	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/ingest"
	"github.com/docent-search/docent/internal/postgres"
	"github.com/docent-search/docent/internal/source"
)

// indexing measures end-to-end indexing of a generated Markdown corpus and the sample
// handbook with the built-in embedder: a full run into a fresh database, then a no-op re-run.
func indexing(ctx context.Context, adminURL string, files, runs int, r *report) error {
	corpus, err := os.MkdirTemp("", "docent-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(corpus)
	if err := generate(corpus, files); err != nil {
		return fmt.Errorf("generating the corpus: %w", err)
	}
	r.section("Indexing files", `Each corpus is indexed into a fresh database with the default built-in embedder (files read, parsed,
chunked, embedded, written with COPY, search indexes built), then indexed again with nothing
changed. Peak RSS is the benchmark process's peak so far (it runs the indexer in-process), so a
row shows the largest of it and the rows above. Targets: 10,000 files under 60 s with peak RSS
under 300 MB; the no-op re-run under 3 s.`,
		"| Corpus | Files | Chunks | Full run | Files/s | Chunks/s | No-op re-run | Peak RSS |",
		"| --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, c := range []struct{ name, root string }{
		{fmt.Sprintf("generated Markdown, %d files", files), corpus},
		{"sample handbook (examples/handbook)", "examples/handbook"},
	} {
		var full, noop []time.Duration
		var sum source.Summary
		var peak int64
		for range runs {
			s, f, n, rss, err := indexTwice(ctx, adminURL, c.root)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			full, noop, sum, peak = append(full, f), append(noop, n), s, max(peak, rss)
		}
		mf, mn := median(full), median(noop)
		r.row("| %s | %d | %d | %.1f s | %.0f | %.0f | %.2f s | %d MB |", c.name, sum.Seen, sum.Chunks,
			mf.Seconds(), float64(sum.Seen)/mf.Seconds(), float64(sum.Chunks)/mf.Seconds(), mn.Seconds(), peak>>20)
	}
	return nil
}

// indexTwice indexes root into a fresh database, then again with nothing changed.
func indexTwice(ctx context.Context, adminURL, root string) (source.Summary, time.Duration, time.Duration, int64, error) {
	url, drop, err := freshDatabase(ctx, adminURL)
	if err != nil {
		return source.Summary{}, 0, 0, 0, err
	}
	defer drop()
	pool, err := postgres.Open(ctx, url)
	if err != nil {
		return source.Summary{}, 0, 0, 0, err
	}
	defer pool.Close()
	src, err := source.Add(ctx, pool, source.Source{Name: "bench", Root: root})
	if err != nil {
		return source.Summary{}, 0, 0, 0, err
	}
	e, err := embedder.New(defaults()) // the default model, as `indexer index` uses
	if err != nil {
		return source.Summary{}, 0, 0, 0, err
	}
	// Debug level: the indexer's phase timings go to stderr with the CPU line below.
	ix := ingest.NewIndexer(pool, e, defaults(), slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})))
	runtime.GC()
	start, cpu := time.Now(), processCPU()
	// The files phase (read, parse, embed, write) ends with the last file's progress; the
	// search indexes are built after it. Its CPU seconds are taken there, apart from the builds'.
	var filesPhase string
	ix.Progress = func(p source.Progress) {
		if p.Done == p.Total && filesPhase == "" {
			filesPhase = fmt.Sprintf("files phase %.1f s, indexer CPU %.1f s, PostgreSQL backends CPU %s",
				time.Since(start).Seconds(), (processCPU() - cpu).Seconds(), backendCPU(ctx, pool))
		}
	}
	sum, err := ix.Run(ctx, src)
	full := time.Since(start)
	if err != nil {
		return sum, 0, 0, 0, err
	}
	// Wall time is noisy on a shared machine; CPU seconds are what a change is judged by.
	fmt.Fprintf(os.Stderr, "%s: %s; full run %.1f s, indexer CPU %.1f s, PostgreSQL backends CPU %s\n",
		root, filesPhase, full.Seconds(), (processCPU() - cpu).Seconds(), backendCPU(ctx, pool))
	ix.Progress = nil
	start = time.Now()
	again, err := ix.Run(ctx, src)
	if err != nil {
		return sum, 0, 0, 0, err
	}
	if again.Unchanged != sum.Seen-sum.Skipped-sum.Failed {
		return sum, 0, 0, 0, fmt.Errorf("the no-op run changed files: %+v", again)
	}
	return sum, full, time.Since(start), peakRSS(), nil
}

func defaults() config.Config {
	c, err := config.Load(nil)
	if err != nil {
		panic(err) // the defaults are valid by construction
	}
	return c
}

// peakRSS is this process's peak resident set size in bytes.
func peakRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Maxrss << 10
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// backendCPU is the CPU time used so far by the server processes connected to pool's database,
// read from /proc ("unknown" when the server runs on another machine): its connections and any
// autovacuum worker there now, not the parallel workers of the B-tree builds (3-4 s for the
// 10,000 files) or autovacuum workers that have exited.
func backendCPU(ctx context.Context, pool *pgxpool.Pool) string {
	ticks, n, err := backendTicks(ctx, pool)
	if err != nil {
		return "unknown"
	}
	return fmt.Sprintf("%.1f s (%d processes)", float64(ticks)/100, n) // USER_HZ is 100 on Linux
}

// backendTicks is backendCPU in clock ticks (1/100 s), with the number of processes.
func backendTicks(ctx context.Context, pool *pgxpool.Pool) (int64, int, error) {
	rows, err := pool.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
	if err != nil {
		return 0, 0, err
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return 0, 0, err
	}
	var ticks int64
	for _, pid := range pids {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return 0, 0, err
		}
		// Fields 14 and 15 (utime, stime, in clock ticks) follow the parenthesised command name.
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		for _, s := range f[11:13] {
			n, _ := strconv.ParseInt(s, 10, 64)
			ticks += n
		}
	}
	return ticks, len(pids), nil
}

func freshDatabase(ctx context.Context, adminURL string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", nil, err
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("docent_bench_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, err
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	drop := func() {
		c, err := pgx.Connect(context.Background(), adminURL)
		if err == nil {
			c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(context.Background())
		}
	}
	return u.String(), drop, nil
}

// generate writes n Markdown files of about 2 KB in 50 folders: a title and two or three
// sections of several sentences drawn from a fixed vocabulary, deterministic for a given n.
func generate(dir string, n int) error {
	words := strings.Fields(`policy travel expense receipt laptop network deploy incident database access review holiday
		leave badge office printer security password contract invoice refund customer support team manager approval
		budget meeting report schedule training benefit pension health service release backup storage cluster
		region latency alert metric ticket escalation vendor license audit compliance quarter forecast hiring`)
	r := rand.New(rand.NewPCG(uint64(n), 42))
	pick := func() string { return words[r.IntN(len(words))] }
	for i := range n {
		sub := filepath.Join(dir, fmt.Sprintf("team%02d", i%50))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return err
		}
		var b strings.Builder
		fmt.Fprintf(&b, "# Document %d about %s\n", i, pick())
		for sec := 1; b.Len() < 2000; sec++ {
			fmt.Fprintf(&b, "\n## Section %d: %s %s\n\n", sec, pick(), pick())
			for range 5 + r.IntN(4) {
				sentence := make([]string, 8+r.IntN(12))
				for k := range sentence {
					sentence[k] = pick()
				}
				s := strings.Join(sentence, " ")
				b.WriteString(strings.ToUpper(s[:1]) + s[1:] + ". ")
			}
			b.WriteString("\n")
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("doc%05d.md", i)), []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
