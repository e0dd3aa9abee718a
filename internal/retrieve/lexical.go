package retrieve

import (
	"cmp"
	"container/heap"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/pgvector/pgvector-go"

	"github.com/docent-search/docent/internal/access"
	"github.com/docent-search/docent/internal/language"
	"github.com/docent-search/docent/internal/textseg"
)

// BM25K1 and BM25B are the Okapi BM25 parameters: Robertson's textbook values. Anserini's
// BEIR baselines use 0.9 and 0.4, but with the length counted as the tsvector's tokens (title
// and heading path included) 1.2 and 0.75 ranked better on both BEIR dev sets, lexical nDCG@10
// SciFact 0.689 → 0.696 and NFCorpus 0.325 → 0.330, the handbook unchanged (0.983).
const (
	BM25K1 = 1.2
	BM25B  = 0.75
)

// Field weights (BM25F): an occurrence in a chunk's heading path counts as HeadingWeight
// occurrences in its text, one in the document's title as TitleWeight, before BM25 saturates
// the sum; the length stays the plain count. Measured on every dev set (lexical nDCG@10): a
// heading weight of 2 lifts the handbook from 0.976 to 0.983 and cannot change SciFact or
// NFCorpus, whose files have no headings; a title weight of 2 cost SciFact 0.002 and 3 cost
// it 0.001 and NFCorpus 0.001, so titles count as text.
//
// Measured again on all ten dev sets with the two software manuals, whose page titles name
// the page's topic (hybrid nDCG@10 / MRR@10 against title weight 1; one fresh index whose
// packed postings were rebuilt for each weight, which at weight 1 reproduced the baseline
// exactly): a title weight of 2 gives git-doc 0.544 → 0.541 / 0.625 → 0.621 (citation
// precision 0.51 → 0.49), python-doc 0.670 / 0.697 unchanged, manpages-de 0.652 → 0.634,
// manpages-zh 0.789 → 0.807, NFCorpus MRR 0.548 → 0.540; 3 gives git-doc the same,
// python-doc 0.670 → 0.666 / 0.697 → 0.685 (citation 0.63 → 0.61), manpages-fr 0.700 →
// 0.685, NFCorpus 0.338 → 0.334, manpages-zh 0.789 → 0.808. Lexical-only rises on both
// manuals (python-doc 0.643 → 0.654 at 3), hybrid, which the answer cites, does not,
// probably because the document-level score (documentBM25) sums a page's chunks, each of
// which carries the title: a title word is already near saturation there. The file name's
// words (library/csv.html: "csv") added to the title where it lacks them changed hybrid by
// at most 0.003 on any set (python-doc 0.670 → 0.667; git-doc and the citations unchanged),
// so they are not indexed. Titles still count as text.
const (
	TitleWeight   = 1.0
	HeadingWeight = 2.0
)

// weightedTF is a posting's term frequency with the field weights applied, as SQL over postings
// p: the expression of the postings_impact index (migrations/00006_postings.sql), so that the
// index lists a term's postings by it. Change it, the weights and the index together (the
// exactness test compares with a reference BM25 that applies the weights).
const weightedTF = "(p.tf + p.tf_heading)"

// term is a query lexeme with its inverse document frequency.
type term struct {
	lexeme string
	df     int64
	idf    float64 // its IDF times its weight
	// weight scales the term's IDF: 1 for a stem and a stop word's exact form, exactWeight for
	// the exact form of a word the question also asks for by its stem.
	weight float64
	// exact marks a word's exact form (exactPrefix and the word lower-cased), indexed beside
	// the stems of French passages (migrations/00024_exact_forms.sql) and, for stop words
	// written in capitals, of English ones (00029_stop_forms.sql): it adds to a passage's
	// score, not to its Coverage, which stays the share of the question's stems it holds;
	// also a plain lexeme asked for as a word's form (see queryTerms).
	exact bool
	// docIDF is the lexeme's IDF among documents (term_stats.doc_df over
	// corpus_stats.documents), for documentBM25, computed by PostgreSQL as that score always
	// was; hasDocIDF is false for a lexeme the statistics do not know, which scores no document.
	docIDF    float64
	hasDocIDF bool
}

// exactPrefix starts the lexemes of exact word forms; no configuration's parser makes a
// lexeme starting with it.
const exactPrefix = "="

// exactWeight scales an exact form's IDF: a passage holding the question's word as written
// gains a third as much again as its stem gives it. Measured on every dev set (only the French
// one has exact forms, see README, Languages): French hybrid nDCG@10 0.652 → 0.694 at 1,
// 0.700 at 0.5, 0.698 at 0.35 (lexical 0.626, 0.644, 0.653). With stop words' forms at
// their whole IDF (see queryTerms): 0.700 at 0.25, 0.705 at 0.35, 0.699 at 0.5, 0.692 at 0.75.
// With no form for a word whose stem is its other number (see queryTerms), on the final code
// (hybrid, lexical; German and Chinese equal to four decimals at each): 0.5 0.717, 0.659;
// 0.35 0.718, 0.669; 0.3 0.718, 0.670; 0.25 0.721, 0.676 (hybrid Recall@100 0.955 → 0.944,
// and "compter les lignes" ranks diff above wc); 0.1 0.694, 0.639. The single `english`
// configuration measures 0.718, 0.696.
const exactWeight = 0.35

// terms is the lexical side of a query.
type terms struct {
	lexemes []term // rarest first
	chunks  int64  // corpus size, as of the last statistics refresh
	docs    int64  // documents, as of the last statistics refresh (0 before document statistics)
	avgdl   float64
	// avgDocLen is the documents' average length, as of the last statistics refresh.
	avgDocLen float64
	// idfMass is the question's IDF mass, the whole of which a passage's Coverage is a share:
	// the terms' IDFs summed, each word's lexemes (one per configuration that stems it
	// differently) sharing its IDF, since a passage in one language holds one of them.
	idfMass float64
	// wordIDF maps each query word (as textseg.SearchWords splits it) to the IDF of its
	// lexeme, the largest where configurations stem it differently, and each word the
	// embedder joins across an apostrophe (textseg.Elided) to the largest IDF of its parts.
	wordIDF map[string]float64
	// blocksUpto and unpacked say which postings the packed blocks hold (migration 00026):
	// those of chunks up to blocksUpto except the unpacked ones, whose postings, like those of
	// chunks above blocksUpto, are read from the postings table.
	blocksUpto int64
	unpacked   []int64
	// newer is whether chunks above blocksUpto exist.
	newer bool
}

// lexemesOf returns the terms' lexemes, in their order: the array a query binds.
func lexemesOf(ts []term) []string {
	out := make([]string, len(ts))
	for i, tm := range ts {
		out[i] = tm.lexeme
	}
	return out
}

// idf is BM25's inverse document frequency (Lucene's variant, never negative).
func idf(df, n int64) float64 {
	d := float64(min(df, n))
	return math.Log(1 + (float64(n)-d+0.5)/(d+0.5))
}

// clitics are the French words written before another and read with it ("l'accès",
// "qu'il", "à la", "y a-t-il"): SearchWords cuts an elision into its own word, and French, which
// holds exact forms, drops them as stop words and so asks for their forms ("=l", "=d"). Such a
// form says nothing of what the question is about and is in nearly every French passage, where
// it only rewards length: asking for none lifts manpages-fr hybrid nDCG@10 0.718 → 0.726
// (no other dev set moves). The elided ones (true here) only when the question writes them
// elided: "C" in "un programme en C", or "-l", is all the question has for what it names.
var clitics = map[string]bool{
	"c": true, "d": true, "j": true, "l": true, "m": true, "n": true, "qu": true, "s": true, "t": true,
	"à": false, "y": false,
}

