package ingest

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/docent-search/docent/internal/textseg"
)

// Chunk is one retrievable passage of a document.
type Chunk struct {
	Heading string // heading path joined with " › "
	Anchor  string
	Page    int
	// Start and End are byte offsets of Text in the document body.
	Start, End int
	Text       string
	// OCR marks text recognised from a scan (Section.OCR).
	OCR bool
}

// ChunkOptions sizes chunks in words (a word is about 1.3 tokens of a typical tokenizer).
type ChunkOptions struct {
	TargetWords  int // a chunk closes at the first sentence end past this
	MaxWords     int // a single sentence longer than this is cut at word boundaries
	OverlapWords int // sentences carried into the next chunk, up to this many words
}

// DefaultChunkOptions gives chunks of roughly 300–500 tokens with a small overlap.
var DefaultChunkOptions = ChunkOptions{TargetWords: 260, MaxWords: 380, OverlapWords: 40}

// maxSentenceBytes cuts text without spaces (a minified blob, a base64 line) into pieces a
// chunk can hold: word counts alone would let one 10 MB "word" become one chunk.
const maxSentenceBytes = 2000

// maxChunkBytes bounds a chunk however few its words: long "words" (URLs, identifiers, CJK
// runs) would otherwise make chunks far larger than any embedding model's input.
const maxChunkBytes = 6000

// HeadingSeparator joins a heading path for display and search.
const HeadingSeparator = " › "

// Layout writes the parsed sections into one body text (each section under its heading) and
// cuts it into chunks that never cross a section and end at sentence boundaries.
func Layout(doc Parsed, opt ChunkOptions) (body string, chunks []Chunk) {
	var b strings.Builder
	for _, s := range doc.Sections {
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		if n := len(s.Headings); n > 0 {
			b.WriteString(s.Headings[n-1])
			b.WriteString("\n\n")
		}
		base := b.Len()
		b.WriteString(s.Text)
		heading := strings.Join(s.Headings, HeadingSeparator)
		for _, span := range chunkSpans(s.Text, opt) {
			chunks = append(chunks, Chunk{
				Heading: heading, Anchor: s.Anchor, Page: s.Page, OCR: s.OCR,
				Start: base + span[0], End: base + span[1], Text: s.Text[span[0]:span[1]],
			})
		}
	}
	return b.String(), chunks
}

// chunkSpans groups the sentences of text into [start, end) byte spans.
func chunkSpans(text string, opt ChunkOptions) [][2]int {
	sents := sentences(text, opt.MaxWords)
	var spans [][2]int
	for i := 0; i < len(sents); {
		words, j := 0, i
		for j < len(sents) && (words == 0 || words+sents[j].words <= opt.TargetWords && sents[j].end-sents[i].start <= maxChunkBytes) {
			words += sents[j].words
			j++
		}
		spans = append(spans, [2]int{sents[i].start, sents[j-1].end})
		if j >= len(sents) {
			break
		}
		// Step back over whole sentences for the overlap, always moving forward.
		next, carried := j, 0
		for next-1 > i && carried+sents[next-1].words <= opt.OverlapWords {
			next--
			carried += sents[next].words
		}
		i = next
	}
	return spans
}

type sentence struct{ start, end, words int }

// sentences splits text into sentences (textseg, shared with the answerer), cutting any
// sentence longer than maxWords words or maxSentenceBytes bytes at a word boundary (or inside
// a word that is itself too long). Spans exclude surrounding white space.
func sentences(text string, maxWords int) []sentence {
	var out []sentence
	for _, sp := range textseg.Sentences(text) {
		start, words, inWord := sp.Start, 0, false
		for i := sp.Start; i < sp.End; {
			r, size := utf8.DecodeRuneInString(text[i:])
			space := unicode.IsSpace(r)
			switch {
			case !space && i-start >= maxSentenceBytes:
				out = append(out, sentence{start, lastNonSpace(text, i), max(words, 1)})
				start, words, inWord = i, 1, true
			case !space && !inWord && words == maxWords:
				out = append(out, sentence{start, lastNonSpace(text, i), words})
				start, words, inWord = i, 1, true
			case !space && !inWord:
				words++
				inWord = true
			case space:
				inWord = false
			}
			i += size
		}
		out = append(out, sentence{start, sp.End, words})
	}
	return out
}

func lastNonSpace(text string, end int) int {
	for end > 0 && (text[end-1] == ' ' || text[end-1] == '\n' || text[end-1] == '\t' || text[end-1] == '\r') {
		end--
	}
	return end
}
