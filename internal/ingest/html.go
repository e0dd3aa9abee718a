package ingest

import (
	"bytes"
	"cmp"
	"hash/fnv"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxHTMLDepth bounds the element stack the reader keeps: deeper elements are read as part of
// the deepest one kept, so hostile nesting costs neither memory nor time.
const maxHTMLDepth = 512

// parseHTML extracts the main content of a page (see htmlReader); page is its file name, which
// links to its own sections may spell out ("select.html#limit").
func parseHTML(data []byte, repeated map[uint64]bool, page string) (Parsed, error) {
	doc, _, _, err := readHTML(data, repeated, page)
	return doc, err
}

// readHTML reads a page with html.Tokenizer, in one pass per call and linear time whatever its
// nesting (no tree is built), and returns the main content as sections, and the fingerprints
// of its text blocks, and where the page redirects its reader at once, if it does (see
// refreshTarget), or errTooManySections. Blocks whose fingerprint is in repeated (blocks found on most pages of
// the source, see repeatedBlocks) are dropped.
//
// What a reader sees as the page's content is kept: the first <main> (or element of
// role="main"), else the first <article>, else the body. Page chrome goes: scripts, styles,
// small forms, <nav>, <header> (but an article's own), <footer>, <aside>, elements whose
// role, class or id says navigation (DocBook's navheader and navfooter, breadcrumbs, menus,
// sidebars, pagers), blocks whose text is mostly links, and blocks with two or more
// "Prev"/"Next"/"Up"/"Home" links (or rel="next", "prev", "up"), and links that are
// permalinks or name the page's source ("¶", "[source]", see dropLinkChrome), and in-page
// tables of contents with their label (see inPageTOC). Hidden elements go too (see
// isHidden). h1–h6 split sections, anchored at the heading's id, else the id of an anchor
// inside it (as DocBook writes them), else the id of the element just before it with no text
// in between (see htmlReader.lastID): a deep link that the page holds, where a slug of the
// heading's text (the last resort) is one it mostly does not.
//
// White space inside a block, source line breaks included, collapses to one space: each
// paragraph, list item (written "- item" or "1. item"), table row (cells joined by " | ") and
// heading becomes one line, and paragraphs, lists and tables are separated by a blank line.
// Preformatted text (and Doxygen's code fragments) keeps its lines and their indentation.
func readHTML(data []byte, repeated map[uint64]bool, page string) (Parsed, []uint64, string, error) {
	r := &htmlReader{repeated: repeated, seen: map[uint64]bool{}, page: page}
	r.outline = newOutline(&r.doc)
	r.content = contentElement(data)
	r.inContent = r.content == 0
	z := html.NewTokenizer(bytes.NewReader(data))
	z.SetMaxBuf(0)
	for {
		if r.outline.err != nil {
			return Parsed{}, nil, "", r.outline.err
		}
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			r.finish()
			return r.doc, r.prints, r.redirect, r.outline.err
		case html.TextToken:
			r.text(z.Text())
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			var attrs []html.Attribute
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				attrs = append(attrs, html.Attribute{Key: string(k), Val: string(v)})
			}
			r.start(a, string(name), attrs, tt == html.SelfClosingTagToken)
		case html.EndTagToken:
			name, _ := z.TagName()
			r.end(atom.Lookup(name), string(name))
		}
	}
}

// contentElement finds which element holds the page's own content: the first <main> or
// element of role="main" if there is one (atom.Main stands for both, see mainContent), else
// <article>, else 0 (the whole body). One tokenizer pass, no tree.
func contentElement(data []byte) atom.Atom {
	z := html.NewTokenizer(bytes.NewReader(data))
	found := atom.Atom(0)
	for {
		switch z.Next() {
		case html.ErrorToken:
			return found
		case html.StartTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			if a == atom.Main {
				return atom.Main
			}
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				if string(k) == "role" && strings.EqualFold(strings.TrimSpace(string(v)), "main") {
					return atom.Main
				}
			}
			if a == atom.Article {
				found = atom.Article
			}
		}
	}
}

// element is one open element on the reader's stack.
type element struct {
	a    atom.Atom
	name string
	// skip: this element or an ancestor is chrome or hidden; its text is not content.
	skip bool
	// cell: inside a table cell, where block boundaries are spaces, not new lines.
	cell bool
	item bool // inside a list item
	note bool // inside a footnote
	pre  bool
	// content marks the element that holds the page's content (see contentElement).
	content bool
	// mark is where this element's output began, so that it can be dropped as chrome when it
	// ends; mark.out is -1 once a heading inside it has ended a section.
	mark mark
	// chromeID: the element's id holds a word of navigation in a longer name ("left-sidebar"),
	// so it is dropped when it ends, unless a heading inside made it a section: generators
	// derive ids from headings and file names (Sphinx wraps Django's page "Pagination" in
	// id="topics-pagination"), where a class is the theme's own word.
	chromeID bool
	// division: inside a DocBook division (a chapter's or section's <div>), see textBox.
	division bool
	items    int // list items seen, for numbering <ol>
	// blocks counts the paragraphs begun in a table cell (see firstCellBlock).
	blocks int
	// fragment: a link to a section of this page has begun inside; label counts the letters and
	// digits written before the first one (see inPageTOC).
	fragment bool
	label    int
}

// mark records the output and the text counters at an element's start; lineEmpty says the
// element began a line, so that dropping its output drops nothing before it.
type mark struct {
	out, textChars, linkChars, navLinks, links, fragLinks, plainAlnum, langLinks int
	lineEmpty                                                                    bool
}

