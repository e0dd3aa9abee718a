package retrieve

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/docent-search/docent/internal/access"
	"github.com/docent-search/docent/internal/postgres"
	"github.com/docent-search/docent/internal/textseg"
)

// lexicon is an embedder that knows which words are words, and how common (the built-in
// docent-local-v3: the 200,000 most frequent words of its word vectors, by rank), which Correct
// needs to tell a misspelling from a name or a word the documents lack.
type lexicon interface {
	WordRank(word string) (int, bool)
}

// minCorrected is the length, in letters, from which a word may be corrected: a shorter word
// has many words one letter away ("dog": dig, log, doc), and no evidence picks among them.
const minCorrected = 5

// maxCorrected is the length, in letters, beyond which a word is not corrected: no longer word
// is one edit from a word of the lexicon (docent-local-v3's longest has 25 letters), and its
// edits, some 54 strings as long as it for each letter, took 540 MB for a run of 2,000 letters.
const maxCorrected = 32

// maxSuspects bounds the words of one query Correct looks up, each with its candidates: the
// lookup of a candidate passes over its postings until one the reader may see, so a pasted page
// of unknown words from a reader who may see few of the passages cost 1 s on an index of 8,000
// (600 words; one word 24 ms), and more on a bigger one. A question has one or two.
const maxSuspects = 10

// Correct returns text with each misspelt word replaced by the word the reader's documents hold
// that it most likely meant, and whether it changed anything. Employees type fast: "vacaton
// days", "lapotp stolen". Such a word is in no passage, so full text finds nothing of it, and
// the answer is declined for lack of the question's rarest word, although the embedding, through
// the word's letters, often ranks the right passage first.
//
// A word is corrected only when all of these hold, so that a real word the documents lack ("can
// my dog come to the office": the question the documents do not answer) stays as it is:
//   - it is minCorrected letters or more, and not a word the embedder's lexicon knows;
//   - it is in no passage the reader may see;
//   - one edit away (a letter left out, added, changed, or two swapped) is a known word that
//     passages the reader may see hold. Of several, the one in most passages wins (of all, as the
//     ranking's statistics count them, like BM25's IDF), then the
//     commoner word ("layoffs" over "layoff" for "layofs": one stem, so as many passages).
//
// Of a query's words that may be misspelt, the first maxSuspects are looked up.
//
// Nothing is corrected in a query that holds a stranger: a word of minCorrected letters or more,
// with a letter English does not use, that neither the lexicon knows, nor any word one edit
// away, nor a passage the reader may see. Such a query is in a language the lexicon does not
// hold ("Datei löschen" asked of English documents became "Date löschen"), and its other unknown
// words are that language's, not slips. Unknown words of plain letters are no such evidence:
// a scientific claim's compounds ("methylmercaptopurine", in no SciFact abstract) sit beside
// its slips ("methyltrasnferase"). The language of a question of a few words cannot be told
// (whatlanggo's trigrams put "how do I reset my pasword" in Portuguese).
//
// Only passages the reader may see count, so a correction never says that some other
// document holds a word. An embedder without a lexicon (a model server) corrects nothing.
func (s *Searcher) Correct(ctx context.Context, text string, groups []string) (string, bool, error) {
	lex, ok := s.Embedder.(lexicon)
	if !ok {
		return text, false, nil
	}
	typed := text
	text = truncate(strings.ToValidUTF8(strings.ReplaceAll(text, "\x00", ""), ""), maxQueryBytes)
	// A paragraph (see paragraphWords) loses little to a slip among its many words, and its
	// names and terms would each cost a lookup.
	if len(textseg.SearchWords(text)) >= paragraphWords {
		return typed, false, nil
	}
	type run struct{ start, end int }
	var runs []run
	var words, cands []string // pairs: a suspect word and each of its candidates (itself first)
	var strangers []string    // see "a stranger" above
	suspects := 0
	for _, r := range letterRuns(text) {
		w := strings.ToLower(text[r[0]:r[1]])
		n := utf8.RuneCountInString(w)
		if _, ok := lex.WordRank(w); ok || n < minCorrected || n > maxCorrected || !plainWord(text, r[0], r[1]) {
			continue
		}
		if slices.Contains(strangers, w) {
			continue
		}
		if slices.Contains(words, w) { // a suspect already, written again
			runs = append(runs, run{r[0], r[1]})
			continue
		}
		if suspects == maxSuspects {
			continue
		}
		var known []string
		for _, v := range edits(w) {
			if _, ok := lex.WordRank(v); ok && !slices.Contains(known, v) {
				known = append(known, v)
			}
		}
		if len(known) == 0 && !foreignLetters(w) {
			continue
		}
		suspects++
		if len(known) == 0 {
			strangers = append(strangers, w)
			words, cands = append(words, w), append(cands, w)
			continue
		}
		runs = append(runs, run{r[0], r[1]})
		for _, c := range append([]string{w}, known...) {
			words, cands = append(words, w), append(cands, c)
		}
	}
	if len(runs) == 0 {
		return typed, false, nil
	}
	args := []any{postgres.DefaultTextSearchConfig, words, cands}
	visible := access.Visible("c", "$4")
	args = append(args, nonNil(groups))
	if s.TextSearchConfig != "" {
		args[0] = s.TextSearchConfig
	}
	// Read where the search reads (a replica): it keeps working while the primary is down.
	type best struct {
		cand string
		df   int64
		rank int
	}
	var found map[string]best
	var held map[string]bool // suspects a visible passage holds as they are
	err := s.read(ctx, func(_ *pgxpool.Pool, tx pgx.Tx) error {
		found, held = map[string]best{}, map[string]bool{}
		// Each candidate's lexeme in each configuration the index uses (as queryTerms parses),
		// in how many passages it is, when a passage the reader may see holds it. A lexeme of
		// passages written since the statistics' last refresh counts none, but is held.
		rows, err := tx.Query(ctx, fmt.Sprintf(`
		WITH st AS (SELECT configs FROM corpus_stats UNION ALL SELECT '{}' LIMIT 1),
		cf AS (SELECT DISTINCT unnest(CASE WHEN cardinality(st.configs) > 0 THEN st.configs ELSE ARRAY[$1::regconfig] END) AS cfg FROM st),
		v AS (SELECT DISTINCT v.word, v.cand, l.lexeme FROM unnest($2::text[], $3::text[]) AS v(word, cand) CROSS JOIN cf
		      CROSS JOIN LATERAL (SELECT lexeme FROM unnest(to_tsvector(cf.cfg, v.cand)) LIMIT 1) l)
		SELECT v.word, v.cand, coalesce(max(ts.df), 0) FROM v LEFT JOIN term_stats ts ON ts.lexeme = v.lexeme
		WHERE EXISTS (SELECT 1 FROM postings p JOIN chunks c ON c.id = p.chunk_id WHERE p.lexeme = v.lexeme AND %s)
		GROUP BY v.word, v.cand`, visible), args...)
		if err != nil {
			return err
		}
		var word, cand string
		var df int64
		_, err = pgx.ForEachRow(rows, []any{&word, &cand, &df}, func() error {
			rank, _ := lex.WordRank(cand)
			switch b, ok := found[word]; {
			case cand == word:
				held[word] = true
			case !ok || df > b.df || df == b.df && rank < b.rank:
				found[word] = best{cand, df, rank}
			}
			return nil
		})
		return err
	})
	if err != nil {
		return typed, false, fmt.Errorf("correcting the query: %w", err)
	}
	for _, w := range strangers {
		if !held[w] {
			return typed, false, nil
		}
	}
	var out strings.Builder
	last, changed := 0, false
	for _, r := range runs {
		w := strings.ToLower(text[r.start:r.end])
		b, ok := found[w]
		if !ok || held[w] {
			continue
		}
		if first, _ := utf8.DecodeRuneInString(text[r.start:]); unicode.IsUpper(first) {
			c, n := utf8.DecodeRuneInString(b.cand)
			b.cand = string(unicode.ToUpper(c)) + b.cand[n:]
		}
		out.WriteString(text[last:r.start])
		out.WriteString(b.cand)
		last, changed = r.end, true
	}
	if !changed {
		return typed, false, nil
	}
	out.WriteString(text[last:])
	return out.String(), true, nil
}

