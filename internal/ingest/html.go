package ingest

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxHTMLDepth bounds the element nesting walked: deeper content is hostile or broken, and
// recursion over it would exhaust the stack.
const maxHTMLDepth = 512

// parseHTML extracts the main content of a page: script, style, navigation and page chrome
// are dropped, and h1–h6 split sections, with the heading's id as anchor.
func parseHTML(data []byte) (Parsed, error) {
	root, err := html.ParseWithOptions(bytes.NewReader(data), html.ParseOptionEnableScripting(false))
	if err != nil {
		return Parsed{}, fmt.Errorf("parsing HTML: %w", err)
	}
	var (
		doc  Parsed
		cur  Section
		body strings.Builder
	)
	outline := newOutline(&doc)
	main := findMain(root)
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		if depth > maxHTMLDepth {
			return
		}
		switch n.Type {
		case html.TextNode:
			body.WriteString(n.Data)
			return
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Nav, atom.Header, atom.Footer,
				atom.Aside, atom.Form, atom.Button, atom.Svg, atom.Iframe, atom.Head:
				return
			case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
				cur.Text = body.String()
				doc.Sections = append(doc.Sections, cur)
				body.Reset()
				cur = outline.enter(int(n.Data[1]-'0'), collapse(textOf(n)), attr(n, "id"))
				return
			}
			if isHidden(n) {
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
		if n.Type == html.ElementNode && isBlock(n.DataAtom) {
			body.WriteString("\n")
		}
	}
	walk(main, 0)
	if t := find(root, atom.Title); t != nil && doc.Title == "" {
		doc.Title = collapse(textOf(t))
	}
	cur.Text = body.String()
	doc.Sections = append(doc.Sections, cur)
	for i := range doc.Sections {
		doc.Sections[i].Text = collapseLines(doc.Sections[i].Text)
	}
	return doc, nil
}

// findMain prefers <main> or <article>, the page's own content, over the whole body.
func findMain(root *html.Node) *html.Node {
	for _, a := range []atom.Atom{atom.Main, atom.Article, atom.Body} {
		if n := find(root, a); n != nil {
			return n
		}
	}
	return root
}

func find(n *html.Node, a atom.Atom) *html.Node {
	// Iterative, so deeply nested documents cannot overflow the stack.
	stack := []*html.Node{n}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.Type == html.ElementNode && n.DataAtom == a {
			return n
		}
		for c := n.LastChild; c != nil; c = c.PrevSibling {
			stack = append(stack, c)
		}
	}
	return nil
}

func textOf(n *html.Node) string {
	var b strings.Builder
	stack := []*html.Node{n}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		for c := n.LastChild; c != nil; c = c.PrevSibling {
			stack = append(stack, c)
		}
	}
	return b.String()
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// isHidden reports elements a reader never sees, whose text must not be indexed either: it is
// how a page smuggles instructions to a model (see SECURITY.md, prompt injection).
func isHidden(n *html.Node) bool {
	if _, ok := hasAttr(n, "hidden"); ok || attr(n, "aria-hidden") == "true" {
		return true
	}
	if n.DataAtom == atom.Font && invisibleColor.MatchString("color:"+strings.ToLower(strings.ReplaceAll(attr(n, "color"), " ", ""))) {
		return true
	}
	style := strings.ReplaceAll(strings.ToLower(attr(n, "style")), " ", "")
	if hiddenStyle.MatchString(style) {
		return true
	}
	// White (or transparent) text, unless the same element sets a background it shows on.
	return invisibleColor.MatchString(style) && !strings.Contains(style, "background")
}

var (
	// hiddenStyle matches inline styles that hide text: not displayed, invisible, zero-sized,
	// fully transparent, or pushed far off-screen.
	hiddenStyle = regexp.MustCompile(`(^|;)(display:none|visibility:hidden|font-size:0(\.0*)?(px|em|rem|pt|%)?(;|!|$)|opacity:0(\.0*)?(;|!|$)|(left|top|text-indent|margin-left):-\d{3,})`)
	// invisibleColor matches a text colour of white or transparent, on the usual white page.
	invisibleColor = regexp.MustCompile(`(^|;)color:(#fff(fff)?|white|transparent|rgba?\(255,255,255(,1(\.0*)?)?\)|rgba\(\d+,\d+,\d+,0(\.0*)?\))(;|!|$)`)
)

func hasAttr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Li, atom.Tr, atom.Br, atom.Pre, atom.Blockquote, atom.Section,
		atom.Table, atom.Ul, atom.Ol, atom.Dd, atom.Dt, atom.Td, atom.Th:
		return true
	}
	return false
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// collapseLines squeezes spaces within lines and runs of blank lines, keeping paragraphs.
func collapseLines(s string) string {
	var out []string
	blank := false
	for _, l := range strings.Split(s, "\n") {
		l = collapse(l)
		if l == "" {
			if !blank && len(out) > 0 {
				out = append(out, "")
			}
			blank = true
			continue
		}
		blank = false
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

func itoa(n int) string { return strconv.Itoa(n) }