type htmlReader struct {
	doc        Parsed
	outline    *outline
	cur        Section
	out        []byte // the current section's text
	line       []byte // the current block's text, spaces collapsed
	space      bool   // a space is due before the next character of the line
	linePre    bool   // the line is preformatted: its leading white space is indentation
	lineIndent bool   // the line begins with a nested list item's indentation (listIndent)
	prefix     string // written before the block's first character ("- ", "2. ")
	sep        string // written before the next character when the line is not empty (" | ")
	stack      []element
	excess     int // start tags past maxHTMLDepth, whose end tags are to be ignored
	content    atom.Atom
	inContent  bool
	done       bool // the content element has ended

	// Counters of visible characters written, for link density.
	textChars, linkChars, navLinks, links int
	link                                  *strings.Builder // text of the open <a href>, if any
	linkDepth                             int
	linkRel                               bool // the open link's rel says a pager's ("next", "prev", "up")
	anchor                                *anchorMark
	// langLinks counts links to the page in another language (an hreflang), linkLang marks the
	// open link as one (see languageSwitcher).
	langLinks int
	linkLang  bool
	// fragLinks counts links to sections of this page, plainAlnum the letters and digits written
	// outside them, linkFrag marks the open link as one (see inPageTOC).
	fragLinks, plainAlnum int
	linkFrag              bool
	page                  string // the file's name, as its links to itself may spell it

	heading      *strings.Builder // text of the open h1–h6, if any
	headingLevel int
	headingID    string
	headingDepth int
	// lastID is the id of the last visible element with no text since (see anchorTarget),
	// headingPrev its value where the open heading began: the heading's anchor when it has
	// none of its own, as generators write them just before it (Sphinx's <section id>,
	// Texinfo's <span id>, gtk-doc's and Doxygen's <a name>).
	lastID, headingPrev string

	redirect string // where a <meta http-equiv="refresh"> sends the reader at once

	title    strings.Builder
	inTitle  bool
	inBody   bool
	repeated map[uint64]bool
	prints   []uint64
	seen     map[uint64]bool
}

func (r *htmlReader) top() *element {
	if len(r.stack) == 0 {
		return &element{}
	}
	return &r.stack[len(r.stack)-1]
}

