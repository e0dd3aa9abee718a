package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/postgres/pgtest"
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
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "hr"), 0o755)
	os.WriteFile(filepath.Join(root, "guide.md"), []byte("# Guide\n\nHow to file a claim.\n"), 0o644)
	os.WriteFile(filepath.Join(root, "hr", "pay.md"), []byte("# Pay\n\nBands.\n"), 0o644)
	os.WriteFile(filepath.Join(root, "photo.jpg"), []byte("\xff\xd8\xff"), 0o644)

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
		{args: []string{"sources", "list"}, want: []string{"docs", "staff", "hr/**=hr"}},
		{args: []string{"index"}, want: []string{"3 files seen: 2 added", "1 skipped", "indexer status docs"}},
		{args: []string{"index", "docs"}, want: []string{"2 unchanged", "1 skipped"}},
		{args: []string{"index", "nope"}, wantErr: "source nope: not found"},
		{args: []string{"status", "docs"}, want: []string{"2 documents", "skipped photo.jpg: unsupported file type"}},
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
