package answer

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/retrieve"
)

// TestCodeBlocks: what is told apart as code in passage text, and what is not.
func TestCodeBlocks(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"an unindented first line and an SQL keyword line belong to the code", "Find a user:\nSELECT name FROM users\n    WHERE id = 1;\nThe query returns one row.",
			[]string{"SELECT name FROM users\n    WHERE id = 1;"}},
		{"a comment in code neither ends it nor makes it", "Host a\n        # This is the key pair registered for author.\n        User git\n\nThe next host is b.",
			[]string{"Host a\n        # This is the key pair registered for author.\n        User git"}},
		{"blank lines inside code do not end it; the prose after it does", "import csv\n\nwith open(f) as fh:\n    print(fh)\n\nEach row is a list.",
			[]string{"import csv\n\nwith open(f) as fh:\n    print(fh)"}},
		{"a callout list after commands is prose", "$ git branch foo        <1>\n$ git tag foo           <2>\n\n1. creates a new branch foo.\n2. creates a new tag foo.", []string{"$ git branch foo        <1>\n$ git tag foo           <2>"}},
		{"an indented sentence of a plain-text page is not code", "Die Rückwärtsreferenz\n - wobei n für eine einzelne Ziffer steht - steht für die Zeichenkette.", nil},
		{"words of a script without case, spaced, are not code", "Uuencode  和 uudecode 用于 在 某些 只能 传输 简单 ASCII 数据 的 信道 上 传送 二进制文件\n编码后  的 文件 送往 标准输出", nil},
		{"hard-wrapped indented prose is not code", "       Reverting a regular commit just effectively undoes what that commit\n       did, and is fairly  straightforward. But reverting a merge commit also", nil},
		{"two spaces after a full stop are typewriting, not layout", "It ends here.  Then the next sentence starts.", nil},
		{"flush-left configuration a colon introduces is code, though it has no layout", "Discussion:\nIf you must use a .htaccess file, mod_rewrite is the appropriate tool:\nRewriteEngine On\nRewriteCond \"%{HTTPS}\" !=on\nRewriteRule \"^(.*)\" \"https://%{SERVER_NAME}$1\" [R=301,L]\nThe %{HTTPS} variable is set to on when the connection is using SSL/TLS.",
			[]string{"RewriteEngine On\nRewriteCond \"%{HTTPS}\" !=on\nRewriteRule \"^(.*)\" \"https://%{SERVER_NAME}$1\" [R=301,L]"}},
		{"so is code a sentence says it shows, set apart by a blank line", "For example, you can use the following directives, placed in a <Directory \"/srv/secret\"> section.\n\nAuthType Basic\nAuthName \"Restricted Files\"\nRequire user rbowen\n\nThe AuthType directive selects the method.",
			[]string{"AuthType Basic\nAuthName \"Restricted Files\"\nRequire user rbowen"}},
		{"a definition list's terms after a sentence that introduces nothing are not code", "This directive controls the Server response header.\n\nServerTokens Full (or not specified)\nServer sends (e.g.): Server: Apache/2.4.2 (Unix)\nServerTokens Prod[uctOnly]\nServer sends (e.g.): Server: Apache", nil},
		{"one introduced line is not code: it has no layout to lose", "The syntax of the ErrorDocument directive is:\n\nErrorDocument <3-digit-code> <action>\n\nwhere the action will be treated as:", nil},
		{"introduced lines of words without a sign of code are not code", "The modules are:\nCore Features\nMultiprocessing Modules", nil},
		{"an introduced list is not code", "Do this:\n- run make\n- run make install", nil},
		{"a nested list's items, indented, are not code however they are punctuated", "- If unlucky, users merge old and new history. This comes about in multiple different ways:\n  - the default to only doing a partial history rewrite (--all is not the default and few examples show it)\n  - the fact that there is no automatic post-run cleanup\n  - the fact that --tag-name-filter (when used to rename tags) does not remove the old tags\n- Annotated tags can be converted to lightweight tags.", nil},
		{"a nested list's short items are not code", "Supported systems:\n- Desktop\n  - Windows\n  - macOS\n- Mobile\n  - proxy.pac\n  - iOS", nil},
		{"a YAML list in code is still code", "steps:\n  - name: Checkout\n    uses: actions/checkout@v4\n  - run: make test", []string{"steps:\n  - name: Checkout\n    uses: actions/checkout@v4\n  - run: make test"}},
		{"introduced names with a slash between words are not code", "The following people have access:\nJohn Smith (IT/Security)\nMary Jones (HR)\nPeter Brown (Finance)", nil},
		{"an introduced address, e-mail and URL are not code", "Contact the service desk:\nIT Service Desk, Building 5\nservicedesk@example.com\nhttps://it.example.com/help", nil},
		{"introduced opening hours are not code", "Opening hours:\nMonday to Friday 9–17\nSaturday 10–14 (by appointment)\nPhone 555 0100 / 0101", nil},
		{"an example's folder names are not code", "For example, the team uses several shared drives.\nFinance/Reports 2023\nHR/Policies\nLegal/Contracts", nil},
		{"headings after a sentence that introduces them are not code", "The following sections describe the setup.\n\nInstalling on Linux/Unix\nInstalling on Windows", nil},
		{"introduced lines holding a path are code", "Add these lines to the configuration:\nScriptAlias /cgi-bin/ /usr/local/apache2/cgi-bin/\nAddHandler cgi-script .cgi", []string{"ScriptAlias /cgi-bin/ /usr/local/apache2/cgi-bin/\nAddHandler cgi-script .cgi"}},
		{"sentences without a full stop that name a file are not code beside the example", "To enable status reports only for browsers from the example.com domain add this code to your apache2.conf configuration file\n\n<Location \"/server-status\">\n    SetHandler server-status\n    Require host example.com\n</Location>\n\nYou can now access server statistics by using a Web browser to access the page http://your.server.name/server-status",
			[]string{"<Location \"/server-status\">\n    SetHandler server-status\n    Require host example.com\n</Location>"}},
	} {
		var got []string
		for _, c := range codeBlocks(tc.text) {
			got = append(got, tc.text[c.start:c.end])
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: code %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestBacktickLineInQuotedProse: a passage's own line of three backticks, in prose that is not
// code (a page about Markdown, a plain-text README), is quoted as it is; the quote's citation
// after it must still cite. (Fails: codeSpans reads the document's "```" as an unclosed fence,
// so the answer's "[1]" is taken for code and the answer is given with no citation at all.)
func TestBacktickLineInQuotedProse(t *testing.T) {
	t.Parallel()
	sources := []retrieve.Result{
		{DocumentID: 1, Text: "To start a code block in Markdown, write a line of three backticks:\n```\nThen write the code below that line and close it the same way."},
		{DocumentID: 2, Text: "Code blocks in Markdown keep their layout."},
	}
	got, err := Extractive{}.Answer(context.Background(), "how do I start a code block in markdown", sources, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, cited := resolveCitations(got, len(sources)); strings.TrimSpace(got) != "" && len(cited) == 0 {
		t.Errorf("the answer cites nothing:\n%s", got)
	}
}

// TestCodeSubscriptsAreKept: a model's code indexes lists ("row[0]", "xs[7]"): a bracketed
// number right after a word or a closing bracket is no citation of a missing source, and stays.
func TestCodeSubscriptsAreKept(t *testing.T) {
	t.Parallel()
	in := "Take the first field [1]:\n~~~python\nfirst = row[0]\n~~~"
	if got, _ := resolveCitations(in, 1); got != in {
		t.Errorf("resolveCitations = %q, want it unchanged", got)
	}
}

// TestInvalidCitationInARunOfCitations: a model that cites a source it was not given beside one
// it was ("[1][7]", one source) wrote a citation, not code: after a citation's closing bracket a
// bracketed number is no subscript, and one that points at no source goes. Only after code
// ("m[2][7]") does it index.
func TestInvalidCitationInARunOfCitations(t *testing.T) {
	t.Parallel()
	got, cited := resolveCitations("A taxi home is reimbursed [1][7]. Use m[2][7].", 1)
	if want := "A taxi home is reimbursed [1]. Use m[2][7]."; got != want || !slices.Equal(cited, []int{1}) {
		t.Errorf("resolveCitations = %q citing %v, want %q citing [1]", got, cited, want)
	}
}