// queryTerms parses the query with PostgreSQL's text-search configurations (the same stemming
// as the index) and looks up each lexeme's document frequency. The query is parsed with every
// configuration of at least 1% of the index (corpus_stats.configs; config until statistics
// exist), so a
// word may give one lexeme per language ("Anträge": english anträg, german antrag), each a
// term of its own. An index in one language parses exactly as before; in several, two rules
// keep one language's lexemes from distorting another's ranking:
//
//   - a word is weighed by how common it is in any language, its lexemes' document frequencies
//     summed: otherwise the german lexeme of an English word, found only in the few passages
//     detected as German, would count as a rare word and lift them;
//   - a word that one of the configurations drops as a stop word is dropped: "des" is a French
//     stop word but an english lexeme, found in any French passage indexed as English.
//
// On the multilingual dev sets the two rules, with CJK passages no longer indexed under simple,
// took hybrid nDCG@10 from 0.473 to 0.617 (German) and 0.362 to 0.454 (French); counting a
// word once in Coverage (idfMass) then took them to 0.649 and 0.590 (see README, Languages).
//
// Each configuration's lexemes weigh as far as the question could be in its language
// (languageWeights): an English question over an index with French pages asks for `lin`, the
// French stem of "line", at 0.35 of its IDF, and for `wget`, alike in both, whole.
//
// Where the index holds exact word forms (French passages, see holds_exact_forms in
// migrations/00024_exact_forms.sql), each word also asks for its own form, lower-cased, as a
// term of its own weighed exactWeight: "compter" asks for `compt` and `=compter`, so a
// passage holding the infinitive ranks above one holding only "compte". A word whose stem is
// the word in the other number (otherNumber: "droits", `droit`) asks for none.
//
// In such an index a word typed without accents ("repertoire", "acces": how many people type
// French) is also read as its accented form ("répertoire", "accès") where French passages hold
// that form (fold_accents, migrations/00030_accent_folding.sql) more often than the index holds
// the word as typed, as a form or as a lexeme of its own ("file" is no "filé", "cote" in two
// passages no "côté" in one): the French configuration parses that reading too (Snowball stems
// "acces" `acce`, "accès" `acces`), and the word's exact form is the accented one. The typed
// reading stays, so nothing it matched is lost. French questions typed without accents
// (manpages-fr with the accents taken out) measure hybrid nDCG@10 0.495 → 0.685, lexical
// 0.484 → 0.638; with accents, and every other dev set, nothing moves.
//
// Where the index holds English stop words written in capitals (migrations/00029_stop_forms.sql),
// a stop word the question writes in capitals (textseg.Keywords: "WHERE vs HAVING") asks for its
// form, at its whole IDF as a French stop word's form does: it is what the question asks
// about. Measured on every dev set (README, Search quality), asked for stop words marked
// otherwise ("the with statement", quoted, next to code) or for rare ones, forms cost.
//
// A word that no passage holds is also read as each hyphenated compound that spells it with
// hyphens (migrations/00034_hyphenated_compounds.sql): "wifi" as `wi-fi`, "oncall" as `on-cal`,
// a lexeme of the same word, so that it shares the word's IDF and covers it. "what is the wifi
// password" quoted the password-reset page of the sample handbook; its "Office Wi-Fi" page is now
// first. A word the passages do hold is read as itself alone: read as its compounds too, "email"
// found Git's pages that say "e-mail" and git-doc lost 0.004 hybrid nDCG@10; so limited, every
// dev set's figures are unchanged but handbook-everyday's lexical nDCG@10 (0.302 → 0.313) and
// python-doc's hybrid (0.660 → 0.662).
func queryTerms(ctx context.Context, tx pgx.Tx, config, text string) (terms, error) {
	words := slices.Compact(slices.Sorted(slices.Values(textseg.SearchWords(text))))
	// The words the question writes as keywords (in capitals): their stop words' forms are
	// asked for.
	keywords := append([]string{}, textseg.Keywords(text)...)
	elisions := textseg.Elisions(text)
	// One row per query word and distinct lexeme: the lexeme (empty for a stop word) and its
	// document frequency, with the corpus size and average chunk length on every row.
	rows, err := tx.Query(ctx, `
		WITH st0 AS (SELECT chunks, avg_length, configs, documents, avg_doc_length, blocks_upto,
		                    ARRAY(SELECT DISTINCT u.chunk_id FROM chunks_unpacked u WHERE u.chunk_id <= blocks_upto) AS unpacked
		             FROM corpus_stats UNION ALL SELECT 0, 0, '{}', 0, 0, 0, '{}' LIMIT 1),
		st AS (SELECT *, coalesce((SELECT max(c.id) FROM chunks c) > blocks_upto, false) AS newer FROM st0),
		cf AS (SELECT DISTINCT unnest(CASE WHEN cardinality(st.configs) > 0 THEN st.configs ELSE ARRAY[$1::regconfig] END) AS cfg FROM st),
		formed AS (SELECT EXISTS (SELECT 1 FROM cf WHERE holds_exact_forms(cf.cfg)) AS any),
		accented AS (SELECT q.w, a.word FROM unnest($2::text[]) AS q(w), formed, LATERAL (
		                 SELECT substr(t.lexeme, 2) AS word FROM term_stats t
		                 WHERE formed.any AND fold_accents(t.lexeme) = $3 || q.w AND fold_accents(t.lexeme) <> t.lexeme
		                   AND t.df > (SELECT coalesce(max(t2.df), 0) FROM term_stats t2
		                               WHERE t2.lexeme = $3 || q.w OR t2.lexeme = q.w AND q.w NOT IN (
		                                   SELECT u.lexeme FROM cf, unnest(to_tsvector(cf.cfg, substr(t.lexeme, 2))) AS u))
		                 ORDER BY t.df DESC, t.lexeme LIMIT 1) a),
		reading AS (SELECT w, w AS word, cf.cfg FROM unnest($2::text[]) AS w, cf
		            UNION SELECT a.w, a.word, cf.cfg FROM accented a, cf WHERE holds_exact_forms(cf.cfg)),
		x AS (SELECT r.w, r.cfg, coalesce((SELECT lexeme FROM unnest(to_tsvector(r.cfg, r.word)) LIMIT 1), '') AS lexeme FROM reading r),
		joined AS (SELECT x.w, x.cfg, t.lexeme FROM x JOIN term_stats t ON replace(t.lexeme, '-', '') = x.lexeme AND strpos(t.lexeme, '-') > 1
		           WHERE x.lexeme <> '' AND NOT EXISTS (SELECT 1 FROM term_stats t2 WHERE t2.lexeme = x.lexeme)),
		w AS (SELECT w, lexeme, false AS exact, bool_or(holds_exact_forms(cfg)) AS formed,
		             bool_or(holds_exact_forms(cfg) OR holds_stop_forms(cfg) AND w = ANY($4)) AS stopformed, array_agg(DISTINCT cfg::text) AS cfgs
		      FROM (SELECT * FROM x UNION SELECT * FROM joined) xj GROUP BY w, lexeme
		      UNION ALL
		      SELECT q.w, $3 || l.lexeme, true, bool_or(holds_exact_forms(fc.cfg)), true, array_agg(DISTINCT fc.cfg::text)
		      FROM unnest($2::text[]) AS q(w) LEFT JOIN accented a USING (w),
		           LATERAL (SELECT lexeme FROM unnest(to_tsvector('simple', coalesce(a.word, q.w))) LIMIT 1) l,
		           LATERAL (SELECT x.cfg FROM x WHERE x.w = q.w AND (holds_exact_forms(x.cfg) OR holds_stop_forms(x.cfg) AND x.lexeme = '' AND q.w = ANY($4))) fc
		      GROUP BY q.w, l.lexeme)
		SELECT w.w, w.lexeme, w.exact, w.formed, w.stopformed, w.cfgs, coalesce(ts.df, 0), st.chunks, st.avg_length, st.documents, st.avg_doc_length, st.blocks_upto, st.unpacked, st.newer,
		       ts.doc_df IS NOT NULL, coalesce(ln(1 + (st.documents::float8 - least(ts.doc_df, st.documents::float8) + 0.5) /
		                                          (least(ts.doc_df, st.documents::float8) + 0.5)), 0)
		FROM w CROSS JOIN st LEFT JOIN term_stats ts ON ts.lexeme = w.lexeme`, config, words, exactPrefix, keywords)
	if err != nil {
		return terms{}, fmt.Errorf("parsing the query: %w", err)
	}
	out := terms{wordIDF: map[string]float64{}}
	lexemesOf := map[string][]string{}
	stop := map[string]bool{}
	dfs := map[string]int64{}
	forms := map[string]string{}          // the exact forms asked for, and their words
	formCfgs := map[string][]string{}     // the configurations whose passages hold each form
	stopOnly := map[string]bool{}         // forms asked for only as keywords (stop words in capitals)
	formedLexeme := map[string]bool{}     // lexemes a configuration that holds exact forms makes
	formStop := map[string]bool{}         // words such a configuration drops as stop words
	byConfigs := map[[2]string][]string{} // the configurations that parse a word as a lexeme
	configSet := map[string]bool{}
	type docIDF struct {
		idf float64
		ok  bool
	}
	docIDFs := map[string]docIDF{}
	for rows.Next() {
		var word, lexeme string
		var exact, formed, stopFormed bool
		var cfgs []string
		var df int64
		var d docIDF
		if err := rows.Scan(&word, &lexeme, &exact, &formed, &stopFormed, &cfgs, &df, &out.chunks, &out.avgdl, &out.docs, &out.avgDocLen, &out.blocksUpto, &out.unpacked, &out.newer, &d.ok, &d.idf); err != nil {
			rows.Close()
			return terms{}, err
		}
		docIDFs[lexeme] = d
		if exact {
			// A form no passage holds as written is not asked for, nor the form of a clitic.
			elided, clitic := clitics[word]
			if df > 0 && (!clitic || elided && !elisions[word]) {
				forms[lexeme] = word
				dfs[lexeme] = df
				formCfgs[lexeme] = cfgs
				stopOnly[lexeme] = !formed
			}
			continue
		}
		for _, c := range cfgs {
			configSet[c] = true
		}
		if lexeme == "" {
			stop[word] = true
			// Dropped by a configuration that holds exact forms ("qui" in French), or by one
			// that holds the forms of keywords when the question writes it as one (WHERE in
			// English): the form is then all the question asks of that word in those passages.
			formStop[word] = formStop[word] || stopFormed
			continue
		}
		lexemesOf[word] = append(lexemesOf[word], lexeme)
		dfs[lexeme] = df
		byConfigs[[2]string{word, lexeme}] = cfgs
		if formed {
			formedLexeme[lexeme] = true
		}
	}
	if err := rows.Err(); err != nil {
		return terms{}, fmt.Errorf("parsing the query: %w", err)
	}
	out.chunks = max(out.chunks, 1)
	out.avgdl = max(out.avgdl, 1)
	out.avgDocLen = max(out.avgDocLen, 1) // statistics of no document length: no division by 0
	// Each lexeme's frequency: that of the (most common) word it stands for. With one
	// configuration a word has one lexeme, and this is the lexeme's own.
	wordDF := map[string]int64{}
	lexemeDF := map[string]int64{}
	for w, ls := range lexemesOf {
		if stop[w] {
			continue
		}
		for _, l := range ls {
			wordDF[w] += dfs[l]
		}
		for _, l := range ls {
			lexemeDF[l] = max(lexemeDF[l], wordDF[w])
		}
	}
	// Each lexeme's weight: how far the question could be in the language of a configuration
	// that parses one of its words as it (languageWeights), 1 in an index of one language.
	cw := languageWeights(text, configSet)
	lw := map[string]float64{}
	for w := range wordDF {
		for _, l := range lexemesOf[w] {
			for _, c := range byConfigs[[2]string{w, l}] {
				lw[l] = max(lw[l], cw[c])
			}
		}
	}
	// A lexeme's part of the IDF mass: a word weighs in the mass as its likeliest lexeme does
	// in a passage's score (lw·idf), so that a passage in the question's language holding every
	// word covers all of it, and one in a less likely language its weight's share. Each of a
	// word's k lexemes carries max(lw)/Σlw of its own weighted IDF: all of it when the word has
	// no other lexeme (always, with one configuration), 1/k when its lexemes weigh alike.
	// (Summed in a fixed order: the last bit of the mass never varies.)
	share := map[string]float64{}
	for w := range wordDF {
		ls := slices.Sorted(slices.Values(lexemesOf[w]))
		sum, top := 0.0, 0.0
		for _, l := range ls {
			sum += lw[l]
			top = max(top, lw[l])
		}
		for _, l := range ls {
			if sum > 0 {
				share[l] = max(share[l], top/sum)
			}
		}
	}
	for lexeme, df := range lexemeDF {
		if lw[lexeme] > 0 {
			d := docIDFs[lexeme]
			out.lexemes = append(out.lexemes, term{lexeme: lexeme, df: df, idf: lw[lexeme] * idf(df, out.chunks), weight: lw[lexeme],
				docIDF: d.idf, hasDocIDF: d.ok})
		}
	}
	// Each word's exact form is a term of its own, with its own frequency: a stop word's
	// too, since the passages that drop it as a stop word hold it as written ("qui est
	// connecté"), and IDF makes common words cheap.
	for lexeme, word := range forms {
		// The form weighs as the languages of the passages that hold it.
		fw := 0.0
		for _, c := range formCfgs[lexeme] {
			fw = max(fw, cw[c])
		}
		// A keyword in most passages says nothing of them, and its postings are the longest
		// there are: it is not asked for.
		if stopOnly[lexeme] && 2*dfs[lexeme] > out.chunks {
			continue
		}
		// A word whose stem is the word in the other number ("droits", `droit`) asks for no
		// form: the passages holding that other number hold no form (only words the stemmer
		// changes have one), and the bonus would rank a passage saying "droits" above one
		// saying "droit", a difference of number, not of meaning.
		if slices.ContainsFunc(otherNumber(strings.TrimPrefix(lexeme, exactPrefix)), func(f string) bool { return formedLexeme[f] && slices.Contains(lexemesOf[word], f) }) {
			continue
		}
		// The form of a word that a configuration holding forms drops as a stop word is all
		// the question asks of that word there: it weighs the word's whole IDF, as the stem of
		// any other word does. Measured on the French dev set (hybrid, lexical nDCG@10): half
		// its IDF, as the forms beside stems, 0.695, 0.644; three quarters 0.698, 0.656; whole
		// 0.699, 0.655. An English stop word ("some", "before") keeps half: its form is rare
		// only because few French passages quote English, which says nothing of the question.
		w := exactWeight
		if formStop[word] {
			w = 1
		}
		if fw > 0 {
			d := docIDFs[lexeme]
			out.lexemes = append(out.lexemes, term{lexeme: lexeme, df: dfs[lexeme], idf: w * fw * idf(dfs[lexeme], out.chunks), weight: w * fw, exact: true,
				docIDF: d.idf, hasDocIDF: d.ok})
		}
		// A passage of a configuration that holds no exact forms (an English passage of a
		// French index) holds the word as written where its lexeme is the word itself: the
		// same share of the stem's weighted IDF as a form beside its stem, through that
		// lexeme and so weighing as its language (not the form's IDF: "file" is common in
		// English passages and rare as written in French ones, and would weigh twice its stem).
		if plain := strings.TrimPrefix(lexeme, exactPrefix); !stop[word] && slices.Contains(lexemesOf[word], plain) && !formedLexeme[plain] && lw[plain] > 0 {
			d := docIDFs[plain]
			out.lexemes = append(out.lexemes, term{lexeme: plain, df: dfs[plain], idf: w * lw[plain] * idf(lexemeDF[plain], out.chunks), weight: w * lw[plain], exact: true,
				docIDF: d.idf, hasDocIDF: d.ok})
		}
	}
	for w, df := range wordDF {
		out.wordIDF[w] = idf(df, out.chunks)
	}
	// The embedder reads "d'accès" as one word, "daccès": it weighs as its rarest part.
	for joined, parts := range textseg.Elided(text) {
		for _, p := range parts {
			if v, ok := out.wordIDF[p]; ok && v > out.wordIDF[joined] {
				out.wordIDF[joined] = v
			}
		}
	}
	slices.SortFunc(out.lexemes, func(a, b term) int {
		// A lexeme asked for as a stem and as a form (see above) is two terms: stem first.
		return cmp.Or(cmp.Compare(a.df, b.df), strings.Compare(a.lexeme, b.lexeme), cmp.Compare(b.weight, a.weight))
	})
	// Summed commonest first, in a fixed order, so the last bits never vary.
	for i := len(out.lexemes) - 1; i >= 0; i-- {
		if !out.lexemes[i].exact {
			out.idfMass += out.lexemes[i].idf * share[out.lexemes[i].lexeme]
		}
	}
	return out, nil
}