func (r *htmlReader) start(a atom.Atom, name string, attrs []html.Attribute, selfClosing bool) {
	switch a {
	case atom.Title: // the page's, not an SVG image's
		r.inTitle = !r.inBody && r.title.Len() == 0
	case atom.Body:
		r.inBody = true
	case atom.Meta:
		if strings.EqualFold(attrValue(attrs, "http-equiv"), "refresh") && r.redirect == "" {
			r.redirect = refreshTarget(attrValue(attrs, "content"))
		}
	}
	if r.excess == 0 {
		r.closeImplied(a)
	}
	parent := *r.top()
	target := ""
	if !parent.skip && r.inContent {
		target = anchorTarget(a, attrs)
	}
	if void(a) || selfClosing {
		switch {
		case target == "":
		case r.heading == nil:
			r.lastID = target
		case a == atom.A && r.headingID == "":
			r.headingID = target // XHTML's <a id="…"/> in a heading (DocBook)
		}
		if a == atom.Br && !parent.skip && r.inContent {
			if r.heading != nil {
				r.heading.WriteByte(' ') // "Title<br>Subtitle"
			}
			r.blockBoundary(false)
		}
		return
	}
	if len(r.stack) >= maxHTMLDepth {
		r.excess++
		return
	}
	e := element{a: a, name: name, skip: parent.skip, cell: parent.cell, item: parent.item || a == atom.Li || a == atom.Dd,
		note: parent.note || footnotes(attrs), pre: parent.pre || a == atom.Pre || hasClass(attrs, "fragment"),
		division: parent.division || slices.ContainsFunc(strings.Fields(attrValue(attrs, "class")), docbookDivision)}
	if !r.inContent && !r.done && (a == r.content || r.content == atom.Main && mainContent(a, attrs)) {
		r.inContent, e.content = true, true
	}
	// A header inside an article or section is that part's own (Docusaurus puts the page's
	// h1 there), not the site's banner.
	if chrome(a, attrs) && (a != atom.Header || !r.within(atom.Article, atom.Section, atom.Main)) && !textBox(a, attrs, parent.division) || isHidden(a, attrs) {
		e.skip = true
	}
	switch id := strings.ToLower(attrValue(attrs, "id")); {
	case e.skip || a == atom.Html || a == atom.Body || mainContent(a, attrs) || headingOf(a, attrs) > 0 || a == atom.Section || a == atom.Span || a == atom.A ||
		hasClass(attrs, "section") || textBox(a, attrs, parent.division) || !chromeName(id):
		// A heading's or a section's id is its title's ("navigation", "pagination").
	case chromeToken.MatchString(id) && chromeToken.FindString(id) == id:
		e.skip = true // the word itself: id="sidebar", id="footer"
	default:
		e.chromeID = true // within a longer name: "left-sidebar", but also "topics-pagination"
	}
	switch {
	case a == atom.Td || a == atom.Th:
		e.cell = true
	case a == atom.Table && hasClass(attrs, "memname"):
		// Doxygen lays out a function's declaration as a table, a cell for its name, "(", each
		// parameter's type and name, ")": one line of code, not rows of columns.
		e.cell = true
	case a == atom.P && parent.cell && r.firstCellBlock():
		// Generators wrap each cell's text in a paragraph (Sphinx, Node.js, pandoc): the
		// cell's first paragraph stays on its row's line.
	case a == atom.Table || block(a) && a != atom.Tr && a != atom.Tbody && a != atom.Thead && a != atom.Tfoot:
		// Any other block inside a cell makes it a layout cell (an admonition, a page in a
		// layout table): its blocks are lines of their own.
		e.cell = false
	}
	visible := !e.skip && r.inContent
	if visible && a == atom.A && r.anchor == nil && hasAttrKey(attrs, "href") {
		r.anchor = &anchorMark{depth: len(r.stack), line: len(r.line), space: r.space}
		if r.heading != nil {
			r.anchor.heading = r.heading.Len()
		}
	}
	if visible {
		switch {
		case headingOf(a, attrs) > 0 && r.heading == nil:
			r.endSection()
			r.heading, r.headingLevel, r.headingDepth = &strings.Builder{}, headingOf(a, attrs), len(r.stack)
			r.headingID, r.headingPrev = attrValue(attrs, "id"), r.lastID
		case block(a) && r.heading != nil:
			// A block inside a heading (rustdoc's where clause) is a space, not a new line.
			r.heading.WriteByte(' ')
		case a == atom.A && r.heading != nil && r.headingID == "":
			r.headingID = target
		case a == atom.A && r.link == nil && hasAttrKey(attrs, "href"):
			r.link, r.linkDepth = &strings.Builder{}, len(r.stack)
			r.linkRel = pagerRel(attrValue(attrs, "rel"))
			r.linkLang = strings.TrimSpace(attrValue(attrs, "hreflang")) != "" &&
				slices.Contains(strings.Fields(strings.ToLower(attrValue(attrs, "rel"))), "alternate")
			r.linkFrag = r.samePage(attrValue(attrs, "href"))
			if r.linkFrag {
				r.fragLinks++
				for i := len(r.stack) - 1; i >= 0 && !r.stack[i].fragment; i-- {
					r.stack[i].fragment, r.stack[i].label = true, r.plainAlnum-r.stack[i].mark.plainAlnum
				}
			}
		case a == atom.Li:
			r.flushLine()
			r.prefix = r.listIndent() + "- "
			if p := r.top(); p.a == atom.Ol {
				p.items++
				r.prefix = r.listIndent() + strconv.Itoa(p.items) + ". "
			}
		case a == atom.Tr:
			r.blockBoundary(false)
		case (a == atom.Td || a == atom.Th) && parent.cell:
			r.space = true // a cell of a declaration's table (see memname above)
		case a == atom.Td || a == atom.Th:
			if r.sep != "" && len(r.line) > 0 {
				// The cell before had no text: it keeps its place, or the cells after it
				// would stand under the wrong column's header. (Empty cells that open a row
				// are dropped: layout tables indent with them.)
				r.line = append(r.line, r.sep...)
			}
			r.sep = " | "
		case a == atom.Code && parent.a == atom.Pre && len(bytes.TrimSpace(r.line)) > 0:
			// A second <code> in one <pre> is another listing (Node.js writes the ES module
			// and CommonJS forms of each example so): it starts a line of its own.
			r.flushLine()
		case block(a) && e.cell:
			r.space = true
		case block(a) && e.note && noteLabel.Match(bytes.TrimSpace(r.line)):
			r.space = true // a footnote's first paragraph goes on its label's line ("[2] The note")
		case block(a):
			r.flushLine()
			r.paragraphBreak(paragraphLike(a) && !parent.pre)
		}
	}
	if target != "" && r.heading == nil {
		r.lastID = target
	}
	e.mark = mark{len(r.out), r.textChars, r.linkChars, r.navLinks, r.links, r.fragLinks, r.plainAlnum, r.langLinks, len(r.line) == 0}
	r.stack = append(r.stack, e)
}

// firstCellBlock reports whether the innermost table cell has had no block yet, and counts
// one.
func (r *htmlReader) firstCellBlock() bool {
	for i := len(r.stack) - 1; i >= 0; i-- {
		if e := &r.stack[i]; e.a == atom.Td || e.a == atom.Th {
			e.blocks++
			return e.blocks == 1
		}
	}
	return false
}

// closeImplied pops the elements a start tag closes without their end tag: a block closes an
// open <p>, <li> closes the previous item, a row or cell the previous one.
func (r *htmlReader) closeImplied(a atom.Atom) {
	switch {
	case a == atom.Li:
		r.popTo(atom.Li, atom.Ul, atom.Ol, atom.Menu)
	case a == atom.Dt || a == atom.Dd:
		r.popTo(atom.Dt, atom.Dl)
		r.popTo(atom.Dd, atom.Dl)
	case a == atom.Tr:
		r.popTo(atom.Tr, atom.Table)
	case a == atom.Td || a == atom.Th:
		r.popTo(atom.Td, atom.Tr, atom.Table)
		r.popTo(atom.Th, atom.Tr, atom.Table)
	}
	if (block(a) || heading(a) > 0) && r.top().a == atom.P {
		r.pop()
	}
}

// popTo closes the innermost open a, unless one of the boundary elements is nearer.
func (r *htmlReader) popTo(a atom.Atom, boundary ...atom.Atom) {
	for i := len(r.stack) - 1; i >= 0; i-- {
		switch x := r.stack[i].a; {
		case x == a:
			for len(r.stack) > i {
				r.pop()
			}
			return
		case x == atom.Table || slices.Contains(boundary, x):
			return
		}
	}
}

func (r *htmlReader) end(a atom.Atom, name string) {
	if a == atom.Title {
		r.inTitle = false
	}
	if r.excess > 0 {
		r.excess--
		return
	}
	for i := len(r.stack) - 1; i >= 0; i-- {
		if r.stack[i].name == name {
			for len(r.stack) > i {
				r.pop()
			}
			return
		}
	}
}

