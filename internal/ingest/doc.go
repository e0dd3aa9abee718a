// Package ingest turns document folders into searchable chunks: it crawls a source's folder,
// extracts text and structure from each file, splits it into chunks along that structure, embeds
// them and replaces each document in one transaction. Runs are incremental: unchanged files are
// neither parsed nor embedded, deleted files disappear, and every file gets exactly one recorded
// outcome (indexed, skipped or failed, with the reason).
package ingest