// languageWeights returns each configuration's weight for a question: how far the question
// could be written in its language (language.Weights, among the languages of configs), with
// langFloor as the least; 1 for a configuration of no language, and for all when there is one.
func languageWeights(text string, configs map[string]bool) map[string]float64 {
	out := map[string]float64{}
	var codes []string
	for c := range configs {
		out[c] = 1
		if code := language.ConfigCode(c); code != "" {
			codes = append(codes, code)
		}
	}
	if len(configs) < 2 || len(codes) < 2 {
		return out
	}
	ws := language.Weights(text, codes)
	for c := range configs {
		if code := language.ConfigCode(c); code != "" {
			out[c] = max(langFloor, ws[code])
		}
	}
	return out
}

// langFloor is the least weight of a configuration's lexemes, however unlikely its language:
// short questions are often misread (the German "Datei umbenennen" reads as French too, the
// English "how do I rename a branch" as French first). Measured (hybrid, lexical nDCG@10 of
// git-doc's questions on an index mostly English with some French pages; French and German
// man-page questions hybrid): 0: 0.537, 0.492, French 0.701; 0.1: 0.537, 0.492, 0.704; 0.25:
// 0.541, 0.499, 0.704; 0.35: 0.541, 0.500, 0.704; 0.5: 0.538, 0.495, 0.708 (German 0.652 at
// each, 0.653 before).
const langFloor = 0.35

