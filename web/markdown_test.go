package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/answer"
)

func TestAnswerBlocks(t *testing.T) {
	resp := answer.Response{
		Answer: "Taxis are **always** reimbursed after *9 pm* [1]. Use `ledgerly submit`.\n\n" +
			"To claim:\n- keep the receipt [2];\n- name the client [9].\n\n" +
			"1. first\n2. second\n\n" +
			"See <script>alert(1)</script> [click](javascript:alert(2)) ![x](https://evil.example/leak.png) " +
			"[more](https://evil.example/page) [the policy](/doc/3?chunk=4#passage) [evil](//evil.example/x) [bs](/doc/\\evil) [up](/doc/../?q=x) [dots](/doc/%2e%2e/doc/7/file)\n\n" +
			"```\ncode <b>line</b>\n```\n\n<div onclick=x>\nA block [1]\n</div>\n",
		Citations: []answer.Citation{{N: 1, URL: "/doc/1?chunk=2#passage", Title: "Travel", Supported: true}, {N: 2, URL: "/doc/2?chunk=1#passage", Title: "Claims"}},
	}
	got, _ := json.Marshal(answerBlocks(resp))
	want := `[{"kind":"p","inline":[{"kind":"text","text":"Taxis are "},{"kind":"strong","text":"always"},{"kind":"text","text":" reimbursed after "},{"kind":"em","text":"9 pm"},{"kind":"text","text":" "},{"kind":"cite","text":"[1]","url":"/doc/1?chunk=2#passage","title":"Travel","n":1},{"kind":"text","text":". Use "},{"kind":"code","text":"ledgerly submit"},{"kind":"text","text":"."}]},` +
		`{"kind":"p","inline":[{"kind":"text","text":"To claim:"}]},` +
		`{"kind":"ul","items":[[{"kind":"text","text":"keep the receipt "},{"kind":"cite","text":"[2]","url":"/doc/2?chunk=1#passage","title":"Claims","n":2,"weak":true},{"kind":"text","text":";"}],[{"kind":"text","text":"name the client [9]."}]]},` +
		`{"kind":"ol","items":[[{"kind":"text","text":"first"}],[{"kind":"text","text":"second"}]]},` +
		`{"kind":"p","inline":[{"kind":"text","text":"See \u003cscript\u003ealert(1)\u003c/script\u003e click (javascript:alert(2)) x (evil.example) more (evil.example) "},{"kind":"link","text":"the policy","url":"/doc/3?chunk=4#passage"},{"kind":"text","text":" evil (evil.example) bs (/doc/\\evil) up (/doc/../?q=x) dots (/doc/%2e%2e/doc/7/file)"}]},` +
		`{"kind":"code","text":"code \u003cb\u003eline\u003c/b\u003e"},` +
		`{"kind":"p","inline":[{"kind":"text","text":"\u003cdiv onclick=x\u003e A block "},{"kind":"cite","text":"[1]","url":"/doc/1?chunk=2#passage","title":"Travel","n":1},{"kind":"text","text":" \u003c/div\u003e"}]}]`
	if string(got) != want {
		t.Errorf("blocks:\n%s\nwant\n%s", got, want)
	}
	// An answer of no Markdown at all is one paragraph of its text.
	plain, _ := json.Marshal(answerBlocks(answer.Response{Answer: "Just text."}))
	if !strings.Contains(string(plain), `[{"kind":"p","inline":[{"kind":"text","text":"Just text."}]}]`) {
		t.Errorf("plain answer: %s", plain)
	}
}

// TestQuotedBlocks: an extractive answer is document text, laid out by its lines, never read as
// Markdown.
func TestQuotedBlocks(t *testing.T) {
	resp := answer.Response{
		Mode:      "extractive",
		Answer:    "# umount /dev/sdb1\nThis is *enough* for a <b>stick</b>.\n[1]\n\nTo claim:\n- keep the receipt;\n- name the client.\n[1]\n\npackage | size\ngit | 9\n[1] Also [x](https://evil.example).",
		Citations: []answer.Citation{{N: 1, URL: "/doc/1?chunk=2#passage", Title: "Travel", Supported: true}},
	}
	got, _ := json.Marshal(answerBlocks(resp))
	cite := `{"kind":"cite","text":"[1]","url":"/doc/1?chunk=2#passage","title":"Travel","n":1}`
	want := `[{"kind":"p","inline":[{"kind":"text","text":"# umount /dev/sdb1"}]},` +
		`{"kind":"p","inline":[{"kind":"text","text":"This is *enough* for a \u003cb\u003estick\u003c/b\u003e."},{"kind":"text","text":" "},` + cite + `]},` +
		`{"kind":"p","inline":[{"kind":"text","text":"To claim:"}]},` +
		`{"kind":"ul","items":[[{"kind":"text","text":"keep the receipt;"}],[{"kind":"text","text":"name the client."},{"kind":"text","text":" "},` + cite + `]]},` +
		`{"kind":"pre","text":"package | size\ngit | 9"},` +
		`{"kind":"p","inline":[` + cite + `,{"kind":"text","text":" Also [x](https://evil.example)."}]}]`
	if string(got) != want {
		t.Errorf("blocks:\n%s\nwant\n%s", got, want)
	}
}

