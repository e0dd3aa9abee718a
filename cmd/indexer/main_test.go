package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/answer"
	"github.com/docent-search/docent/internal/docenttest"
	"github.com/docent-search/docent/internal/evaluate"
	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/docent-search/docent/internal/retrieve"
)

// indexer runs the CLI as a user would, against db, and returns its output.
func indexer(t *testing.T, db string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, func(k string) string {
		if k == "DATABASE_URL" {
			return db
		}
		return ""
	}, &out)
	return out.String(), err
}

func TestCLI(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDatabase(t)
	root := docenttest.Folder(t, map[string]string{
		"guide.md":    "# Guide\n\nHow to file a claim.\n",
		"hr/pay.md":   "# Pay\n\nBands.\n",
		"archive.zip": "PK\x03\x04",
	})

	steps := []struct {
		args    []string
		want    []string
		wantErr string
	}{
		{args: []string{"sources", "list"}, want: []string{"no sources yet"}},
		{args: []string{"sources", "add", "docs", root, "--groups", "staff", "--rule", "hr/**=hr"}, want: []string{"added source docs", "staff"}},
		{args: []string{"sources", "add", "docs", root}, wantErr: "already exists"},
		{args: []string{"sources", "add", "other", filepath.Join(root, "missing")}, wantErr: "not a readable folder"},
		{args: []string{"sources", "add", "bad", root, "--rule", "nogroups"}, wantErr: "want GLOB=group1,group2"},
		// Text PostgreSQL refuses, or JSON would turn into U+FFFD: named, not stored mangled.
		{args: []string{"sources", "add", "bad", root, "--groups", "st\xffaff"}, wantErr: `group "st\xffaff": must be UTF-8 text without NUL characters`},
		{args: []string{"sources", "add", "bad", root, "--rule", "hr/**=h\xffr"}, wantErr: `group "h\xffr": must be UTF-8 text without NUL characters`},
		{args: []string{"sources", "add", "bad", root, "--rule", "caf\xe9/**=hr"}, wantErr: `rule glob "caf\xe9/**": must be UTF-8 text without NUL characters`},
		{args: []string{"sources", "list"}, want: []string{"docs", "staff", "hr/**=hr"}},
		{args: []string{"index"}, want: []string{"3 files seen: 2 added", "1 skipped", "indexer status docs"}},
		{args: []string{"index", "docs"}, want: []string{"2 unchanged", "1 skipped"}},
		{args: []string{"index", "nope"}, wantErr: "source nope: not found"},
		{args: []string{"status", "docs"}, want: []string{"2 documents", "skipped archive.zip: unsupported file type", "search memory: vector index 0 MiB, shared_buffers "}},
		{args: []string{"index", "--embedder", "bert"}, wantErr: "DOCENT_EMBEDDER"},
		{args: []string{"frobnicate"}, wantErr: "unknown command"},
		{args: []string{"sources", "remove", "docs"}, want: []string{"removed source docs"}},
		{args: []string{"status"}, want: nil},
	}
	for _, s := range steps {
		out, err := indexer(t, db, s.args...)
		name := strings.Join(s.args, " ")
		if s.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), s.wantErr) {
				t.Fatalf("indexer %s: error %v, want one containing %q", name, err, s.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("indexer %s: %v", name, err)
		}
		for _, w := range s.want {
			if !strings.Contains(out, w) {
				t.Fatalf("indexer %s printed:\n%s\nwant it to contain %q", name, out, w)
			}
		}
	}
}

