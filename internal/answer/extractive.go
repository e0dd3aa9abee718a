package answer

import (
	"cmp"
	"context"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/docent-search/docent/internal/retrieve"
	"github.com/docent-search/docent/internal/textseg"
)

// Extractive answers without an LLM: it quotes whole sentences of the passage that answers
// best, the sentence that answers most first, each quote followed by its source's [n]. It
// cannot say anything the documents do not say.
//
// A sentence that leans on the one before it ("This", "It", "However"…) is quoted with it; a
// list item or table row is quoted with its whole list or table (and the line introducing
// it), as a list; a description in a definition list with its term line(s) ("--soft",
// "merge.renames"); a passage's first sentence that leans on what precedes it under its
// section's heading ("eol" / "This attribute sets…"); a short passage that answers by itself is quoted whole. A quote reads on
// to the end of its paragraph while the sentences go on with it (a description under its term
// whole; "You start a bisect session as follows:" with the commands, and so "… by the
// following." with the prompted commands or code under it), within the answer's
// length, and sentences of one paragraph are quoted as one run of text. Question words
// count by how rare they are among the sources' sentences. Another passage is quoted only when
// it is of the same document: the answer cites one document. When no sentence holds a question
// word (a question in other words, the passages found by meaning), a short top passage is quoted
// whole and a long one not at all; when the passages were found by the question's words but the
// best sentence's quote holds little of them (minQuoteShare), nothing is quoted either. A later
// sentence of a list item is quoted from the item's start.
type Extractive struct {
	// MaxSentences bounds the sentences quoted besides a list or table (default 3).
	MaxSentences int
}

// Name implements Answerer.
func (Extractive) Name() string { return "extractive" }

// sent is one sentence of a source passage.
type sent struct {
	text  string
	line  int        // the passage line (block) it is on
	item  bool       // a list item or table row
	depth int        // a list item's indentation, in bytes (a nested list's items are indented); -1 for other sentences
	code  *codeBlock // the code block it is a line of (code.go), or nil
	terms map[string]bool
	score float64
}

// shortPassageWords is the size under which a passage that answers is quoted whole.
const shortPassageWords = 70

// maxListLines bounds a quoted list or table; maxShownLines what a line ending in a colon
// introduces otherwise.
const (
	maxListLines  = 12
	maxShownLines = 3
)

// How much to quote and from where. The answer cites the document of the best-ranked passage
// that has a sentence holding a question word: where retrieval and sentence word overlap
// disagree about the document, retrieval is right more often. On the dev sets the distinct
// documents ranked second are judged relevant far less often than the first (git-doc 15 of 54
// against 29 of 57, handbook-eval 1 of 18 against 47 of 48); choosing the document by its best
// sentence instead cites a relevant one in 30 of git-doc's 57 answers and 44 of handbook-eval's
// 48 (by rank 29 and 47), another document only when its sentence scores 1.2-2 times the top
// passage's in 27-28 and 46-47, and neither the documents' title and heading words, their
// passages' count among the sources, nor weights of these fitted on the dev sets did better by
// more than a question. (Before, another document was cited when its sentence scored 1 + rank
// times the top passage's: of the dev sets' 136 answers, one changes, git-doc's g21, cited wrong
// either way.) Among that document's passages a sentence's score is divided by
// 1 + scoreDiscount×(how far the passage's retrieval score falls short of the document's best,
// as a share of it), so its top passage is quoted unless another answers clearly better; a
// passage retrieval scored as high as the best competes on its sentences alone. (Divided by
// 1 + its rank among the sources instead, a passage ranked third behind another document's
// scored a third even at 0.6 % below its document's best: SQLite's "The ADD COLUMN syntax is used
// to add a new column to an existing table." lost to a sentence on CHECK constraints. Measured
// over the dev sets' answers, at 3-30 the same six answers of git-doc, sqlite-doc and the
// handbook put the sentence that answers first or quote it at all (one fact gained), sqlite-doc's
// s56 quotes a wrong document where it declined, and at 3-5 python-doc loses a fact.)
// Another passage of the same document (its steps after its summary) is quoted when it speaks
// to the question, within maxAnswerWords. Another document is never quoted besides: each
// further document cited is a further chance of citing one that does not answer. (Quoted when
// its sentence scored at least 0.8 of the best one's and added a question word, on the dev sets
// four other documents were cited, none of them judged relevant, and no fact was gained.)
// maxAnswerWords bounds the sentences added after the best one, so that the answer is read
// rather than skimmed.
const (
	scoreDiscount  = 10.0
	maxAnswerWords = 80
)

// minQuoteShare is the share of the question's weight under which the quote of the best
// sentence (with the sentences it is quoted with, and half of its passage's title and heading
// words) does not answer a question whose top passage was found by its words rather than by
// meaning (its margin under DefaultMinMargin). Such a passage holds the question's words, but
// scattered: "partition a big table by month" found a passage of SQLite's manual on window
// functions that says PARTITION in one sentence and month in another. On the dev sets every
// answer whose quote held less than a quarter of the question cited a document judged not
// relevant or answered a question nothing answers (python-doc 1 and sqlite-doc 2 answers, git-doc
// 1 and sqlite-doc 2 unanswerable questions, none on the handbook sets; the lowest right one held
// 0.27, and no fact was lost): the answer declines instead, a wrong answer being worse than none. A passage found by meaning (a question in other words) shares few words with the
// question however well it answers, and is not held to this.
const minQuoteShare = 0.25

