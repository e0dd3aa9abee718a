package web

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"

	"github.com/docent-search/docent/internal/answer"
)

// An answer is shown as Markdown, since models answer in it (and extractive answers quote
// lists as "- item" lines), but never as HTML: goldmark parses the text into blocks and
// inlines of a few kinds, and the page builds elements of those kinds only, with the text
// as text (the template escapes it; the script sets textContent). Raw HTML shows as the text
// it is; links go only to Docent's own pages, other URLs show as text with their host;
// images show their description.

// block is one block of an answer.
type block struct {
	Kind   string     `json:"kind"`             // "p", "h", "ul", "ol", "pre" (table rows) or "code"
	Inline []inline   `json:"inline,omitempty"` // p, h
	Items  [][]inline `json:"items,omitempty"`  // ul, ol
	Level  int        `json:"level,omitempty"`  // ul, ol: the lists it is nested in, under the last item of the block before (at most maxListLevel)
	Start  int        `json:"start,omitempty"`  // ol: its first item's number when not 1 (a list going on after a nested one)
	Text   string     `json:"text,omitempty"`   // pre, code
}

// inline is a run of text in a block.
type inline struct {
	Kind  string `json:"kind"` // "text", "em", "strong", "code", "link" or "cite"
	Text  string `json:"text"`
	URL   string `json:"url,omitempty"` // link, cite: always a document page of Docent's
	Title string `json:"title,omitempty"`
	N     int    `json:"n,omitempty"`    // cite
	Weak  bool   `json:"weak,omitempty"` // cite: the cited passage barely supports the claim
}

var markdown = goldmark.New() // CommonMark, no extensions: no raw HTML is ever rendered

// answerBlocks parses an answer into blocks, with its [n] markers as citations: a model's
// answer as Markdown, an extractive one as the lines it quotes.
func answerBlocks(resp answer.Response) []block {
	cites := map[int]answer.Citation{}
	for _, c := range resp.Citations {
		cites[c.N] = c
	}
	if resp.Mode == "extractive" {
		return quotedBlocks(resp.Answer, cites)
	}
	return markdownBlocks(resp.Answer, cites)
}

// markdownBlocks parses Markdown written by a model or an admin (a curated answer) into
// blocks, with [n] markers as citations of cites where they name one.
//
// goldmark's time grows with the square of how deeply blocks nest (64 KB of ">" took 40 s),
// so text that nests deeper than any answer needs is shown line by line, as an extractive
// answer is, instead of being parsed.
func markdownBlocks(md string, cites map[int]answer.Citation) []block {
	if tooDeep(md) {
		return quotedBlocks(md, cites)
	}
	src := []byte(md)
	doc := markdown.Parser().Parse(text.NewReader(src))
	r := mdReader{src: src, cites: cites}
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		r.block(n)
	}
	return r.blocks
}

// maxNesting is the deepest nesting of quotes and lists on one line that markdownBlocks parses.
const maxNesting = 8

// tooDeep reports a line that opens more than maxNesting quotes or list items.
func tooDeep(md string) bool {
	for line := range strings.Lines(md) {
		depth := 0
		for {
			line = strings.TrimLeft(line, " \t")
			m := containerMarker.FindString(line)
			if m == "" {
				break
			}
			if depth++; depth > maxNesting {
				return true
			}
			line = line[len(m):]
		}
	}
	return false
}

// containerMarker matches what opens a quote or a list item at the start of a line.
var containerMarker = regexp.MustCompile(`^(>|[-*+](?:\s|$)|\d{1,9}[.)](?:\s|$))`)

type mdReader struct {
	src    []byte
	cites  map[int]answer.Citation
	blocks []block
}

