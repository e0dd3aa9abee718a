package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// SearchMemory is how the vector index compares with PostgreSQL's shared buffers, which is
// what sets search latency once a corpus is large: an HNSW search reads thousands of the
// graph's pages scattered over it (SCALING.md, section 1).
type SearchMemory struct {
	// VectorIndex is the HNSW graph's size in bytes; 0 while there is none (no passages yet,
	// or dropped for a first load).
	VectorIndex int64
	// SharedBuffers is shared_buffers in bytes.
	SharedBuffers int64
	// HugePages is whether PostgreSQL's shared memory is in huge pages: "on" or "off" from
	// PostgreSQL 17 (huge_pages_status), "" where the server cannot say.
	HugePages string
}

// hugePagesWorth is the graph size from which 4 KB pages cost searches measurably: every
// connection faults in the pages it touches, one by one (on 94,190 passages, a 733 MB graph,
// hybrid p95 67-82 ms without huge pages and 26-32 ms with them).
const hugePagesWorth = 256 << 20

// ReadSearchMemory reads the vector index's size and the buffer settings.
func ReadSearchMemory(ctx context.Context, pool *pgxpool.Pool) (SearchMemory, error) {
	var m SearchMemory
	err := pool.QueryRow(ctx, `SELECT coalesce(pg_relation_size(to_regclass('chunks_embedding_hnsw')), 0),
		pg_size_bytes(current_setting('shared_buffers')),
		coalesce(current_setting('huge_pages_status', true), '')`).Scan(&m.VectorIndex, &m.SharedBuffers, &m.HugePages)
	if err != nil {
		return m, fmt.Errorf("reading the vector index's size and shared_buffers: %w", err)
	}
	if m.HugePages == "unknown" {
		m.HugePages = ""
	}
	return m, nil
}

// String says it in one line, sizes in MiB.
func (m SearchMemory) String() string {
	s := fmt.Sprintf("vector index %d MiB, shared_buffers %d MiB", m.VectorIndex>>20, m.SharedBuffers>>20)
	if m.HugePages != "" {
		s += ", huge pages " + m.HugePages
	}
	return s
}

// Advice is what an administrator should change for searches to stay fast, one sentence
// each; none when nothing needs to.
func (m SearchMemory) Advice() []string {
	var out []string
	if m.VectorIndex > m.SharedBuffers {
		out = append(out, fmt.Sprintf("the vector index (%d MiB) does not fit in shared_buffers (%d MiB): searches read the graph through the operating system; give PostgreSQL more shared_buffers (SCALING.md, section 1)",
			m.VectorIndex>>20, m.SharedBuffers>>20))
	}
	if m.HugePages == "off" && m.VectorIndex >= hugePagesWorth {
		out = append(out, fmt.Sprintf("PostgreSQL runs without huge pages and the vector index is %d MiB: each connection's first searches wait on page faults; reserve huge pages (SCALING.md, section 1)",
			m.VectorIndex>>20))
	}
	return out
}