// pop closes the innermost element: ends a heading or link, closes its block, and drops its
// output when it turns out to be navigation.
func (r *htmlReader) pop() {
	e := r.stack[len(r.stack)-1]
	r.stack = r.stack[:len(r.stack)-1]
	if e.content {
		r.flushLine()
		r.inContent, r.done = false, true
	}
	if r.anchor != nil && len(r.stack) == r.anchor.depth {
		r.dropLinkChrome()
	}
	if r.heading != nil && len(r.stack) == r.headingDepth {
		title := collapse(r.heading.String())
		r.heading = nil
		r.cur = r.outline.enter(r.headingLevel, title, cmp.Or(r.headingID, r.headingPrev))
		r.lastID = ""
		// The outputs of open elements now lie in an earlier section: none can be dropped.
		for i := range r.stack {
			r.stack[i].mark.out = -1
		}
		return
	}
	if r.link != nil && len(r.stack) == r.linkDepth {
		if r.linkRel || navWords[strings.Trim(strings.ToLower(collapse(r.link.String())), " «»‹›<>←→↑|[]()")] {
			r.navLinks++
		}
		r.links++
		if r.linkLang {
			r.langLinks++
		}
		r.link, r.linkFrag, r.linkLang = nil, false, false
	}
	if e.skip || !r.inContent && !e.content {
		return
	}
	if r.heading != nil {
		if block(e.a) {
			r.heading.WriteByte(' ')
		}
		return
	}
	switch {
	case e.a == atom.Td || e.a == atom.Th:
		r.space = true
	case e.a == atom.Label:
		// Labels outside forms are the names of tabs (Material for MkDocs' content tabs,
		// "C#", "Java"), laid out apart: "C# Java", not "C#Java".
		r.space = true
	case e.a == atom.Li || e.a == atom.Tr || e.a == atom.Dt:
		r.blockBoundary(false)
	case block(e.a):
		r.blockBoundary(paragraphLike(e.a) && !r.top().pre)
	}
	if e.mark.out >= 0 && e.mark.lineEmpty && !e.content && (e.chromeID || r.navigation(e)) {
		r.flushLine()
		r.out = r.out[:e.mark.out]
		r.textChars, r.linkChars, r.navLinks, r.links = e.mark.textChars, e.mark.linkChars, e.mark.navLinks, e.mark.links
		r.langLinks = e.mark.langLinks
	}
}

// listIndent is the indentation of an item of the list now open: two spaces for each list
// it is nested in, as the Word and OpenDocument readers write a level (see listMarker), up to
// their deepest. Flush left, a nested list's items read as more items of the list around it:
// the choices under one step as further steps.
func (r *htmlReader) listIndent() string {
	depth := -1
	for _, e := range r.stack {
		if e.a == atom.Ul || e.a == atom.Ol || e.a == atom.Menu {
			depth++
		}
	}
	return strings.Repeat("  ", min(max(depth, 0), maxListLevels-1))
}

// within reports whether an element of one of the kinds given is open.
func (r *htmlReader) within(kinds ...atom.Atom) bool {
	return slices.ContainsFunc(r.stack, func(e element) bool { return slices.Contains(kinds, e.a) })
}

// navigation reports an element whose text, now complete, reads as navigation: a list, table
// or short block made almost only of links (content lists of links say something besides the
// link, "Wayland (native)"), or a block with two or more "Prev"/"Next"/"Up"/"Home" links (a
// pager).
func (r *htmlReader) navigation(e element) bool {
	text, links := r.textChars-e.mark.textChars, r.linkChars-e.mark.linkChars
	if text == 0 {
		return false
	}
	if r.inPageTOC(e) {
		return true
	}
	if r.navLinks-e.mark.navLinks >= 2 && text-links < 120 {
		return true
	}
	if r.languageSwitcher(e, text-links) {
		return true
	}
	switch e.a {
	case atom.Form:
		// A search box's or login's labels; a form wrapping the page holds its headings
		// (whose end leaves nothing to drop) or at least more than a few words.
		return text < 200
	case atom.Ul, atom.Ol, atom.Dl, atom.Menu, atom.Table:
		return links*100 >= text*85
	case atom.Div, atom.Section:
		// One link alone is a cell of a grid laid out in <div>s (Javadoc's summary tables
		// name each class and member so), not a menu.
		return links*100 >= text*85 && text < 200 && r.links-e.mark.links >= 2
	}
	return false // a paragraph of prose links is content
}

// languageSwitcher reports a block of links to the page in other languages (rel="alternate"
// with an hreflang says so: a link with an hreflang alone is any link to a text in another
// language, a report or a translation named in a sentence), one or more, each no longer than a
// language's name, with at most one other link besides (the page's own, in its language) and
// a short label ("Available Languages: en | fr | ja"). Only a paragraph, list or division is
// one: a link, a table cell or a table with one is judged by its link density, as any other. The Apache HTTP Server
// manual heads and ends every page with one, listing the languages that page is translated
// into: the lists differ from page to page, so the repeated-block test kept most of them, and
// each page's first and last passage held "Available Languages: en | fr" (469 passages of 244
// pages). A page translated into no language lists its own alone ("Available Languages: en"),
// a link that says nothing of its language, and keeps it: a link to the page itself is no
// sign of chrome (git-doc's and SQLite's pages link to themselves in their sentences).
func (r *htmlReader) languageSwitcher(e element, plain int) bool {
	switch e.a {
	case atom.P, atom.Div, atom.Section, atom.Ul, atom.Ol, atom.Menu:
	default:
		return false
	}
	links, lang := r.links-e.mark.links, r.langLinks-e.mark.langLinks
	return lang >= 1 && links-lang <= 1 && plain <= maxSwitcherLabel+3*links &&
		r.linkChars-e.mark.linkChars <= maxLanguageName*links
}

