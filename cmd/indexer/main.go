// Command indexer is Docent's admin CLI: manage sources, index them, report their status.
package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/docent-search/docent/internal/answer"
	"github.com/docent-search/docent/internal/config"
	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/evaluate"
	"github.com/docent-search/docent/internal/ingest"
	"github.com/docent-search/docent/internal/postgres"
	"github.com/docent-search/docent/internal/reindex"
	"github.com/docent-search/docent/internal/retrieve"
	"github.com/docent-search/docent/internal/source"
)

const usage = `Usage: indexer COMMAND [flags] [args]

Commands:
  sources add NAME PATH [--groups g1,g2] [--rule 'GLOB=g1,g2' ...] [--every 1h] [--watch]
                      add a document folder; --groups restricts the whole source, each --rule
                      restricts matching files (first match wins, e.g. 'hr/**=hr')
  sources list        list sources
  sources remove NAME remove a source with its documents and chunks
  index [NAME ...] [--enqueue]
                      index the named sources (all when none are named); --enqueue hands
                      them to the job queue (servers' workers or 'indexer worker') instead
  worker              work re-index jobs from the queue until stopped (SIGINT/SIGTERM)
  status [NAME]       documents, chunks, last run and every skipped or failed file
  eval --queries FILE --qrels FILE [--source NAME] [--k 100] [--mode hybrid|lexical|vector|all]
                      [--json] [--run FILE] [--negatives FILE] [--decisions FILE]
                      [--answers [--facts FILE] [--answers-out FILE]]
                      retrieval quality on a BEIR-format test set: nDCG@10, recall, MRR, latency;
                      --answers: answered, fact_recall, citation_precision of the answers
  keys create NAME --user USER [--groups g1,g2] [--scope read|admin] [--expires 90d]
                      create a personal API key (Authorization: Bearer) for the JSON API and
                      MCP; prints the key alone on its last line
  keys list [--user USER]
                      list API keys, their scope, expiry and last use
  keys revoke NAME --user USER
                      revoke a key
  feedback export --out DIR [--source NAME]
                      write real questions as a BEIR test set for eval: answers rated 👍
                      (judged against their citations) and gaps resolved by a document
  reembed             embed every chunk again with the configured model (after switching
                      DOCENT_EMBEDDER or DOCENT_EMBED_MODEL); no file is re-read

Every command reads DATABASE_URL (and the DOCENT_* settings in README) like the server;
flags such as --database-url override them. 'indexer COMMAND --help' lists the flags.
`

func main() {
	config.LimitMemory()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		switch {
		case ctx.Err() != nil && errors.Is(err, context.Canceled):
			// An index run writes each file whole or not at all: what it finished stays done.
			fmt.Fprintln(os.Stderr, "indexer: interrupted (the files an index run finished are kept; run it again to carry on)")
			os.Exit(130)
		case !errors.Is(err, flag.ErrHelp):
			fmt.Fprintln(os.Stderr, "indexer:", err)
		}
		os.Exit(2)
	}
}

// env is what every command gets: the configuration, the database and output.
type env struct {
	cfg  config.Config
	pool *pgxpool.Pool
	out  io.Writer
	log  *slog.Logger
}

