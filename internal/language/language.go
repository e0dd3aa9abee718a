// Package language finds the language of a document's passages and names the PostgreSQL
// text-search configuration that stems it: German text is indexed with the german
// configuration, French with french, and a question is parsed with every configuration the
// index holds, so "Anträge" meets "Antrag" however the corpus mixes languages.
//
// Detection uses whatlanggo (trigram profiles of 84 languages in 0.4 MB of Go source, no
// start-up cost). lingua-go was measured against it on 1,600 lines each of Debian's German,
// French, Chinese and English manual pages (restricted to the 30 languages below, low-accuracy
// mode, models preloaded): lingua is more accurate on very short lines (20–40 characters 0.56 vs
// 0.41, 40–100 0.82 vs 0.77, 100–400 0.93 vs 0.92) but adds about 130 MB to the binary (its
// models are embedded whatever the restriction), 21 MB of heap and 2 s of start-up. Docent
// detects whole chunks (about 260 words) and lets short or uncertain ones take their
// document's language, where the two agree.
package language

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/abadojack/whatlanggo"

	"github.com/docent-search/docent/internal/textseg"
)

// configs maps ISO 639-1 codes to the Snowball configuration PostgreSQL ships for the language
// (PostgreSQL 15 has these; older servers lack some, which Resolve refuses). Chinese, Japanese
// and Korean have no stemmer and no configuration (""): their text is cut into character
// bigrams in Go (textseg.CJKBigrams), which every configuration keeps as they are, and takes
// the configured one (DOCENT_TS_CONFIG), which stems the Latin words among them. Indexing them
// with simple instead cost the French questions of the multilingual dev set half their nDCG:
// every query was then also parsed with simple, whose lexemes keep stop words ("des", "the")
// and, rare in the index, weighed as rare words.
var configs = map[string]string{
	"ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "da": "danish", "nl": "dutch",
	"en": "english", "fi": "finnish", "fr": "french", "de": "german", "el": "greek", "hi": "hindi",
	"hu": "hungarian", "id": "indonesian", "ga": "irish", "it": "italian", "lt": "lithuanian",
	"ne": "nepali", "nb": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian",
	"sr": "serbian", "es": "spanish", "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
	"zh": "", "ja": "", "ko": "",
}

// Config returns the text-search configuration for an ISO 639-1 code, "" for a language
// without one (CJK, or an unknown code): the configured one applies.
func Config(code string) string { return configs[code] }

// Codes returns the languages whose configuration is among available (names from
// pg_ts_config), sorted: the default of DOCENT_LANGUAGES.
func Codes(available []string) []string {
	var out []string
	for code, cfg := range configs {
		if cfg == "" || slices.Contains(available, cfg) {
			out = append(out, code)
		}
	}
	sort.Strings(out)
	return out
}

// Off is the DOCENT_LANGUAGES value that turns detection off: every passage gets the one
// configured text-search configuration (DOCENT_TS_CONFIG), as before languages were detected.
const Off = "off"

// Resolve returns the languages a DOCENT_LANGUAGES value asks for: "" every language whose
// configuration is available (names from pg_ts_config), Off none, otherwise the listed ones.
func Resolve(setting string, available []string) ([]string, error) {
	switch strings.TrimSpace(setting) {
	case "":
		return Codes(available), nil
	case Off:
		return nil, nil
	}
	codes, err := Parse(setting)
	if err != nil {
		return nil, err
	}
	for _, c := range codes {
		if configs[c] != "" && !slices.Contains(available, configs[c]) {
			return nil, fmt.Errorf("language %q needs PostgreSQL's %s text-search configuration, which this server lacks", c, configs[c])
		}
	}
	return codes, nil
}

// Parse reads a comma-separated list of ISO 639-1 codes (DOCENT_LANGUAGES), refusing a code
// with no configuration so a typo fails at start.
func Parse(list string) ([]string, error) {
	if strings.TrimSpace(list) == Off {
		return nil, nil
	}
	var out []string
	for _, c := range strings.Split(list, ",") {
		c = strings.ToLower(strings.TrimSpace(c))
		if c == "" {
			continue
		}
		if _, ok := configs[c]; !ok {
			return nil, fmt.Errorf("%q is not a language Docent can index separately (ISO 639-1 codes: %s)", c, strings.Join(Codes(allConfigs()), ","))
		}
		out = append(out, c)
	}
	return out, nil
}