// quoteShare returns the share of the question's weight (the terms, weighed as the sentences
// are) that the quote of sentence k of passage ps holds, a term of the title or heading only
// counting half.
func quoteShare(src retrieve.Result, ps []sent, k int, terms []string, weight map[string]float64, total float64) float64 {
	in := map[string]bool{}
	for _, g := range withCode(ps, withContext(ps, k)) {
		maps.Copy(in, ps[g].terms)
	}
	context := termSet(src.Title + " " + src.Heading)
	share := 0.0
	for _, t := range terms {
		switch {
		case in[t]:
			share += weight[t]
		case context[t]:
			share += 0.5 * weight[t]
		}
	}
	return share / total
}

// Answer implements Answerer.
func (e Extractive) Answer(ctx context.Context, question string, sources []retrieve.Result, emit func(string)) (string, error) {
	qTerms, stops := termSet(question), keywordStopwords(question)
	if len(qTerms) == 0 && len(stops) == 0 || len(sources) == 0 {
		return "", nil
	}
	passages := make([][]sent, len(sources))
	for i, src := range sources {
		passages[i] = sentencesOf(src.Text)
	}
	addStopwords(passages, qTerms, stops)
	if len(qTerms) == 0 {
		return "", nil
	}
	// The question's terms in a fixed order: a sentence's score is a sum of their weights, and
	// summed in map order, which changes from run to run, two sentences holding the same
	// question words in as many words scored apart in the last bit, one way or the other, and
	// the sentence quoted changed between runs (python-doc's p09 lost its fact once in four
	// evaluations).
	terms := slices.Sorted(maps.Keys(qTerms))
	weight, total := termWeights(passages, terms)
	cited := -1 // the best-ranked passage with a sentence that scores: its document is cited
	for i, src := range sources {
		// How far the passage's retrieval score falls short of its document's best, wherever
		// that passage is in the list (a reranker orders it by other scores).
		shortfall := 0.0
		for _, o := range sources {
			if sameDoc(o, src) && o.Score > 0 {
				shortfall = max(shortfall, (o.Score-src.Score)/o.Score)
			}
		}
		// The title and heading path say what a passage's sentences are about ("Email
		// signature" over "Use the standard signature: …"): their question words count half.
		context := termSet(src.Title + " " + src.Heading)
		for j := range passages[i] {
			s := &passages[i][j]
			overlap, about, n := 0.0, 0.0, 0
			for _, t := range terms {
				switch {
				case s.terms[t]:
					overlap += weight[t]
					n++
				case context[t]:
					about += 0.5 * weight[t]
				}
			}
			if n == 0 || len(s.terms) < 2 {
				continue
			}
			// Coverage of the question's weight, discounted for long sentences, and for
			// passages retrieval scored lower: it ranks passages better than word overlap does.
			s.score = ((overlap+about)/total + 0.5*overlap/total*float64(n)/math.Sqrt(float64(len(s.terms)))) / (1 + scoreDiscount*shortfall)
			if cited < 0 {
				cited = i
			}
		}
	}
	best, bestSrc, bestIdx := 0.0, -1, -1
	for i, p := range passages {
		if cited < 0 || !sameDoc(sources[i], sources[cited]) {
			continue
		}
		for j, s := range p {
			if s.score > best {
				best, bestSrc, bestIdx = s.score, i, j
			}
		}
	}
	if bestSrc < 0 {
		// No sentence of two words or more holds a question word ("I'm feeling ill, who do I
		// let know" for "If you are sick, tell your manager…"): the passages were found by
		// meaning. A short top passage, which retrieval judged relevant all the same, is quoted
		// whole if it says something (a sentence of two words or more); a longer one would be
		// quoted without knowing which of its sentences answer, so the answer declines.
		whole := wholeText(sources[0].Text)
		if !slices.ContainsFunc(passages[0], func(s sent) bool { return len(s.terms) >= 2 }) || len(strings.Fields(whole)) > shortPassageWords {
			return "", nil
		}
		return emitQuotes(ctx, []string{quote(underHeading(sources[0], passages[0], []int{0}, fenceCode(whole)), 1)}, emit)
	}
	if !sources[0].Pinned && sources[0].Margin < DefaultMinMargin && quoteShare(sources[bestSrc], passages[bestSrc], bestIdx, terms, weight, total) < minQuoteShare {
		return "", nil
	}
	var quotes []string
	said := map[string]bool{} // the sentences quoted, as plainText
	ps := passages[bestSrc]
	if whole := wholeText(sources[bestSrc].Text); len(strings.Fields(whole)) <= shortPassageWords && answersAlone(passages, bestSrc, qTerms) {
		quotes = append(quotes, quote(underHeading(sources[bestSrc], ps, []int{0}, fenceCode(whole)), bestSrc+1))
		for _, s := range ps {
			said[plainText(s.text)] = true
		}
	} else {
		picked := e.pick(ps, bestIdx, qTerms)
		for _, group := range picked {
			for _, k := range group {
				said[plainText(ps[k].text)] = true
			}
			quotes = append(quotes, quote(underHeading(sources[bestSrc], ps, group, joinSentences(ps, group)), bestSrc+1))
		}
	}
	// The best sentence of another passage of the same document.
	other, otherSrc, otherIdx := 0.0, -1, -1
	for i, p := range passages {
		if i == bestSrc || !sameDoc(sources[i], sources[bestSrc]) {
			continue
		}
		for j, s := range p {
			if said[plainText(s.text)] {
				continue // the same words in another passage (a note repeated under each option)
			}
			if s.score > other {
				other, otherSrc, otherIdx = s.score, i, j
			}
		}
	}
	if otherSrc >= 0 {
		group := withCode(passages[otherSrc], withContext(passages[otherSrc], otherIdx))
		if words := len(strings.Fields(strings.Join(quotes, " "))); words+groupWords(passages[otherSrc], group) <= maxAnswerWords {
			text := underHeading(sources[otherSrc], passages[otherSrc], group, joinSentences(passages[otherSrc], group))
			quotes = append(quotes, quote(text, otherSrc+1))
		}
	}
	return emitQuotes(ctx, quotes, emit)
}