// maxSwitcherLabel bounds the characters of a language switcher's label outside its links
// ("Available Languages: ", "Also in:"), besides the separators between them; maxLanguageName
// those of a link's text ("en", "Português (Brasil)").
const (
	maxSwitcherLabel = 40
	maxLanguageName  = 20
)

// inPageTOC reports a table of contents of the page itself (SQLite's "► Table Of Contents",
// Sphinx's local "Contents" box, a Markdown README's list of its sections): a list, table or
// <div> whose text is only links to this page's sections, two or more, after at most a short
// label, which goes with it. The headings it lists are indexed where they stand; listed again
// they filled each page's first chunk with its outline. A list of links to other pages is
// left to navigation's link density, and an entry with words beyond its link (an option
// that links to its anchor, then explains it) is content.
func (r *htmlReader) inPageTOC(e element) bool {
	switch e.a {
	case atom.Ul, atom.Ol, atom.Dl, atom.Menu, atom.Table, atom.Div, atom.Section:
		return e.fragment && r.fragLinks-e.mark.fragLinks >= 2 && e.label <= maxTOCLabel &&
			r.plainAlnum-e.mark.plainAlnum == e.label
	}
	return false
}

// maxTOCLabel bounds the letters and digits of a table of contents' label ("Table Of
// Contents", "On this page", "Contents of this section").
const maxTOCLabel = 40

// anchorTarget returns the name an element gives a link to point at: its id, or an <a>'s name.
func anchorTarget(a atom.Atom, attrs []html.Attribute) string {
	if id := strings.TrimSpace(attrValue(attrs, "id")); id != "" || a != atom.A {
		return id
	}
	return strings.TrimSpace(attrValue(attrs, "name"))
}

// refreshTarget returns the page a <meta http-equiv="refresh"> content ("0; url=cli.html",
// "0; ./cli.html", "3;URL='moved.html'") sends the reader to within maxRedirectDelay, or "".
// Such a page is a stub left where a page used to be (Texinfo writes one for every node of a
// chapter, 144 of zsh's 186 pages; SQLite, MkDocs, Hugo and Jekyll leave them for renamed
// pages): a reader never sees it, and indexed it is a hit titled as the real page but with
// only "The node you are looking for is at Aliasing" to show. A refresh without a URL, or a
// slow one (a kiosk page cycling), is no redirect.
func refreshTarget(content string) string {
	delay, target, ok := strings.Cut(content, ";")
	if !ok {
		delay, target, _ = strings.Cut(content, ",")
	}
	seconds, err := strconv.ParseFloat(strings.TrimSpace(delay), 64)
	if err != nil || seconds < 0 || seconds > maxRedirectDelay {
		return ""
	}
	target = strings.TrimSpace(target)
	if len(target) > 3 && strings.EqualFold(target[:3], "url") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(target[3:]), "="); ok {
			target = strings.TrimSpace(rest)
		}
	}
	return strings.Trim(target, `"' `)
}

// maxRedirectDelay is the longest refresh, in seconds, that reads as a redirect: "this page
// has moved" notices wait a few seconds, pages that refresh for new content wait longer.
const maxRedirectDelay = 5

// samePage reports a link to a section of this page: "#limit", or "select.html#limit" from
// select.html. A bare "#" is a script's handle, not a section.
func (r *htmlReader) samePage(href string) bool {
	doc, frag, ok := strings.Cut(strings.TrimSpace(href), "#")
	return ok && frag != "" && (doc == "" || r.page != "" && doc == r.page)
}