// TestEval runs indexer eval on a three-document collection whose answers are known.
func TestEval(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDatabase(t)
	dir := docenttest.Folder(t, map[string]string{
		"docs/d1.txt":   "Penguins\n\nEmperor penguins breed in the Antarctic winter.\n",
		"docs/d2.txt":   "Volcanoes\n\nBasaltic lava flows from shield volcanoes in Hawaii.\n",
		"docs/q1.txt":   "Question one\n\nWhere do emperor penguins breed?\n",
		"queries.jsonl": `{"_id": "q1", "text": "where do emperor penguins breed"}` + "\n" + `{"_id": "q2", "text": "lava from shield volcanoes"}` + "\n",
		"qrels.tsv":     "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n",
	})
	root, queries, qrels := filepath.Join(dir, "docs"), filepath.Join(dir, "queries.jsonl"), filepath.Join(dir, "qrels.tsv")
	if _, err := indexer(t, db, "sources", "add", "beir", root); err != nil {
		t.Fatal(err)
	}
	if _, err := indexer(t, db, "index"); err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(root, "..", "run.tsv")
	out, err := indexer(t, db, "eval", "--queries", queries, "--qrels", qrels, "--json", "--run", run, "--k", "10")
	if err != nil {
		t.Fatal(err)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json output %q: %v", out, err)
	}
	for _, key := range []string{"ndcg@10", "recall@5", "recall@10", "recall@100", "mrr@10", "queries", "p50_ms", "p95_ms"} {
		if _, ok := rep[key]; !ok {
			t.Errorf("--json lacks %s: %s", key, out)
		}
	}
	if rep["ndcg@10"] != 1.0 || rep["queries"] != 2.0 || rep["mode"] != "hybrid" {
		t.Errorf("report %v: both queries should find their document first", rep)
	}
	ranking, _ := os.ReadFile(run)
	// q1's own document (q1.txt) never counts, by BEIR's ArguAna convention.
	if !strings.HasPrefix(string(ranking), "q1\td1.txt\t1\t") || strings.Contains(string(ranking), "q1\tq1.txt") {
		t.Errorf("run file:\n%s", ranking)
	}
	// --mode all --json: one line per mode, each with the share of unanswerable questions
	// that mode declines.
	negatives := filepath.Join(root, "..", "negatives.jsonl")
	os.WriteFile(negatives, []byte(`{"_id": "n1", "text": "quarterly revenue of the company"}`+"\n"), 0o644)
	out, err = indexer(t, db, "eval", "--queries", queries, "--qrels", qrels, "--json", "--mode", "all", "--negatives", negatives)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("--mode all --json printed %d lines, want 3:\n%s", len(lines), out)
	}
	for i, mode := range []string{"lexical", "vector", "hybrid"} {
		var line struct {
			Mode         string   `json:"mode"`
			NDCG10       *float64 `json:"ndcg@10"`
			Declined     *float64 `json:"declined"`
			Unanswerable int      `json:"unanswerable"`
		}
		if err := json.Unmarshal([]byte(lines[i]), &line); err != nil {
			t.Fatalf("line %d %q: %v", i+1, lines[i], err)
		}
		if line.Mode != mode || line.NDCG10 == nil || line.Declined == nil || line.Unanswerable != 1 {
			t.Errorf("line %d = %s, want mode %s with ndcg@10, declined and unanswerable 1", i+1, lines[i], mode)
		}
	}
	// --decisions: each question's answer decision with its evidence, the judged ones and the
	// unanswerable one, as the hybrid ranking decides (`evalsuite -calibrate` pools them).
	decisions := filepath.Join(root, "..", "decisions.tsv")
	if _, err := indexer(t, db, "eval", "--queries", queries, "--qrels", qrels, "--negatives", negatives, "--decisions", decisions); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(decisions)
	rows := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(rows) != 4 || rows[0] != "kind\tquery-id\tdocument\tgrade\tcoverage\tmargin\tsimilarity\tanswered" {
		t.Fatalf("--decisions wrote:\n%s\nwant a header and three questions", b)
	}
	for i, want := range []string{"answerable\tq1\td1.txt\t1\t", "answerable\tq2\td2.txt\t1\t", "unanswerable\tn1\t"} {
		f := strings.Split(rows[i+1], "\t")
		coverage, _ := strconv.ParseFloat(f[4], 64)
		margin, _ := strconv.ParseFloat(f[5], 64)
		relevant := answer.Relevant(retrieve.Result{Coverage: coverage, Margin: margin}, answer.DefaultMinCoverage, answer.DefaultMinMargin)
		if !strings.HasPrefix(rows[i+1], want) || len(f) != 8 || f[7] != strconv.FormatBool(relevant) {
			t.Errorf("decision %d = %q, want it to start %q and say answered = %v, as its coverage and margin decide", i+1, rows[i+1], want, relevant)
		}
	}
	if _, err := indexer(t, db, "eval", "--queries", queries); err == nil || !strings.Contains(err.Error(), "--qrels") {
		t.Errorf("eval without --qrels: %v", err)
	}

	// Answers: both questions are answered, from their own documents; two of three facts are
	// stated (the second by an alternative), and the third is in no document.
	facts := filepath.Join(root, "..", "facts.tsv")
	os.WriteFile(facts, []byte("query-id\tfact\nq1\tANTARCTIC winter\nq1\tin spring\nq2\tIceland|hawaii\n"), 0o644)
	out, err = indexer(t, db, "eval", "--queries", queries, "--qrels", qrels, "--json", "--answers", "--facts", facts)
	if err != nil {
		t.Fatal(err)
	}
	rep = nil
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json output %q: %v", out, err)
	}
	if fr, _ := rep["fact_recall"].(float64); rep["answered"] != 1.0 || math.Abs(fr-2.0/3) > 1e-9 || rep["citation_precision"] != 1.0 {
		t.Errorf("answers report %s: want answered 1, fact_recall 2/3, citation_precision 1", out)
	}
	answersOut := filepath.Join(root, "..", "answers.jsonl")
	out, err = indexer(t, db, "eval", "--queries", queries, "--qrels", qrels, "--answers", "--facts", facts, "--answers-out", answersOut)
	if err != nil || !strings.Contains(out, "fact_recall 0.67 of 3 facts, citation_precision 1.00 of 2 citations") {
		t.Errorf("answers line: %v\n%s", err, out)
	}
	// --answers-out: each question's answer with what it cites and which facts it states.
	b, _ = os.ReadFile(answersOut)
	var records []evaluate.AnswerRecord
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var r evaluate.AnswerRecord
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("--answers-out line %q: %v", l, err)
		}
		records = append(records, r)
	}
	if len(records) != 2 || records[0].ID != "q1" || !records[0].Answered || records[0].Answer == "" ||
		!slices.Equal(records[0].FactsFound, []string{"ANTARCTIC winter"}) || !slices.Equal(records[0].FactsMissed, []string{"in spring"}) ||
		!slices.Equal(records[0].Cited, []evaluate.Cited{{Document: "d1.txt", Grade: 1}}) || !slices.Equal(records[1].FactsFound, []string{"Iceland|hawaii"}) {
		t.Errorf("--answers-out wrote:\n%s\nwant q1 citing d1.txt (grade 1) with one fact found and one missed, then q2 with its fact", b)
	}
	if _, err := indexer(t, db, "eval", "--queries", queries, "--qrels", qrels, "--answers-out", answersOut); err == nil || !strings.Contains(err.Error(), "--answers") {
		t.Errorf("--answers-out without --answers: %v", err)
	}
	// The unanswerable question, asked as /api/ask asks it: the answer declines it wherever the
	// retrieval alone would (the answer may decline more, never less).
	out, err = indexer(t, db, "eval", "--queries", queries, "--qrels", qrels, "--answers", "--negatives", negatives)
	byAnswer := regexp.MustCompile(`unanswerable declined ([01]\.\d\d) of 1\n`).FindStringSubmatch(out)
	byRetrieval := regexp.MustCompile(`unanswerable questions declined: ([01]\.\d\d) of 1\n`).FindStringSubmatch(out)
	if err != nil || byAnswer == nil || byRetrieval == nil || byAnswer[1] < byRetrieval[1] {
		t.Errorf("answers with --negatives: %v\n%s", err, out)
	}
	os.WriteFile(facts, []byte("q1 without a tab\n"), 0o644)
	if _, err := indexer(t, db, "eval", "--queries", queries, "--qrels", qrels, "--answers", "--facts", facts); err == nil || !strings.Contains(err.Error(), "facts.tsv line 1") {
		t.Errorf("a malformed facts file: %v", err)
	}
	if _, err := indexer(t, db, "eval", "--queries", queries, "--qrels", qrels, "--facts", facts); err == nil || !strings.Contains(err.Error(), "--answers") {
		t.Errorf("--facts without --answers: %v", err)
	}
}