// tsqueryLiteral quotes a lexeme as a tsquery operand, so no character of it is an operator.
func tsqueryLiteral(lexeme string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(lexeme, `\`, `\\`), "'", "''") + "'"
}

// Scored is a chunk the lexical branch found: its BM25 score and Coverage, the share of the
// query's IDF mass the chunk contains ("how much of the question does this passage speak to").
type Scored struct {
	ChunkID  int64
	Score    float64
	Coverage float64
}

// lexical returns the k accessible chunks with the highest BM25 scores, best first (ties by
// chunk id), exactly as scoring every chunk would: no term is left out of a long query and no
// matching chunk is left unscored, however common the words.
//
// It runs MaxScore (Turtle and Flood, 1995) over the postings table. A term contributes at
// most its IDF times its largest saturated frequency (k1+1, or for short queries the exact
// maximum from maxTFParts) to any chunk. Terms are read
// rarest first, each term's postings whole, accumulating partial scores; once the
// contributions still possible from the remaining (common) terms add up to less than θ, a
// lower bound of the k-th best score among accessible chunks (the k-th best partial score, or
// the k-th best full score of the best chunks so far, see fullThreshold), no chunk not yet
// seen can reach the top k, and the remaining terms are only looked up for
// the chunks that still can. Those are pruned again after each lookup as θ rises. The one
// common word of a query, the costly case for scoring everything, is thus read whole only
// while the rarer words leave the top k undecided.
//
// Access and filters (the reader's groups, source, path, type, dates) are checked on the
// chunks that could enter the top k, in score order, so θ is the k-th best score among
// chunks the reader may see and no restricted chunk is ever returned.
//
// The postings it reads whole stay in pr for documentBM25.
func (s *Searcher) lexical(ctx context.Context, pr *postingsReader, q Query, k int) ([]Scored, error) {
	tx, t := pr.tx, pr.t
	if len(t.lexemes) == 0 || k <= 0 {
		return nil, nil
	}
	if len(t.lexemes) == 1 {
		return s.oneTerm(ctx, tx, t, q, k)
	}
	n := len(t.lexemes)
	// A term's saturated frequency is below k1+1 in any chunk; the exact bound costs a few
	// index lookups per term, which pays off only for queries of few words (a 300-word query
	// spent 20 ms on it at 6,500 chunks and gained less).
	maxTF := make([]float64, n)
	for i := range maxTF {
		maxTF[i] = BM25K1 + 1
	}
	if n <= boundTerms {
		var err error
		if maxTF, err = maxTFParts(ctx, tx, t); err != nil {
			return nil, err
		}
	}
	// rest[i] is the most the terms i… can add to a chunk's score.
	rest := make([]float64, n+1)
	for i := n - 1; i >= 0; i-- {
		rest[i] = rest[i+1] + t.lexemes[i].idf*maxTF[i]
	}
	sc := &scorer{postingsReader: pr, acc: getPartials(denseLimit(t.chunks)), access: newAccessCheck(q)}
	defer putPartials(sc.acc)
	// Rarest terms first, each postings list whole, in batches that double from firstBatch
	// postings: θ is checked early, when few postings may decide the top k, and a query that
	// needs most postings reads them in a few round trips.
	i := 0
	theta := 0.0
	seeded := false
	for batch := int64(firstBatch); i < n && !(rest[i]+slack < theta); batch *= 2 {
		j, sum := i, int64(0)
		for j < n && (j == i || sum+t.lexemes[j].df <= batch) {
			sum += t.lexemes[j].df
			j++
		}
		if err := sc.add(ctx, t.lexemes[i:j], sc.acc, false, false); err != nil {
			return nil, err
		}
		i = j
		if i < n {
			var err error
			if theta, err = sc.threshold(ctx, k, rest[i]); err != nil {
				return nil, err
			}
			if !(rest[i]+slack < theta) && !seeded && len(sc.acc.ps) >= k && 2*k*(n-i) <= seedProbes {
				seeded = true
				full, err := sc.fullThreshold(ctx, k, t.lexemes[i:])
				if err != nil {
					return nil, err
				}
				theta = max(theta, full)
			}
		}
	}
	// The remaining terms, looked up for the chunks that can still reach θ.
	cands := sc.candidates(rest[i], theta)
	for i < n && len(cands) > 0 {
		var err error
		// Lookups cost one index descent per (term, chunk); a term with fewer postings than
		// candidates is cheaper read whole.
		j := i + 1
		for j < n && (j-i+1)*len(cands) <= probesBatch && t.lexemes[j].df > int64(len(cands)) {
			j++
		}
		lookUp := true
		if t.lexemes[i].df <= int64(len(cands)) {
			lookUp, j = false, i+1
		}
		if err := sc.add(ctx, t.lexemes[i:j], sc.acc, true, lookUp); err != nil {
			return nil, err
		}
		i = j
		if theta, err = sc.threshold(ctx, k, math.Inf(-1)); err != nil {
			return nil, err
		}
		cands = sc.candidates(rest[i], theta)
	}
	// Every candidate left is scored in full: the top k accessible ones are the answer.
	best, err := sc.bestAllowed(ctx, cands, k)
	if err != nil {
		return nil, err
	}
	out := make([]Scored, len(best))
	for i, p := range best {
		out[i] = Scored{ChunkID: p.id, Score: p.score, Coverage: min(1, p.matched/math.Max(t.idfMass, 1e-9))}
	}
	return out, nil
}

// maxTFParts returns, for each query term, the largest saturated term frequency
// tf·(k1+1)/(tf + k1·(1-b+b·dl/avgdl)) of any of its postings now: the term's contribution
// to a chunk is at most its IDF times that, MaxScore's bound. Within one weighted frequency the
// shortest chunk has the largest, so the bound takes one postings_impact lookup per distinct
// frequency of each term, and is exact for the postings a search sees however stale the
// statistics.
func maxTFParts(ctx context.Context, tx pgx.Tx, t terms) ([]float64, error) {
	lexemes := lexemesOf(t.lexemes)
	rows, err := tx.Query(ctx, fmt.Sprintf(`
		WITH RECURSIVE lv(i, lexeme, tf, dl) AS (
			SELECT w.i, w.lexeme, x.tf, x.dl FROM unnest($1::text[]) WITH ORDINALITY AS w(lexeme, i)
			CROSS JOIN LATERAL (SELECT %[1]s AS tf, p.dl FROM postings p WHERE p.lexeme = w.lexeme
			                    ORDER BY %[1]s DESC, p.dl LIMIT 1) x
			UNION ALL
			SELECT lv.i, lv.lexeme, x.tf, x.dl FROM lv
			CROSS JOIN LATERAL (SELECT %[1]s AS tf, p.dl FROM postings p WHERE p.lexeme = lv.lexeme AND %[1]s < lv.tf
			                    ORDER BY %[1]s DESC, p.dl LIMIT 1) x
		)
		SELECT i, max(tf::float8 * ($2::float8 + 1) / (tf + $2::float8 * (1 - $3::float8 + $3::float8 * dl / $4::float8)))
		FROM lv GROUP BY i`, weightedTF), lexemes, BM25K1, BM25B, t.avgdl)
	if err != nil {
		return nil, fmt.Errorf("reading term bounds: %w", err)
	}
	out := make([]float64, len(lexemes))
	var i int
	var bound float64
	if _, err := pgx.ForEachRow(rows, []any{&i, &bound}, func() error { out[i-1] = bound; return nil }); err != nil {
		return nil, fmt.Errorf("reading term bounds: %w", err)
	}
	return out, nil
}

// oneTerm ranks the chunks holding a query's only term, reading no more postings than needed
// however common the term: its score is a function of the weighted term frequency (up) and the
// chunk's length (down), so within each frequency the shortest chunks rank first, and the top k
// overall is among the first k accessible chunks of each frequency. The postings_impact index
// serves both the walk down the distinct frequencies and each frequency's shortest chunks.
// Each frequency's walk reads the index in its order (frequency down, then length) from that
// frequency on, "<=" rather than "=", and may so return chunks of lower frequencies too, read
// again by their own walk: with "=", the planner, estimating each frequency's postings at a
// few dozen, read them all with a bitmap scan and sorted them, checking access for each (a
// common word at 10,000 passages: 45 ms of PostgreSQL's CPU a search, 117 ms explained,
// against 23 ms). The statement is planned for its arguments each time (QueryExecModeExec):
// the generic plan of a prepared statement, which PostgreSQL switches to after five
// executions, read the "<=" walk in no useful order (250 ms).
func (s *Searcher) oneTerm(ctx context.Context, tx pgx.Tx, t terms, q Query, k int) ([]Scored, error) {
	tm := t.lexemes[0]
	args := []any{tm.lexeme}
	cond := accessSQL(q, func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	})
	rows, err := tx.Query(ctx, fmt.Sprintf(`
		WITH RECURSIVE lv(t) AS (
			SELECT max(%[1]s) FROM postings p WHERE p.lexeme = $1
			UNION ALL
			SELECT (SELECT max(%[1]s) FROM postings p WHERE p.lexeme = $1 AND %[1]s < lv.t) FROM lv WHERE lv.t IS NOT NULL
		)
		SELECT x.chunk_id, x.tf, x.dl FROM lv CROSS JOIN LATERAL (
			SELECT p.chunk_id, %[1]s AS tf, p.dl FROM postings p
			WHERE p.lexeme = $1 AND %[1]s <= lv.t AND EXISTS (SELECT 1 FROM chunks c WHERE c.id = p.chunk_id AND %[2]s)
			ORDER BY %[1]s DESC, p.dl, p.chunk_id LIMIT %[3]d) x`, weightedTF, cond, k), append([]any{pgx.QueryExecModeExec}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("reading postings: %w", err)
	}
	// The one term is the whole question, unless it is an exact form (a French stop word
	// asked alone), which covers nothing of it, as in lexical.
	coverage := 1.0
	if tm.exact {
		coverage = 0
	}
	var out []Scored
	seen := map[int64]bool{}
	var id int64
	var tf, dl float64
	_, err = pgx.ForEachRow(rows, []any{&id, &tf, &dl}, func() error {
		if seen[id] {
			return nil // found again from a higher frequency's walk
		}
		seen[id] = true
		score := tm.idf * tf * (BM25K1 + 1) / (tf + BM25K1*(1-BM25B+BM25B*dl/t.avgdl))
		out = append(out, Scored{ChunkID: id, Score: score, Coverage: coverage})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading postings: %w", err)
	}
	slices.SortFunc(out, func(a, b Scored) int { return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.ChunkID, b.ChunkID)) })
	return out[:min(k, len(out))], nil
}

const (
	// firstBatch is about how many postings the first round trip reads in full.
	firstBatch = 4096
	// boundTerms is the most query terms whose exact bounds maxTFParts looks up.
	boundTerms = 16
	// seedProbes bounds the lookups fullThreshold may spend, once per search: it pays off for
	// queries of a few words, whose θ from partial scores stays low.
	seedProbes = 2048
	// blockProbeRatio is about how many packed postings cost as much to read as one index
	// descent to look a (term, chunk) pair up: 10 when blocks were arrays (about 0.5 and 5 µs
	// at 200,000 passages); as bytes a posting costs PostgreSQL a tenth of that. 300-word
	// queries, lexical, CPU a search Go / PostgreSQL at 10 → 100 (30 queries, load 8–13): at
	// 10,000 passages 15 / 16–19 → 16 / 13 ms; at 100,000, 81 / 110 → 93 / 60 ms (hybrid
	// 139 / 164 → 156 / 117 ms). At 40, 10,000 passages: 16–17 / 13–14 ms. Typical queries
	// unchanged.
	blockProbeRatio = 100
	// probesBatch bounds the (term, chunk) lookups of one round trip.
	probesBatch = 20000
	// accessBatch is how many chunks one access check asks about.
	accessBatch = 500
	// slack absorbs floating-point differences between sums added in different orders, so
	// pruning never drops a chunk whose score ties θ.
	slack = 1e-9
)

// scorer accumulates partial BM25 scores.
type scorer struct {
	*postingsReader
	acc    *partials
	access *accessCheck
}

// add adds the terms' BM25 scores, and the IDF of those each chunk holds, to the chunks of
// into: every chunk holding one of them, or with known only those into holds already (the
// others were pruned), whose postings are then looked up rather than read whole where that
// is cheaper if lookUp is set. Postings are scored here, not in SQL: a common word's postings,
// read a tuple each and summed by PostgreSQL, were most of a hybrid search at scale, and are
// now read packed (readBlocks). Each chunk's contributions are summed in term order, then
// added to its score (partial.batchScore), so equal postings give equal scores to the last bit.
func (sc *scorer) add(ctx context.Context, ts []term, into *partials, known, lookUp bool) error {
	var ids []int64
	if lookUp {
		ids = into.ids()
	}
	blocks, err := sc.read(ctx, ts, ids)
	if err != nil {
		return fmt.Errorf("reading postings: %w", err)
	}
	if !known {
		into.reserve(span(blocks))
	}
	stale := sc.stale()
	// BM25's term weight as SQL computed it (documentBM25 computes it the same way), operation by
	// operation at run time: k1+1 folded as a constant rounds differently, and a fused
	// multiply-add (the float64 conversions forbid it) would too.
	k1, b, avgdl := float64(BM25K1), float64(BM25B), sc.t.avgdl
	k1p1, oneMinusB := k1+1, 1-b
	for i, tm := range ts {
		mass := tm.idf // what the term adds to Coverage: exact forms nothing
		if tm.exact {
			mass = 0
		}
		for _, bl := range blocks[i] {
			for j := range bl.len() {
				id, tfn, dln := bl.at(j)
				if bl.packed && stale != nil && stale[id] {
					continue
				}
				s := into.find(id)
				if s < 0 {
					if known {
						continue
					}
					s = into.insert(id)
				}
				tf, dl := float64(tfn), float64(dln)
				p := &into.ps[s]
				p.batchScore += float64(tm.idf*tf) * k1p1 / (tf + float64(k1*(oneMinusB+float64(b*dl)/avgdl)))
				p.batchMatched += mass
			}
		}
	}
	into.fold()
	return nil
}

// span returns the least and greatest chunk ids of the blocks' postings, and how many they
// hold: the room a table needs for them (partials.reserve). Packed blocks are in id order,
// so their first and last postings bound them; the postings read from the table are not.
func span(blocks [][]block) (lo, hi int64, n int) {
	lo, hi = math.MaxInt64, math.MinInt64
	for _, bs := range blocks {
		for _, bl := range bs {
			k, step := bl.len(), 1
			if bl.packed {
				step = max(k-1, 1)
			}
			for j := 0; j < k; j += step {
				id, _, _ := bl.at(j)
				lo, hi = min(lo, id), max(hi, id)
			}
			n += k
		}
	}
	return lo, hi, n
}

// idSet is a set of chunk ids, a bit each over the span of its ids, or a map where the ids are
// too far apart for that (re-indexing draws new ids: two candidates a billion ids apart would
// take 125 MB of bits).
type idSet struct {
	lo   int64
	bits []uint64
	m    map[int64]bool
}

// idSetMinWords is how many words of bits a set may take however few its ids: 128 KB, a span of
// a million ids. documentBM25 tests every posting of the terms read whole, and the candidates'
// thousand chunks spread over a million passages made a map, whose lookups were 9 % of the
// Go CPU of searches at 1,000,000 passages (300-word queries mostly).
const idSetMinWords = 1 << 14

func newIDSet(ids []int64) idSet {
	if len(ids) == 0 {
		return idSet{}
	}
	lo, hi := slices.Min(ids), slices.Max(ids)
	if words := (hi-lo)/64 + 1; words > max(8*int64(len(ids))+64, idSetMinWords) {
		s := idSet{m: make(map[int64]bool, len(ids))}
		for _, id := range ids {
			s.m[id] = true
		}
		return s
	}
	s := idSet{lo: lo, bits: make([]uint64, (hi-lo)/64+1)}
	for _, id := range ids {
		s.bits[(id-lo)/64] |= 1 << ((id - lo) % 64)
	}
	return s
}

func (s idSet) has(id int64) bool {
	if s.m != nil {
		return s.m[id]
	}
	k := id - s.lo
	return k >= 0 && k/64 < int64(len(s.bits)) && s.bits[k/64]&(1<<(k%64)) != 0
}

// postingsReader reads a search's postings, and keeps those of the terms it read whole: the
// document score (documentBM25) and a second pass of the lexical branch over the same terms
// then read nothing again. A 300-word query at 10,000 passages reads every term whole, and
// documentBM25 used to read them all a second time, as a tuple each, summed by PostgreSQL
// (260 of 420 ms of CPU a search, most of the hybrid search's time).
type postingsReader struct {
	tx    pgx.Tx
	t     terms
	whole map[string][]block // by lexeme
	bytes *arena             // the blocks' bytes
}

func newPostingsReader(tx pgx.Tx, t terms) *postingsReader {
	return &postingsReader{tx: tx, t: t, whole: map[string][]block{}, bytes: arenaPool.Get().(*arena)}
}

// release gives the postings' memory back for other searches: nothing may read them after.
func (r *postingsReader) release() {
	r.bytes.release()
	r.bytes, r.whole = nil, nil
}

// read returns each term's postings, whole, or only those in the chunks ids (when given)
// where that is cheaper: looking a (term, chunk) pair up costs an index descent, reading a
// packed posting about a hundredth of that (blockProbeRatio). Terms already read whole are not
// read again, nor twice a lexeme asked for twice (as a stem and as a form).
func (r *postingsReader) read(ctx context.Context, ts []term, ids []int64) ([][]block, error) {
	var postings int64
	var missing []term
	asked := map[string]bool{}
	for _, tm := range ts {
		if _, ok := r.whole[tm.lexeme]; !ok && !asked[tm.lexeme] {
			asked[tm.lexeme] = true
			missing = append(missing, tm)
			postings += tm.df
		}
	}
	if ids != nil && int64(len(ids)*len(ts))*blockProbeRatio < postings {
		return r.lookUp(ctx, ts, ids)
	}
	if len(missing) > 0 {
		read, err := r.readBlocks(ctx, missing)
		if err != nil {
			return nil, err
		}
		for i, tm := range missing {
			r.whole[tm.lexeme] = read[i]
		}
	}
	blocks := make([][]block, len(ts))
	for i, tm := range ts {
		blocks[i] = r.whole[tm.lexeme]
	}
	return blocks, nil
}

// stale returns the chunks whose packed postings are stale (the table has them as they are
// now), nil when there are none.
func (r *postingsReader) stale() map[int64]bool {
	if len(r.t.unpacked) == 0 {
		return nil
	}
	stale := make(map[int64]bool, len(r.t.unpacked))
	for _, id := range r.t.unpacked {
		stale[id] = true
	}
	return stale
}

// block is a run of one term's postings, postingSize bytes each: the chunk id (8 bytes), the
// weighted term frequency and the chunk's length (4 bytes each), big-endian as PostgreSQL's
// int8send and int4send write them (the format of postings_blocks, migration 00028). Bytes
// cost PostgreSQL and pgx a copy where arrays cost each a function call per element.
type block struct {
	packed bool // from postings_blocks, not the postings table
	data   []byte
}

const postingSize = 16

// len is the number of postings in the block.
func (b block) len() int { return len(b.data) / postingSize }

// at returns the block's j-th posting.
func (b block) at(j int) (id int64, tf, dl int32) {
	p := b.data[j*postingSize : j*postingSize+postingSize]
	return int64(binary.BigEndian.Uint64(p)), int32(binary.BigEndian.Uint32(p[8:])), int32(binary.BigEndian.Uint32(p[12:]))
}

// postingBytes is SQL for a posting of postings p in a block's format.
const postingBytes = "int8send(p.chunk_id) || int4send(" + weightedTF + ") || int4send(p.dl)"

// readBlocks returns each term's postings: those packed in blocks (postings_blocks, a row per
// 256 postings) and, from the postings table, those the blocks lack (chunks written since
// they were built, terms.newer, and chunks changed since, terms.unpacked), read only when
// there are any. Each unpacked chunk is an index descent per term: pgx prepares statements,
// and PostgreSQL's generic plan for a "chunk_id = ANY($3)" condition filtered each term's
// postings with it instead of looking them up, reading every posting of every term a second
// time (38 of 52 ms in PostgreSQL, for a 300-word query at 10,000 passages, with no chunk
// unpacked at all).
func (r *postingsReader) readBlocks(ctx context.Context, ts []term) ([][]block, error) {
	args := []any{lexemesOf(ts)}
	var newer []string
	if r.t.newer {
		args = append(args, r.t.blocksUpto)
		newer = append(newer, fmt.Sprintf("SELECT %s AS posting FROM postings p WHERE p.lexeme = w.lexeme AND p.chunk_id > $%d", postingBytes, len(args)))
	}
	if len(r.t.unpacked) > 0 {
		args = append(args, r.t.unpacked)
		newer = append(newer, fmt.Sprintf(`SELECT p.posting FROM unnest($%d::bigint[]) AS u(id) CROSS JOIN LATERAL (
				SELECT %s AS posting FROM postings p WHERE p.lexeme = w.lexeme AND p.chunk_id = u.id LIMIT 1) p`, len(args), postingBytes))
	}
	sql := `SELECT w.i, true, b.postings
		FROM unnest($1::text[]) WITH ORDINALITY AS w(lexeme, i) JOIN postings_blocks b ON b.lexeme = w.lexeme`
	if len(newer) > 0 {
		sql += fmt.Sprintf(`
		UNION ALL
		SELECT w.i, false, string_agg(p.posting, ''::bytea)
		FROM unnest($1::text[]) WITH ORDINALITY AS w(lexeme, i) CROSS JOIN LATERAL (%s) p
		GROUP BY w.i`, strings.Join(newer, " UNION ALL "))
	}
	rows, err := r.tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	out := make([][]block, len(ts))
	var i int
	var packed bool
	var data pgtype.DriverBytes
	_, err = pgx.ForEachRow(rows, []any{&i, &packed, &data}, func() error {
		out[i-1] = append(out[i-1], block{packed: packed, data: r.bytes.copy(data)})
		return nil
	})
	return out, err
}

// lookUp returns the postings of the terms ts in the chunks ids, from the postings table,
// an index descent per (term, chunk) pair. The LIMIT (the pair is the primary key) keeps the
// planner from joining instead: misjudging a common word's postings as a few thousand, it
// read them whole and filtered them (20 ms a search at 200,000 passages).
func (r *postingsReader) lookUp(ctx context.Context, ts []term, ids []int64) ([][]block, error) {
	lexemes := lexemesOf(ts)
	rows, err := r.tx.Query(ctx, fmt.Sprintf(`
		SELECT w.i, string_agg(p.posting, ''::bytea)
		FROM unnest($1::text[]) WITH ORDINALITY AS w(lexeme, i) CROSS JOIN unnest($2::bigint[]) AS c(id)
		CROSS JOIN LATERAL (SELECT %s AS posting FROM postings p WHERE p.lexeme = w.lexeme AND p.chunk_id = c.id LIMIT 1) p
		GROUP BY w.i`, postingBytes), lexemes, ids)
	if err != nil {
		return nil, err
	}
	out := make([][]block, len(ts))
	var i int
	var data pgtype.DriverBytes
	_, err = pgx.ForEachRow(rows, []any{&i, &data}, func() error {
		out[i-1] = append(out[i-1], block{data: r.bytes.copy(data)})
		return nil
	})
	return out, err
}

// fullThreshold raises θ early: it scores the best chunks so far (by partial score) on the
// remaining terms too, without recording it, and returns the k-th best of those full scores
// among accessible chunks, a lower bound of the final k-th best score that partial scores
// alone reach only once most terms are read (0 when fewer than k are accessible).
func (sc *scorer) fullThreshold(ctx context.Context, k int, remaining []term) (float64, error) {
	full := getPartials(sc.acc.limit)
	defer putPartials(full)
	for _, p := range head(sc.acc.ps, 2*k) {
		full.ps[full.insert(p.id)].score = p.score
	}
	if err := sc.add(ctx, remaining, full, true, true); err != nil {
		return 0, err
	}
	ok, err := sc.access.allowed(ctx, sc.tx, full.ps)
	if err != nil {
		return 0, err
	}
	found := 0
	for _, p := range ranked(slices.Clone(full.ps)) {
		if ok[p.id] {
			if found++; found == k {
				return p.score, nil
			}
		}
	}
	return 0, nil
}

// ranked sorts chunks best first, ties by id.
func ranked(ps []partial) []partial {
	slices.SortFunc(ps, func(a, b partial) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.id, b.id))
	})
	return ps
}

// head returns the n best of ps, best first (ties by id), in a slice of its own. A search
// holds a partial score for every chunk holding its rarer terms, hundreds of thousands for
// common words at scale, and needs only the head: a bounded heap finds it in one pass where
// sorting them all cost more than reading their postings.
func head(ps []partial, n int) []partial {
	if n <= 0 {
		return nil
	}
	if n >= len(ps) {
		return ranked(slices.Clone(ps))
	}
	h := worstFirst(make([]partial, 0, n))
	for _, p := range ps {
		if len(h) < n {
			heap.Push(&h, p)
		} else if before(p, h[0]) {
			h[0] = p
			heap.Fix(&h, 0)
		}
	}
	return ranked(h)
}

// before reports whether a ranks before b: a higher score, or the same and a lower id.
func before(a, b partial) bool {
	return a.score > b.score || a.score == b.score && a.id < b.id
}

// worstFirst is a heap of chunks with the worst ranked on top.
type worstFirst []partial

func (h worstFirst) Len() int           { return len(h) }
func (h worstFirst) Less(i, j int) bool { return before(h[j], h[i]) }
func (h worstFirst) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *worstFirst) Push(x any)        { *h = append(*h, x.(partial)) }
func (h *worstFirst) Pop() any {
	old := *h
	p := old[len(old)-1]
	*h = old[:len(old)-1]
	return p
}

// bestAllowed returns the k best of ps the reader may see, best first. It checks access down
// the ranking in batches, taking a longer head of the ranking only while too few pass. The
// first batch is the k best, enough where the reader may see everything: each check reads the
// chunks' rows, and asking about accessBatch at once cost 13 ms of a search at 200,000
// passages.
func (sc *scorer) bestAllowed(ctx context.Context, ps []partial, k int) ([]partial, error) {
	var out []partial
	for n := min(len(ps), max(2*k, accessBatch)); ; n = min(len(ps), 4*n) {
		out = out[:0]
		top := head(ps, n)
		for lo, size := 0, k; lo < len(top) && len(out) < k; lo, size = lo+size, accessBatch {
			hi := min(lo+size, len(top))
			ok, err := sc.access.allowed(ctx, sc.tx, top[lo:hi])
			if err != nil {
				return nil, err
			}
			for _, p := range top[lo:hi] {
				if ok[p.id] && len(out) < k {
					out = append(out, p)
				}
			}
		}
		if len(out) == k || n == len(ps) {
			return out, nil
		}
	}
}

// threshold returns θ: the k-th best partial score among accessible chunks, a lower bound of
// the k-th best final score (0 while fewer than k are known). Access is only checked when θ
// could end the full reading of postings, that is when the k-th best partial score of all
// chunks passes need (pass -Inf to always compute it).
func (sc *scorer) threshold(ctx context.Context, k int, need float64) (float64, error) {
	if len(sc.acc.ps) < k {
		return 0, nil
	}
	if head(sc.acc.ps, k)[k-1].score <= need {
		return 0, nil
	}
	best, err := sc.bestAllowed(ctx, sc.acc.ps, k)
	if err != nil || len(best) < k {
		return 0, err
	}
	return best[k-1].score, nil
}

// candidates keeps the chunks whose partial score plus the most the remaining terms can add
// reaches θ, and returns them: the table's own slice, valid until the next add.
func (sc *scorer) candidates(rest, theta float64) []partial {
	sc.acc.prune(rest, theta)
	return sc.acc.ps
}

// accessCheck answers, and remembers, whether the reader may see chunks (groups and filters).
type accessCheck struct {
	cond string
	args []any
	seen map[int64]bool
}

func newAccessCheck(q Query) *accessCheck {
	a := &accessCheck{seen: map[int64]bool{}}
	a.cond = accessSQL(q, func(v any) string {
		a.args = append(a.args, v)
		return fmt.Sprintf("$%d", len(a.args)+1)
	})
	return a
}

// allowed reports which of the chunks the reader may see.
func (a *accessCheck) allowed(ctx context.Context, tx pgx.Tx, ps []partial) (map[int64]bool, error) {
	var ask []int64
	for _, p := range ps {
		if _, ok := a.seen[p.id]; !ok {
			ask = append(ask, p.id)
		}
	}
	if len(ask) > 0 {
		for _, id := range ask {
			a.seen[id] = false
		}
		rows, err := tx.Query(ctx, `SELECT c.id FROM chunks c WHERE c.id = ANY($1::bigint[]) AND `+a.cond, append([]any{ask}, a.args...)...)
		if err != nil {
			return nil, fmt.Errorf("checking access: %w", err)
		}
		var id int64
		if _, err := pgx.ForEachRow(rows, []any{&id}, func() error { a.seen[id] = true; return nil }); err != nil {
			return nil, fmt.Errorf("checking access: %w", err)
		}
	}
	return a.seen, nil
}

// searchSQL builds the query that gathers both branches' candidates, and its arguments: every
// candidate with both scores (a passage only one branch found gets the other's computed where
// it can be: its similarity), for fuse to rank. The lexical branch's results come ranked and
// scored by lexical (exact BM25, access and filters applied); the vector branch's come from
// near when it ran on its own connection (nearestConcurrently), else it runs here (nearestSQL).
func (s *Searcher) searchSQL(lexResults []Scored, q Query, vec []float32, candidates int, near *nearestResult) (string, []any) {
	var args []any
	param := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	lex := "SELECT NULL::bigint AS id, 0::float8 AS score, 0::float8 AS coverage WHERE false"
	if len(lexResults) > 0 {
		ids := make([]int64, len(lexResults))
		scores := make([]float64, len(lexResults))
		coverage := make([]float64, len(lexResults))
		for i, r := range lexResults {
			ids[i], scores[i], coverage[i] = r.ChunkID, r.Score, r.Coverage
		}
		lex = fmt.Sprintf("SELECT * FROM unnest(%s::bigint[], %s::float8[], %s::float8[]) AS l(id, score, coverage)",
			param(ids), param(scores), param(coverage))
	}
	vecBranch := "SELECT NULL::bigint AS id, 0::float8 AS sim WHERE false"
	sim := "vec.sim"
	if vec != nil {
		v := param(pgvector.NewVector(vec))
		if near != nil {
			ids := make([]int64, len(near.hits))
			sims := make([]float64, len(near.hits))
			for i, h := range near.hits {
				ids[i], sims[i] = h.id, h.sim
			}
			vecBranch = fmt.Sprintf("SELECT * FROM unnest(%s::bigint[], %s::float8[]) AS v(id, sim)", param(ids), param(sims))
		} else {
			vecBranch = fmt.Sprintf("SELECT id, 1 - dist AS sim FROM (%s) c", nearestSQL(v, accessSQL(q, param), candidates))
		}
		// Passages only the lexical branch found get their similarity computed.
		sim = fmt.Sprintf("coalesce(vec.sim, 1 - (c.embedding <=> %s))", v)
	}
	// The candidates of both branches, each with both scores where known; Go fuses them
	// (fuse), since how far to trust each branch depends on the whole candidate list.
	sql := fmt.Sprintf(`
WITH vec AS (%s),
lex AS (%s)
SELECT c.id, c.document_id, lex.score, %s, coalesce(lex.coverage, 0), vec.id IS NOT NULL, d.path, c.start_offset
FROM vec FULL OUTER JOIN lex ON vec.id = lex.id
JOIN chunks c ON c.id = coalesce(vec.id, lex.id)
JOIN documents d ON d.id = c.document_id`, vecBranch, lex, sim)
	return sql, args
}

// accessSQL is the condition on chunk c for the reader's groups and the query's filters, with
// param adding each value as a query argument.
func accessSQL(q Query, param func(any) string) string {
	cond := access.Visible("c", param(nonNil(q.Groups)))
	var filters []string
	if q.Source != "" {
		filters = append(filters, "s.name = "+param(q.Source))
	}
	if q.PathPrefix != "" {
		filters = append(filters, "starts_with(d.path, "+param(q.PathPrefix)+")")
	}
	if q.Type != "" {
		filters = append(filters, "d.type = "+param(q.Type))
	}
	if !q.After.IsZero() {
		filters = append(filters, "d.mtime >= "+param(q.After))
	}
	if !q.Before.IsZero() {
		filters = append(filters, "d.mtime < "+param(q.Before))
	}
	if len(filters) > 0 {
		// OFFSET 0 keeps this a check per candidate: as a join, a misestimated filter (an
		// unanalysed one-row sources table) made the planner compute every distance and sort,
		// 70 ms instead of 7 on SciFact.
		cond += fmt.Sprintf(` AND EXISTS (SELECT 1 FROM documents d JOIN sources s ON s.id = d.source_id
			WHERE d.id = c.document_id AND %s OFFSET 0)`, strings.Join(filters, " AND "))
	}
	return cond
}