func (r *htmlReader) text(raw []byte) {
	if r.inTitle {
		r.title.Write(raw)
		return
	}
	if r.lastID != "" && len(bytes.TrimSpace(raw)) > 0 {
		r.lastID = "" // text lies between that element and whatever heading comes next
	}
	top := r.top()
	if top.skip || !r.inContent {
		return
	}
	// Raised digits (a footnote mark, an exponent) as superscripts: "minutes¹", not
	// "minutes1"; a mark in brackets ("[1]", DocBook's) is apart from its word already.
	if r.within(atom.Sup) && !bytes.HasSuffix(bytes.TrimRight(r.line, " "), []byte("[")) {
		raw = []byte(superscript(string(raw)))
	}
	if r.heading != nil {
		r.heading.Write(raw)
		return
	}
	if r.link != nil {
		r.link.Write(raw)
	}
	if top.pre {
		lines := strings.Split(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n")
		// Every text node is written whole, spaces included: a highlighter wraps each token of
		// a code block in its own element, so the space between two of them ("import", " ",
		// "csv") is a text node of its own. flushLine trims each line's ends.
		for i, l := range lines {
			if i > 0 {
				r.flushLine()
			}
			if len(r.line) == 0 && r.prefix != "" && strings.TrimSpace(l) == "" {
				continue // a list item's marker waits for the code, not for its indentation
			}
			r.linePre = true
			r.write(l, true)
		}
		return
	}
	r.write(string(raw), false)
}

// write appends text to the current line, collapsing white space unless verbatim.
func (r *htmlReader) write(s string, verbatim bool) {
	for _, c := range s {
		if !verbatim && (unicode.IsSpace(c) || c == '\u00a0') {
			r.space = true
			continue
		}
		if len(r.line) == 0 {
			r.line = append(r.line, r.prefix...)
			r.lineIndent = strings.HasPrefix(r.prefix, " ")
			r.prefix, r.sep = "", ""
		} else if r.sep != "" {
			r.line = append(r.line, r.sep...)
			r.sep = ""
		} else if r.space {
			r.line = append(r.line, ' ')
		}
		r.space = false
		r.line = utf8.AppendRune(r.line, c)
		if !unicode.IsSpace(c) {
			r.textChars++
			if r.link != nil {
				r.linkChars++
			}
		}
		if !r.linkFrag && (unicode.IsLetter(c) || unicode.IsDigit(c)) {
			r.plainAlnum++
		}
	}
}

// blockBoundary ends the current line, and the paragraph when para is set. Inside a table
// cell a boundary is only a space: the cell stays on its row's line.
func (r *htmlReader) blockBoundary(para bool) {
	if r.top().cell {
		r.space = true
		return
	}
	r.flushLine()
	r.paragraphBreak(para)
}

// paragraphBreak ends the paragraph with a blank line, when para is set, except inside a list
// item: its paragraphs stay lines of the list.
func (r *htmlReader) paragraphBreak(para bool) {
	if para && !r.top().item && len(r.out) > 0 && !bytes.HasSuffix(r.out, []byte("\n\n")) {
		r.out = append(r.out, '\n')
	}
}

// flushLine moves the current line to the output, unless it is a block repeated across the
// source's pages.
func (r *htmlReader) flushLine() {
	line := bytes.TrimSpace(r.line)
	if len(line) == 0 {
		// A list item's prefix waits for its text ("<li><p>text"); a blank line of a <pre>
		// leaves nothing behind.
		r.line, r.linePre = r.line[:0], false
		return
	}
	if r.linePre {
		line = bytes.TrimRight(r.line, " \t\r") // keep the code's indentation
	} else if r.lineIndent {
		line = bytes.TrimRight(r.line, " \t\r") // a nested list item's indentation, which its prefix began with
	}
	r.line, r.space, r.prefix, r.sep, r.linePre, r.lineIndent = r.line[:0], false, "", "", false, false
	p := blockPrint(line)
	if !r.seen[p] {
		r.seen[p] = true
		r.prints = append(r.prints, p)
	}
	if r.repeated[p] {
		return
	}
	r.out = append(r.out, line...)
	r.out = append(r.out, '\n')
}

// anchorMark records where a link began, in the open heading or the line, to drop it when
// its text turns out to be chrome (see dropLinkChrome).
type anchorMark struct {
	depth, heading, line int
	space                bool
}

// dropLinkChrome drops the link that has just ended when its text is chrome: a link whose text
// is only a symbol, "¶", "#", "§", "◆": a permalink, as site generators put after headings and
// definitions (Node.js' a.mark, Doxygen's memtitle, whatever their class), or a link to a
// commit after each item of PostgreSQL's release notes ("… (Andrey Rachitskiy) §"); or a link to the page's source or editor, or to the rest
// of a description ("[source]" in Sphinx, "Source" and "Read more" in rustdoc, "More..." in
// Doxygen, "[edit]" in MediaWiki).
func (r *htmlReader) dropLinkChrome() {
	m := r.anchor
	r.anchor = nil
	var text string
	if r.heading != nil {
		text = r.heading.String()[m.heading:]
	} else if m.line <= len(r.line) {
		text = string(r.line[m.line:])
	}
	text = strings.TrimSpace(text)
	words := strings.ToLower(strings.Trim(text, "[]() "))
	// One word ("source", "edit") is chrome when bracketed or alone at a line's start, not in
	// prose ("see the source").
	alone := strings.HasPrefix(text, "[") || m.line == 0 && r.heading == nil || strings.ContainsAny(words, " .")
	if !permalinkSymbols[text] && !iconGlyphs(text) && !(linkChromeWords[words] && alone) {
		return
	}
	if r.heading != nil {
		kept := r.heading.String()[:m.heading]
		r.heading.Reset()
		r.heading.WriteString(kept)
	} else {
		r.line, r.space = r.line[:m.line], m.space
	}
}

// permalinkSymbols are the texts of permalinks.
// A footnote's link back to where it is referred to is one too ("↩︎" in pandoc's, "↑" and "^"
// elsewhere).
var permalinkSymbols = map[string]bool{"¶": true, "#": true, "§": true, "🔗": true, "⚓": true, "¤": true, "◆": true,
	"↩": true, "↩\ufe0e": true, "↩\ufe0f": true, "↑": true, "^": true}

// iconGlyphs reports text made only of characters of the Private Use Area, where icon fonts
// (Font Awesome, Material Icons) put their glyphs: a permalink drawn as an icon, "\uf0c1" after
// every heading of MkDocs' own theme, is no more text than "¶".
func iconGlyphs(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool { return !unicode.Is(unicode.Co, r) })
}

// linkChromeWords are the texts of links to a page's source or editor, or to more of a
// description, brackets aside.
var linkChromeWords = map[string]bool{
	"source": true, "src": true, "view source": true, "edit": true, "edit this page": true,
	"edit on github": true, "view page source": true, "show source": true, "read more": true, "more...": true,
}

// pagerRel reports a link whose rel names its place in a sequence of pages, as Texinfo's and
// DocBook's pagers write them.
func pagerRel(rel string) bool {
	for _, tok := range strings.Fields(strings.ToLower(rel)) {
		switch tok {
		case "next", "prev", "previous", "up", "start", "first", "last", "contents", "index":
			return true
		}
	}
	return false
}

