package ingest

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pgvector/pgvector-go"

	"github.com/docent-search/docent/internal/config"
	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/modelclient"
	"github.com/docent-search/docent/internal/postgres"
	"github.com/docent-search/docent/internal/source"
)

// Indexer brings a source's documents in the database up to date with its folder.
type Indexer struct {
	Pool     *pgxpool.Pool
	Embedder embedder.Embedder
	Log      *slog.Logger
	// Workers is how many files are parsed and embedded at once (default: one per core).
	Workers int
	// MaxFileSize skips larger files with a reason (default 100 MB).
	MaxFileSize int64
	// MaxChunks skips documents that would produce more chunks (default 10,000).
	MaxChunks int
	// MaxText skips files whose extracted text is larger (default 16 MiB).
	MaxText int
	// ParseTimeout fails files whose extraction takes longer (default 10s).
	ParseTimeout time.Duration
	// EmbedBatch is how many chunks go to the embedder at once (default 64).
	EmbedBatch int
	Chunking   ChunkOptions
	// TextSearchConfig is the PostgreSQL text-search configuration of chunks in no detected
	// language (default english).
	TextSearchConfig string
	// Languages limits language detection (DOCENT_LANGUAGES: ISO 639-1 codes, comma-separated;
	// "" every language PostgreSQL has a configuration for, "off" none): each chunk is indexed
	// with its language's configuration.
	Languages string
	// IndexBuildMemory is maintenance_work_mem for rebuilding the search indexes after a bulk
	// load (0: the server's setting).
	IndexBuildMemory int64
	// Progress, when set, is called after every file (never concurrently).
	Progress func(source.Progress)
	// OCR reads scanned PDF pages and images (nil: they are skipped with a reason).
	OCR *OCR

	extractor *Extractor // one per run
	root      *os.Root   // the source folder of this run: no file is opened outside it
	runState  *runState
}

// runState is what a run's workers share about the documents of attachments.
type runState struct {
	// known is what the database held for the source when the run began.
	known map[string]existing
	mu    sync.Mutex
	// attachments are the attachment documents written this run, reparsed the files opened
	// (see keepAttachment).
	attachments, reparsed map[string]bool
}

// NewIndexer returns an Indexer with the configured limits.
func NewIndexer(pool *pgxpool.Pool, e embedder.Embedder, cfg config.Config, log *slog.Logger) *Indexer {
	return &Indexer{Pool: pool, Embedder: e, Log: log, Workers: cfg.ParseWorkers, MaxFileSize: cfg.MaxFileSize,
		MaxText: int(cfg.MaxText), ParseTimeout: cfg.ParseTimeout, EmbedBatch: cfg.EmbedBatch,
		TextSearchConfig: cfg.TextSearchConfig, Languages: cfg.Languages, IndexBuildMemory: cfg.IndexBuildMemory,
		OCR: NewOCR(cfg.OCR, cfg.OCRLanguages)}
}

// outcome is what happened to one file.
type outcome int

const (
	added outcome = iota
	updated
	unchanged
	skipped
	failed
	// queued: held in the worker's batch; the file's outcome comes when the batch is written.
	queued
)

// existing is what the database holds for a file from an earlier run.
type existing struct {
	ID     int64
	Size   int64
	MTime  time.Time
	Hash   []byte
	Groups []string
	Status string
	Reason string
	// Extractor is the ExtractorVersion that produced the document.
	Extractor int
}

// Run indexes src. Per-file problems are recorded and counted, never returned: the error is
// for a run that cannot proceed at all (folder missing, database down, embedder refusing).
func (ix *Indexer) Run(ctx context.Context, src source.Source) (source.Summary, error) {
	run := ix.withDefaults()
	run.extractor = &Extractor{MaxText: run.MaxText, Timeout: run.ParseTimeout, OCR: run.OCR}
	defer run.extractor.Close()
	sum, err := run.run(ctx, src)
	// Access saved while the run went on queued no run of its own (one was under way), and
	// this one gave its files the groups it read at its start: narrower ones were applied
	// again as it ended, wider or moved ones (a folder's group replaced by another, which
	// the save hid from everyone meanwhile) need the files' groups worked out again. A second
	// pass does that, re-reading no unchanged file; a few at most, should saves go on.
	for range maxAccessPasses {
		if err != nil {
			return sum, err
		}
		now, gerr := source.Get(ctx, ix.Pool, src.Name)
		if gerr != nil || now.ID != src.ID || source.SameAccess(now, src) {
			return sum, nil // removed (with its documents), or unchanged
		}
		ix.Log.Info("access changed during the run: applying it", "source", src.Name)
		src = now
		var again source.Summary
		again, err = run.run(ctx, src)
		sum = again.After(sum)
	}
	return sum, err
}

