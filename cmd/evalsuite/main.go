// Command evalsuite is `make eval`: it indexes every dev set into a fresh database of its own on
// the server of DATABASE_URL, measures each set with `indexer eval` (lexical, vector and hybrid)
// and with a reference BM25 over the same documents, and compares every mode's nDCG@10 and
// Recall@100 with the committed expectations (testdata/eval-expected.json), the way Anserini
// keeps its regressions: a drop beyond the tolerance fails the run, a rise is printed so that
// the better figure gets committed. A change that lowers a score therefore has to change the
// expectations in the same commit, in plain view (issue 13, item 9).
//
// It drives bin/indexer rather than the packages behind it: the command line is what users
// measure with, and it stays stable while retrieval changes underneath.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/docent-search/docent/internal/evaluate"
	"github.com/jackc/pgx/v5"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv("DATABASE_URL"), os.Stdout)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "evalsuite:", err)
		os.Exit(1)
	}
}

type options struct {
	expected, readme, beir, bin, work string
	answersDir                        string
	prefix                            string
	only                              []string
	update, keep, reuse, calibrate    bool
	tolerance, vectorTolerance        float64
}

func run(ctx context.Context, args []string, serverURL string, out io.Writer) error {
	fs := flag.NewFlagSet("evalsuite", flag.ContinueOnError)
	var o options
	fs.StringVar(&o.expected, "expected", "testdata/eval-expected.json", "the committed expectations")
	fs.BoolVar(&o.update, "update", false, "rewrite the expectations with this run's figures instead of comparing")
	fs.StringVar(&o.readme, "readme", "", "rewrite the quality table of this README (between its markers) with this run's figures")
	fs.StringVar(&o.beir, "beir", "../shared/eval", "folder with the BEIR collections (scifact/, nfcorpus/) and beir-to-folder")
	fs.StringVar(&o.bin, "bin", "", "folder holding the indexer binary (default: this program's own folder when it holds one, as make build's bin/ does, else bin)")
	fs.StringVar(&o.work, "work", "", "folder for the prepared corpora (default: a temporary folder, removed afterwards)")
	sets := fs.String("sets", "", "comma-separated sets to run (default: all); expectations of the others are left alone")
	fs.BoolVar(&o.keep, "keep", false, "keep each set's database afterwards (PREFIX + NAME), to look into")
	fs.BoolVar(&o.reuse, "reuse", false, "measure the databases a -keep run left (PREFIX + NAME) without indexing again: a query-time change measured on every set in a minute (implies -keep)")
	fs.BoolVar(&o.calibrate, "calibrate", false, "also pool every set's answer decisions (indexer eval --decisions) and fit the answer thresholds, with each set left out too")
	fs.StringVar(&o.answersDir, "answers-dir", "", "write each set's answers (indexer eval --answers-out) to NAME.answers.jsonl in this folder")
	fs.StringVar(&o.prefix, "db-prefix", "docent_eval_", "name prefix of each set's database: two runs on one server need different ones")
	fs.Float64Var(&o.tolerance, "tolerance", 0.002, "largest drop of a figure that still passes")
	fs.Float64Var(&o.vectorTolerance, "vector-tolerance", 0.01, "largest drop of a vector-only figure that still passes (see compare)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.keep = o.keep || o.reuse
	if o.answersDir != "" {
		if err := os.MkdirAll(o.answersDir, 0o755); err != nil {
			return fmt.Errorf("-answers-dir: %w", err)
		}
	}
	if o.bin == "" {
		o.bin = indexerFolder()
	}
	if *sets != "" {
		o.only = strings.Split(*sets, ",")
	}
	if serverURL == "" {
		return errors.New("DATABASE_URL is not set: give the URL of any database on the PostgreSQL server to use (make eval does)")
	}
	all, err := discover("testdata", o.beir)
	if err != nil {
		return err
	}
	var chosen []set
	for _, s := range all {
		if o.only == nil || slices.Contains(o.only, s.name) {
			chosen = append(chosen, s)
		}
	}
	for _, name := range o.only {
		if !slices.ContainsFunc(all, func(s set) bool { return s.name == name }) {
			return fmt.Errorf("-sets: no set %q", name)
		}
	}
	if o.work == "" {
		dir, err := os.MkdirTemp("", "docent-eval-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		o.work = dir
	}
	facts := supportsFacts(ctx, o.bin)

	start := time.Now()
	var results []setResult
	byCorpus := map[string][]set{}
	var order []string
	for _, s := range chosen {
		if byCorpus[s.corpus.name] == nil {
			order = append(order, s.corpus.name)
		}
		byCorpus[s.corpus.name] = append(byCorpus[s.corpus.name], s)
	}
	for _, name := range order {
		rs, err := measureCorpus(ctx, o, serverURL, byCorpus[name], facts, out)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		results = append(results, rs...)
	}
	fmt.Fprintf(out, "\nall sets measured in %s\n\n", time.Since(start).Round(time.Second))
	printResults(out, results)
	if o.calibrate {
		decisions := map[string][]gateDecision{}
		for _, r := range results {
			if decisions[r.set], err = readDecisions(r.decisions); err != nil {
				return err
			}
		}
		printCalibration(out, decisions)
	}

	exp, err := readExpected(o.expected)
	if err != nil {
		return err
	}
	if o.readme != "" {
		if err := writeReadme(o.readme, results); err != nil {
			return err
		}
		fmt.Fprintf(out, "\nrewrote the quality table in %s\n", o.readme)
	}
	if o.update {
		for _, r := range results {
			exp.Sets[r.set] = r.figures()
		}
		if err := writeExpected(o.expected, exp); err != nil {
			return err
		}
		fmt.Fprintf(out, "\nrewrote %s\n", o.expected)
		return nil
	}
	ran := map[string]bool{}
	for _, r := range results {
		ran[r.set] = true
	}
	var missing []string
	if o.only == nil {
		for name := range exp.Sets {
			if !ran[name] {
				missing = append(missing, name)
			}
		}
	}
	return compare(out, exp, results, missing, o.tolerance, o.vectorTolerance)
}

// measureCorpus prepares one corpus, indexes it into its own fresh database (or, with -reuse,
// takes the one a -keep run left) and measures every set of questions over it.
func measureCorpus(ctx context.Context, o options, serverURL string, sets []set, facts bool, out io.Writer) ([]setResult, error) {
	c := sets[0].corpus
	name := o.prefix + strings.ReplaceAll(c.name, "-", "_")
	indexer := filepath.Join(o.bin, "indexer")
	var dbURL string
	if o.reuse {
		u, err := url.Parse(serverURL)
		if err != nil {
			return nil, fmt.Errorf("DATABASE_URL: %w", err)
		}
		u.Path = "/" + name
		dbURL = u.String()
		fmt.Fprintf(out, "%s: reusing database %s\n", c.name, name)
	} else {
		dir, err := c.prepare(ctx, o.work)
		if err != nil {
			return nil, err
		}
		var drop func()
		if dbURL, drop, err = freshDatabase(ctx, serverURL, name); err != nil {
			return nil, err
		}
		if !o.keep {
			defer drop()
		}
		add := append([]string{"sources", "add", c.name, dir}, c.args...)
		if _, err := command(ctx, dbURL, indexer, add...); err != nil {
			return nil, err
		}
		t := time.Now()
		if _, err := command(ctx, dbURL, indexer, "index", c.name); err != nil {
			return nil, err
		}
		fmt.Fprintf(out, "%s: indexed in %s\n", c.name, time.Since(t).Round(100*time.Millisecond))
	}
	docs, err := loadDocuments(ctx, dbURL, c.name)
	if err != nil {
		return nil, err
	}
	reference := evaluate.NewBM25(docs, evaluate.DefaultK1, evaluate.DefaultB)

	var results []setResult
	for _, s := range sets {
		t := time.Now()
		args := []string{"eval", "--source", c.name, "--queries", s.queries, "--qrels", s.qrels, "--mode", "all", "--json"}
		if s.negatives != "" {
			args = append(args, "--negatives", s.negatives)
		}
		if facts && s.facts != "" {
			args = append(args, "--facts", s.facts, "--answers")
			if o.answersDir != "" {
				args = append(args, "--answers-out", filepath.Join(o.answersDir, s.name+".answers.jsonl"))
			}
		}
		var decisions string
		if o.calibrate {
			decisions = filepath.Join(o.work, s.name+".decisions.tsv")
			args = append(args, "--decisions", decisions)
		}
		stdout, err := command(ctx, dbURL, indexer, args...)
		if err != nil {
			return nil, err
		}
		r := setResult{set: s.name, vectorUnchecked: s.corpus.vectorUnchecked != "", decisions: decisions}
		if r.modes, err = parseModes(stdout); err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		qs, err := evaluate.ReadQueries(s.queries)
		if err != nil {
			return nil, err
		}
		judged, err := evaluate.ReadQrels(s.qrels)
		if err != nil {
			return nil, err
		}
		rep, _, err := evaluate.Run(ctx, reference, qs, judged, evaluate.Options{K: 100})
		if err != nil {
			return nil, fmt.Errorf("%s, reference BM25: %w", s.name, err)
		}
		r.modes = append(r.modes, modeResult{Mode: referenceMode, Report: rep, reference: true})
		fmt.Fprintf(out, "%s: measured in %s\n", s.name, time.Since(t).Round(100*time.Millisecond))
		results = append(results, r)
	}
	return results, nil
}

// referenceMode names the reference BM25's figures next to Docent's modes.
const referenceMode = "bm25-reference"

// modeResult is one line of `indexer eval --json`: one mode's figures, plus the answer metrics
// where the indexer measures them (--facts and --answers).
type modeResult struct {
	Mode string `json:"mode"`
	evaluate.Report
	Declined          *float64 `json:"declined"`
	Unanswerable      int      `json:"unanswerable"`
	FactRecall        *float64 `json:"fact_recall"`
	CitationPrecision *float64 `json:"citation_precision"`
	reference         bool
}

type setResult struct {
	set   string
	modes []modeResult
	// vectorUnchecked: the vector-only figures are printed, not compared (corpus.vectorUnchecked).
	vectorUnchecked bool
	// decisions is the file of the hybrid ranking's answer decisions (with -calibrate).
	decisions string
}

// figures are the regression-checked numbers of a set, by mode.
func (r setResult) figures() map[string]figures {
	f := map[string]figures{}
	for _, m := range r.modes {
		f[m.Mode] = figures{NDCG10: round4(m.NDCG10), Recall100: round4(m.Recall100)}
	}
	return f
}

func parseModes(stdout []byte) ([]modeResult, error) {
	var modes []modeResult
	sc := bufio.NewScanner(bytes.NewReader(stdout))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var m modeResult
		if err := json.Unmarshal(line, &m); err != nil {
			return nil, fmt.Errorf("indexer eval printed %q: %w", line, err)
		}
		modes = append(modes, m)
	}
	if len(modes) == 0 {
		return nil, errors.New("indexer eval printed no figures")
	}
	return modes, sc.Err()
}

// supportsFacts reports whether this indexer measures answers (`eval --facts FILE --answers`,
// issue 20), so that the suite reports fact recall and citation precision where it can.
// indexerFolder is the folder of the indexer that evalsuite drives by default: the one beside
// evalsuite itself, built from the same code, or else bin. An evalsuite built elsewhere
// (go build -o /tmp/new/ ./cmd/...) once measured the checkout's older bin/indexer, and its
// figures were the old code's.
func indexerFolder() string {
	if exe, err := os.Executable(); err == nil && exists(filepath.Join(filepath.Dir(exe), "indexer")) {
		return filepath.Dir(exe)
	}
	return "bin"
}

func supportsFacts(ctx context.Context, bin string) bool {
	help, _ := exec.CommandContext(ctx, filepath.Join(bin, "indexer"), "eval", "--help").CombinedOutput()
	return bytes.Contains(help, []byte("-facts")) && bytes.Contains(help, []byte("-answers"))
}

// command runs the indexer against one database and returns its standard output; on failure
// the error carries what it printed on standard error.
func command(ctx context.Context, dbURL, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	// A read replica would send searches to another server's data. One parse worker stores the
	// files, and so numbers the passages, in the same order every run: ties broken by passage id
	// then fall the same way.
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "DATABASE_READ_URLS=", "DOCENT_PARSE_WORKERS=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), strings.Join(args, " "), err, stderr.Bytes())
	}
	return stdout, nil
}

