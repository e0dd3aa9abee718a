package ingest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"github.com/docent-search/docent/internal/source"
)

type document struct {
	Title, Type    string
	Hash           []byte
	Groups         []string
	Status, Reason string
	Body           string
}

// asyncCommit begins a transaction whose commit does not wait for its WAL to reach disk. A
// file's transaction waited 2-6 ms for the flush on this machine's disk (0.5-0.7 ms without):
// 10,000 files kept the two workers waiting 20-50 s in all. A PostgreSQL crash can lose the
// last fraction of a second of documents, never part of one, and the next run indexes those
// files again; the run's closing record is committed durably, and flushes them all with it.
var asyncCommit = pgx.TxOptions{BeginQuery: "BEGIN; SET LOCAL synchronous_commit = off"}

// insertDocument stores a file's document, or replaces the one stored at its path. It returns
// the document's id and whether the row is new: xmax is 0 on a row this statement inserted and
// the transaction's own id on one it updated on conflict. A new document has no chunks to
// delete, and skipping the DELETE spares a round trip and its statement trigger per file (a
// first run of 10,000 files issued 10,000 of them for nothing).
const insertDocument = `INSERT INTO documents (source_id, path, title, type, size, mtime, hash, groups, status, reason, body, extractor)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
	ON CONFLICT (source_id, md5(path)) DO UPDATE SET title = $3, type = $4, size = $5, mtime = $6, hash = $7,
		groups = $8, status = $9, reason = $10, body = $11, extractor = $12, indexed_at = now()
	RETURNING id, xmax = 0`

// documentArgs are insertDocument's arguments for file f's document d.
func documentArgs(src source.Source, f file, d document) []any {
	var mtime *time.Time
	if !f.MTime.IsZero() {
		mtime = &f.MTime
	}
	return []any{src.ID, f.Rel, d.Title, d.Type, f.Size, mtime, d.Hash, nonNil(d.Groups), d.Status, d.Reason, d.Body, ExtractorVersion}
}

// writeDocument replaces the file's document and chunks in one transaction: readers see the
// old version or the new one, never a mix.
func (ix *Indexer) writeDocument(ctx context.Context, src source.Source, f file, d document, cs []Chunk, vecs [][]float32, langs []chunkLanguage) error {
	err := pgx.BeginTxFunc(ctx, ix.Pool, asyncCommit, func(tx pgx.Tx) error {
		var id int64
		var inserted bool
		if err := tx.QueryRow(ctx, insertDocument, documentArgs(src, f, d)...).Scan(&id, &inserted); err != nil {
			return err
		}
		if !inserted {
			if _, err := tx.Exec(ctx, `DELETE FROM chunks WHERE document_id = $1`, id); err != nil {
				return err
			}
		}
		return copyChunks(ctx, tx, chunkRows(id, d.Title, cs, vecs, nonNil(d.Groups), langs))
	})
	if err != nil {
		return fmt.Errorf("storing %s: %w", f.Rel, err)
	}
	return nil
}

// chunkRow is one row of the chunks table as the indexer and the bulk loader write it.
type chunkRow struct {
	DocumentID             int64
	Ordinal                int
	Title, Heading, Anchor string
	Page, Start, End       int
	Text                   string
	TextHash               []byte // of EmbedText: unchanged text keeps its vector on re-index
	Embedding              pgvector.Vector
	Groups                 []string
	Language               string   // ISO 639-1, "" when none was detected
	TSConfig               uint32   // the text-search configuration's oid
	Segmented              []string // title, heading and text as parsed for the index; nil: as written
	OCR                    bool
}

// chunkRows returns the rows of a document's chunks, with vecs[i] the vector of cs[i] and
// langs[i] its language.
func chunkRows(docID int64, title string, cs []Chunk, vecs [][]float32, groups []string, langs []chunkLanguage) []chunkRow {
	rows := make([]chunkRow, len(cs))
	for i, c := range cs {
		h := sha256.Sum256([]byte(EmbedText(title, c.Heading, c.Text)))
		rows[i] = chunkRow{DocumentID: docID, Ordinal: i, Title: title, Heading: c.Heading, Anchor: c.Anchor,
			Page: c.Page, Start: c.Start, End: c.End, Text: c.Text, TextHash: h[:],
			Embedding: pgvector.NewVector(vecs[i]), Groups: groups, Language: langs[i].Code, TSConfig: langs[i].TSConfig,
			Segmented: segmented(title, c.Heading, c.Text), OCR: c.OCR}
	}
	return rows
}

// copyChunks writes rows with COPY, the fastest way in: the column list and the values are
// written side by side here, once.
func copyChunks(ctx context.Context, tx pgx.Tx, rows []chunkRow) error {
	if len(rows) == 0 {
		return nil
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"chunks"}, []string{"document_id", "ordinal", "title", "heading", "anchor",
		"page", "start_offset", "end_offset", "text", "text_hash", "embedding", "groups", "language", "ts_config", "segmented", "ocr"},
		pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
			r := rows[i]
			return []any{r.DocumentID, r.Ordinal, r.Title, r.Heading, r.Anchor,
				r.Page, r.Start, r.End, r.Text, r.TextHash, r.Embedding, r.Groups, r.Language, r.TSConfig, r.Segmented, r.OCR}, nil
		}))
	return err
}

// touchDocument records a new mtime or new groups for content that did not change.
func (ix *Indexer) touchDocument(ctx context.Context, id int64, f file, groups []string) error {
	return pgx.BeginFunc(ctx, ix.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE documents SET size = $2, mtime = $3, groups = $4 WHERE id = $1`, id, f.Size, f.MTime, nonNil(groups)); err != nil {
			return fmt.Errorf("updating %s: %w", f.Rel, err)
		}
		if _, err := tx.Exec(ctx, `UPDATE chunks SET groups = $2 WHERE document_id = $1 AND groups <> $2`, id, nonNil(groups)); err != nil {
			return fmt.Errorf("updating groups of %s: %w", f.Rel, err)
		}
		// The documents of its attachments, at paths below the file's own (a file is no
		// folder, so nothing else is there), are read by whoever may read the file.
		if _, err := tx.Exec(ctx, `WITH a AS (
				UPDATE documents SET groups = $3 WHERE source_id = (SELECT source_id FROM documents WHERE id = $1)
					AND starts_with(path, $2) AND groups <> $3 RETURNING id)
			UPDATE chunks SET groups = $3 WHERE document_id IN (SELECT id FROM a)`, id, f.Rel+"/", nonNil(groups)); err != nil {
			return fmt.Errorf("updating groups of the attachments of %s: %w", f.Rel, err)
		}
		return nil
	})
}