// TestQuotedCode: a code block the extractive answerer fenced is one block of its lines, their
// indentation kept, shown as <pre><code> with its text escaped; what introduces it and its
// citation stay paragraphs.
func TestQuotedCode(t *testing.T) {
	code := "with open(\"a.csv\") as f:\n    for row in csv.reader(f):  # <b>rows</b>\n\n        print(row)"
	resp := answer.Response{
		Mode:      "extractive",
		Answer:    "For example:\n```\n" + code + "\n```\n[1]",
		Citations: []answer.Citation{{N: 1, URL: "/doc/1?chunk=2#passage", Title: "csv", Supported: true}},
	}
	blocks := answerBlocks(resp)
	got, _ := json.Marshal(blocks)
	quoted, _ := json.Marshal(code)
	want := `[{"kind":"p","inline":[{"kind":"text","text":"For example:"}]},{"kind":"code","text":` + string(quoted) + `},` +
		`{"kind":"p","inline":[{"kind":"cite","text":"[1]","url":"/doc/1?chunk=2#passage","title":"csv","n":1}]}]`
	if string(got) != want {
		t.Errorf("blocks:\n%s\nwant\n%s", got, want)
	}
	var b strings.Builder
	if err := answerBlock(blocks[1]).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	if want := "<pre><code>with open(&#34;a.csv&#34;) as f:\n    for row in csv.reader(f):  # &lt;b&gt;rows&lt;/b&gt;\n\n        print(row)</code></pre>"; b.String() != want {
		t.Errorf("rendered:\n%s\nwant\n%s", b.String(), want)
	}
	// A stream cut short before the closing fence still shows the code.
	if got := quotedBlocks("```\nls  -l", nil); len(got) != 1 || got[0].Kind != "code" || got[0].Text != "ls  -l" {
		t.Errorf("unclosed fence: %+v", got)
	}
}

// TestMarkdownNesting: goldmark's time grows with the square of block nesting (64 KB of ">" took
// 40 s), so an answer nesting quotes or lists deeper than maxNesting on one line is laid out by its
// lines, its text kept, and an answer nesting less is still Markdown.
func TestMarkdownNesting(t *testing.T) {
	deep := strings.Repeat(">", 64<<10) + " the rest [1]"
	got := markdownBlocks(deep, map[int]answer.Citation{1: {N: 1, URL: "/doc/1"}})
	if len(got) != 1 || got[0].Kind != "p" || len(got[0].Inline) != 2 || got[0].Inline[0].Text != deep[:len(deep)-3] || got[0].Inline[1].Kind != "cite" {
		t.Fatalf("a 64 KB quote: %d blocks, first %q", len(got), got[0].Kind)
	}
	if got := markdownBlocks(strings.Repeat("1. ", 20)+"x", nil); len(got) != 1 || len(got[0].Items) != 1 || got[0].Items[0][0].Text != strings.Repeat("1. ", 19)+"x" {
		t.Errorf("20 nested list items: %+v", got)
	}
	shallow, _ := json.Marshal(markdownBlocks("> > - quoted item\n\n- a\n  - b", nil))
	if want := `[{"kind":"ul","items":[[{"kind":"text","text":"quoted item"}]]},{"kind":"ul","items":[[{"kind":"text","text":"a"}]]},{"kind":"ul","items":[[{"kind":"text","text":"b"}]],"level":1}]`; string(shallow) != want {
		t.Errorf("shallow nesting:\n%s\nwant\n%s", shallow, want)
	}
}