// TestMovedRootIsRefused: a run whose folder no longer resolves to the real path stored when
// the source was added is refused, and `indexer status` shows why.
func TestMovedRootIsRefused(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDatabase(t)
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	share, elsewhere := filepath.Join(base, "share"), filepath.Join(base, "elsewhere")
	docenttest.Write(t, base, map[string]string{"share/a.md": "# A\n\nshared\n", "elsewhere/b.md": "# B\n\nnot to be indexed\n"})
	if _, err := indexer(t, db, "sources", "add", "docs", share); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(share, share+".old"); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, share); err != nil {
		t.Fatal(err)
	}
	_, err = indexer(t, db, "index", "docs")
	if err == nil || !strings.Contains(err.Error(), "source docs: its folder "+share+" now resolves to "+elsewhere) {
		t.Fatalf("index: %v, want a refusal naming the source and both paths", err)
	}
	out, err := indexer(t, db, "status", "docs")
	if err != nil || !strings.Contains(out, "refused: source docs: its folder") || !strings.Contains(out, "0 documents") {
		t.Errorf("status after the refused run: %v\n%s", err, out)
	}
}

// TestTSVOutputsKeepOddNamesInOneField checks that --run and --decisions stay one line of the
// same fields per result when a query id or a file name holds a tab, a newline or a backslash.
func TestTSVOutputsKeepOddNamesInOneField(t *testing.T) {
	dir := t.TempDir()
	odd := "notes\tdraft\nv2\\final.md"
	run := filepath.Join(dir, "run.tsv")
	if err := writeRun(run, []evaluate.Ranked{{QueryID: "q\t1", Path: odd, Rank: 1, Score: 0.5}}); err != nil {
		t.Fatal(err)
	}
	dec := filepath.Join(dir, "decisions.tsv")
	if err := writeDecisions(dec, []evaluate.Decision{{QueryID: "q\n2", Answerable: true, Path: odd, Grade: 2, Answered: true}}); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]string{
		run: {`q\t1`, `notes\tdraft\nv2\\final.md`, "1", "0.500000"},
		dec: {"answerable", `q\n2`, `notes\tdraft\nv2\\final.md`, "2", "0.0000", "0.0000", "0.0000", "true"},
	} {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		last := strings.Split(lines[len(lines)-1], "\t")
		if !slices.Equal(last, want) {
			t.Errorf("%s: last line's fields %q, want %q", filepath.Base(name), last, want)
		}
	}
}