// freshDatabase drops database name on the server of serverURL if it exists, creates it empty
// and returns its URL and a function that drops it.
func freshDatabase(ctx context.Context, serverURL, name string) (string, func(), error) {
	exec := func(ctx context.Context, sql string) error {
		conn, err := pgx.Connect(ctx, serverURL)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	ident := pgx.Identifier{name}.Sanitize()
	if err := exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
		return "", nil, err
	}
	if err := exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return "", nil, err
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	u.Path = "/" + name
	drop := func() {
		if err := exec(context.Background(), "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "evalsuite: dropping %s: %v\n", name, err)
		}
	}
	return u.String(), drop, nil
}

// loadDocuments reads the text Docent extracted from every document of a source that an
// anonymous reader may see (the evaluation runs as one), title first where the text does not
// start with it, for the reference BM25: both rankings then see the same words.
func loadDocuments(ctx context.Context, dbURL, source string) ([]evaluate.Doc, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `
		SELECT d.path, d.title, d.body FROM documents d JOIN sources s ON s.id = d.source_id
		WHERE s.name = $1 AND d.status = 'indexed' AND cardinality(d.groups) = 0 ORDER BY d.path`, source)
	if err != nil {
		return nil, err
	}
	var docs []evaluate.Doc
	for rows.Next() {
		var path, title, body string
		if err := rows.Scan(&path, &title, &body); err != nil {
			return nil, err
		}
		if !strings.HasPrefix(strings.TrimSpace(body), strings.TrimSpace(title)) {
			body = title + "\n\n" + body
		}
		docs = append(docs, evaluate.Doc{Path: path, Text: body})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return nil, fmt.Errorf("source %s has no documents an anonymous reader can see", source)
	}
	return docs, nil
}