// foreignLetters reports whether w holds a letter outside a to z ("löschen", "congés").
func foreignLetters(w string) bool {
	return strings.ContainsFunc(w, func(r rune) bool { return r < 'a' || r > 'z' })
}

// plainWord reports whether text[start:end], a run of letters, is a word as typed: lower-case
// but for its first letter, and not part of a token with digits ("PTENP1", "mTORC2"). Names and
// codes written so are no misspellings, though nothing one edit away.
func plainWord(text string, start, end int) bool {
	before, _ := utf8.DecodeLastRuneInString(text[:start])
	after, _ := utf8.DecodeRuneInString(text[end:])
	if unicode.IsDigit(before) || unicode.IsDigit(after) {
		return false
	}
	_, n := utf8.DecodeRuneInString(text[start:end])
	return !strings.ContainsFunc(text[start+n:end], unicode.IsUpper)
}

// letterRuns returns the [start, end) byte ranges of text's runs of letters, but for scripts
// written without spaces (textseg.IsCJK), which have no words to correct.
func letterRuns(text string) [][2]int {
	var runs [][2]int
	start := -1
	for i, r := range text {
		letter := unicode.IsLetter(r) && !textseg.IsCJK(r)
		switch {
		case letter && start < 0:
			start = i
		case !letter && start >= 0:
			runs = append(runs, [2]int{start, i})
			start = -1
		}
	}
	if start >= 0 {
		runs = append(runs, [2]int{start, len(text)})
	}
	return runs
}

// edits returns the words one edit away from w: a letter left out, two neighbours swapped, a
// letter changed or added (a to z, and the other letters w holds: "ä", "é").
func edits(w string) []string {
	letters := []rune("abcdefghijklmnopqrstuvwxyz")
	rs := []rune(w)
	for _, r := range rs {
		if !slices.Contains(letters, r) {
			letters = append(letters, r)
		}
	}
	var out []string
	add := func(parts ...[]rune) {
		var b strings.Builder
		for _, p := range parts {
			b.WriteString(string(p))
		}
		out = append(out, b.String())
	}
	for i := range rs {
		add(rs[:i], rs[i+1:])
		if i+1 < len(rs) {
			add(rs[:i], []rune{rs[i+1], rs[i]}, rs[i+2:])
		}
		for _, l := range letters {
			if l != rs[i] {
				add(rs[:i], []rune{l}, rs[i+1:])
			}
		}
	}
	for i := 0; i <= len(rs); i++ {
		for _, l := range letters {
			add(rs[:i], []rune{l}, rs[i:])
		}
	}
	return out
}