func (r *mdReader) block(n ast.Node) {
	switch n := n.(type) {
	case *ast.Heading:
		r.blocks = append(r.blocks, block{Kind: "h", Inline: r.inlines(n)})
	case *ast.List:
		r.list(n, 0)
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		r.blocks = append(r.blocks, block{Kind: "code", Text: strings.TrimRight(r.lines(n), "\n")})
	case *ast.HTMLBlock: // shown as the text it is
		raw := r.lines(n)
		if n.HasClosure() {
			raw += string(n.ClosureLine.Value(r.src))
		}
		text := strings.Join(strings.Fields(raw), " ")
		r.blocks = append(r.blocks, block{Kind: "p", Inline: cite([]inline{{Kind: "text", Text: text}}, r.cites)})
	case *ast.Blockquote:
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			r.block(c)
		}
	case *ast.ThematicBreak:
	default: // paragraphs, and whatever else holds text
		if in := r.inlines(n); len(in) > 0 {
			r.blocks = append(r.blocks, block{Kind: "p", Inline: in})
		}
	}
}

// list adds the blocks of list, nested in level lists: the items up to one with a nested list,
// the nested list a level deeper, then the items after it, numbered on. A code block in an
// item is the item's code, since an item holds inlines only.
func (r *mdReader) list(list *ast.List, level int) {
	next := block{Kind: "ul", Level: min(level, maxListLevel)}
	num := list.Start
	if list.IsOrdered() {
		next.Kind = "ol"
		next.Start = listStart(num)
	}
	b := next
	for item := list.FirstChild(); item != nil; item = item.NextSibling() {
		var in []inline
		var nested []ast.Node
		for c := item.FirstChild(); c != nil; c = c.NextSibling() {
			if _, ok := c.(*ast.List); ok {
				nested = append(nested, c)
				continue
			}
			if len(in) > 0 {
				in = append(in, inline{Kind: "text", Text: " "})
			}
			switch c.(type) {
			case *ast.FencedCodeBlock, *ast.CodeBlock: // a step's command: code, its lines kept (app.css)
				in = append(in, inline{Kind: "code", Text: strings.TrimRight(r.lines(c), "\n")})
			default:
				in = append(in, r.inlines(c)...)
			}
		}
		b.Items = append(b.Items, cite(merge(in), r.cites))
		num++
		if len(nested) == 0 {
			continue
		}
		r.blocks = append(r.blocks, b)
		for _, l := range nested {
			r.list(l.(*ast.List), level+1)
		}
		b = next
		if b.Kind == "ol" {
			b.Start = listStart(num)
		}
	}
	if len(b.Items) > 0 {
		r.blocks = append(r.blocks, b)
	}
}

// maxListLevel is the deepest nesting a list is shown with: deeper lists show at that level
// (the extractors indent no deeper than Word's nine levels, see ingest.listMarker).
const maxListLevel = 8

// nestClass is the class of a list nested in level (≥ 1) others ("nest-2"), which app.css
// indents under the item before it. The page's blocks are flat, a nested list following the
// item it belongs to.
func nestClass(level int) string {
	return "nest-" + strconv.Itoa(min(level, maxListLevel))
}

// markerStart is the Start of a list whose first item's marker is marker ("2.", "2)").
func markerStart(marker string) int {
	n, _ := strconv.Atoi(strings.TrimRight(marker, ".)"))
	return listStart(n)
}

// listStart is a block's Start for a list whose first number is n: 0 for 1, the default.
func listStart(n int) int {
	if n == 1 {
		return 0
	}
	return max(n, 0)
}

// lines returns the source lines of a block node (code, raw HTML) as they are.
func (r *mdReader) lines(n ast.Node) string {
	var b strings.Builder
	lines := n.Lines()
	for i := range lines.Len() {
		seg := lines.At(i)
		b.Write(seg.Value(r.src))
	}
	return b.String()
}