// TestOddNamesCannotDriveTheTerminal: a file name is anyone's to choose, and the names of
// skipped and failed files (and the file being read) are printed to an admin's terminal. An
// escape sequence in one could retitle the terminal, rewrite what was printed before or write
// to the clipboard; a line break could fake a line of the report. They are printed escaped.
func TestOddNamesCannotDriveTheTerminal(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDatabase(t)
	root := docenttest.Folder(t, map[string]string{
		"title\x1b]0;pwned\a.zip":     "PK\x03\x04",
		"fake\n  skipped nothing.zip": "PK\x03\x04",
		"spoof\u202egpj.zip":          "PK\x03\x04",
		"mail.eml":                    "Subject: s\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nbody\r\n--b\r\nContent-Disposition: attachment; filename=\"=?utf-8?q?clear=1B[2J.zip?=\"\r\n\r\nx\r\n--b--\r\n",
	})
	if _, err := indexer(t, db, "sources", "add", "odd", root); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, args := range [][]string{{"index", "odd"}, {"status", "odd"}} {
		o, err := indexer(t, db, args...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, o)
		}
		out.WriteString(o)
	}
	got := out.String()
	if strings.ContainsAny(got, "\x1b\a\u202e") || strings.Contains(got, "\n  skipped nothing") {
		t.Errorf("a file name reached the terminal unescaped:\n%q", got)
	}
	for _, want := range []string{`title\x1b]0;pwned\a.zip`, `fake\n  skipped nothing.zip`, `spoof\u202egpj.zip`, `mail.eml/clear\x1b[2J.zip`} {
		if !strings.Contains(got, want) {
			t.Errorf("output does not name %s:\n%s", want, got)
		}
	}
}
