package retrieve_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/retrieve"
	"github.com/docent-search/docent/internal/wordvec"
)

// A question in other words than its answer: full text matches only an incidental word ("get")
// in the wrong documents, the word-vector embedder finds the answer, and the
// fusion follows the embedding because full text found little of the question. Fixed weights
// ranked the wrong document first.
func TestHybridFollowsTheEmbeddingWhenFullTextFindsLittle(t *testing.T) {
	t.Parallel()
	e, err := embedder.NewLocalV3(wordvec.DefaultPath)
	if err != nil {
		t.Fatal(err)
	}
	b := setupWith(t, map[string]string{
		"holidays.md":  "# Holidays and time off\n\nFull-time employees have 27 days of paid holiday per year plus public holidays. Unused leave carries over until 31 March.\n",
		"coffee.md":    "# Coffee\n\nGet coffee from the machine.\n",
		"kitchen.txt":  "Kitchen rules\n\nClean the fridge every Friday. Get your cup from the shelf.\n",
		"vpn.md":       "# VPN\n\nInstall the WireGuard client and import your profile. Get help in the IT channel.\n",
		"printing.txt": "Printing\n\nSend the job to the secure queue and badge in at any printer.\n",
		"parking.md":   "# Parking\n\nThere is no car parking; bike storage is in the courtyard.\n",
	}, e)
	ctx := context.Background()
	q := "how much vacation do I get"
	lex, err := b.searcher.Search(ctx, retrieve.Query{Text: q, Mode: "lexical"})
	if err != nil {
		t.Fatal(err)
	}
	if len(lex) == 0 || lex[0].Path == "holidays.md" {
		t.Fatalf("lexical top = %v: the test needs full text to prefer a distractor", paths(lex))
	}
	rs, err := b.searcher.Search(ctx, retrieve.Query{Text: q})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) == 0 || rs[0].Path != "holidays.md" {
		t.Fatalf("hybrid top = %v, want holidays.md", paths(rs))
	}
	// A question full text answers well keeps its lexical ranking.
	rs, err = b.searcher.Search(ctx, retrieve.Query{Text: "WireGuard client profile"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) == 0 || rs[0].Path != "vpn.md" {
		t.Fatalf("hybrid top = %v, want vpn.md", paths(rs))
	}
}

func paths(rs []retrieve.Result) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Path)
	}
	return out
}

// Questions in other words than the handbook's (from testdata/handbook-everyday): full text
// matches a few incidental words of each, enough to keep some of its weight, and cosine
// similarities divided by their maximum differ by hundredths, so a few points of BM25 put a
// wrong document first. Fusion that hands the weight full text gives up to the embedding's
// margins (see fuse) ranks the answer first for each; the fusion before ranked none of them
// first. The last two were ranked second while full text kept a share of its weight down to
// no coverage at all and margins weighed 0.3 (see fullCoverage); that change lost "the
// database machine is running out of space", whose full-text leader (the deploy page, holding
// "running" and "database", 30 % of the question) is now trusted fully.
func TestHybridFollowsTheEmbeddingsMarginsWhenFullTextFindsLittle(t *testing.T) {
	t.Parallel()
	wantFirst(t, map[string]string{
		"am I allowed a roomier seat going intercontinental":     "policies/travel.md",
		"what's the wifi code for my phone":                      "it/wifi.txt",
		"tunnel is up but intranet pages won't come up":          "it/vpn.md",
		"our ssl is about to lapse and the warning fired":        "engineering/runbooks/certificate-renewal.md",
		"when do they clear out the office refrigerator":         "office/kitchen.txt",
		"I sent my document but nothing comes out of the copier": "it/printing.txt",
	})
}

// Full text's evidence is the coverage of its leader, the passage with the highest BM25: in
// these questions (from testdata/handbook-everyday and handbook-paraphrase) a passage further
// down holds more of the question's words ("get", "back", "wants"), and counting it kept
// full text's weight up although its first passage, which it puts first, holds little.
func TestHybridJudgesFullTextByItsLeader(t *testing.T) {
	t.Parallel()
	wantFirst(t, map[string]string{
		"can I get paid back for wine at a team dinner":        "policies/travel.md",
		"do I get paid back for a cab to the airport":          "policies/travel.md",
		"a customer wants their money back after 10 days":      "support/refunds.md",
		"a client wants their money back, how much can I give": "support/refunds.md",
	})
}

// wantFirst indexes the sample handbook with the word-vector embedder and checks that each
// question's hybrid search ranks its document first.
func wantFirst(t *testing.T, questions map[string]string) {
	t.Helper()
	e, err := embedder.NewLocalV3(wordvec.DefaultPath)
	if err != nil {
		t.Fatal(err)
	}
	b := setupWith(t, readTree(t, filepath.Join("..", "..", "examples", "handbook")), e)
	for q, want := range questions {
		rs, err := b.searcher.Search(context.Background(), retrieve.Query{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) == 0 || rs[0].Path != want {
			t.Errorf("%q: hybrid top = %v, want %s", q, paths(rs), want)
		}
	}
}

// readTree returns every file under root by its slash-separated path relative to root.
func readTree(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		files[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