// inlines returns the text of n's inline children, kept as citations, emphasis, code and
// Docent's own links.
func (r *mdReader) inlines(n ast.Node) []inline {
	var out []inline
	var walk func(n ast.Node, kind string)
	walk = func(n ast.Node, kind string) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Text:
				out = append(out, inline{Kind: kind, Text: string(c.Value(r.src))})
				if c.HardLineBreak() || c.SoftLineBreak() {
					out = append(out, inline{Kind: kind, Text: " "})
				}
			case *ast.String:
				out = append(out, inline{Kind: kind, Text: string(c.Value)})
			case *ast.CodeSpan:
				out = append(out, inline{Kind: "code", Text: plain(c, r.src)})
			case *ast.Emphasis:
				k := "em"
				if c.Level > 1 {
					k = "strong"
				}
				walk(c, k)
			case *ast.Link:
				out = append(out, link(plain(c, r.src), string(c.Destination), kind)...)
			case *ast.Image:
				out = append(out, link(plain(c, r.src), string(c.Destination), kind)...)
				out[len(out)-1].Kind = kind // an image is never loaded, nor a link
				out[len(out)-1].URL = ""
			case *ast.AutoLink:
				u := string(c.URL(r.src))
				out = append(out, link(u, u, kind)...)
			case *ast.RawHTML:
				var b strings.Builder
				for i := range c.Segments.Len() {
					seg := c.Segments.At(i)
					b.Write(seg.Value(r.src))
				}
				out = append(out, inline{Kind: kind, Text: b.String()})
			default:
				walk(c, kind)
			}
		}
	}
	walk(n, "text")
	return cite(merge(out), r.cites)
}

// link is a Markdown link: to one of Docent's own pages a link, else its text and the host
// it names, as text.
func link(label, dest, kind string) []inline {
	if ownPath(dest) {
		return []inline{{Kind: "link", Text: label, URL: dest}}
	}
	host := dest
	if u, err := url.Parse(dest); err == nil && u.Host != "" {
		host = u.Host
	}
	if label == "" || label == dest {
		return []inline{{Kind: kind, Text: host}}
	}
	return []inline{{Kind: kind, Text: label + " (" + host + ")"}}
}

// ownPath reports a link to one of Docent's document pages ("/doc/…"), as the page's script
// checks too: never a scheme, a host or a backslash (which browsers read as a slash).
func ownPath(dest string) bool {
	return docLink.MatchString(dest)
}

// docLink is the one shape of link an answer may carry: a document, optionally a passage of
// it. Anything looser ("/doc/../?q=", "/doc/%2e%2e/…") resolves to another of Docent's routes,
// which a click would then call in the reader's name. web/static/app.js checks the same shape.
var docLink = regexp.MustCompile(`^/doc/[0-9]+(\?chunk=[0-9]+)?(#passage)?$`)

// plain returns the text of n's descendants.
func plain(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Value(src))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// merge joins neighbouring inlines of one kind, so that "[", "1", "]" (goldmark's pieces of
// an unresolved link) read as "[1]" again.
func merge(in []inline) []inline {
	var out []inline
	for i := 0; i < len(in); {
		x := in[i]
		j := i + 1
		if x.Kind != "link" && x.Kind != "cite" {
			for j < len(in) && in[j].Kind == x.Kind {
				j++
			}
		}
		if j > i+1 { // one concatenation per run: a piece at a time was quadratic in the run
			var b strings.Builder
			for _, y := range in[i:j] {
				b.WriteString(y.Text)
			}
			x.Text = b.String()
		}
		out = append(out, x)
		i = j
	}
	for len(out) > 0 && strings.TrimSpace(out[len(out)-1].Text) == "" && out[len(out)-1].Kind == "text" {
		out = out[:len(out)-1]
	}
	return out
}

var citeMarker = regexp.MustCompile(`\[(\d{1,3})\]`)

