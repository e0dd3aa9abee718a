package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/ingest"
	"github.com/docent-search/docent/internal/postgres"
	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/docent-search/docent/internal/retrieve"
	"github.com/docent-search/docent/internal/source"
)

// countingEmbedder counts the texts it embeds, to prove what a run did not re-embed.
type countingEmbedder struct {
	embedder.Local
	texts atomic.Int64
}

func (c *countingEmbedder) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	c.texts.Add(int64(len(texts)))
	return c.Local.EmbedDocuments(ctx, texts)
}

type testBundle struct {
	pool *pgxpool.Pool
	root string
	src  source.Source
	emb  *countingEmbedder
	ix   *ingest.Indexer
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	ctx := context.Background()
	b := &testBundle{pool: pgtest.NewPool(t), root: t.TempDir(), emb: &countingEmbedder{}}
	if err := postgres.EnsureModel(ctx, b.pool, postgres.Model{Name: embedder.LocalModel, Dimension: embedder.LocalDimension}); err != nil {
		t.Fatal(err)
	}
	src, err := source.Add(ctx, b.pool, source.Source{Name: "docs", Root: b.root, Groups: []string{"staff"},
		Rules: []source.Rule{{Glob: "hr/**", Groups: []string{"hr"}}, {Glob: "acl_fin__*", Groups: []string{"finance"}}}})
	if err != nil {
		t.Fatal(err)
	}
	b.src = src
	b.ix = &ingest.Indexer{Pool: b.pool, Embedder: b.emb}
	return b
}