func (r *htmlReader) endSection() {
	r.flushLine()
	r.prefix = "" // a list item that begins with a heading (Javadoc's member lists) is a section
	r.cur.Text = string(r.out)
	r.doc.Sections = append(r.doc.Sections, r.cur)
	r.out = nil
}

func (r *htmlReader) finish() {
	for len(r.stack) > 0 {
		r.pop()
	}
	if r.heading != nil { // an unclosed heading at the end of the file
		r.cur = r.outline.enter(r.headingLevel, collapse(r.heading.String()), cmp.Or(r.headingID, r.headingPrev))
		r.heading = nil
	}
	r.endSection()
	// The first top heading is the title, unless it numbers the page's first section ("1.
	// Overview", where SQLite's pages hold their title, "SELECT", in <title> only) and <title>
	// names the page without a number.
	if title := collapse(r.title.String()); r.doc.Title == "" || sectionNumber.MatchString(r.doc.Title) && title != "" && !sectionNumber.MatchString(title) {
		r.doc.Title = title
	}
	for i := range r.doc.Sections {
		r.doc.Sections[i].Text = collapseLines(r.doc.Sections[i].Text)
	}
}

// sectionNumber matches a heading that starts with a section number: "1. Overview", "2.3 Syntax".
// A number without a dot is not one: "2024 Annual Report" is a title.
var sectionNumber = regexp.MustCompile(`^\d+(\.\d+)*\.\s|^\d+(\.\d+)+\s`)

// blockPrint fingerprints a block's text, case and numbers aside: repeated chrome often
// differs only in a number ("Page 3 of 40", "Updated 2026-11-30").
func blockPrint(line []byte) uint64 {
	h := fnv.New64a()
	digits := false
	for _, c := range bytes.ToLower(line) {
		if c >= '0' && c <= '9' {
			if !digits {
				h.Write([]byte{'0'})
			}
			digits = true
			continue
		}
		digits = false
		h.Write([]byte{c})
	}
	return h.Sum64()
}

// navWords are link texts of pagers and navigation bars.
var navWords = map[string]bool{
	"prev": true, "previous": true, "next": true, "up": true, "home": true, "top": true,
	"back": true, "back to top": true, "contents": true, "table of contents": true, "index": true,
	"next page": true, "previous page": true, "skip to content": true, "skip to main content": true,
}

// chrome reports elements that hold page chrome, by tag, ARIA role, or a class or id naming
// navigation. The page itself never is, nor its main content (<main>, role="main"): their
// classes describe the layout ("no-sidebar" on every page of Apache httpd's manual, which
// then had no text at all; "withsidebar" on the role="main" body of every page of
// SQLAlchemy's). A form is not chrome by its tag either, since ASP.NET and SharePoint wrap the
// whole body in one: a small form (a search box, a login) is dropped when it ends, see
// navigation.
func chrome(a atom.Atom, attrs []html.Attribute) bool {
	if a == atom.Html || a == atom.Body || mainContent(a, attrs) {
		return false
	}
	switch a {
	case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Nav, atom.Header, atom.Footer,
		atom.Button, atom.Svg, atom.Iframe, atom.Head, atom.Select, atom.Textarea, atom.Object:
		return true
	case atom.Aside:
		// A sidebar, but for the footnotes docutils (Sphinx) writes in <aside>: a page's
		// footnotes are its text.
		return !footnotes(attrs)
	}
	switch strings.ToLower(attrValue(attrs, "role")) {
	case "navigation", "banner", "contentinfo", "search", "menu", "menubar", "toolbar":
		return true
	}
	if strings.Contains(strings.ToLower(attrValue(attrs, "aria-label")), "breadcrumb") {
		return true
	}
	return chromeName(attrValue(attrs, "class"))
}

// textBox reports a box of the page's own text that its class names a sidebar: DocBook's
// <sidebar>, which DocBook XSL writes as <div class="sidebar"> inside the chapter or section it
// belongs to (the "TIP", "NOTE" and "BACK TO BASICS" boxes of a manual), and Asciidoctor's
// sidebar block (class "sidebarblock"). Taken for a site's sidebar, they were dropped as
// chrome: 420 boxes, a quarter of the Debian Administrator's Handbook's text. Both are <div>s;
// an <aside> or a block marked as navigation is a site's, whatever its class.
func textBox(a atom.Atom, attrs []html.Attribute, inDivision bool) bool {
	if a != atom.Div || attrValue(attrs, "role") != "" {
		return false
	}
	for _, tok := range strings.Fields(strings.ToLower(attrValue(attrs, "class"))) {
		if tok == "sidebarblock" || tok == "sidebar" && inDivision {
			return true
		}
	}
	return false
}

// docbookDivision reports a class DocBook XSL gives the <div> of a division, the element's name.
func docbookDivision(class string) bool {
	switch strings.ToLower(class) {
	case "chapter", "appendix", "preface", "article", "part", "partintro", "section", "simplesect",
		"sect1", "sect2", "sect3", "sect4", "sect5", "refentry", "refsection", "refsect1", "refsect2", "refsect3":
		return true
	}
	return false
}

// noteLabel matches a footnote's label alone: "[2]", "2", "[a]", "*".
var noteLabel = regexp.MustCompile(`^\[?(\d{1,3}|[a-z]|[*†‡])\]?\.?$`)