func printResults(out io.Writer, results []setResult) {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "set\tmode\tnDCG@10\tRecall@10\tRecall@100\tMRR@10\tp50 ms\tp95 ms\tanswered\tdeclined\tfact recall\tcitation prec.\t")
	for _, r := range results {
		for _, m := range r.modes {
			c := cells(m)
			fmt.Fprintf(tw, "%s\t%s\t%s\t\n", r.set, m.Mode, strings.Join(c, "\t"))
		}
	}
	tw.Flush()
}

// cells formats one mode's figures: nDCG@10, Recall@10, Recall@100, MRR@10, p50, p95, answered,
// declined, fact recall, citation precision; "—" where a figure does not apply.
func cells(m modeResult) []string {
	dash := "—"
	c := []string{f3(m.NDCG10), f3(m.Recall10), f3(m.Recall100), f3(m.MRR10), dash, dash, dash, dash, dash, dash}
	if m.reference {
		return c
	}
	c[4], c[5], c[6] = fmt.Sprintf("%.0f", m.P50ms), fmt.Sprintf("%.0f", m.P95ms), f2(m.Answered)
	if m.Declined != nil {
		c[7] = fmt.Sprintf("%s of %d", f2(*m.Declined), m.Unanswerable)
	}
	if m.FactRecall != nil {
		c[8] = f2(*m.FactRecall)
	}
	if m.CitationPrecision != nil {
		c[9] = f2(*m.CitationPrecision)
	}
	return c
}

func f2(v float64) string { return fmt.Sprintf("%.2f", v) }
func f3(v float64) string { return fmt.Sprintf("%.3f", v) }