// maxAccessPasses bounds the further passes a run makes for access saved while it ran.
const maxAccessPasses = 3

// RunReporting is Run with progress reported to progress, on a copy of ix: the form the
// re-index queue takes (reindex.IndexFunc), so each job gets its own callback.
func (ix Indexer) RunReporting(ctx context.Context, src source.Source, progress func(source.Progress)) (source.Summary, error) {
	ix.Progress = progress
	return ix.Run(ctx, src)
}

// withDefaults returns a copy of ix with unset settings filled in.
func (ix Indexer) withDefaults() *Indexer {
	ix.Workers = cmp.Or(ix.Workers, runtime.NumCPU())
	ix.MaxFileSize = cmp.Or(ix.MaxFileSize, 100<<20)
	ix.MaxChunks = cmp.Or(ix.MaxChunks, 10000)
	ix.EmbedBatch = cmp.Or(ix.EmbedBatch, 64)
	ix.TextSearchConfig = cmp.Or(ix.TextSearchConfig, postgres.DefaultTextSearchConfig)
	if ix.Chunking.TargetWords == 0 {
		ix.Chunking = DefaultChunkOptions
	}
	if ix.Log == nil {
		ix.Log = slog.New(slog.DiscardHandler)
	}
	return &ix
}

// bulkFiles is the size of a first run from which the vector index is built after loading.
const bulkFiles = 200

