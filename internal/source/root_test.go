package source_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/docent-search/docent/internal/source"
)

// TestAddFolderNotUTF8: a folder whose name is not UTF-8 (Latin-1 "café", as file systems
// allow) is refused naming it, like the groups and globs Add checks; not with PostgreSQL's
// message about byte sequences.
func TestAddFolderNotUTF8(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	root := filepath.Join(t.TempDir(), "caf\xe9")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Skip("the file system refuses names that are not UTF-8:", err)
	}
	_, err := source.Add(context.Background(), pool, source.Source{Name: "docs", Root: root})
	if err == nil || strings.Contains(err.Error(), "SQLSTATE") || !strings.Contains(err.Error(), `caf\xe9`) {
		t.Errorf("Add: %v; want the folder refused, named, not PostgreSQL's message", err)
	}
}