// footnotes reports an element that holds footnotes or endnotes, by its ARIA role (DPUB-ARIA's
// doc-footnote, doc-endnotes) or class.
func footnotes(attrs []html.Attribute) bool {
	switch strings.ToLower(strings.TrimSpace(attrValue(attrs, "role"))) {
	case "doc-footnote", "doc-endnotes", "doc-endnote":
		return true
	}
	return strings.Contains(strings.ToLower(attrValue(attrs, "class")), "footnote")
}

// mainContent reports the element that says it holds the page's main content.
func mainContent(a atom.Atom, attrs []html.Attribute) bool {
	return a == atom.Main || strings.EqualFold(strings.TrimSpace(attrValue(attrs, "role")), "main")
}

// chromeName reports whether a class (or id) attribute names navigation (chromeToken), past
// the names of layouts (layoutToken).
func chromeName(v string) bool {
	for _, tok := range strings.Fields(strings.ToLower(v)) {
		if chromeToken.MatchString(tok) && !layoutToken.MatchString(tok) {
			return true
		}
	}
	return false
}

// layoutToken matches class names that say what a container holds or lacks rather than name
// chrome: "no-sidebar", "has-navbar", "content-with-sidebar", "page_without_toc".
var layoutToken = regexp.MustCompile(`(^|[-_])(no|has|with|without)[-_]`)

// chromeToken matches class and id names of navigation: DocBook's navheader and navfooter,
// Sphinx's related bar, Javadoc's topNav, breadcrumbs, menus, sidebars and pagers, and tables
// of contents (DocBook's toc and list-of-tables): the headings they list are indexed with
// their own pages. Also the line numbers of code listings (Pygments, Doxygen, highlight.js),
// which would glue to each line's code ("22int"), and Doxygen's hover tooltips (ttc), which
// repeat each member's brief description.
var chromeToken = regexp.MustCompile(`^(nav|navigation|menu|menubar|related|footer|toolbar|toc)$|^list-of-|navheader|navfooter|navbar|breadcrumb|sidebar|pagination|pager|skip-?link|skip-to|topnav|bottomnav|subnav|site-?header|site-?footer|^(lineno|linenos|line-?numbers|hljs-ln-numbers|ttc)$`)

// isHidden reports elements a reader never sees, whose text must not be indexed either: it is
// how a page smuggles instructions to a model (see SECURITY.md, prompt injection).
func isHidden(a atom.Atom, attrs []html.Attribute) bool {
	if hasAttrKey(attrs, "hidden") || attrValue(attrs, "aria-hidden") == "true" {
		return true
	}
	if a == atom.Font && invisibleColor.MatchString("color:"+strings.ToLower(strings.ReplaceAll(attrValue(attrs, "color"), " ", ""))) {
		return true
	}
	style := strings.ReplaceAll(strings.ToLower(attrValue(attrs, "style")), " ", "")
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

func attrValue(attrs []html.Attribute, key string) string {
	for _, a := range attrs {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// hasClass reports whether the class attribute holds the token.
func hasClass(attrs []html.Attribute, token string) bool {
	return slices.Contains(strings.Fields(attrValue(attrs, "class")), token)
}

func hasAttrKey(attrs []html.Attribute, key string) bool {
	for _, a := range attrs {
		if a.Key == key {
			return true
		}
	}
	return false
}

// headingOf returns the level of a heading element: h1–h6, or any element marked as one for
// assistive technology (role="heading", its level in aria-level, 2 when it gives none, as
// WAI-ARIA says), which pages built by scripts and some wikis (Confluence, SharePoint, Google
// Sites) use instead; 0 for other elements.
func headingOf(a atom.Atom, attrs []html.Attribute) int {
	if l := heading(a); l > 0 {
		return l
	}
	if !strings.EqualFold(strings.TrimSpace(attrValue(attrs, "role")), "heading") {
		return 0
	}
	if l, err := strconv.Atoi(strings.TrimSpace(attrValue(attrs, "aria-level"))); err == nil && l >= 1 {
		return min(l, 6)
	}
	return 2
}

func heading(a atom.Atom) int {
	switch a {
	case atom.H1:
		return 1
	case atom.H2:
		return 2
	case atom.H3:
		return 3
	case atom.H4:
		return 4
	case atom.H5:
		return 5
	case atom.H6:
		return 6
	}
	return 0
}

// void elements have no end tag.
func void(a atom.Atom) bool {
	switch a {
	case atom.Area, atom.Base, atom.Br, atom.Col, atom.Embed, atom.Hr, atom.Img, atom.Input,
		atom.Keygen, atom.Link, atom.Meta, atom.Param, atom.Source, atom.Track, atom.Wbr:
		return true
	}
	return false
}

// block elements start and end a line of text.
func block(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Li, atom.Tr, atom.Pre, atom.Blockquote, atom.Section, atom.Table,
		atom.Ul, atom.Ol, atom.Dl, atom.Dd, atom.Dt, atom.Article, atom.Main, atom.Figure,
		atom.Figcaption, atom.Caption, atom.Address, atom.Details, atom.Summary, atom.Fieldset,
		atom.Center, atom.Hr, atom.Menu, atom.Tbody, atom.Thead, atom.Tfoot:
		return true
	}
	return false
}

// paragraphLike blocks are followed by a blank line; list items and rows are not.
func paragraphLike(a atom.Atom) bool {
	switch a {
	case atom.Li, atom.Tr, atom.Dt, atom.Dd, atom.Tbody, atom.Thead, atom.Tfoot:
		return false
	}
	return true
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// collapseLines squeezes spaces within lines and runs of blank lines, keeping paragraphs.
func collapseLines(s string) string {
	var out []string
	blank := false
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimRight(l, " \t\r")
		if strings.TrimSpace(l) == "" {
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