// emitQuotes writes the quotes as the answer, streaming each to emit: quotes of several lines
// stand apart as paragraphs, quotes of one line run on.
func emitQuotes(ctx context.Context, quotes []string, emit func(string)) (string, error) {
	var b strings.Builder
	for i, q := range quotes {
		if err := ctx.Err(); err != nil {
			return b.String(), err
		}
		if i > 0 {
			if strings.Contains(q, "\n") || strings.Contains(quotes[i-1], "\n") {
				q = "\n\n" + q
			} else {
				q = " " + q
			}
		}
		b.WriteString(q)
		if emit != nil {
			emit(q)
		}
	}
	return b.String(), nil
}

// pick chooses what to quote of a passage around its best sentence: the best sentence (with
// its context) first, then, in reading order, up to MaxSentences of the passage's other
// sentences that speak to the question. Each group is a run of sentence indexes.
func (e Extractive) pick(ps []sent, best int, q map[string]bool) [][]int {
	first := withContext(ps, best)
	used := map[int]bool{}
	for _, k := range first {
		used[k] = true
	}
	groups := [][]int{first}
	limit := cmp.Or(e.MaxSentences, 3)
	count := len(first)
	if ps[best].item {
		count = limit // a list or table answers; further sentences would only dilute it
	}
	words := groupWords(ps, first)
	for k := range ps {
		if count >= limit {
			break
		}
		if used[k] || ps[k].item || ps[k].score < 0.5*ps[best].score || sameTerms(ps[k], ps, first) {
			continue
		}
		var fresh []int
		for _, g := range withContext(ps, k) {
			if !used[g] {
				fresh = append(fresh, g)
			}
		}
		if w := groupWords(ps, fresh); len(fresh) > 0 && words+w <= maxAnswerWords {
			for _, g := range fresh {
				used[g] = true
			}
			groups = append(groups, fresh)
			words += w
			count++
		}
	}
	groups = readOn(ps, groups, used, q, maxAnswerWords)
	// Code blocks come whole, each once.
	quoted := map[int]bool{}
	out := groups[:0]
	for _, g := range groups {
		g = slices.DeleteFunc(withCode(ps, g), func(k int) bool { return quoted[k] })
		for _, k := range g {
			quoted[k] = true
		}
		if len(g) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// withCode returns group with each code block it touches whole, in reading order: up to
// maxCodeLines of the block's lines, from the group's first one in it, and the sentence that
// introduces the block ("For example:", "…you might use") when the quote starts with the block.
func withCode(ps []sent, group []int) []int {
	in := map[int]bool{}
	for _, k := range group {
		in[k] = true
	}
	for _, k := range group {
		c := ps[k].code
		if c == nil {
			continue
		}
		lo, hi := k, k
		for lo > 0 && ps[lo-1].code == c {
			lo--
		}
		for hi+1 < len(ps) && ps[hi+1].code == c {
			hi++
		}
		from, to := ps[lo].line, ps[hi].line
		if to-from >= maxCodeLines {
			first := ps[k].line
			for _, g := range group {
				if ps[g].code == c {
					first = min(first, ps[g].line)
				}
			}
			from = max(from, min(first-maxCodeLines/4, to-maxCodeLines+1)) // a few lines before, for the statement they are in
			to = from + maxCodeLines - 1
		}
		for j := lo; j <= hi; j++ {
			if from <= ps[j].line && ps[j].line <= to {
				in[j] = true
			}
		}
		if from == ps[lo].line && lo > 0 && ps[lo-1].code == nil && (strings.HasSuffix(ps[lo-1].text, ":") || unfinished(ps[lo-1].text) || shows(ps, lo-1)) {
			in[lo-1] = true
			if lo > 1 && leansBack(ps[lo-1].text) && ps[lo-2].line == ps[lo-1].line {
				in[lo-2] = true
			}
		}
	}
	out := make([]int, 0, len(in))
	for k := range in {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// readOn extends each group, the first one first, with the rest of its paragraph: the
// sentences after its last one on the same line that go on with it (coheres), each with what it
// introduces, while the answer stays within limit words. A later group that the paragraph
// reaches joins it, so that one run of text is quoted once rather than cut into pieces.
func readOn(ps []sent, groups [][]int, used map[int]bool, q map[string]bool, limit int) [][]int {
	words := 0
	for _, g := range groups {
		words += groupWords(ps, g)
	}
	for i := 0; i < len(groups); i++ {
		for {
			group := groups[i]
			last := group[len(group)-1]
			k := last + 1
			if k >= len(ps) || ps[k].line != ps[last].line || ps[k].item {
				break
			}
			if used[k] {
				j := slices.IndexFunc(groups, func(g []int) bool { return g[0] == k })
				if j <= i {
					break
				}
				groups[i] = append(group, groups[j]...)
				groups = slices.Delete(groups, j, j+1)
				continue
			}
			if !coheres(ps, group, k, q) {
				break
			}
			var fresh []int
			for _, g := range withContext(ps, k) {
				if !used[g] && g > last {
					fresh = append(fresh, g)
				}
			}
			w := groupWords(ps, fresh)
			if len(fresh) == 0 || words+w > limit {
				break
			}
			for _, g := range fresh {
				used[g] = true
			}
			groups[i] = append(group, fresh...)
			words += w
		}
	}
	// A later group that ends where an earlier one begins, on its line, comes before it as
	// one run of text: "The approved password manager is Bitwarden. Storing work passwords
	// in a browser is not allowed.", not the second sentence quoted first and the first after
	// it, each cited apart.
	for i := 0; i < len(groups); i++ {
		first := groups[i][0]
		j := slices.IndexFunc(groups, func(g []int) bool { return g[len(g)-1] == first-1 })
		if j > i && ps[first-1].line == ps[first].line && !ps[first].item {
			groups[i] = append(groups[j], groups[i]...)
			groups = slices.Delete(groups, j, j+1)
			i--
		}
	}
	return groups
}

// coheres reports whether sentence k goes on with what the group says: it leans on it, it
// introduces what follows (a colon), or it shares a content word with the group or the question.
func coheres(ps []sent, group []int, k int, q map[string]bool) bool {
	if leansBack(ps[k].text) || strings.HasSuffix(ps[k].text, ":") || isTerm(ps, group[0]) && !ps[group[0]].item {
		return true
	}
	for t := range ps[k].terms {
		if q[t] {
			return true
		}
		for _, g := range group {
			if ps[g].terms[t] {
				return true
			}
		}
	}
	return false
}

// underHeading returns text, the quote of group, under its section's heading when the quote
// starts with its passage's first sentence and that sentence leans on what comes before it:
// "This attribute sets a specific line-ending style…" speaks of what its section's heading
// names ("eol"), and nothing before it in the passage says so. Only the heading's last
// non-empty part is written, on a line of its own, as a definition's term is; not when the
// sentence names it (holds its words in a row: "Tag" is not named by "This stage…", "Kitchen
// rules" not by "These rules keep the kitchen usable"), nor when it has no words.
func underHeading(src retrieve.Result, ps []sent, group []int, text string) string {
	if len(group) == 0 || group[0] != 0 || !leansBack(ps[0].text) {
		return text
	}
	parts := strings.Split(src.Heading, headingSeparator)
	h := ""
	for i := len(parts) - 1; i >= 0 && h == ""; i-- {
		h = strings.TrimSpace(parts[i])
	}
	words := lowerWords(h)
	if len(words) == 0 {
		return text
	}
	sentence := lowerWords(ps[0].text)
	for i := 0; i+len(words) <= len(sentence); i++ {
		if slices.Equal(sentence[i:i+len(words)], words) {
			return text
		}
	}
	return h + "\n" + text
}

// lowerWords returns s's words (runs of letters and digits), lower-cased.
func lowerWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// headingSeparator joins a passage's heading path (ingest.HeadingSeparator).
const headingSeparator = " › "

// plainText is a sentence as compared for repetition: lower case, white space collapsed.
func plainText(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// sameDoc reports two passages of one document.
func sameDoc(a, b retrieve.Result) bool {
	return a.DocumentID == b.DocumentID && a.Path == b.Path
}

// groupWords counts the words of a group of sentences.
func groupWords(ps []sent, group []int) int {
	n := 0
	for _, k := range group {
		n += len(strings.Fields(ps[k].text))
	}
	return n
}

// withContext returns the sentences to quote for sentence k: with the one before when it
// leans on it, and a whole list or table (and the line introducing it) when k is an item of
// one or introduces one.
func withContext(ps []sent, k int) []int {
	// A term line is quoted with the description it names.
	for i := 0; i < maxTermLines && isTerm(ps, k) && !ps[k].item && !ps[k+1].item; i++ {
		k++
	}
	return around(ps, k)
}

// around is withContext for sentence k once past its term lines. What introduces k is looked
// up backwards only (no term lines are skipped there), so the recursion always ends: a line
// taken for a term whose next line goes on from it would otherwise lead back to itself.
func around(ps []sent, k int) []int {
	if lo, ok := introducedBy(ps, k); ok {
		g := around(ps, lo)
		if slices.Contains(g, k) {
			return g
		}
		return span(g[0], k)
	}
	switch {
	case ps[k].item:
		lo, hi := k, k
		for lo > 0 && ps[lo-1].item && k-lo < maxListLines {
			lo--
		}
		for hi+1 < len(ps) && ps[hi+1].item && hi-lo < maxListLines-1 {
			hi++
		}
		if lo > 0 && (strings.HasSuffix(ps[lo-1].text, ":") || heads(ps, lo-1)) {
			lo--
		}
		// A row of a long table is read by its header: the table's first row comes along.
		if head := tableStart(ps, k); head < lo {
			return append([]int{head}, span(lo, hi)...)
		}
		return span(lo, hi)
	case (strings.HasSuffix(ps[k].text, ":") || heads(ps, k)) && k+1 < len(ps) && ps[k+1].item:
		hi := k + 1
		for hi+1 < len(ps) && ps[hi+1].item && hi-k < maxListLines {
			hi++
		}
		return span(k, hi)
	case strings.HasSuffix(ps[k].text, ":") && k+1 < len(ps) && ps[k+1].line > ps[k].line:
		// What a line ending in a colon introduces (an example, a command) is on the lines
		// that follow it: up to maxShownLines sentences, to the end of the paragraph.
		hi := k + 1
		for hi+1 < len(ps) && ps[hi+1].line <= ps[hi].line+1 && hi-k < maxShownLines {
			hi++
		}
		return span(k, hi)
	case shows(ps, k):
		// A sentence that says it shows what follows ("The following reconfigure the timezone
		// used by the Debian system." / "# dpkg-reconfigure tzdata") comes with those commands,
		// as one ending in a colon does, and with the sentence before it when it leans on it.
		lo, hi := k, k+1
		if k > 0 && leansBack(ps[k].text) && !ps[k-1].item {
			lo = k - 1
		}
		for hi+1 < len(ps) && ps[hi+1].line <= ps[hi].line+1 && command(ps[hi+1]) && hi-k < maxShownLines {
			hi++
		}
		return span(lo, hi)
	case described(ps, k) >= 0:
		// A sentence of a definition's description comes with its term and the description's
		// sentences before it: "Overrides the user.name and author.name configuration
		// settings." says nothing without GIT_AUTHOR_NAME. One that breaks off before a command
		// goes on as below ("…you may skip it and run" / "$ git bisect skip"); before a line of
		// words it is a description without a full stop, and that line the next term.
		term := described(ps, k)
		lo := term
		for lo > 0 && term-lo < maxTermLines-1 && isTerm(ps, lo-1) && !ps[lo-1].item && synonym(ps[lo-1].text) {
			lo--
		}
		if hi := goesOn(ps, k); hi > k && !textseg.Prose(ps[k+1].text) {
			return span(lo, hi)
		}
		return span(lo, k)
	case goesOn(ps, k) > k:
		return span(k, goesOn(ps, k))
	case itemStart(ps, k) < k:
		// A later sentence of a list item or table row is quoted from the item's start, which
		// names what it speaks of: "Hence the 26 upper case characters of ASCII are folded…"
		// says nothing without "- NOCASE - Similar to binary, except…".
		return span(itemStart(ps, k), k)
	case k > 0 && leansBack(ps[k].text) && command(ps[k-1]):
		// What a sentence says of the command before it ("# umount /dev/sdb1" / "This is
		// usually good enough…") it says of the example that command ends: the example (the
		// lines run together above it, output and "..." included) comes with it, and the
		// sentence that introduces the example, not its last line alone.
		lo := k - 1
		for lo > 0 && ps[lo-1].line == ps[lo].line-1 && !ps[lo-1].item && k-lo < maxListLines {
			lo--
		}
		if lo > 0 && ps[lo-1].code == nil && !ps[lo-1].item && strings.ContainsAny(ps[lo-1].text[len(ps[lo-1].text)-1:], ".:") && textseg.Prose(ps[lo-1].text) {
			lo = around(ps, lo-1)[0] // the sentence before the example, with what it leans on
		}
		return span(lo, k)
	case k > 0 && leansBack(ps[k].text) && !ps[k-1].item:
		return []int{k - 1, k}
	}
	return []int{k}
}

// shows reports a sentence that says it shows what follows ("… install the public key on the
// remote system by the following.", "Here is an example of a crontab(5) file."), the last of its
// line, whose next line is a command or code: it introduces what that line shows, as a
// sentence ending in a colon does. A sentence that only happens to end a paragraph before an
// example ("If you need to parse untrusted data see XML vulnerabilities.") does not.
func shows(ps []sent, k int) bool {
	if k+1 >= len(ps) || ps[k+1].line <= ps[k].line || ps[k].item || ps[k].code != nil || !command(ps[k+1]) ||
		!strings.HasSuffix(ps[k].text, ".") || !textseg.Prose(ps[k].text) {
		return false
	}
	for _, w := range lowerWords(ps[k].text) {
		if cataphors[w] {
			return true
		}
	}
	return false
}

// cataphors are the words by which a sentence points at what comes after it, as anaphors point
// back.
var cataphors = map[string]bool{"following": true, "follows": true, "below": true, "example": true}

// command reports a line of code or a command: a line of a code block (code.go), or one after
// a shell's prompt. Other lines that are not words are more often a definition list's terms
// ("--init-timeout=<n>") or a figure's caption than an example.
func command(s sent) bool {
	return !s.item && (s.code != nil || prompted(s.text))
}

// itemStart returns the first sentence of the list item or table row whose line sentence k
// goes on, or k when k is on no item's line.
func itemStart(ps []sent, k int) int {
	first := k
	for first > 0 && ps[first-1].line == ps[k].line {
		first--
	}
	if first < k && ps[first].item {
		return first
	}
	return k
}

// goesOn returns the last sentence of what sentence k breaks off into, or k. A sentence that
// breaks off ("…you may land on a commit that broke something unrelated; run") goes on after
// what the next line shows (a command), and on in the lines that continue it in lower case
// ("which will run gitk…").
func goesOn(ps []sent, k int) int {
	if !unfinished(ps[k].text) || ps[k].item || k+1 >= len(ps) || ps[k+1].line <= ps[k].line {
		return k
	}
	hi := k + 1
	for hi+1 < len(ps) && hi-k < maxShownLines && (unfinished(ps[hi].text) || startsLower(ps[hi+1].text)) && !ps[hi+1].item {
		hi++
	}
	return hi
}

// described returns the term line above sentence k when k is one of the first
// maxDescriptionSentences sentences of a description in a definition list, else -1.
func described(ps []sent, k int) int {
	first := k
	for first > 0 && ps[first-1].line == ps[k].line {
		first--
	}
	if first == 0 || k-first >= maxDescriptionSentences || ps[first].item || !isTerm(ps, first-1) || ps[first-1].item {
		return -1
	}
	return first - 1
}

// maxDescriptionSentences bounds how far into a description a sentence may stand and still be
// quoted with its term and the sentences before it.
const maxDescriptionSentences = 3

// tableStart returns the first row of the table whose row k is, or k when k is no table row.
func tableStart(ps []sent, k int) int {
	if !tableRow(ps[k].text) {
		return k
	}
	for k > 0 && tableRow(ps[k-1].text) && ps[k-1].line == ps[k].line-1 {
		k--
	}
	return k
}

// tableRow reports a table row as the extractors write it: cells joined by " | ".
func tableRow(s string) bool { return strings.Contains(s, " | ") }

func span(lo, hi int) []int {
	out := make([]int, 0, hi-lo+1)
	for k := lo; k <= hi; k++ {
		out = append(out, k)
	}
	return out
}

// synonym reports a term line that may name the same thing as the term under it ("-m" over
// "--move", "core.autocrlf"): a word or two, or not a line of words. A longer line of words
// above a heading is the end of what came before it (a PDF table's last row).
func synonym(s string) bool {
	return len(strings.Fields(s)) <= 2 || !textseg.Prose(s)
}

// heads reports a line that heads the list right under it as a line ending in a colon
// introduces one: a heading kept in the text (a PDF's, a plain-text file's) such as "Lost or
// stolen laptop or phone" above the steps to take, which are its answer, all of them.
func heads(ps []sent, k int) bool {
	return !ps[k].item && k+1 < len(ps) && ps[k+1].item && isTerm(ps, k)
}

// isTerm reports a line that names what the line after it describes: a definition list's term
// ("--soft", "merge.renames", "Parental leave") has no sentence punctuation and few words.
func isTerm(ps []sent, k int) bool { return termAt(ps, k, maxTermLines) }

// termAt is isTerm looking at most depth term lines up.
func termAt(ps []sent, k, depth int) bool {
	t := strings.TrimSpace(ps[k].text)
	if !(k+1 < len(ps) && ps[k+1].line == ps[k].line+1 && (k == 0 || ps[k-1].line < ps[k].line) &&
		len(strings.Fields(t)) <= maxTermWords && !strings.ContainsAny(t[len(t)-1:], ".!?:;,")) {
		return false
	}
	// A short description without a full stop ("Make an unsigned, annotated tag object")
	// under its term is the description, not the next term: a term's synonym (-a, --annotate)
	// is a word or two.
	return k == 0 || depth == 0 || len(strings.Fields(t)) <= 2 || !termAt(ps, k-1, depth-1)
}

// maxTermWords bounds a definition list's term line; maxTermLines the term lines (synonyms:
// "-m", "--move") quoted above a description.
const (
	maxTermWords = 6
	maxTermLines = 3
)

// unfinished reports a sentence of several words that breaks off without punctuation, its end
// on the lines after it (not a line of code, which ends as it likes).
func unfinished(s string) bool {
	last, _ := utf8.DecodeLastRuneInString(s)
	return len(strings.Fields(s)) >= minUnfinishedWords && (unicode.IsLetter(last) || last == ',') && textseg.Prose(s)
}

// introducedBy finds the sentence that a command line or a sentence in lower case goes on
// from: one broken off, or ending in a colon, a few lines before, with at most commands
// between ("…unrelated; run" / "$ git bisect visualize" / "which will run gitk…").
func introducedBy(ps []sent, k int) (int, bool) {
	if ps[k].item || textseg.Prose(ps[k].text) && !startsLower(ps[k].text) {
		return 0, false
	}
	for lo := k - 1; lo >= 0 && k-lo <= maxListLines && !ps[lo].item; lo-- {
		if unfinished(ps[lo].text) || strings.HasSuffix(ps[lo].text, ":") || shows(ps, lo) {
			return lo, true
		}
		if textseg.Prose(ps[lo].text) {
			break
		}
	}
	return 0, false
}

// minUnfinishedWords keeps headings and terms ("Fixing a mistake", "--soft") from counting as
// unfinished sentences.
const minUnfinishedWords = 6

// startsLower reports a sentence that starts in lower case: it continues the one before.
func startsLower(s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLower(first)
}

// leansBack reports a sentence that needs the one before it to be understood.
func leansBack(s string) bool {
	first, _, _ := strings.Cut(s, " ")
	first = strings.ToLower(strings.TrimRight(first, ",;:"))
	return anaphors[first]
}

var anaphors = map[string]bool{
	"this": true, "that": true, "these": true, "those": true, "it": true, "its": true,
	"they": true, "them": true, "their": true, "he": true, "she": true, "such": true,
	"however": true, "therefore": true, "thus": true, "also": true, "otherwise": true,
	"then": true, "instead": true, "but": true, "and": true, "so": true, "here": true,
	"there": true, "both": true, "moreover": true, "furthermore": true, "hence": true,
	"consequently": true, "likewise": true, "similarly": true, "accordingly": true,
}

// joinSentences writes a group of sentences as the passage has them: sentences of one line
// run on with a space, lines (list items, table rows, paragraphs) each on a line of their own,
// and the lines of a code block as a fenced block, as they are.
//
// A nested list item keeps its indentation beyond the shallowest quoted item's, so that the
// choices under a step are not read as further steps.
func joinSentences(ps []sent, group []int) string {
	base := -1 // the shallowest list item's indentation
	for _, k := range group {
		if ps[k].depth >= 0 && (base < 0 || ps[k].depth < base) {
			base = ps[k].depth
		}
	}
	var b strings.Builder
	for i := 0; i < len(group); i++ {
		k := group[i]
		newLine := i == 0 || ps[k].line != ps[group[i-1]].line
		if i > 0 {
			if newLine {
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
		}
		if newLine && ps[k].depth > base {
			b.WriteString(strings.Repeat(" ", ps[k].depth-base))
		}
		if c := ps[k].code; c != nil {
			j := i
			for j+1 < len(group) && ps[group[j+1]].code == c {
				j++
			}
			from, to := ps[k].line-c.first, ps[group[j]].line-c.first
			b.WriteString(fenced(strings.Join(c.lines[from:to+1], "\n"), c.indent, from > 0, to < len(c.lines)-1))
			i = j
			continue
		}
		b.WriteString(ps[k].text)
	}
	return b.String()
}

// quote cites text as source n. Bracketed numbers in the text are the document's, not
// citations: they are written with full-width brackets, so that "as the handbook says [2]"
// quoted from source 1 cites source 1 only.
func quote(text string, n int) string {
	text = Neutralize(text)
	if strings.Contains(text, "\n") {
		return text + "\n[" + strconv.Itoa(n) + "]"
	}
	return text + " [" + strconv.Itoa(n) + "]"
}

// Neutralize rewrites citation-like markers in document text ("[2]") with full-width
// brackets ("［2］"): they read the same, but are never taken for a citation of Docent's. Both
// answerers see sources through it, so document text can never cite another source.
func Neutralize(text string) string {
	return marker.ReplaceAllString(text, "［$1］")
}

// answersAlone reports whether passage i holds nearly every question word that any of the
// passages holds: nothing another passage says is missing from it.
func answersAlone(passages [][]sent, i int, q map[string]bool) bool {
	mine, all := 0, 0
	for t := range q {
		in := func(p []sent) bool {
			for _, s := range p {
				if s.terms[t] {
					return true
				}
			}
			return false
		}
		if in(passages[i]) {
			mine++
			all++
			continue
		}
		for _, p := range passages {
			if in(p) {
				all++
				break
			}
		}
	}
	return mine > 0 && mine*10 >= all*8
}

// termWeights weighs each question word by how rare it is among the sources' sentences (an
// inverse document frequency over sentences), so that a sentence holding the question's
// distinctive word beats one holding its common ones; total is the sum of the weights, added
// in the order of q.
func termWeights(passages [][]sent, q []string) (map[string]float64, float64) {
	n, df := 0, map[string]int{}
	for _, p := range passages {
		for _, s := range p {
			n++
			for _, t := range q {
				if s.terms[t] {
					df[t]++
				}
			}
		}
	}
	w, total := map[string]float64{}, 0.0
	for _, t := range q {
		w[t] = math.Log(1 + float64(n)/(float64(df[t])+0.5))
		total += w[t]
	}
	return w, total
}

// sameTerms reports a sentence that says nearly what the group already says.
func sameTerms(s sent, ps []sent, group []int) bool {
	for _, k := range group {
		shared := 0
		for t := range s.terms {
			if ps[k].terms[t] {
				shared++
			}
		}
		if float64(shared) >= 0.8*float64(min(len(s.terms), len(ps[k].terms))) {
			return true
		}
	}
	return false
}

// wholeText is passage text as quoted whole: hard-wrapped prose joined, code as it is.
func wholeText(text string) string {
	return strings.TrimSpace(unwrapProse(text, codeBlocks(text)))
}

// sentencesOf cuts passage text into sentences with textseg, noting the line of each, whether
// it is a list item or table row, and the code block it is a line of.
func sentencesOf(text string) []sent {
	blocks := codeBlocks(text)
	text = unwrapProse(text, blocks)
	pending := blocks
	var out []sent
	line, lineStart := 0, 0
	for _, sp := range textseg.Sentences(text) {
		for {
			nl := strings.IndexByte(text[lineStart:], '\n')
			if nl < 0 || lineStart+nl >= sp.Start {
				break
			}
			lineStart += nl + 1
			line++
		}
		t := text[sp.Start:sp.End]
		code := blockOf(&pending, sp.Start)
		if code != nil && code.first < 0 {
			code.first = line
		}
		// A list item starts its line, indented in plain text ("  - nested", "  2. Then").
		lead := text[lineStart:sp.Start]
		listed := code == nil && strings.TrimLeft(lead, " \t\u00a0") == "" && listItem.MatchString(t)
		item := listed || code == nil && tableRow(t) && !prompted(t)
		depth := -1
		if listed {
			depth = len(lead)
		}
		out = append(out, sent{text: t, line: line, item: item, depth: depth, code: code, terms: termSet(t)})
	}
	return out
}

// prompted reports a command line after a shell's prompt ("$ " or root's "# "): its " | " is a
// pipe, not a table's cell border.
func prompted(t string) bool {
	return strings.HasPrefix(t, "$ ") || strings.HasPrefix(t, "# ")
}

// listItem matches the start of a list item as the extractors write it: a bullet, or a
// number as Word and LibreOffice number items ("2.", "2)", "2.3", "b.", "(b)", "iv.", "B.").
var listItem = regexp.MustCompile(`^([-*•–] |\d{1,3}[.)] |\d{1,3}(\.\d{1,3})+\.? |[a-zA-Z][.)] |\([a-z0-9]{1,3}\) |[ivxIVX]{1,4}[.)] )`)

// Standalone implements Answerer without a model: the previous question's content words that
// the follow-up lacks are appended, so "and for contractors?" after "how many holidays do I
// get?" searches for holidays for contractors.
func (Extractive) Standalone(_ context.Context, history []string, question string) (string, error) {
	return carryOver(history, question), nil
}

func carryOver(history []string, question string) string {
	if len(history) == 0 {
		return question
	}
	have := termSet(question)
	var extra []string
	for _, w := range textseg.Words(history[len(history)-1]) {
		if stem := textseg.Stem(w); !textseg.IsStopword(w) && !have[stem] {
			have[stem] = true
			extra = append(extra, w)
		}
	}
	if len(extra) == 0 {
		return question
	}
	return question + " (" + strings.Join(extra, " ") + ")"
}

// termSet returns the stemmed content words of s. Contractions of stop words ("what's", "I'm",
// "don't", "won't") are stop words too: textseg.Words joins them into words no sentence holds
// ("whats", "im", "dont"), which, weighed as the rarest of the question's words, lowered every
// sentence's share of the question.
func termSet(s string) map[string]bool {
	out := map[string]bool{}
	if strings.ContainsAny(s, "'’") {
		s = contraction.ReplaceAllStringFunc(s, func(c string) string {
			head, tail, _ := strings.Cut(strings.ReplaceAll(strings.ToLower(c), "’", "'"), "'")
			if tail == "t" || textseg.IsStopword(head) {
				return " "
			}
			return c
		})
	}
	for _, w := range textseg.Words(s) {
		if !textseg.IsStopword(w) {
			out[textseg.Stem(w)] = true
		}
	}
	return out
}

// contraction matches a word with a contracted ending: "what's", "I'm", "don't", "we're",
// and a possessive ("doctor's"), which termSet keeps.
var contraction = regexp.MustCompile(`\pL+['’](?:s|t|re|ve|ll|m|d)\b`)

// stopPrefix starts the term of a stop word the question writes as a keyword: no stem starts
// so.
const stopPrefix = "="

// keywordStopwords returns the stop words the question writes as keywords (textseg.Keywords:
// "WHERE vs HAVING", "the AS keyword"), which, as the search asks for them
// (retrieve.queryTerms), the sentence choice counts too: "The HAVING clause filters groups"
// then holds the question's subject, not only "clause".
func keywordStopwords(question string) []string {
	var out []string
	for _, w := range textseg.Keywords(question) {
		if textseg.IsStopword(w) {
			out = append(out, w)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// addStopwords adds the keyword stop words to the question's terms, and to the terms of each
// sentence that writes them in capitals, as keywords ("The HAVING clause filters groups"), the
// way the search finds them (migrations/00029_stop_forms.sql); not one that most sentences
// write so, which would count as a match in nearly every sentence.
func addStopwords(passages [][]sent, q map[string]bool, stops []string) {
	if len(stops) == 0 {
		return
	}
	n, said := 0, map[string][]*sent{}
	for i := range passages {
		for j := range passages[i] {
			n++
			s := &passages[i][j]
			for _, w := range textseg.Capitals(s.text) {
				if _, ok := slices.BinarySearch(stops, w); ok && (len(said[w]) == 0 || said[w][len(said[w])-1] != s) {
					said[w] = append(said[w], s)
				}
			}
		}
	}
	for w, ss := range said {
		if 2*len(ss) > n {
			continue
		}
		q[stopPrefix+w] = true
		for _, s := range ss {
			s.terms[stopPrefix+w] = true
		}
	}
}
