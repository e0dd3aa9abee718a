package ingest

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pgvector/pgvector-go"

	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/postgres"
	"github.com/docent-search/docent/internal/source"
)

// Reembed switches the index to e's model and embeds every chunk again from its stored text:
// no file is read or parsed. It is resumable: an interrupted run leaves the chunks it did not
// reach without vectors, and the next run embeds just those, then builds the vector index with
// buildMemory (see postgres.BuildSearchIndexes).
func Reembed(ctx context.Context, pool *pgxpool.Pool, e embedder.Embedder, batch int, buildMemory int64, progress func(source.Progress)) (int, error) {
	dim, err := embedder.Dimension(ctx, e)
	if err != nil {
		return 0, err
	}
	want := postgres.Model{Name: e.Model(), Dimension: dim}
	cur, err := postgres.CurrentModel(ctx, pool)
	if err != nil {
		return 0, err
	}
	if cur != want {
		if err := postgres.ReplaceModel(ctx, pool, want); err != nil {
			return 0, err
		}
	}
	var total int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM chunks WHERE embedding IS NULL`).Scan(&total); err != nil {
		return 0, fmt.Errorf("counting chunks to embed: %w", err)
	}
	p := source.Progress{Source: "re-embedding", Total: total, Started: time.Now()}
	batch = max(batch, 1)
	for lastID := int64(0); ; {
		rows, err := pool.Query(ctx, `SELECT id, title, heading, text FROM chunks
			WHERE embedding IS NULL AND id > $1 ORDER BY id LIMIT $2`, lastID, batch)
		if err != nil {
			return p.Done, fmt.Errorf("reading chunks: %w", err)
		}
		var ids []int64
		var texts []string
		var id int64
		var title, heading, text string
		_, err = pgx.ForEachRow(rows, []any{&id, &title, &heading, &text}, func() error {
			ids = append(ids, id)
			texts = append(texts, EmbedText(title, heading, text))
			return nil
		})
		if err != nil {
			return p.Done, fmt.Errorf("reading chunks: %w", err)
		}
		if len(ids) == 0 {
			break
		}
		vecs, err := e.EmbedDocuments(ctx, texts)
		if err != nil {
			return p.Done, err
		}
		if len(vecs) != len(ids) {
			return p.Done, fmt.Errorf("embedder returned %d vectors for %d texts", len(vecs), len(ids))
		}
		pv := make([]pgvector.Vector, len(vecs))
		for i, v := range vecs {
			pv[i] = pgvector.NewVector(v)
		}
		if _, err := pool.Exec(ctx, `UPDATE chunks c SET embedding = u.v
			FROM unnest($1::bigint[], $2::vector[]) AS u(id, v) WHERE c.id = u.id`, ids, pv); err != nil {
			return p.Done, fmt.Errorf("storing vectors: %w", err)
		}
		lastID = ids[len(ids)-1]
		p.Done += len(ids)
		if progress != nil {
			progress(p)
		}
	}
	if err := postgres.BuildSearchIndexes(ctx, pool, buildMemory); err != nil {
		return p.Done, err
	}
	return p.Done, nil
}