// TestNestedListsStayNested: an extractive answer's nested items (indented, as the answerer
// quotes them) and a model's nested Markdown list are lists of their own one level deeper, and
// the list around them numbers on after them: flat, the choices under step 1 read as steps,
// and step 2 was shown as a second step 1.
func TestNestedListsStayNested(t *testing.T) {
	layout := func(blocks []block) string {
		var out []string
		for _, b := range blocks {
			var items []string
			for _, item := range append([][]inline{b.Inline}, b.Items...) {
				var text string
				for _, in := range item {
					text += in.Text
				}
				if text != "" {
					items = append(items, text)
				}
			}
			out = append(out, fmt.Sprintf("%s/%d/%d %s", b.Kind, b.Level, b.Start, strings.Join(items, ",")))
		}
		return strings.Join(out, " | ")
	}
	cites := map[int]answer.Citation{1: {N: 1, URL: "/doc/1"}}
	quoted := quotedBlocks("To claim:\n1. Open the form.\n  - Choice one\n  - Choice two\n2. Submit it.\n[1]", cites)
	if got, want := layout(quoted), "p/0/0 To claim: | ol/0/0 Open the form. | ul/1/0 Choice one,Choice two | ol/0/2 Submit it. [1]"; got != want {
		t.Errorf("quoted answer\n got %s\nwant %s", got, want)
	}
	model := markdownBlocks("To claim:\n\n3. Open the form.\n   - Choice one\n   - Choice two\n4. Submit it. [1]", cites)
	if got, want := layout(model), "p/0/0 To claim: | ol/0/3 Open the form. | ul/1/0 Choice one,Choice two | ol/0/4 Submit it. [1]"; got != want {
		t.Errorf("model answer\n got %s\nwant %s", got, want)
	}
	// The page shows the level as a class that indents the list, and the number it goes on from.
	var page strings.Builder
	for _, b := range quoted {
		if err := answerBlock(b).Render(context.Background(), &page); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []string{`<ul class="nest-1">`, `<ol start="2">`} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("page lacks %s:\n%s", want, page.String())
		}
	}
}

// TestQuotedDocumentMarkersAreNotCitations: a document's own bracketed number, quoted by the
// extractive answerer, is never shown as a citation of Docent's, also when backticks stand
// around it (GNU-style `quotes', which answer.Neutralize now reads as Markdown inline code and
// leaves as "[2]"). The server does not count that "[2]" (it is inside "code"); the page must
// not link it either. (Fails: quotedBlocks links every [n] of a line, code or not, so the
// document's "[2]" becomes a link to Docent's source 2.)
func TestQuotedDocumentMarkersAreNotCitations(t *testing.T) {
	resp := answer.Response{
		Mode:   "extractive",
		Answer: answer.Neutralize("The command `ls' lists a directory, as the manual says [2], and `cp' copies files.") + " [1]\n\nThe ls command lists files. [2]",
		Citations: []answer.Citation{{N: 1, URL: "/doc/1?chunk=1#passage", Title: "ls", Supported: true},
			{N: 2, URL: "/doc/2?chunk=2#passage", Title: "coreutils", Supported: true}},
	}
	cites := 0
	for _, b := range answerBlocks(resp) {
		for _, x := range b.Inline {
			if x.Kind == "cite" {
				cites++
			}
		}
	}
	if cites != 2 {
		t.Errorf("%d citations shown, want 2 (the answer's own):\n%s", cites, resp.Answer)
	}
}

// TestCodeInListItems: models put a step's command in a fenced block inside the step's list
// item ("1. Install it:" then an indented fence); the code must be shown, not dropped.
// (Fails: listItems keeps only its children's inlines, and a code block has none, so the
// command vanishes from the answer.)
func TestCodeInListItems(t *testing.T) {
	md := "1. Install it:\n   ```\n   pip install ledgerly\n   ```\n2. Submit the claim [1]."
	got, _ := json.Marshal(markdownBlocks(md, map[int]answer.Citation{1: {N: 1, URL: "/doc/1?chunk=2#passage", Supported: true}}))
	if !strings.Contains(string(got), "pip install ledgerly") {
		t.Errorf("the step's code is missing:\n%s", got)
	}
}

// TestQuotedCodeKeepsItsSubscripts: the answerer writes a document's "[1]" with full-width
// brackets so that it cannot cite; in quoted code it is a subscript, shown as written so that
// the example runs when copied, while the same in prose stays full-width.
func TestQuotedCodeKeepsItsSubscripts(t *testing.T) {
	got := quotedBlocks("Print the second field, as notes ［2］ say:\n```\nfor row in reader:\n    print(row［1］)\n```\n[1]", map[int]answer.Citation{1: {N: 1, URL: "/doc/1?chunk=2#passage"}})
	js, _ := json.Marshal(got)
	if len(got) < 2 || got[1].Kind != "code" || got[1].Text != "for row in reader:\n    print(row[1])" || !strings.Contains(string(js), "notes ［2］") {
		t.Errorf("blocks: %s", js)
	}
}