func (ix *Indexer) run(ctx context.Context, src source.Source) (sum source.Summary, runErr error) {
	start := time.Now()
	sum.Source = src.Name
	realRoot, err := ix.checkRoot(ctx, src)
	if err != nil {
		return sum, err
	}
	if ix.root, err = os.OpenRoot(realRoot); err != nil {
		return sum, fmt.Errorf("source %s: reading folder %s: %w", src.Name, realRoot, err)
	}
	defer ix.root.Close()
	files, err := crawl(realRoot)
	if err != nil {
		return sum, fmt.Errorf("source %s: reading folder %s: %w", src.Name, realRoot, err)
	}
	// Vectors of another model would silently poison the index.
	if err := embedder.Attach(ctx, ix.Pool, ix.Embedder); err != nil {
		return sum, err
	}
	tsConfigs, err := loadTextConfigs(ctx, ix.Pool, ix.TextSearchConfig, ix.Languages)
	if err != nil {
		return sum, err
	}
	known, err := ix.loadExisting(ctx, src.ID)
	if err != nil {
		return sum, err
	}
	ix.runState = &runState{known: known, attachments: map[string]bool{}, reparsed: map[string]bool{}}
	ix.extractor.repeated = ix.repeatedBlocks(ctx, src, files, known)
	// Into an empty index, load first and build the vector index once at the end.
	var empty bool
	if err := ix.Pool.QueryRow(ctx, `SELECT NOT EXISTS (SELECT 1 FROM chunks)`).Scan(&empty); err != nil {
		return sum, fmt.Errorf("reading the index: %w", err)
	}
	bulk := empty && len(files) >= bulkFiles
	if bulk {
		if err := postgres.DropSearchIndexes(ctx, ix.Pool); err != nil {
			return sum, err
		}
		defer func() {
			// Even after a failure or cancellation, what was loaded gets its index.
			if bulk {
				if err := postgres.BuildSearchIndexes(context.WithoutCancel(ctx), ix.Pool, ix.IndexBuildMemory); err != nil && runErr == nil {
					runErr = err
				}
			}
		}()
	}
	sum.Seen = len(files)
	// Access narrowed while the run went on has to hold for the files it wrote since, however
	// the run ends: saving queues no run while one is under way, so after a failed or
	// cancelled one nothing else would narrow them again.
	defer func() {
		if _, err := source.Narrow(context.WithoutCancel(ctx), ix.Pool, src); err != nil && runErr == nil {
			runErr = err
		}
	}()

	var (
		mu       sync.Mutex
		done     int
		firstErr error
		jobs     = make(chan file)
		wg       sync.WaitGroup
	)
	if bulk {
		// Each worker fills its batch from the queue even while the goroutine sending the files
		// waits for a core: unbuffered, a worker busy parsing on each core often found no file
		// ready and wrote its batch early (TestRefusedFileFailsAloneInABatch's 222 small files
		// took 100 transactions, not 69).
		jobs = make(chan file, ix.Workers*batchFiles)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	report := func(f file, res outcome, chunks, embedded int, err error) {
		mu.Lock()
		defer mu.Unlock()
		done++
		if err != nil && firstErr == nil && ctx.Err() == nil {
			firstErr = err
			cancel()
		}
		sum.Chunks += chunks
		sum.Embedded += embedded
		switch res {
		case added:
			sum.Added++
		case updated:
			sum.Updated++
		case unchanged:
			sum.Unchanged++
		case skipped:
			sum.Skipped++
		case failed:
			sum.Failed++
		}
		if ix.Progress != nil {
			ix.Progress(source.Progress{Source: src.Name, Done: done, Total: len(files), Current: f.Rel, Started: start})
		}
	}
	for range ix.Workers {
		wg.Go(func() {
			var batch *writeBatch // a first run's files are written several to a transaction
			if bulk {
				batch = &writeBatch{}
			}
			flush := func() {
				for _, w := range ix.flush(ctx, src, batch) {
					report(w.f, w.res, w.chunks, w.embedded, w.err)
				}
			}
			for {
				var f file
				var ok bool
				select {
				case f, ok = <-jobs:
				default:
					// Nothing ready: what is held is written now, not when the next file comes.
					flush()
					f, ok = <-jobs
				}
				if !ok {
					flush()
					return
				}
				if batch != nil && ctx.Err() != nil {
					continue // a cancelled run reads none of the files still queued
				}
				res, chunks, embedded, err := ix.indexFile(ctx, src, f, known[f.Rel], tsConfigs, 0, batch)
				if res != queued {
					report(f, res, chunks, embedded, err)
				}
				if batch.full() {
					flush()
				}
			}
		})
	}
	seen := make(map[string]bool, len(files))
	for _, f := range files {
		seen[f.Rel] = true
		select {
		case jobs <- f:
		case <-ctx.Done():
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return sum, firstErr
	}
	if err := ctx.Err(); err != nil {
		return sum, err
	}
	for rel, e := range known {
		if seen[rel] || ix.keepAttachment(rel, seen) {
			continue
		}
		if _, err := ix.Pool.Exec(ctx, `DELETE FROM documents WHERE id = $1`, e.ID); err != nil {
			return sum, fmt.Errorf("removing %s (gone from disk): %w", rel, err)
		}
		sum.Deleted++
	}
	if bulk && ix.Progress != nil {
		ix.Progress(source.Progress{Source: src.Name, Done: len(files), Total: len(files), Current: "(building the search indexes)", Started: start})
	}
	ix.Log.Debug("indexing run", "phase", "files", "took", time.Since(start).Round(time.Millisecond))
	// Term statistics follow the index, but recomputing them reads every chunk: after a small
	// change (a watched folder's one edited file) they are refreshed only when over ten minutes
	// old, since a few documents barely move a word's rarity.
	var stale bool
	var statChunks int64
	if err := ix.Pool.QueryRow(ctx, `SELECT coalesce((SELECT refreshed_at < now() - interval '10 minutes' FROM corpus_stats), true),
		coalesce((SELECT chunks FROM corpus_stats), 0)`).Scan(&stale, &statChunks); err != nil {
		return sum, fmt.Errorf("reading term statistics: %w", err)
	}
	changed := sum.Added + sum.Updated + sum.Deleted
	refresh := changed > 0 && (stale || int64(sum.Chunks)*100 >= statChunks || sum.Deleted*100 >= len(known)) || statChunks == 0 && sum.Chunks > 0
	// Also after an ordinary run: a bulk load cut short by a database outage could not build
	// the indexes it had dropped. When they exist this is a catalogue lookup. After a bulk
	// load the statistics are computed during the HNSW build, on the other core.
	if err := buildIndexes(ctx, ix.Pool, ix.IndexBuildMemory, refresh, ix.Log); err != nil {
		return sum, err
	}
	bulk = false
	sum.Elapsed = time.Since(start).Round(time.Millisecond)
	return sum, ix.recordRun(ctx, src, sum)
}

// recordRun stores sum as the source's last run.
func (ix *Indexer) recordRun(ctx context.Context, src source.Source, sum source.Summary) error {
	last, _ := json.Marshal(sum)
	if _, err := ix.Pool.Exec(ctx, `UPDATE sources SET last_run_at = now(), last_run = $2 WHERE id = $1`, src.ID, last); err != nil {
		return fmt.Errorf("recording the run of source %s: %w", src.Name, err)
	}
	return nil
}

// checkRoot returns the real path of src's folder, refusing (and recording as the run's
// outcome) a root that no longer resolves to the real path stored when the source was added:
// a symlink in its path re-pointed since would otherwise move the source to any folder,
// past the DOCENT_SOURCE_ROOTS check made when it was added. A source stored before roots were
// resolved gets its real path stored now.
func (ix *Indexer) checkRoot(ctx context.Context, src source.Source) (string, error) {
	real, err := filepath.EvalSymlinks(src.Root)
	if err != nil {
		return "", fmt.Errorf("source %s: reading folder %s: %w", src.Name, src.Root, err)
	}
	switch {
	case !src.RootResolved:
		if _, err := ix.Pool.Exec(ctx, `UPDATE sources SET root = $2, root_resolved = true WHERE id = $1`, src.ID, real); err != nil {
			return "", fmt.Errorf("storing the real path of source %s: %w", src.Name, err)
		}
		ix.Log.Info("source folder stored as its real path", "source", src.Name, "root", src.Root, "real", real)
	case real != src.Root:
		err := fmt.Errorf("source %s: its folder %s now resolves to %s: a symlink in that path changed since the source was added, "+
			"so the run is refused (to index the new folder, remove the source and add it again)", src.Name, src.Root, real)
		if rerr := ix.recordRun(ctx, src, source.Summary{Source: src.Name, Error: err.Error()}); rerr != nil {
			return "", errors.Join(err, rerr)
		}
		return "", err
	}
	return real, nil
}

func (ix *Indexer) loadExisting(ctx context.Context, sourceID int64) (map[string]existing, error) {
	rows, err := ix.Pool.Query(ctx, `SELECT path, id, size, mtime, hash, groups, status, reason, extractor FROM documents WHERE source_id = $1`, sourceID)
	if err != nil {
		return nil, fmt.Errorf("reading indexed documents: %w", err)
	}
	defer rows.Close()
	out := map[string]existing{}
	for rows.Next() {
		var rel string
		var e existing
		var mtime *time.Time
		if err := rows.Scan(&rel, &e.ID, &e.Size, &mtime, &e.Hash, &e.Groups, &e.Status, &e.Reason, &e.Extractor); err != nil {
			return nil, fmt.Errorf("reading indexed documents: %w", err)
		}
		if mtime != nil {
			e.MTime = *mtime
		}
		out[rel] = e
	}
	return out, rows.Err()
}

// record stores the document of a file that is not indexed, with the reason (status "skipped"
// or "failed"), and returns its outcome. With a batch the document is held there (queued).
func (ix *Indexer) record(ctx context.Context, src source.Source, f file, groups []string, status, reason string, hash []byte, batch *writeBatch) (outcome, int, int, error) {
	// A message that is no longer read keeps none of its attachments (keepAttachment).
	ix.runState.mu.Lock()
	ix.runState.reparsed[f.Rel] = true
	ix.runState.mu.Unlock()
	// Reasons can quote a parser's view of the file: keep them storable.
	reason = strings.ToValidUTF8(strings.ReplaceAll(reason, "\x00", ""), "\uFFFD")
	out := skipped
	log := ix.Log.With("source", src.Name, "path", f.Rel)
	if status == "failed" {
		out = failed
		log.Warn("file failed", "reason", reason)
	} else {
		log.Info("file skipped", "reason", reason)
	}
	doc := document{Status: status, Reason: reason, Hash: hash, Groups: groups}
	if batch != nil {
		batch.add(pendingWrite{f: f, doc: doc, res: out})
		return queued, 0, 0, nil
	}
	return out, 0, 0, ix.writeDocument(ctx, src, f, doc, nil, nil, nil)
}

// indexFile brings one file's document up to date; depth counts the attachments it is nested
// in (0 for a file on disk). The error return is reserved for failures of the run itself
// (database, embedder); a bad file is an outcome. With a batch (a first run's files on disk),
// the document is held there and the outcome is queued, unless the file has attachments,
// which are indexed once their message is stored.
func (ix *Indexer) indexFile(ctx context.Context, src source.Source, f file, old existing, tsConfigs textConfigs, depth int, batch *writeBatch) (res outcome, chunks, embedded int, err error) {
	groups, readable := groupsOf(src, f)
	if !readable {
		groups = src.GroupsFor(f.Raw) // what the row of the skipped file records
	}
	if depth > 0 {
		groups = f.groups // an attachment is readable by whoever may read its message
	}
	record := func(status, reason string, hash []byte) (outcome, int, int, error) {
		return ix.record(ctx, src, f, groups, status, reason, hash, batch)
	}
	switch {
	case f.Fail != "":
		return record("failed", f.Fail, nil)
	case f.Skip != "":
		return record("skipped", f.Skip, nil)
	case !readable:
		return record("skipped", fmt.Sprintf("symlink to %s: the groups of the link (%s) and of its target (%s) have none in common, so no reader may see it",
			source.EscapePath(f.Target), strings.Join(src.GroupsFor(f.Raw), ","), strings.Join(src.GroupsFor(f.Target), ",")), nil)
	}
	sameGroups := source.SameGroups(old.Groups, groups)
	// A scan skipped while OCR was off is read again once it is on.
	awaitsOCR := ix.OCR != nil && strings.Contains(old.Reason, ocrOffMarker)
	if depth == 0 && sameFile(old, f) && sameGroups && !awaitsOCR {
		// Not even opened. A file that was skipped or failed keeps that outcome until it changes.
		switch old.Status {
		case "skipped":
			return skipped, 0, 0, nil
		case "failed":
			return failed, 0, 0, nil
		}
		return unchanged, 0, 0, nil
	}
	switch {
	case f.Size > ix.MaxFileSize:
		return record("skipped", fmt.Sprintf("larger than %d MB", ix.MaxFileSize>>20), nil)
	case source.Supported(f.Rel) == "":
		return record("skipped", source.SkipReason(f.Rel), nil)
	}
	data := f.data
	if depth == 0 {
		data, err = readFile(ix.root, f, ix.MaxFileSize)
	}
	if err != nil {
		if errors.Is(err, errReplaced) {
			f.MTime = time.Time{} // never "unchanged": the next run reads whatever is there then
		}
		return record("failed", "cannot read: "+plainError(err), nil)
	}
	sum := sha256.Sum256(data)
	if old.ID != 0 && old.Extractor == ExtractorVersion && bytes.Equal(old.Hash, sum[:]) && !awaitsOCR {
		// Same content under a new mtime, or new groups: no parsing, no embedding.
		if err := ix.touchDocument(ctx, old.ID, f, groups); err != nil {
			return 0, 0, 0, err
		}
		if sameGroups {
			return unchanged, 0, 0, nil
		}
		return updated, 0, 0, nil
	}
	ix.runState.mu.Lock()
	ix.runState.reparsed[f.Rel] = true
	ix.runState.mu.Unlock()
	parsed, err := ix.extractor.Parse(f.Rel, data)
	var skip ErrSkip
	if errors.As(err, &skip) {
		return record("skipped", skip.Reason, sum[:])
	}
	if err != nil {
		return record("failed", err.Error(), sum[:])
	}
	body, cs := Layout(parsed, ix.Chunking)
	if len(cs) > ix.MaxChunks {
		return record("skipped", fmt.Sprintf("too long: %d chunks, the limit is %d", len(cs), ix.MaxChunks), sum[:])
	}
	vecs, embedded, err := ix.embedChunks(ctx, old.ID, parsed.Title, cs)
	if err != nil {
		if fileLevel(err) {
			return record("failed", "embedding failed: "+err.Error(), sum[:])
		}
		return 0, 0, 0, fmt.Errorf("embedding %s: %w", f.Rel, err)
	}
	doc := document{Title: parsed.Title, Type: source.Supported(f.Rel), Hash: sum[:], Groups: groups, Status: "indexed", Body: body,
		Reason: ocrOutcome(parsed)}
	langs := tsConfigs.assign(cs)
	if batch != nil && len(parsed.Attachments) == 0 {
		res = updated
		if old.ID == 0 {
			res = added
		}
		batch.add(pendingWrite{f: f, doc: doc, cs: cs, vecs: vecs, langs: langs, res: res, chunks: len(cs), embedded: embedded})
		return queued, 0, 0, nil
	}
	if err := ix.writeDocument(ctx, src, f, doc, cs, vecs, langs); err != nil {
		if !documentError(err) {
			return 0, 0, 0, err
		}
		// Rolled back alone: this file fails, the run goes on.
		return record("failed", "the database refused it: "+pgMessage(err), sum[:])
	}
	chunks = len(cs)
	for _, a := range parsed.Attachments {
		if depth >= maxAttachmentDepth {
			break
		}
		af := file{Rel: AttachmentPath(f.Rel, source.EscapePath(a.Name)), Raw: AttachmentPath(f.Raw, a.Name), Size: int64(len(a.Data)),
			MTime: f.MTime, data: a.Data, groups: groups}
		ix.runState.mu.Lock()
		ix.runState.attachments[af.Rel] = true
		ix.runState.mu.Unlock()
		_, c, e, err := ix.indexFile(ctx, src, af, ix.runState.known[af.Rel], tsConfigs, depth+1, nil)
		if err != nil {
			return 0, 0, 0, err
		}
		chunks += c
		embedded += e
	}
	if old.ID == 0 {
		return added, chunks, embedded, nil
	}
	return updated, chunks, embedded, nil
}

// maxAttachmentDepth bounds attachments within attachments (a forwarded message that carries
// a forwarded message…): deeper ones are listed in their message's text, not indexed.
const maxAttachmentDepth = 3

// keepAttachment reports whether the document at rel, which is not a file on disk, is an
// attachment to keep: its message is on disk and was either left unopened this run (unchanged)
// or re-read and still carries it. A message skipped or failed this run counts as re-read
// without attachments, so they do not stay searchable from its last readable version.
func (ix *Indexer) keepAttachment(rel string, seen map[string]bool) bool {
	for p := rel; ; {
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			return false
		}
		if p = p[:i]; seen[p] {
			return !ix.runState.reparsed[p] || ix.runState.attachments[rel]
		}
	}
}

// ocrOutcome is what a document's outcome records of OCR: how many pages it read, and what it
// could not.
func ocrOutcome(p Parsed) string {
	if p.OCRPages == 0 && p.OCRNote == "" {
		return ""
	}
	out := fmt.Sprintf("OCR: %d pages", p.OCRPages)
	if p.OCRPages == 1 {
		out = "OCR: 1 page"
	}
	if p.OCRNote != "" {
		out += "; " + p.OCRNote
	}
	return out
}

// sameFile reports a file that was indexed before, by the current extraction, with the same
// size and modification time: it need not even be opened.
func sameFile(old existing, f file) bool {
	return old.ID != 0 && old.Extractor == ExtractorVersion && old.Size == f.Size && old.MTime.Equal(f.MTime.Truncate(time.Microsecond))
}

// fileLevel reports embedding errors caused by this file's content (the server refused this
// input, or answered it inconsistently), which fail the file, not the run. Unreachable servers,
// rate limits, bad credentials and unknown models fail the run: every file would fail alike.
func fileLevel(err error) bool {
	var se *modelclient.StatusError
	if errors.As(err, &se) {
		switch se.Status {
		case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusTooManyRequests:
			return false
		}
		return se.Status >= 400 && se.Status < 500
	}
	return errors.Is(err, embedder.ErrInconsistent) || errors.Is(err, modelclient.ErrBadResponse)
}

// documentError reports a storage error caused by the document's own data, which PostgreSQL
// refused: a data exception (an invalid byte sequence, a value out of range), an integrity
// constraint, or a size limit (an index row or tsvector too large). The document's
// transaction is rolled back and the file fails; the run goes on. Any other error (the
// database unreachable, out of disk or shutting down, the run cancelled) would fail every
// later file alike, and fails the run.
func documentError(err error) bool {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return false
	}
	switch pg.Code[:2] {
	case "22", "23", "54":
		return true
	}
	return false
}

