package retrieve_test

import (
	"context"
	"slices"
	"testing"

	"github.com/docent-search/docent/internal/retrieve"
)

// TestMarkedStopWord: an English passage that writes a stop word in capitals (a keyword:
// HAVING) holds its form, and a question asks for it only where it marks the word as a term
// ("the HAVING clause"), at its whole IDF; then the passage about the clause, not the one
// holding the question's incidental word ("actually"), ranks first.
func TestMarkedStopWord(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, map[string]string{
		"en/having.md": "# Grouping\n\nThe HAVING clause filters groups after GROUP BY, on a condition over an aggregate.\n",
		"en/where.md":  "# Filtering\n\nThe WHERE clause filters rows before they are grouped.\n",
		"en/groups.md": "# Groups\n\nA group actually gathers the rows with equal values in the grouped columns.\n",
		"en/prose.md":  "# Notes\n\nHaving no key, a table may hold the same row twice; where it came from is not recorded.\n",
	})
	forms := func(text string) map[string]retrieve.QueryTerm {
		terms, err := b.searcher.QueryTerms(ctx, text)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]retrieve.QueryTerm{}
		for _, tm := range terms {
			if tm.Exact {
				out[tm.Lexeme] = tm
			}
		}
		return out
	}
	got := forms("what does the HAVING clause actually do")
	if w, ok := got["=having"]; !ok || w.Weight != 1 || len(got) != 1 {
		t.Errorf("the HAVING clause asks for forms %v, want =having alone at its whole IDF", got)
	}
	if got := forms("what does having a key do"); len(got) != 0 {
		t.Errorf("an unmarked stop word asks for forms %v, want none", got)
	}
	rs, err := b.searcher.Search(ctx, retrieve.Query{Text: "what does the HAVING clause actually do", Mode: "lexical"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) == 0 || rs[0].Path != "en/having.md" {
		t.Errorf("the HAVING clause ranks %q, want en/having.md first", paths(rs))
	}
	// Written in lower case, a stop word is prose: the passage holds no form of it.
	var prose int
	if err := b.pool.QueryRow(ctx, `SELECT count(*) FROM postings p JOIN chunks c ON c.id = p.chunk_id JOIN documents d ON d.id = c.document_id
		WHERE d.path = 'en/prose.md' AND starts_with(p.lexeme, '=')`).Scan(&prose); err != nil {
		t.Fatal(err)
	}
	if prose != 0 {
		t.Errorf("a passage writing its stop words in lower case holds %d postings of forms, want none", prose)
	}
}

// TestMarkedStopWordBesideAccentedReading: in an index of French and English passages, a stop
// word the question writes in capitals keeps its form when French passages hold an accented
// word that folds to it more often ("thèse", twice, beside THESE, once): the accented reading
// is for words typed without accents, and replacing the keyword's form by `=thèse` loses the
// English passage the question points at.
func TestMarkedStopWordBesideAccentedReading(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, map[string]string{
		"en/rows.md":   "# Rows\n\nOnly THESE rows are returned by the query, after the filter has been applied to the table.\n",
		"en/other.md":  "# Columns\n\nThe columns of a table are listed in the catalogue with their types and their defaults.\n",
		"fr/these.md":  "# Soutenance\n\nLa thèse est soutenue devant un jury ; chaque thèse est déposée à la bibliothèque de l'université.\n",
		"fr/these2.md": "# Doctorat\n\nLe doctorat se termine par une thèse, rédigée en français ou en anglais, et déposée en ligne.\n",
		"en/where.md":  "# Filtering\n\nThe WHERE clause filters rows before they are grouped, and its condition is evaluated for each row.\n",
		"fr/ls.md":     "# ls\n\nLa commande ls affiche le contenu d'un répertoire : le nom, les droits d'accès et la taille de chaque fichier.\n",
		"fr/du.md":     "# du\n\nLa commande du affiche la taille occupée par chaque répertoire et par chaque fichier donnés.\n",
	})
	terms, err := b.searcher.QueryTerms(ctx, "which of THESE rows are returned")
	if err != nil {
		t.Fatal(err)
	}
	var forms []string
	for _, tm := range terms {
		if tm.Exact {
			forms = append(forms, tm.Lexeme)
		}
	}
	if !slices.Contains(forms, "=these") {
		t.Errorf("THESE in capitals asks for the forms %q, want =these among them", forms)
	}
	// Both in one question: the French word typed without accents and the English keyword.
	terms, err = b.searcher.QueryTerms(ctx, "taille du repertoire WHERE")
	if err != nil {
		t.Fatal(err)
	}
	forms = nil
	seen := map[retrieve.QueryTerm]bool{}
	for _, tm := range terms {
		if seen[tm] {
			t.Errorf("the term %+v is asked for twice", tm)
		}
		seen[tm] = true
		if tm.Exact {
			forms = append(forms, tm.Lexeme)
		}
	}
	if !slices.Contains(forms, "=répertoire") || !slices.Contains(forms, "=where") || slices.Contains(forms, "=repertoire") {
		t.Errorf("repertoire and WHERE ask for the forms %q, want =répertoire and =where", forms)
	}
}
