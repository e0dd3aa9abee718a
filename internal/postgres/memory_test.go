package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/postgres"
	"github.com/docent-search/docent/internal/postgres/pgtest"
)

func TestReadSearchMemory(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	// A graph to measure: the migrations leave chunks empty, and an HNSW index over no rows
	// still has its metapage and entry pages.
	if err := postgres.EnsureModel(ctx, pool, postgres.Model{Name: "test", Dimension: 8}); err != nil {
		t.Fatal(err)
	}
	m, err := postgres.ReadSearchMemory(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	var index, buffers int64
	if err := pool.QueryRow(ctx, `SELECT pg_relation_size('chunks_embedding_hnsw'),
		(SELECT setting::int8 * current_setting('block_size')::int8 FROM pg_settings WHERE name = 'shared_buffers')`).Scan(&index, &buffers); err != nil {
		t.Fatal(err)
	}
	if index == 0 || m.VectorIndex != index || m.SharedBuffers != buffers {
		t.Errorf("read %+v, want the vector index's %d bytes and shared_buffers' %d", m, index, buffers)
	}
	if _, err := pool.Exec(ctx, `DROP INDEX chunks_embedding_hnsw`); err != nil {
		t.Fatal(err)
	}
	if m, err = postgres.ReadSearchMemory(ctx, pool); err != nil || m.VectorIndex != 0 {
		t.Errorf("without the index: %+v, %v; want a vector index of 0 bytes", m, err)
	}
}

func TestSearchMemoryAdvice(t *testing.T) {
	const mib = 1 << 20
	for _, tc := range []struct {
		name string
		m    postgres.SearchMemory
		want []string // a word of each piece of advice, in order
	}{
		{"fits", postgres.SearchMemory{VectorIndex: 733 * mib, SharedBuffers: 4096 * mib}, nil},
		{"no index yet", postgres.SearchMemory{SharedBuffers: 128 * mib, HugePages: "off"}, nil},
		{"larger than the buffers", postgres.SearchMemory{VectorIndex: 733 * mib, SharedBuffers: 128 * mib}, []string{"733 MiB) does not fit in shared_buffers (128 MiB)"}},
		{"without huge pages", postgres.SearchMemory{VectorIndex: 733 * mib, SharedBuffers: 4096 * mib, HugePages: "off"}, []string{"without huge pages"}},
		{"both", postgres.SearchMemory{VectorIndex: 733 * mib, SharedBuffers: 512 * mib, HugePages: "off"}, []string{"does not fit", "without huge pages"}},
		{"small graph, no huge pages", postgres.SearchMemory{VectorIndex: 40 * mib, SharedBuffers: 128 * mib, HugePages: "off"}, nil},
		{"with huge pages", postgres.SearchMemory{VectorIndex: 733 * mib, SharedBuffers: 4096 * mib, HugePages: "on"}, nil},
	} {
		got := tc.m.Advice()
		if len(got) != len(tc.want) {
			t.Errorf("%s: %q, want %d pieces of advice", tc.name, got, len(tc.want))
			continue
		}
		for i, w := range tc.want {
			if !strings.Contains(got[i], w) || !strings.Contains(got[i], "SCALING.md") {
				t.Errorf("%s: advice %d is %q, want it to say %q and where to read more", tc.name, i, got[i], w)
			}
		}
	}
}