// pgMessage is PostgreSQL's own message for err, without the path the wrapping repeats.
func pgMessage(err error) string {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Message + " (SQLSTATE " + pg.Code + ")"
	}
	return err.Error()
}

// errReplaced is why a file that changed identity between listing and reading is not read:
// its groups were worked out for the file listed, not for whatever a link now points to.
var errReplaced = errors.New("replaced while the run was in progress; the next run reads it")

// readFile reads the content of f, which must still be the file listed, within the run's
// root. It reads at most limit bytes: a file that grew past the limit since it was listed is
// refused rather than read whole.
func readFile(root *os.Root, lf file, limit int64) ([]byte, error) {
	f, fi, err := source.OpenRegular(root, lf.Open)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if !os.SameFile(fi, lf.info) {
		return nil, errReplaced
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("grew past %d MB while being read", limit>>20)
	}
	return data, nil
}

// EmbedText is what is embedded for a chunk: its title and heading path give a passage its
// context ("Travel › Booking" tells what "it" refers to).
func EmbedText(title, heading, text string) string {
	return title + "\n" + heading + "\n" + text
}

// embedChunks returns a vector per chunk, reusing the stored vector of any chunk of the same
// document whose embedded text is unchanged.
func (ix *Indexer) embedChunks(ctx context.Context, docID int64, title string, cs []Chunk) ([][]float32, int, error) {
	reuse := map[[32]byte][]float32{}
	if docID != 0 {
		rows, err := ix.Pool.Query(ctx, `SELECT text_hash, embedding FROM chunks WHERE document_id = $1 AND embedding IS NOT NULL`, docID)
		if err != nil {
			return nil, 0, fmt.Errorf("reading stored vectors: %w", err)
		}
		for rows.Next() {
			var h []byte
			var v pgvector.Vector
			if err := rows.Scan(&h, &v); err != nil {
				rows.Close()
				return nil, 0, fmt.Errorf("reading stored vectors: %w", err)
			}
			reuse[[32]byte(h)] = v.Slice()
		}
		rows.Close()
	}
	vecs := make([][]float32, len(cs))
	var todo []int
	var texts []string
	for i, c := range cs {
		t := EmbedText(title, c.Heading, c.Text)
		if v, ok := reuse[sha256.Sum256([]byte(t))]; ok {
			vecs[i] = v
			continue
		}
		todo = append(todo, i)
		texts = append(texts, t)
	}
	batch := ix.EmbedBatch
	for lo := 0; lo < len(texts); lo += batch {
		hi := min(lo+batch, len(texts))
		out, err := ix.Embedder.EmbedDocuments(ctx, texts[lo:hi])
		if err != nil {
			return nil, 0, err
		}
		if len(out) != hi-lo {
			return nil, 0, fmt.Errorf("%w: %d vectors for %d texts", embedder.ErrInconsistent, len(out), hi-lo)
		}
		for k, v := range out {
			vecs[todo[lo+k]] = v
		}
	}
	return vecs, len(texts), nil
}
