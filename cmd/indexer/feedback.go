package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"

	"github.com/docent-search/docent/internal/insights"
)

// The command is registered beside its code, leaving the table in main.go as it was.
func init() {
	commands["feedback export"] = command{args: "--out DIR [--source NAME]", bind: feedbackExport,
		help: "Writes queries.jsonl and qrels.tsv from the answers rated 👍 (judged against the documents they cite) and the knowledge gaps resolved by a document; corpus ids are document paths, as eval matches them."}
}

// feedbackExport writes the regression set of real questions: what readers rated 👍 and the
// gaps admins resolved with a document, as BEIR files that `indexer eval` reads.
func feedbackExport(fs *flag.FlagSet) runFunc {
	out := fs.String("out", "", "folder to write queries.jsonl and qrels.tsv into (required)")
	src := fs.String("source", "", "judge only this source's documents, for 'indexer eval --source NAME'")
	return func(ctx context.Context, e *env, args []string) error {
		if *out == "" || len(args) > 0 {
			return errors.New("feedback export: want --out DIR and no arguments")
		}
		n, err := insights.Export(ctx, e.pool, *src, *out)
		if err != nil {
			return err
		}
		q, r := filepath.Join(*out, "queries.jsonl"), filepath.Join(*out, "qrels.tsv")
		fmt.Fprintf(e.out, "wrote %d queries (%d from answers rated 👍, %d from gaps resolved by a document) and %d judgments to %s and %s\n",
			n.Queries, n.Liked, n.Resolved, n.Judged, q, r)
		if n.Queries > 0 {
			source := ""
			if *src != "" {
				source = " --source " + *src
			}
			fmt.Fprintf(e.out, "measure with: indexer eval --queries %s --qrels %s%s\n", q, r, source)
		}
		return nil
	}
}
