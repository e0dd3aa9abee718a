package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/docent-search/docent/internal/postgres/pgtest"
)

// TestMain lets a test start this binary as the real indexer process: with DOCENT_TEST_MAIN=1
// it runs main instead of the tests.
func TestMain(m *testing.M) {
	if os.Getenv("DOCENT_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// indexerProcess prepares this test binary to run as the indexer with args against db.
func indexerProcess(t *testing.T, exe, db string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "DOCENT_TEST_MAIN=1", "DATABASE_URL="+db)
	return cmd
}

func self(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

func writeCorpus(t *testing.T, root string, n int) {
	t.Helper()
	for i := range n {
		dir := filepath.Join(root, fmt.Sprintf("d%02d", i%20))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		text := fmt.Sprintf("# Note %d\n\n%s\n\n## Details\n\n%s\n", i,
			strings.Repeat(fmt.Sprintf("Item %d concerns the quarterly budget review. ", i), 30),
			strings.Repeat("Approvals go to the finance team before Friday. ", 20))
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("n%04d.md", i)), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestKilledMidRun kills an indexing process with SIGKILL while it writes, then checks that no
// document is half-written and that the next run completes the work.
func TestKilledMidRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDatabase(t)
	root := t.TempDir()
	const files = 1500
	writeCorpus(t, root, files)
	if _, err := indexer(t, db, "sources", "add", "notes", root); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	cmd := indexerProcess(t, self(t), db, "index", "notes")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill once some, but not all, documents are in.
	deadline := time.Now().Add(60 * time.Second)
	for {
		var n int
		conn.QueryRow(ctx, `SELECT count(*) FROM documents`).Scan(&n)
		if n >= 100 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("only %d documents after 60 s", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	var docs, broken int
	err = conn.QueryRow(ctx, `SELECT count(*),
		count(*) FILTER (WHERE status = 'indexed' AND (
			NOT EXISTS (SELECT 1 FROM chunks c WHERE c.document_id = d.id)
			OR EXISTS (SELECT 1 FROM chunks c WHERE c.document_id = d.id AND (c.end_offset > length(convert_to(d.body, 'UTF8')) OR c.embedding IS NULL))))
		FROM documents d`).Scan(&docs, &broken)
	if err != nil {
		t.Fatal(err)
	}
	if docs == 0 || docs >= files {
		t.Fatalf("%d documents at the kill: the test did not catch the run midway", docs)
	}
	if broken != 0 {
		t.Fatalf("%d half-written documents visible after SIGKILL", broken)
	}

	out, err := indexer(t, db, "index", "notes")
	if err != nil {
		t.Fatalf("the run after the kill: %v\n%s", err, out)
	}
	var indexed int
	var hasIndex bool
	conn.QueryRow(ctx, `SELECT count(*), to_regclass('chunks_embedding_hnsw') IS NOT NULL FROM documents WHERE status = 'indexed'`).Scan(&indexed, &hasIndex)
	if indexed != files || !hasIndex {
		t.Fatalf("after the second run: %d of %d documents indexed, vector index present: %v\n%s", indexed, files, hasIndex, out)
	}
}

// TestUnreadableFile indexes, as an unprivileged user, a folder holding a file that user cannot
// read: the file is reported as failed and the rest is indexed. (Root reads everything, so
// the indexer runs as nobody here.)
func TestUnreadableFile(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDatabase(t)
	base, err := os.MkdirTemp("", "docent-unreadable-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	os.Chmod(base, 0o755)
	root := filepath.Join(base, "src")
	os.MkdirAll(root, 0o755)
	os.WriteFile(filepath.Join(root, "open.md"), []byte("# Open\n\nAnyone can read this.\n"), 0o644)
	os.WriteFile(filepath.Join(root, "locked.md"), []byte("# Locked\n\nNobody else.\n"), 0o600)
	if _, err := indexer(t, db, "sources", "add", "s", root); err != nil {
		t.Fatal(err)
	}

	cmd := indexerProcess(t, self(t), db, "index", "s")
	if os.Getuid() == 0 {
		// Run a copy of this binary that the unprivileged user can execute.
		exe := filepath.Join(base, "indexer.test")
		data, err := os.ReadFile(self(t))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(exe, data, 0o755); err != nil {
			t.Fatal(err)
		}
		cmd = indexerProcess(t, exe, db, "index", "s")
		cmd.Dir = base
		// Run outside the checkout, where the word vectors of docent-local-v3 are not found;
		// embeddings are not what this test is about.
		cmd.Env = append(cmd.Env, "HOME="+base, "GOCOVERDIR="+base, "DOCENT_EMBED_MODEL=docent-local-v2")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("indexer as an unprivileged user: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "1 added") || !strings.Contains(string(out), "1 failed") {
		t.Fatalf("summary: %s", out)
	}
	status, err := indexer(t, db, "status", "s")
	if err != nil || !strings.Contains(status, "failed locked.md: cannot read: permission denied") {
		t.Fatalf("status: %v\n%s", err, status)
	}
}