// cite turns [n] in text inlines into citations of the answer's sources; markers of no
// source stay text.
func cite(in []inline, cites map[int]answer.Citation) []inline {
	var out []inline
	for _, x := range in {
		if x.Kind != "text" {
			out = append(out, x)
			continue
		}
		last := 0
		for _, m := range citeMarker.FindAllStringSubmatchIndex(x.Text, -1) {
			n, _ := strconv.Atoi(x.Text[m[2]:m[3]])
			c, ok := cites[n]
			if !ok || !ownPath(c.URL) {
				continue
			}
			if m[0] > last {
				out = append(out, inline{Kind: "text", Text: x.Text[last:m[0]]})
			}
			out = append(out, inline{Kind: "cite", Text: x.Text[m[0]:m[1]], N: n, URL: c.URL, Title: c.Title, Weak: !c.Supported})
			last = m[1]
		}
		if last < len(x.Text) {
			out = append(out, inline{Kind: "text", Text: x.Text[last:]})
		}
	}
	return out
}

// neutralized matches a bracketed number the answerer wrote with full-width brackets so that it
// could not cite (answer.Neutralize). In quoted code it is the code's own subscript ("row[1]"),
// shown as written so that the example runs when copied; code is never searched for citations.
var neutralized = regexp.MustCompile(`［(\d{1,3})］`)

// quotedBlocks lays out an extractive answer: document text, quoted as the extractors wrote it,
// is not Markdown ("# umount /dev/sdb1" is a shell line, not a heading). Its code, fenced by the
// answerer ("```" lines), becomes a code block, its lines as they are; its list items ("- item",
// "2. item") become lists, a nested one's ("  - item") nested, runs of table rows ("a | b") a preformatted block, and every other
// line a paragraph.
func quotedBlocks(answer string, cites map[int]answer.Citation) []block {
	var out []block
	lines := strings.Split(answer, "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		level := min((len(lines[i])-len(strings.TrimLeft(lines[i], " ")))/2, maxListLevel) // a nested item's
		if fence.MatchString(line) {
			// Up to the closing fence, or the answer's end (a stream cut short).
			end := i + 1
			for end < len(lines) && strings.TrimSpace(lines[end]) != line {
				end++
			}
			code := strings.Join(lines[i+1:min(end, len(lines))], "\n")
			out = append(out, block{Kind: "code", Text: neutralized.ReplaceAllString(code, "[$1]")})
			i = end
			continue
		}
		var last *block
		if len(out) > 0 {
			last = &out[len(out)-1]
		}
		switch m := quotedItem.FindStringSubmatch(line); {
		case line == "":
		case citeLine.MatchString(line) && last != nil && (last.Kind == "p" || last.Kind == "ul" || last.Kind == "ol"):
			// The citation of a quoted list or passage, on the line after it, ends its last line.
			tail := cite([]inline{{Kind: "text", Text: " " + line}}, cites)
			if last.Kind == "p" {
				last.Inline = append(last.Inline, tail...)
			} else {
				last.Items[len(last.Items)-1] = append(last.Items[len(last.Items)-1], tail...)
			}
		case m != nil:
			kind := "ul"
			if m[1] != "-" && m[1] != "*" && m[1] != "•" {
				kind = "ol"
			}
			item := cite([]inline{{Kind: "text", Text: line[len(m[0]):]}}, cites)
			if last != nil && last.Kind == kind && last.Level == level {
				last.Items = append(last.Items, item)
			} else {
				b := block{Kind: kind, Items: [][]inline{item}, Level: level}
				if kind == "ol" {
					b.Start = markerStart(m[1])
				}
				out = append(out, b)
			}
		case strings.Contains(line, " | "):
			if last != nil && last.Kind == "pre" {
				last.Text += "\n" + line
			} else {
				out = append(out, block{Kind: "pre", Text: line})
			}
		default:
			out = append(out, block{Kind: "p", Inline: cite([]inline{{Kind: "text", Text: line}}, cites)})
		}
	}
	return out
}

// fence matches a line that opens or closes a code block of an extractive answer.
var fence = regexp.MustCompile("^```+$")

// citeLine matches a line of citation markers only.
var citeLine = regexp.MustCompile(`^(\[\d{1,3}\]\s*)+$`)

// quotedItem matches a list item as the extractors write it.
var quotedItem = regexp.MustCompile(`^([-*•]|\d{1,3}[.)]) `)
