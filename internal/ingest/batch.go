package ingest

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/docent-search/docent/internal/source"
)

// A first run's files are written several to a transaction: up to batchFiles files or
// batchChunks chunks, whichever comes first, and sooner when no next file is ready. Per file, a
// transaction cost four round trips (begin, insert, COPY, commit), the goroutine and pipe pgx
// starts for each COPY, and a call of the chunks' statement trigger (postings_insert), which
// turns the COPY's rows into postings; a batch pays them once. On the benchmark's 10,000
// Markdown files (32,130 chunks, `go run ./cmd/bench -only indexing -runs 1 -write ""`, 2 cores
// shared, load average 1-5, three runs each, interleaved), the files phase's CPU seconds went
// from 21.7-25.3 in the indexer and 24.7-27.1 in PostgreSQL's backends to 15.2-15.9 and
// 17.0-17.3, its wall time from 28-44 s to 17-28 s; index contents identical. Larger batches
// were not measured: they would hold more parsed files in memory and delay their progress, to
// save part of the few hundred transactions left.
const (
	batchFiles  = 32
	batchChunks = 256
)

// pendingWrite is a file's document held for its worker's next batch, with the outcome the
// file gets once it is stored.
type pendingWrite struct {
	f                file
	doc              document
	cs               []Chunk
	vecs             [][]float32
	langs            []chunkLanguage
	res              outcome
	chunks, embedded int
}

// writeBatch is what one worker holds for its next transaction (bulk loads only: a later run
// writes each file as it comes, so a reader sees each change at once).
type writeBatch struct {
	held   []pendingWrite
	chunks int
}

func (b *writeBatch) add(w pendingWrite) {
	b.held = append(b.held, w)
	b.chunks += len(w.cs)
}

// full reports a batch to write before taking the next file.
func (b *writeBatch) full() bool {
	return b != nil && (len(b.held) >= batchFiles || b.chunks >= batchChunks)
}

// written is a file's outcome once its batch was written; err fails the run.
type written struct {
	f                file
	res              outcome
	chunks, embedded int
	err              error
}

// flush writes what b holds, empties it and returns each file's outcome in the order held. The
// batch is one transaction; should PostgreSQL refuse a row of it (documentError), it is rolled
// back and its files are written again one by one, so the file refused fails alone, with its
// path and reason, as it would have outside a batch.
func (ix *Indexer) flush(ctx context.Context, src source.Source, b *writeBatch) []written {
	if b == nil || len(b.held) == 0 {
		return nil
	}
	held := b.held
	b.held, b.chunks = nil, 0
	out := make([]written, len(held))
	err := ix.writeDocuments(ctx, src, held)
	if err == nil || !documentError(err) {
		for i, w := range held {
			out[i] = written{f: w.f, res: w.res, chunks: w.chunks, embedded: w.embedded, err: err}
		}
		return out
	}
	var runErr error
	for i, w := range held {
		out[i] = written{f: w.f, res: w.res, chunks: w.chunks, embedded: w.embedded, err: runErr}
		if runErr != nil { // an earlier file's error fails the run: the rest are not written
			continue
		}
		err := ix.writeDocument(ctx, src, w.f, w.doc, w.cs, w.vecs, w.langs)
		if err != nil && w.doc.Status == "indexed" && documentError(err) {
			// Rolled back alone: this file fails, the run goes on.
			out[i].res, out[i].chunks, out[i].embedded, err = ix.record(ctx, src, w.f, w.doc.Groups, "failed", "the database refused it: "+pgMessage(err), w.doc.Hash, nil)
		}
		out[i].err, runErr = err, err
	}
	return out
}

// writeDocuments stores the documents of several new or replaced files in one transaction:
// their rows inserted in one round trip, and all their chunks in one COPY.
func (ix *Indexer) writeDocuments(ctx context.Context, src source.Source, ws []pendingWrite) error {
	err := pgx.BeginTxFunc(ctx, ix.Pool, asyncCommit, func(tx pgx.Tx) error {
		ids := make([]int64, len(ws))
		var replaced []int64
		var b pgx.Batch
		for i, w := range ws {
			b.Queue(insertDocument, documentArgs(src, w.f, w.doc)...).QueryRow(func(row pgx.Row) error {
				var inserted bool
				if err := row.Scan(&ids[i], &inserted); err != nil {
					return fmt.Errorf("storing %s: %w", w.f.Rel, err)
				}
				if !inserted {
					replaced = append(replaced, ids[i])
				}
				return nil
			})
		}
		if err := tx.SendBatch(ctx, &b).Close(); err != nil {
			return err
		}
		if len(replaced) > 0 {
			if _, err := tx.Exec(ctx, `DELETE FROM chunks WHERE document_id = ANY($1)`, replaced); err != nil {
				return err
			}
		}
		var rows []chunkRow
		for i, w := range ws {
			rows = append(rows, chunkRows(ids[i], w.doc.Title, w.cs, w.vecs, nonNil(w.doc.Groups), w.langs)...)
		}
		return copyChunks(ctx, tx, rows)
	})
	if err != nil {
		return fmt.Errorf("storing %d files from %s on: %w", len(ws), ws[0].f.Rel, err)
	}
	return nil
}