func (b *testBundle) write(t *testing.T, rel, content string) {
	t.Helper()
	p := filepath.Join(b.root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (b *testBundle) run(t *testing.T) source.Summary {
	t.Helper()
	sum, err := b.ix.Run(context.Background(), b.src)
	if err != nil {
		t.Fatalf("index run: %v", err)
	}
	return sum
}

// outcomes returns path → "status: reason" for every document row.
func (b *testBundle) outcomes(t *testing.T) map[string]string {
	t.Helper()
	rows, err := b.pool.Query(context.Background(), `SELECT path, status, reason FROM documents`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var p, s, r string
		if err := rows.Scan(&p, &s, &r); err != nil {
			t.Fatal(err)
		}
		out[p] = s + ": " + r
	}
	return out
}

func TestIncrementalRuns(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.write(t, "a.md", "# Alpha\n\nFirst document about alpacas.\n\n## More\n\nSecond section about llamas.\n")
	b.write(t, "b.txt", "Beta\n\nA plain text note about bees.\n")
	b.write(t, "c.html", "<html><head><title>Gamma</title></head><body><p>Gamma rays.</p></body></html>")

	first := b.run(t)
	if first.Added != 3 || first.Seen != 3 || first.Failed != 0 || first.Chunks != 4 {
		t.Fatalf("first run: %+v", first)
	}
	embedded := b.emb.texts.Load()

	t.Run("NoChangesDoNothing", func(t *testing.T) {
		sum := b.run(t)
		if sum.Unchanged != 3 || sum.Added+sum.Updated+sum.Deleted != 0 || b.emb.texts.Load() != embedded {
			t.Fatalf("no-op run: %+v, embedded %d more", sum, b.emb.texts.Load()-embedded)
		}
	})

	t.Run("TouchedButSameContentIsNotReparsed", func(t *testing.T) {
		later := time.Now().Add(time.Hour)
		if err := os.Chtimes(filepath.Join(b.root, "b.txt"), later, later); err != nil {
			t.Fatal(err)
		}
		sum := b.run(t)
		if sum.Unchanged != 3 || b.emb.texts.Load() != embedded {
			t.Fatalf("touch: %+v", sum)
		}
	})

	t.Run("ChangedFileReembedsOnlyChangedChunks", func(t *testing.T) {
		b.write(t, "a.md", "# Alpha\n\nFirst document about alpacas.\n\n## More\n\nSecond section about vicuñas instead.\n")
		sum := b.run(t)
		if sum.Updated != 1 || sum.Embedded != 1 {
			t.Fatalf("edit: %+v, want 1 updated with 1 chunk re-embedded", sum)
		}
		var text string
		if err := b.pool.QueryRow(context.Background(), `SELECT string_agg(text, ' ') FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.path = 'a.md'`).Scan(&text); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text, "vicuñas") || strings.Contains(text, "llamas") {
			t.Fatalf("stored text after edit: %q", text)
		}
	})

	t.Run("DeletedFileDisappears", func(t *testing.T) {
		if err := os.Remove(filepath.Join(b.root, "c.html")); err != nil {
			t.Fatal(err)
		}
		sum := b.run(t)
		if sum.Deleted != 1 {
			t.Fatalf("delete: %+v", sum)
		}
		if _, ok := b.outcomes(t)["c.html"]; ok {
			t.Fatal("deleted file still has a document row")
		}
	})
}

func TestEveryFileGetsOneOutcome(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.write(t, "good.md", "# Good\n\nFine content.\n")
	b.write(t, "empty.txt", "")
	b.write(t, "archive.zip", "PK\x03\x04")
	b.write(t, "binary.txt", strings.Repeat("\x00\x01\x02\x03", 100))
	b.write(t, "dirty.txt", "Valid start \xff\xfe with\x00NULs and bad bytes.\n")
	outside := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(outside, []byte("outside secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(b.root, "escape.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(b.root, "loop"), filepath.Join(b.root, "loop")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("good.md", filepath.Join(b.root, "alias.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(b.root, "zero.txt")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(b.root, "pipe.txt"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Odd names: a newline, NFC and NFD spellings of one name, 255 bytes, 60 folders deep.
	b.write(t, "new\nline.md", "# Newline\n\nstill indexed\n")
	b.write(t, "caf\u00e9.md", "# NFC\n\ncomposed\n")
	b.write(t, "cafe\u0301.md", "# NFD\n\ndecomposed\n")
	long := strings.Repeat("x", 252) + ".md"
	b.write(t, long, "# Long\n\nname\n")
	deep := strings.Repeat("d/", 60) + "deep.md"
	b.write(t, deep, "# Deep\n\nfolder\n")
	b.write(t, "hidden.md", "# Visible\n\nsee\u200b\u200bme\u202e now\n")
	// One 50 MB line: past the extracted-text limit, skipped without taking the run down.
	big, err := os.Create(filepath.Join(b.root, "huge.log"))
	if err != nil {
		t.Fatal(err)
	}
	line := []byte(strings.Repeat("a", 1<<20))
	for range 50 {
		big.Write(line)
	}
	big.Close()

	sum := b.run(t)
	got := b.outcomes(t)
	want := map[string]string{
		"good.md":       "indexed: ",
		"alias.md":      "indexed: ",
		"dirty.txt":     "indexed: ",
		"empty.txt":     "skipped: no text to index",
		"archive.zip":   `skipped: unsupported file type ".zip" (archive: archives are not opened; unpack it into the folder)`,
		"binary.txt":    "skipped: binary content in a text file",
		"escape.txt":    "skipped: symlink to a path outside the source folder",
		"loop":          "skipped: broken or looping symlink",
		"zero.txt":      "skipped: symlink to a path outside the source folder",
		"pipe.txt":      "skipped: not a regular file (FIFO)",
		"new\nline.md":  "indexed: ",
		"caf\u00e9.md":  "indexed: ",
		"cafe\u0301.md": "indexed: ",
		long:            "indexed: ",
		deep:            "indexed: ",
		"hidden.md":     "indexed: ",
		"huge.log":      "skipped: extracted text of 50 MB is over the 16 MB limit",
	}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("%s: outcome %q, want %q", p, got[p], w)
		}
	}
	if len(got) != len(want) || sum.Seen != len(want) {
		t.Errorf("outcomes %v (seen %d), want exactly %d", got, sum.Seen, len(want))
	}
	var leaked int
	if err := b.pool.QueryRow(context.Background(), `SELECT count(*) FROM chunks WHERE text LIKE '%outside secret%'`).Scan(&leaked); err != nil || leaked != 0 {
		t.Errorf("content from outside the root was stored (%d chunks, %v)", leaked, err)
	}
	var visible string
	if err := b.pool.QueryRow(context.Background(), `SELECT text FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.path = 'hidden.md'`).Scan(&visible); err != nil || visible != "seeme now" {
		t.Errorf("invisible characters kept: %q (%v)", visible, err)
	}
	var dirty string
	if err := b.pool.QueryRow(context.Background(), `SELECT text FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.path = 'dirty.txt'`).Scan(&dirty); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsRune(dirty, 0) || !strings.Contains(dirty, "NULs and bad bytes") {
		t.Errorf("cleaned text = %q", dirty)
	}
}

func TestGroupsFollowRules(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.write(t, "public.md", "# Public\n\ntext\n")
	b.write(t, "hr/deep/pay.md", "# Pay\n\ntext\n")
	b.write(t, "reports/acl_fin__q3.md", "# Q3\n\ntext\n")
	b.run(t)
	check := func(want map[string]string) {
		t.Helper()
		rows, err := b.pool.Query(context.Background(), `SELECT d.path, array_to_string(d.groups, ','), array_to_string(c.groups, ',')
			FROM documents d JOIN chunks c ON c.document_id = d.id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var p, dg, cg string
			if err := rows.Scan(&p, &dg, &cg); err != nil {
				t.Fatal(err)
			}
			if dg != want[p] || cg != want[p] {
				t.Errorf("%s: document groups %q, chunk groups %q, want %q", p, dg, cg, want[p])
			}
		}
	}
	check(map[string]string{"public.md": "staff", "hr/deep/pay.md": "hr", "reports/acl_fin__q3.md": "finance"})

	// Moving a file out of the restricted folder re-groups it on the next run.
	if err := os.Rename(filepath.Join(b.root, "hr/deep/pay.md"), filepath.Join(b.root, "pay.md")); err != nil {
		t.Fatal(err)
	}
	b.run(t)
	check(map[string]string{"public.md": "staff", "pay.md": "staff", "reports/acl_fin__q3.md": "finance"})
}

func TestMissingFolderFailsTheRun(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.src.Root = filepath.Join(b.root, "gone")
	if _, err := b.ix.Run(context.Background(), b.src); err == nil || !strings.Contains(err.Error(), "gone") {
		t.Fatalf("Run on a missing folder: %v, want an error naming it", err)
	}
}

// TestBulkFirstRunRebuildsTheSearchIndexes indexes enough files into an empty index for the
// bulk path, which drops the HNSW index and the postings' B-trees and builds them once at the
// end: all three must be back, the postings complete, and every kind of search must work.
func TestBulkFirstRunRebuildsTheSearchIndexes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for i := range 210 {
		b.write(t, filepath.Join("notes", strings.Repeat("n", 1+i%3)+strconv.Itoa(i)+".md"),
			"# Note "+strconv.Itoa(i)+"\n\nThe archive room keeps folder number "+strconv.Itoa(i)+" beside the ledgers.\n")
	}
	b.write(t, "parking.md", "# Parking\n\nBicycles are parked in the basement garage.\n")
	if sum := b.run(t); sum.Added != 211 || sum.Failed != 0 {
		t.Fatalf("first run: %+v", sum)
	}
	ctx := context.Background()
	var indexes int
	if err := b.pool.QueryRow(ctx, `SELECT count(*) FROM pg_indexes
		WHERE indexname IN ('chunks_embedding_hnsw', 'postings_impact', 'postings_pkey')`).Scan(&indexes); err != nil || indexes != 3 {
		t.Fatalf("%d of the 3 search indexes after the bulk run (%v)", indexes, err)
	}
	var missing int
	if err := b.pool.QueryRow(ctx, `SELECT count(*) FROM chunks c
		WHERE NOT EXISTS (SELECT 1 FROM postings p WHERE p.chunk_id = c.id)`).Scan(&missing); err != nil || missing != 0 {
		t.Fatalf("%d chunks without postings (%v)", missing, err)
	}
	s := &retrieve.Searcher{Pool: b.pool, Embedder: embedder.Local{}}
	for _, mode := range []string{"lexical", "vector", "hybrid"} {
		rs, err := s.Search(ctx, retrieve.Query{Text: "where are bicycles parked", Mode: mode, Groups: []string{"staff"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) == 0 || rs[0].Path != "parking.md" {
			t.Errorf("%s search after the bulk run: %v, want parking.md first", mode, rs)
		}
	}
	// A second run replaces a document: the delete trigger finds its postings by the rebuilt key.
	b.write(t, "parking.md", "# Parking\n\nScooters are parked in the courtyard.\n")
	if sum := b.run(t); sum.Updated != 1 {
		t.Fatalf("second run: %+v", sum)
	}
	var stale int
	if err := b.pool.QueryRow(ctx, `SELECT count(*) FROM postings WHERE lexeme = 'bicycl'`).Scan(&stale); err != nil || stale != 0 {
		t.Errorf("%d postings of the replaced text remain (%v)", stale, err)
	}
}

// TestRefusedFileFailsAloneInABatch: a first run's files are written several to a
// transaction; one whose row PostgreSQL refuses rolls its batch back, and the batch is written
// again file by file, so that file fails alone, with its reason, and the rest are indexed.
// Every file is reported once.
func TestRefusedFileFailsAloneInABatch(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.ix.Workers = 2
	ctx := context.Background()
	// One file refused at its document's row, one at a chunk's.
	for _, ddl := range []string{
		`ALTER TABLE documents ADD CONSTRAINT no_refused_title CHECK (title NOT LIKE '%Refused%')`,
		`ALTER TABLE chunks ADD CONSTRAINT no_poison CHECK (text NOT LIKE '%POISON%')`,
	} {
		if _, err := b.pool.Exec(ctx, ddl); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 220 {
		b.write(t, filepath.Join("notes", strconv.Itoa(i)+".md"),
			"# Note "+strconv.Itoa(i)+"\n\nThe archive room keeps folder number "+strconv.Itoa(i)+" beside the ledgers.\n")
	}
	b.write(t, "notes/50x.md", "# Refused\n\nA title the documents table refuses.\n")
	b.write(t, "notes/150x.md", "# Poisoned\n\nPOISON in the text the chunks table refuses.\n")
	var progress []source.Progress
	b.ix.Progress = func(p source.Progress) { progress = append(progress, p) }

	sum := b.run(t)
	if sum.Added != 220 || sum.Failed != 2 || sum.Seen != 222 {
		t.Errorf("summary %+v: want 220 added, 2 failed", sum)
	}
	got := b.outcomes(t)
	for p, constraint := range map[string]string{"notes/50x.md": "no_refused_title", "notes/150x.md": "no_poison"} {
		if r := got[p]; !strings.HasPrefix(r, "failed: the database refused it: ") || !strings.Contains(r, constraint) {
			t.Errorf("%s: outcome %q, want failed naming %s", p, r, constraint)
		}
	}
	var indexed, chunked, batched int
	if err := b.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'indexed'),
			count(*) FILTER (WHERE EXISTS (SELECT 1 FROM chunks c WHERE c.document_id = d.id)),
			count(DISTINCT xmin::text)
		FROM documents d`).Scan(&indexed, &chunked, &batched); err != nil {
		t.Fatal(err)
	}
	if indexed != 220 || chunked != 220 {
		t.Errorf("%d documents indexed, %d with chunks: want 220 each", indexed, chunked)
	}
	// One to a file would be 222; the two refused files' batches are written again one file
	// to a transaction (up to 64), and a worker that finds no file ready writes what it holds,
	// which a loaded machine makes more frequent: 69 here at load 1-5, so 150 leaves room.
	if batched >= 150 {
		t.Errorf("222 documents written in %d transactions: want several to a transaction", batched)
	}
	t.Logf("222 documents written in %d transactions", batched)
	// Each file once, counted in turn; then the index builds are announced.
	if len(progress) != 223 {
		t.Fatalf("%d progress calls: want one per file and one for the index builds", len(progress))
	}
	seen := map[string]bool{}
	for i, p := range progress[:222] {
		seen[p.Current] = true
		if p.Done != i+1 || p.Total != 222 {
			t.Fatalf("progress %d: %+v", i, p)
		}
	}
	if len(seen) != 222 || !seen["notes/50x.md"] || !seen["notes/150x.md"] {
		t.Errorf("progress named %d files: want each of the 222 once", len(seen))
	}
	if last := progress[222]; last.Done != 222 || last.Current != "(building the search indexes)" {
		t.Errorf("last progress %+v: want the index builds", last)
	}
}

// TestRedirectStubsAreSkipped: a page that a <meta http-equiv="refresh"> sends on at once is a
// stub left for an old address (Texinfo writes one per node, 144 of zsh's 186 pages), skipped
// with its target named rather than indexed as a hit with nothing to show; nor does it count
// as a page of the site, where it hid the footer repeated on every real page.
func TestRedirectStubsAreSkipped(t *testing.T) {
	t.Parallel()
	b := setup(t)
	footer := `<div class="footer"><p>This document was generated on February 5, 2023 using texi2any.</p></div>`
	for i, topic := range []string{"aliasing", "quoting", "redirection", "globbing", "history"} {
		b.write(t, "html/Page-"+strconv.Itoa(i)+".html", `<html><head><title>Page (zsh)</title></head><body>
<h2>`+topic+`</h2><p>How the shell treats `+topic+`, in detail.</p>`+footer+`</body></html>`)
	}
	for i, node := range []string{"Aliasing", "Quoting", "Redirection", "Globbing", "History", "Prompts"} {
		b.write(t, "html/Old-"+strconv.Itoa(i)+".html", `<html><head><title>`+node+` (zsh)</title>
<meta http-equiv="Refresh" content="0; url=Page-0.html#`+node+`"></head>
<body><p>The node you are looking for is at <a href="Page-0.html#`+node+`">`+node+`</a>.</p></body></html>`)
	}
	if sum := b.run(t); sum.Added != 5 || sum.Skipped != 6 {
		t.Fatalf("run: %+v, outcomes %v", sum, b.outcomes(t))
	}
	if got, want := b.outcomes(t)["html/Old-0.html"], "skipped: a redirect to Page-0.html#Aliasing"; got != want {
		t.Errorf("stub: %q, want %q", got, want)
	}
	var n int
	if err := b.pool.QueryRow(context.Background(), `SELECT count(*) FROM chunks WHERE text LIKE '%generated on%'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("the footer of every page is in %d chunks", n)
	}
}