func allConfigs() []string {
	var out []string
	for _, c := range configs {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}

// Detector finds the language of passages among a fixed set.
type Detector struct {
	options whatlanggo.Options
	allowed map[string]bool
	scorers map[*unicode.RangeTable]*trigramScorer
}

// NewDetector returns a Detector restricted to codes (ISO 639-1; none: detection off, every
// passage undetermined).
func NewDetector(codes []string) *Detector {
	d := &Detector{options: whatlanggo.Options{Whitelist: map[whatlanggo.Lang]bool{}}, allowed: map[string]bool{}}
	for _, c := range codes {
		d.allowed[c] = true
	}
	for l := range whatlanggo.Langs {
		if d.allowed[l.Iso6391()] {
			d.options.Whitelist[l] = true
		}
	}
	d.scorers = newTrigramScorers(d.options.Whitelist)
	return d
}

// Thresholds of a detection a chunk keeps as its own: shorter or less certain text takes its
// document's language (detection on 20–40 characters is right less than half the time).
const (
	minLetters    = 80
	minConfidence = 0.5
	// sampleBytes bounds the text one detection reads: trigram statistics settle long before.
	sampleBytes = 4000
	// windowBytes is the piece of text one whatlanggo call reads. Whole passages of 2 KB were
	// sometimes called French with full confidence when every 1 KB prefix of them was English
	// (4 of NFCorpus's 3,633 English abstracts); pieces vote instead.
	windowBytes = 600
)

// Detect returns the language of each text (ISO 639-1), "" where none is allowed or found.
// A text too short or too uncertain to call takes the language of most of the letters of the
// texts that could be called: the document's language, for the passages of one document;
// none when no text could be called (a short note is left to the configured language rather
// than to a guess).
func (d *Detector) Detect(texts []string) []string {
	out := make([]string, len(texts))
	if len(d.allowed) == 0 {
		return out
	}
	weight := map[string]int{}
	sure := make([]bool, len(texts))
	for i, t := range texts {
		if code, n := d.vote(t); code != "" {
			out[i], sure[i] = code, true
			weight[code] += n
		}
	}
	doc := ""
	for code, n := range weight {
		if n > weight[doc] || n == weight[doc] && code < doc {
			doc = code
		}
	}
	for i := range out {
		if !sure[i] {
			out[i] = doc
		}
	}
	return out
}

// vote detects the language of pieces of text and returns the one that holds at least two
// thirds of the letters and minLetters of them, with its letters; "" when none does.
func (d *Detector) vote(text string) (string, int) {
	if len(text) > sampleBytes {
		text = strings.ToValidUTF8(text[:sampleBytes], "")
	}
	votes := map[string]int{}
	total := 0
	for text != "" {
		cut := len(text)
		if cut > windowBytes {
			if cut = strings.LastIndexAny(text[:windowBytes], " \n"); cut <= 0 {
				for cut = windowBytes; cut > 0 && !utf8.RuneStart(text[cut]); cut-- {
				}
			}
		}
		piece := text[:cut]
		text = strings.TrimLeft(text[cut:], " \n")
		n := letters(piece)
		total += n
		if n == 0 {
			continue
		}
		lang, confidence := d.detect(piece)
		if code := lang.Iso6391(); lang >= 0 && d.allowed[code] && confidence >= minConfidence {
			votes[code] += n
		}
	}
	best := ""
	for code, n := range votes {
		if n > votes[best] || n == votes[best] && code < best {
			best = code
		}
	}
	if n := votes[best]; best == "" || n < minLetters || 3*n < 2*total {
		return "", 0
	}
	return best, votes[best]
}

// detect returns whatlanggo's language of text and its confidence.
func (d *Detector) detect(text string) (whatlanggo.Lang, float64) {
	if s, ok := d.scorers[script(text)]; ok {
		return s.detect(text)
	}
	info := whatlanggo.DetectWithOptions(text, d.options) // a script told by its letters alone
	return info.Lang, info.Confidence
}

// letters counts the letters of s, a CJK character as three: it carries about a word, and
// its script alone names the language.
func letters(s string) int {
	n := 0
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		switch {
		case textseg.IsCJK(r):
			n += 3
		case unicode.IsLetter(r):
			n++
		}
		s = s[size:]
	}
	return n
}

// ConfigCode returns the ISO 639-1 code of a text-search configuration ("french": "fr"), ""
// for one no language has (simple, or a custom configuration).
func ConfigCode(config string) string {
	for code, c := range configs {
		if c != "" && c == config {
			return code
		}
	}
	return ""
}

// scorerCache holds the trigram scorers of each set of languages questions were weighed
// among (an index has one set; building one reads every profile of its script).
var scorerCache sync.Map // string (codes joined) → map[*unicode.RangeTable]*trigramScorer

// Weights says, for each of codes, how far text could be written in that language, from 0
// (not at all) to 1 (the likeliest): a graded form of whatlanggo's confidence. whatlanggo is
// sure of its language when its score passes the runner-up's by a margin that shrinks as the
// text grows (12 trigrams' worth plus 5 %); a language whose score falls short of the best by
// a fraction f of that margin weighs 1 - f, so on a question of a few words several languages
// keep part of their weight, and on a long one only the language it is in. Text of a script
// without trigram profiles among codes (Chinese, Japanese, Korean), or fewer than two
// languages, weighs every language 1: nothing to tell apart.
func Weights(text string, codes []string) map[string]float64 {
	out := make(map[string]float64, len(codes))
	for _, c := range codes {
		out[c] = 1
	}
	key := strings.Join(slices.Sorted(slices.Values(codes)), ",")
	scorers, ok := scorerCache.Load(key)
	if !ok {
		d := NewDetector(codes)
		scorers, _ = scorerCache.LoadOrStore(key, d.scorers)
	}
	s := scorers.(map[*unicode.RangeTable]*trigramScorer)[script(text)]
	if s == nil || len(s.langs) < 2 {
		return out
	}
	ranked := rankTrigrams(text)
	if len(ranked) == 0 {
		return out
	}
	dist := s.distances(ranked)
	best := slices.Min(dist)
	top := maxTotalDistance - best
	if top <= 0 {
		return out
	}
	confident := 12.0/float64(len(ranked)) + 0.05
	for i, lang := range s.langs {
		score := maxTotalDistance - dist[i]
		w := 0.0
		if score > 0 {
			rate := float64(top-score) / float64(score)
			w = max(0, 1-rate/confident)
		}
		out[lang.Iso6391()] = w
	}
	return out
}