func run(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(out, usage)
		return nil
	}
	name := args[0]
	args = args[1:]
	if name == "sources" || name == "keys" || name == "feedback" {
		if len(args) == 0 {
			return fmt.Errorf("%s: want one of its commands\n\n%s", name, usage)
		}
		name, args = name+" "+args[0], args[1:]
	}
	cmd, ok := commands[name]
	if !ok {
		return fmt.Errorf("unknown command %q\n\n%s", name, usage)
	}
	fs := flag.NewFlagSet("indexer "+name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: indexer %s %s\n\n%s\n\nFlags:\n", name, cmd.args, cmd.help)
		fs.PrintDefaults()
	}
	runCmd := cmd.bind(fs)
	load := config.Bind(fs, getenv)
	if err := fs.Parse(interleave(fs, args)); err != nil {
		return err
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	pool, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	e := &env{cfg: cfg, pool: pool, out: out, log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	return runCmd(ctx, e, fs.Args())
}

// interleave lets flags follow positional arguments ("sources add hr ./hr --groups hr"), as
// people type them.
func interleave(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && i+1 < len(args) {
				if f := fs.Lookup(name); f != nil {
					if b, ok := f.Value.(interface{ IsBoolFlag() bool }); !ok || !b.IsBoolFlag() {
						flags = append(flags, args[i+1])
						i++
					}
				}
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(flags, pos...)
}

type runFunc func(ctx context.Context, e *env, args []string) error

// command is a subcommand: bind registers its own flags and returns what runs it.
type command struct {
	args, help string
	bind       func(*flag.FlagSet) runFunc
}

func noFlags(run runFunc) func(*flag.FlagSet) runFunc {
	return func(*flag.FlagSet) runFunc { return run }
}

var commands = map[string]command{
	"sources add":    {args: "NAME PATH [--groups g1,g2] [--rule GLOB=g1,g2 ...]", help: "Adds a document folder as a source.", bind: sourcesAdd},
	"sources list":   {help: "Lists sources.", bind: noFlags(sourcesList)},
	"sources remove": {args: "NAME", help: "Removes a source with all its documents and chunks.", bind: noFlags(sourcesRemove)},
	"index":          {args: "[NAME ...] [--enqueue]", help: "Indexes the named sources, or all.", bind: indexCmd},
	"worker":         {help: "Works re-index jobs from the queue (enqueued by servers, schedules or 'index --enqueue') until SIGINT or SIGTERM.", bind: noFlags(workerCmd)},
	"status":         {args: "[NAME]", help: "Shows documents, chunks, the last run and problem files per source.", bind: noFlags(status)},
	"eval":           {args: "--queries queries.jsonl --qrels qrels.tsv [--source NAME] [--k 100] [--mode hybrid|lexical|vector|all] [--json] [--run FILE] [--negatives FILE] [--decisions FILE] [--answers [--facts FILE] [--answers-out FILE]]", help: "Runs every judged query through the server's retrieval and reports nDCG@10, Recall@5/10/100, MRR@10 and latency; with --answers, also answers it and reports answered, fact_recall and citation_precision.", bind: evalCmd},
	"keys create":    {args: "NAME --user USER [--groups g1,g2] [--scope read|admin] [--expires 90d]", help: "Creates a personal API key and prints it alone on the last line (it is not shown again).", bind: keysCreate},
	"keys list":      {args: "[--user USER]", help: "Lists API keys with their last use; never their secrets.", bind: keysList},
	"keys revoke":    {args: "NAME --user USER", help: "Revokes a key: its next request gets 401.", bind: keysRevoke},
	"reembed":        {help: "Embeds every chunk again from its stored text with the configured model, then rebuilds the vector index. Resumable.", bind: noFlags(reembed)},
}

type multi []string

func (m *multi) String() string     { return strings.Join(*m, " ") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func sourcesAdd(fs *flag.FlagSet) runFunc {
	groups := fs.String("groups", "", "comma-separated access groups for the whole source (none: every signed-in user)")
	var rules multi
	fs.Var(&rules, "rule", "GLOB=g1,g2: files matching GLOB get these groups instead (repeatable; first match wins)")
	every := fs.String("every", "", "re-index on this schedule, e.g. 1h (run by servers' workers or 'indexer worker')")
	watch := fs.Bool("watch", false, "re-index within seconds of a change in the folder (servers with workers watch it)")
	return func(ctx context.Context, e *env, args []string) error {
		return addSource(ctx, e, args, *groups, rules, *every, *watch)
	}
}

func addSource(ctx context.Context, e *env, args []string, groups string, rules []string, every string, watch bool) error {
	if len(args) != 2 {
		return errors.New("sources add: want NAME PATH")
	}
	src := source.Source{Name: args[0], Root: args[1], Groups: source.SplitGroups(groups), Watch: watch}
	var err error
	if src.Every, err = source.ParseEvery(every); err != nil {
		return err
	}
	for _, r := range rules {
		rule, err := source.ParseRule(r)
		if err != nil {
			return err
		}
		src.Rules = append(src.Rules, rule)
	}
	src, err = source.Add(ctx, e.pool, src)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.out, "added source %s → %s (groups: %s)\nindex it with: indexer index %s\n", src.Name, src.Root, groupList(src.Groups), src.Name)
	return nil
}

func sourcesList(ctx context.Context, e *env, _ []string) error {
	all, err := source.List(ctx, e.pool)
	if err != nil {
		return err
	}
	if len(all) == 0 {
		fmt.Fprintln(e.out, "no sources yet: add one with 'indexer sources add NAME PATH'")
		return nil
	}
	tw := tabwriter.NewWriter(e.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tPATH\tGROUPS\tRULES")
	for _, s := range all {
		var rules []string
		for _, r := range s.Rules {
			rules = append(rules, r.Glob+"="+strings.Join(r.Groups, ","))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, printable(s.Root), groupList(s.Groups), printable(strings.Join(rules, " ")))
	}
	return tw.Flush()
}

func sourcesRemove(ctx context.Context, e *env, args []string) error {
	if len(args) != 1 {
		return errors.New("sources remove: want NAME")
	}
	if err := source.Remove(ctx, e.pool, args[0]); err != nil {
		return err
	}
	fmt.Fprintf(e.out, "removed source %s with its documents\n", args[0])
	return nil
}

func indexCmd(fs *flag.FlagSet) runFunc {
	enqueue := fs.Bool("enqueue", false, "queue re-index jobs for the workers instead of indexing here")
	return func(ctx context.Context, e *env, names []string) error {
		return index(ctx, e, names, *enqueue)
	}
}

func index(ctx context.Context, e *env, names []string, enqueue bool) error {
	emb, err := embedder.New(e.cfg)
	if err != nil {
		return err
	}
	var sources []source.Source
	if len(names) == 0 {
		if sources, err = source.List(ctx, e.pool); err != nil {
			return err
		}
		if len(sources) == 0 {
			return errors.New("no sources to index: add one with 'indexer sources add NAME PATH'")
		}
	}
	for _, n := range names {
		s, err := source.Get(ctx, e.pool, n)
		if err != nil {
			return err
		}
		sources = append(sources, s)
	}
	if enqueue {
		q, err := reindex.New(e.pool, reindex.Config{}, nil, e.log)
		if err != nil {
			return err
		}
		for _, s := range sources {
			job, err := q.Enqueue(ctx, s.Name, "indexer")
			if err != nil {
				return err
			}
			fmt.Fprintf(e.out, "%s: job %d %s\n", s.Name, job.ID, job.Status)
		}
		return nil
	}
	p := newProgress(e.out)
	ix := ingest.NewIndexer(e.pool, emb, e.cfg, e.log)
	ix.Progress = p.update
	for _, s := range sources {
		sum, err := ix.Run(ctx, s)
		p.finish()
		if err != nil {
			return err
		}
		printSummary(e.out, sum)
	}
	return nil
}

func workerCmd(ctx context.Context, e *env, _ []string) error {
	emb, err := embedder.New(e.cfg)
	if err != nil {
		return err
	}
	if err := embedder.Attach(ctx, e.pool, emb); err != nil {
		return err
	}
	q, err := reindex.New(e.pool, reindex.Config{Workers: max(e.cfg.Workers, 1), RescueAfter: e.cfg.RescueJobsAfter},
		ingest.NewIndexer(e.pool, emb, e.cfg, e.log).RunReporting, e.log)
	if err != nil {
		return err
	}
	if err := q.Start(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	fmt.Fprintf(e.out, "working re-index jobs (%d at a time); stop with Ctrl-C\n", max(e.cfg.Workers, 1))
	<-ctx.Done()
	stop, cancel := context.WithTimeout(context.Background(), e.cfg.ShutdownTimeout)
	defer cancel()
	return q.Stop(stop)
}

func reembed(ctx context.Context, e *env, _ []string) error {
	emb, err := embedder.New(e.cfg)
	if err != nil {
		return err
	}
	p := newProgress(e.out)
	start := time.Now()
	n, err := ingest.Reembed(ctx, e.pool, emb, e.cfg.EmbedBatch, e.cfg.IndexBuildMemory, p.update)
	p.finish()
	if err != nil {
		return fmt.Errorf("re-embedding stopped after %d chunks (run 'indexer reembed' again to resume): %w", n, err)
	}
	fmt.Fprintf(e.out, "re-embedded %d chunks with %s in %s; the vector index is built\n", n, emb.Model(), time.Since(start).Round(time.Millisecond))
	return nil
}

func evalCmd(fs *flag.FlagSet) runFunc {
	queries := fs.String("queries", "", "BEIR queries.jsonl")
	qrels := fs.String("qrels", "", "BEIR qrels TSV (query-id, corpus-id, score)")
	source := fs.String("source", "", "evaluate against this source only")
	k := fs.Int("k", 100, "documents ranked per query")
	mode := fs.String("mode", "hybrid", "hybrid, lexical, vector, or all (the three side by side)")
	asJSON := fs.Bool("json", false, "print one JSON object per mode, one a line (with --negatives, each mode's declined share too)")
	runFile := fs.String("run", "", "also write the ranking as TSV: query-id, document path, rank, score")
	negatives := fs.String("negatives", "", "queries.jsonl of questions the documents do not answer: reports how many the server declines")
	decisionsFile := fs.String("decisions", "", "also write, for the hybrid mode (the server's), each question's answer decision and its evidence as TSV: kind (answerable or unanswerable), query-id, top document, its judged grade, coverage, margin, similarity, answered")
	answers := fs.Bool("answers", false, "also answer each judged query as /api/ask does (all sources, the configured DOCENT_LLM) and report answered and citation_precision")
	factsFile := fs.String("facts", "", "with --answers: TSV of query-id<TAB>fact (alternatives separated by |): reports fact_recall")
	answersOut := fs.String("answers-out", "", "with --answers: also write each question's answer, cited documents with their grades and facts found and missed, as JSON lines")
	return func(ctx context.Context, e *env, _ []string) error {
		if *queries == "" || *qrels == "" {
			return errors.New("eval: --queries and --qrels are required")
		}
		if *factsFile != "" && !*answers {
			return errors.New("eval: --facts needs --answers")
		}
		if *answersOut != "" && !*answers {
			return errors.New("eval: --answers-out needs --answers")
		}
		var facts evaluate.Facts
		if *factsFile != "" {
			var err error
			if facts, err = evaluate.ReadFacts(*factsFile); err != nil {
				return fmt.Errorf("reading --facts: %w", err)
			}
		}
		if *k < 1 {
			return errors.New("eval: --k must be at least 1")
		}
		modes := []string{*mode}
		switch *mode {
		case "hybrid", "lexical", "vector":
		case "all":
			modes = []string{"lexical", "vector", "hybrid"}
		default:
			return fmt.Errorf("eval: --mode %q: want hybrid, lexical, vector or all", *mode)
		}
		qs, err := evaluate.ReadQueries(*queries)
		if err != nil {
			return fmt.Errorf("reading --queries: %w", err)
		}
		judged, err := evaluate.ReadQrels(*qrels)
		if err != nil {
			return fmt.Errorf("reading --qrels: %w", err)
		}
		var nq []evaluate.Query
		if *negatives != "" {
			if nq, err = evaluate.ReadQueries(*negatives); err != nil {
				return fmt.Errorf("reading --negatives: %w", err)
			}
		}
		emb, err := embedder.New(e.cfg)
		if err != nil {
			return err
		}
		if err := embedder.Attach(ctx, e.pool, emb); err != nil {
			return err
		}
		s := retrieve.NewSearcher(e.pool, emb, e.cfg)
		var ans *evaluate.AnswerReport
		if *answers {
			answerer, err := answer.New(e.cfg)
			if err != nil {
				return err
			}
			svc := &answer.Service{Searcher: s, Answerer: answerer, ContextTokens: e.cfg.LLMContextTokens}
			rep, err := evaluate.Answers(ctx, svc, qs, judged, facts, nq, nil)
			if err != nil {
				return err
			}
			ans = &rep
			if err := writeAnswers(*answersOut, rep.Records); err != nil {
				return err
			}
		}
		var decisions []evaluate.Decision
		decided := func(m string) func(evaluate.Decision) {
			if *decisionsFile == "" || m != "hybrid" {
				return nil
			}
			return func(d evaluate.Decision) { decisions = append(decisions, d) }
		}
		tw := tabwriter.NewWriter(e.out, 0, 4, 2, ' ', tabwriter.AlignRight)
		if !*asJSON {
			fmt.Fprintln(tw, "mode\tnDCG@10\tRecall@5\tRecall@10\tRecall@100\tMRR@10\tqueries\tp50 ms\tp95 ms\tanswered\t")
		}
		for _, m := range modes {
			rep, run, err := evaluate.Run(ctx, s, qs, judged, evaluate.Options{K: *k, Source: *source, Mode: m, Decided: decided(m)})
			if err != nil {
				return err
			}
			if *runFile != "" {
				if err := writeRun(*runFile, run); err != nil {
					return err
				}
			}
			if *asJSON {
				if ans != nil {
					rep.Answered, rep.CitationPrecision = ans.Answered, &ans.CitationPrecision
					if facts != nil {
						rep.FactRecall = &ans.FactRecall
					}
				}
				// The server's mode declines as its answers do, which may decline past retrieval.
				var declined *float64
				if ans != nil && ans.Unanswerable > 0 && m == "hybrid" {
					declined = &ans.Declined
				}
				if err := writeJSONReport(ctx, e.out, s, m, rep, nq, *source, decided(m), declined); err != nil {
					return err
				}
				continue
			}
			fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%d\t%.1f\t%.1f\t%.2f\t\n", m, rep.NDCG10, rep.Recall5, rep.Recall10,
				rep.Recall100, rep.MRR10, rep.Queries, rep.P50ms, rep.P95ms, rep.Answered)
		}
		if *asJSON {
			return writeDecisions(*decisionsFile, decisions)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if ans != nil {
			fmt.Fprintf(e.out, "answers (%s): answered %.2f of %d", answerMode(e.cfg), ans.Answered, ans.Queries)
			if facts != nil {
				fmt.Fprintf(e.out, ", fact_recall %.2f of %d facts", ans.FactRecall, ans.Facts)
			}
			fmt.Fprintf(e.out, ", citation_precision %.2f of %d citations", ans.CitationPrecision, ans.Citations)
			if ans.Unanswerable > 0 {
				fmt.Fprintf(e.out, ", unanswerable declined %.2f of %d", ans.Declined, ans.Unanswerable)
			}
			fmt.Fprintln(e.out)
		}
		if nq != nil {
			// Declined searches in hybrid mode, whatever --mode says: record it only beside
			// the hybrid ranking's decisions.
			var d func(evaluate.Decision)
			if slices.Contains(modes, "hybrid") {
				d = decided("hybrid")
			}
			rate, err := evaluate.Declined(ctx, s, nq, evaluate.Options{Source: *source, Decided: d})
			if err != nil {
				return err
			}
			fmt.Fprintf(e.out, "unanswerable questions declined: %.2f of %d\n", rate, len(nq))
		}
		return writeDecisions(*decisionsFile, decisions)
	}
}

// writeAnswers writes each question's answer record as a JSON line (nothing when name is empty).
func writeAnswers(name string, records []evaluate.AnswerRecord) error {
	if name == "" {
		return nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, r := range records {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	if err := os.WriteFile(name, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing --answers-out: %w", err)
	}
	return nil
}

// writeDecisions writes the answer decisions as TSV with a header (nothing when name is empty):
// what `evalsuite -calibrate` pools over every set to fit answer.Relevant's thresholds.
func writeDecisions(name string, decisions []evaluate.Decision) error {
	if name == "" {
		return nil
	}
	var b strings.Builder
	b.WriteString("kind\tquery-id\tdocument\tgrade\tcoverage\tmargin\tsimilarity\tanswered\n")
	for _, d := range decisions {
		kind := "unanswerable"
		if d.Answerable {
			kind = "answerable"
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\t%d\t%.4f\t%.4f\t%.4f\t%t\n", kind, tsvField(d.QueryID), tsvField(d.Path), d.Grade, d.Coverage, d.Margin, d.Similarity, d.Answered)
	}
	if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("writing --decisions: %w", err)
	}
	return nil
}

// answerMode names the answerer an evaluation used.
func answerMode(cfg config.Config) string {
	return cmp.Or(cfg.LLM, "extractive")
}

// writeJSONReport prints one mode's report as a line of JSON, with the share of unanswerable
// questions that mode's retrieval would decline when there are any, or answered declined when
// given: `make eval` reads every mode of a set from one run.
func writeJSONReport(ctx context.Context, w io.Writer, s *retrieve.Searcher, mode string, rep evaluate.Report, unanswerable []evaluate.Query, source string, decided func(evaluate.Decision), answersDeclined *float64) error {
	line := struct {
		Mode string `json:"mode"`
		evaluate.Report
		Declined     *float64 `json:"declined,omitempty"`
		Unanswerable int      `json:"unanswerable,omitempty"`
	}{Mode: mode, Report: rep}
	if len(unanswerable) > 0 {
		rate, err := evaluate.Declined(ctx, s, unanswerable, evaluate.Options{Source: source, Mode: mode, Decided: decided})
		if err != nil {
			return err
		}
		line.Declined, line.Unanswerable = cmp.Or(answersDeclined, &rate), len(unanswerable)
	}
	return json.NewEncoder(w).Encode(line)
}

// printable escapes, as Go does in a quoted string, the characters of s that a terminal would
// act on rather than show (control characters: escape sequences, line breaks) or that reorder
// what it shows (bidirectional controls). File names and the reasons that quote them are
// anyone's to choose, and so are the names of folders an admin may add as a source's root
// from the browser; all are printed to an admin's terminal.
func printable(s string) string {
	if !strings.ContainsFunc(s, unprintable) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unprintable(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func unprintable(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) }

// tsvField escapes what would split a TSV line's field or the line itself (a query id or a file
// name may hold a tab or a newline) as PostgreSQL's text COPY format does: \\, \t, \n, \r.
func tsvField(s string) string { return tsvEscaper.Replace(s) }

var tsvEscaper = strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, "\r", `\r`)

func writeRun(name string, run []evaluate.Ranked) error {
	var b strings.Builder
	for _, r := range run {
		fmt.Fprintf(&b, "%s\t%s\t%d\t%.6f\n", tsvField(r.QueryID), tsvField(r.Path), r.Rank, r.Score)
	}
	if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("writing --run: %w", err)
	}
	return nil
}

func printSummary(w io.Writer, s source.Summary) {
	if s.Error != "" {
		fmt.Fprintf(w, "refused: %s\n", printable(s.Error))
		return
	}
	secs := s.Elapsed.Seconds()
	fmt.Fprintf(w, "%s: %d files seen: %d added, %d updated, %d unchanged, %d deleted, %d skipped, %d failed; %d chunks written (%d embedded) in %s (%.0f files/s, %.0f chunks/s)\n",
		s.Source, s.Seen, s.Added, s.Updated, s.Unchanged, s.Deleted, s.Skipped, s.Failed, s.Chunks, s.Embedded,
		s.Elapsed.Round(time.Millisecond), float64(s.Seen)/max(secs, 1e-3), float64(s.Chunks)/max(secs, 1e-3))
	if s.Skipped+s.Failed > 0 {
		fmt.Fprintf(w, "  see why files were skipped or failed: indexer status %s\n", s.Source)
	}
}

func status(ctx context.Context, e *env, args []string) error {
	name := ""
	if len(args) > 0 {
		name = args[0]
	}
	all, err := source.Report(ctx, e.pool, name)
	if err != nil {
		return err
	}
	for _, st := range all {
		fmt.Fprintf(e.out, "%s (%s)\n  groups: %s\n  %d documents, %d chunks\n", st.Name, printable(st.Root), groupList(st.Groups), st.Documents, st.Chunks)
		if st.LastRunAt != nil {
			fmt.Fprintf(e.out, "  last run %s: ", st.LastRunAt.Local().Format(time.DateTime))
			if st.LastRun != nil {
				printSummary(e.out, *st.LastRun)
			}
		} else {
			fmt.Fprintln(e.out, "  never indexed")
		}
		for _, p := range st.Problems {
			fmt.Fprintf(e.out, "  %s %s: %s\n", p.Status, printable(p.Path), printable(p.Reason))
		}
	}
	m, err := postgres.ReadSearchMemory(ctx, e.pool)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.out, "search memory: %s\n", m)
	for _, a := range m.Advice() {
		fmt.Fprintf(e.out, "  warning: %s\n", a)
	}
	return nil
}

// groupList shows groups for the terminal, escaped (printable): a key's groups are its owner's
// as the identity provider or the proxy named them.
func groupList(g []string) string {
	if len(g) == 0 {
		return "everyone"
	}
	return printable(strings.Join(g, ","))
}
