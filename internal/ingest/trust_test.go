package ingest_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/docent-search/docent/internal/source"
)

// setupEng is setup with the source of the example: no groups of its own (everyone may
// read it), secret/ for eng-leads, leads/ for eng-leads and managers, hr/ for hr.
func setupEng(t *testing.T) *testBundle {
	t.Helper()
	b := setup(t)
	b.root = t.TempDir()
	src, err := source.Add(context.Background(), b.pool, source.Source{Name: "eng", Root: b.root, Rules: []source.Rule{
		{Glob: "secret/**", Groups: []string{"eng-leads"}},
		{Glob: "leads/**", Groups: []string{"eng-leads", "managers"}},
		{Glob: "hr/**", Groups: []string{"hr"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	b.src = src
	return b
}

func (b *testBundle) link(t *testing.T, target, rel string) {
	t.Helper()
	p := filepath.Join(b.root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
}

// groups returns path → "status: groups" for every document of the bundle's source.
func (b *testBundle) groups(t *testing.T) map[string]string {
	t.Helper()
	rows, err := b.pool.Query(context.Background(), `SELECT path, status, array_to_string(groups, ',') FROM documents WHERE source_id = $1`, b.src.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var p, s, g string
		if err := rows.Scan(&p, &s, &g); err != nil {
			t.Fatal(err)
		}
		out[p] = s + ": " + g
	}
	return out
}

// TestNoFileStopsARun: a name that is not UTF-8, a path too long for a btree entry, and a
// document the database refuses each fail or pass alone; the files around them are indexed.
func TestNoFileStopsARun(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.ix.Workers = 1 // files in listing order: the refused ones sit between good ones
	b.write(t, "a.md", "# A\n\nfirst\n")
	b.write(t, "bad\xff\xfename.md", "# Bad name\n\nlatin-1 café: caf\xe9\n")
	b.write(t, "dir\xe9/inner.md", "# Inner\n\nin a folder whose name is Latin-1\n")
	b.write(t, "100%.md", "# Percent\n\na name with a percent sign\n")
	b.write(t, "m.md", "# M\n\nPOISON in the middle\n")
	// 12 folders of 240 bytes that do not compress: 2,900 bytes, past a btree entry's 2,704.
	var long []string
	for i := range 12 {
		var name string
		for j := range 4 {
			h := sha256.Sum256(fmt.Appendf(nil, "%d-%d", i, j))
			name += hex.EncodeToString(h[:])
		}
		long = append(long, name[:240])
	}
	longRel := filepath.Join(append(long, "deep.md")...)
	b.write(t, longRel, "# Deep\n\nfar down\n")
	b.write(t, "z.md", "# Z\n\nlast\n")
	// Rules match names as they are on disk, not their stored, escaped form.
	b.src.Rules = append(b.src.Rules, source.Rule{Glob: "100%.md", Groups: []string{"finance"}}, source.Rule{Glob: "dir?/**", Groups: []string{"latin"}})
	if _, err := source.Update(context.Background(), b.pool, b.src); err != nil {
		t.Fatal(err)
	}
	// A document the database refuses, as it would an invalid value: a constraint on chunks.
	if _, err := b.pool.Exec(context.Background(), `ALTER TABLE chunks ADD CONSTRAINT no_poison CHECK (text NOT LIKE '%POISON%')`); err != nil {
		t.Fatal(err)
	}

	sum := b.run(t)
	got := b.outcomes(t)
	want := map[string]string{
		"a.md":                    "indexed: ",
		"bad%FF%FEname.md":        "indexed: ",
		"dir%E9/inner.md":         "indexed: ",
		"100%25.md":               "indexed: ",
		filepath.ToSlash(longRel): "indexed: ",
		"z.md":                    "indexed: ",
	}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("%q: outcome %q, want %q", p, got[p], w)
		}
	}
	groups := b.groups(t)
	for p, w := range map[string]string{"100%25.md": "indexed: finance", "dir%E9/inner.md": "indexed: latin", "bad%FF%FEname.md": "indexed: staff"} {
		if groups[p] != w {
			t.Errorf("%q: %q, want %q", p, groups[p], w)
		}
	}
	if r := got["m.md"]; !strings.HasPrefix(r, "failed: the database refused it: ") || !strings.Contains(r, "no_poison") {
		t.Errorf("m.md: outcome %q, want failed naming the refused constraint", r)
	}
	if sum.Failed != 1 || sum.Added != 6 {
		t.Errorf("summary %+v: want 6 added, 1 failed", sum)
	}
	var chunks int
	if err := b.pool.QueryRow(context.Background(), `SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.path = 'm.md'`).Scan(&chunks); err != nil || chunks != 0 {
		t.Errorf("the refused document left %d chunks (%v)", chunks, err)
	}

	t.Run("EscapingIsReversible", func(t *testing.T) {
		for stored := range want {
			name, err := source.UnescapePath(stored)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(b.root, name)); err != nil {
				t.Errorf("stored %q does not lead back to its file: %v", stored, err)
			}
			if again := source.EscapePath(name); again != stored {
				t.Errorf("EscapePath(UnescapePath(%q)) = %q", stored, again)
			}
		}
		if _, err := source.UnescapePath("50%.md"); err == nil {
			t.Error("a '%' without two hex digits was accepted")
		}
	})

	t.Run("SecondRunLeavesThemAlone", func(t *testing.T) {
		sum := b.run(t)
		if sum.Unchanged != 6 || sum.Failed != 1 || sum.Added+sum.Updated+sum.Deleted != 0 {
			t.Errorf("second run %+v: want 6 unchanged, 1 failed", sum)
		}
	})

	t.Run("AnIndexedDocumentRefusedLaterIsRolledBackAlone", func(t *testing.T) {
		b.write(t, "a.md", "# A\n\nnow with POISON\n")
		sum := b.run(t)
		if sum.Failed != 2 || sum.Unchanged != 5 {
			t.Errorf("run %+v: want 2 failed, 5 unchanged", sum)
		}
		var n int
		if err := b.pool.QueryRow(context.Background(), `SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id
			WHERE d.path = 'a.md' OR c.text LIKE '%POISON%'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d chunks of the refused version or the old one remain (%v)", n, err)
		}
	})
}

// TestSymlinkRules: a link's document gets the stricter of the link's groups and its target's,
// so a link never publishes what its target's rules restrict.
func TestSymlinkRules(t *testing.T) {
	t.Parallel()
	b := setupEng(t)
	b.write(t, "secret/plan.md", "# Plan\n\nThe secret plan.\n")
	b.write(t, "public.md", "# Public\n\nFor everyone.\n")
	b.link(t, "../secret/plan.md", "notes/plan-link.md")           // public path → eng-leads target
	b.link(t, "../secret/plan.md", "leads/plan-link.md")           // eng-leads,managers → eng-leads
	b.link(t, "../secret/plan.md", "hr/plan-link.md")              // hr → eng-leads: nobody
	b.link(t, "../public.md", "secret/public-link.md")             // eng-leads → public target
	b.link(t, "../notes/plan-link.md", "notes/chain.md")           // a link to a link: the final target counts
	b.link(t, "../secret", "notes/secret-folder")                  // folders reached by link are not descended
	b.link(t, filepath.Dir(b.root), "notes/parent-folder")         // nor any outside the root
	b.link(t, "secret-folder/plan.md", "notes/via-folder-link.md") // a file link through a folder link reaches secret/

	b.run(t)
	got := b.groups(t)
	want := map[string]string{
		"secret/plan.md":           "indexed: eng-leads",
		"public.md":                "indexed: ",
		"notes/plan-link.md":       "indexed: eng-leads",
		"leads/plan-link.md":       "indexed: eng-leads",
		"hr/plan-link.md":          "skipped: hr",
		"secret/public-link.md":    "indexed: eng-leads",
		"notes/chain.md":           "indexed: eng-leads",
		"notes/secret-folder":      "skipped: ",
		"notes/via-folder-link.md": "indexed: eng-leads",
		"notes/parent-folder":      "skipped: ",
	}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("%s: %q, want %q", p, got[p], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("documents %v, want exactly %d (a folder reached by link was descended?)", got, len(want))
	}
	o := b.outcomes(t)
	if r := o["hr/plan-link.md"]; !strings.Contains(r, "symlink to secret/plan.md") || !strings.Contains(r, "no reader may see it") {
		t.Errorf("hr/plan-link.md: reason %q", r)
	}
	if r := o["notes/parent-folder"]; r != "skipped: symlink to a path outside the source folder" {
		t.Errorf("notes/parent-folder: reason %q", r)
	}

	t.Run("RetargetingALinkRegroupsIt", func(t *testing.T) {
		os.Remove(filepath.Join(b.root, "notes/plan-link.md"))
		b.link(t, "../public.md", "notes/plan-link.md")
		b.run(t)
		if g := b.groups(t)["notes/plan-link.md"]; g != "indexed: " {
			t.Errorf("after pointing the link at public.md: %q", g)
		}
	})
}

// TestFileReplacedDuringARunIsNotRead: a file swapped for a link to a restricted file between
// listing and reading is not read under the groups worked out for the file listed.
func TestFileReplacedDuringARunIsNotRead(t *testing.T) {
	t.Parallel()
	b := setupEng(t)
	b.ix.Workers = 1
	b.write(t, "a.md", "# A\n\nfirst\n")
	b.write(t, "b.md", "# B\n\npublic text\n")
	b.write(t, "secret/plan.md", "# Plan\n\nThe SECRETPLAN.\n")
	b.ix.Progress = func(p source.Progress) {
		if p.Current == "a.md" {
			os.Remove(filepath.Join(b.root, "b.md"))
			os.Symlink("secret/plan.md", filepath.Join(b.root, "b.md"))
		}
	}
	b.run(t)
	if r := b.outcomes(t)["b.md"]; r != "failed: cannot read: replaced while the run was in progress; the next run reads it" {
		t.Errorf("b.md: %q", r)
	}
	var leaked int
	if err := b.pool.QueryRow(context.Background(), `SELECT count(*) FROM chunks WHERE text LIKE '%SECRETPLAN%' AND groups = '{}'`).Scan(&leaked); err != nil || leaked != 0 {
		t.Errorf("the restricted text was stored for everyone (%d chunks, %v)", leaked, err)
	}
	b.ix.Progress = nil
	b.run(t)
	if g := b.groups(t)["b.md"]; g != "indexed: eng-leads" {
		t.Errorf("b.md on the next run: %q, want the link's groups", g)
	}

	t.Run("AReplacementOfTheSameSizeAndTimeIsReadNextRun", func(t *testing.T) {
		// As rsync replaces a file: a new file renamed over it, size and time kept, while the
		// run reads the version it listed.
		b.write(t, "c.md", "# C\n\nold words\n")
		b.run(t)
		b.write(t, "c.md", "# C\n\nmid words\n")
		p := filepath.Join(b.root, "c.md")
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		b.ix.Progress = func(pr source.Progress) {
			if pr.Current == "a.md" {
				os.WriteFile(p+".tmp", []byte("# C\n\nnew words\n"), 0o644)
				os.Chtimes(p+".tmp", fi.ModTime(), fi.ModTime())
				os.Rename(p+".tmp", p)
			}
		}
		b.run(t)
		b.ix.Progress = nil
		if r := b.outcomes(t)["c.md"]; !strings.HasPrefix(r, "failed: cannot read: replaced") {
			t.Fatalf("c.md replaced mid-run: %q", r)
		}
		b.run(t)
		var body string
		if err := b.pool.QueryRow(context.Background(), `SELECT body FROM documents WHERE path = 'c.md' AND status = 'indexed'`).Scan(&body); err != nil || !strings.Contains(body, "new words") {
			t.Errorf("c.md on the next run: %q (%v), want the new content", body, err)
		}
	})
}

// TestSourceRoots: a source's root is stored as its real path, and a run refuses a root that
// no longer resolves there.
func TestSourceRoots(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	mk := func(rel, content string) {
		p := filepath.Join(base, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mk("roots/benign/a/b/x.md", "# X\n\nx\n")
	mk("roots/benign/outside/in.md", "# In\n\ninside the roots\n")
	mk("outside/etc.md", "# Etc\n\nOUTSIDE the roots\n")
	if err := os.Symlink(filepath.Join(base, "roots/benign/a/b"), filepath.Join(base, "roots/deep")); err != nil {
		t.Fatal(err)
	}

	t.Run("DotDotAfterALink", func(t *testing.T) {
		// ROOT/deep/../../outside: lexically base/outside, really ROOT/benign/outside.
		src, err := source.Add(ctx, b.pool, source.Source{Name: "dotdot", Root: filepath.Join(base, "roots/deep") + "/../../outside"})
		if err != nil {
			t.Fatal(err)
		}
		if want := filepath.Join(base, "roots/benign/outside"); src.Root != want {
			t.Fatalf("stored root %s, want the real path %s", src.Root, want)
		}
		stored, err := source.Get(ctx, b.pool, "dotdot")
		if err != nil || stored.Root != src.Root || !stored.RootResolved {
			t.Fatalf("stored %+v (%v)", stored, err)
		}
		if _, err := b.ix.Run(ctx, stored); err != nil {
			t.Fatal(err)
		}
		var outside int
		b.pool.QueryRow(ctx, `SELECT count(*) FROM chunks WHERE text LIKE '%OUTSIDE%'`).Scan(&outside)
		if outside != 0 {
			t.Error("a folder outside the roots was indexed")
		}
	})

	t.Run("RepointedRootIsRefused", func(t *testing.T) {
		mk("share/one/doc.md", "# One\n\none\n")
		mk("share/two/doc.md", "# Two\n\ntwo\n")
		if err := os.Symlink(filepath.Join(base, "share/one"), filepath.Join(base, "share/current")); err != nil {
			t.Fatal(err)
		}
		src, err := source.Add(ctx, b.pool, source.Source{Name: "linked", Root: filepath.Join(base, "share/current")})
		if err != nil {
			t.Fatal(err)
		}
		if src.Root != filepath.Join(base, "share/one") {
			t.Fatalf("stored root %s", src.Root)
		}
		// Re-pointing the link given at add time changes nothing: the real path was stored.
		os.Remove(filepath.Join(base, "share/current"))
		os.Symlink(filepath.Join(base, "outside"), filepath.Join(base, "share/current"))
		if _, err := b.ix.Run(ctx, src); err != nil {
			t.Fatal(err)
		}
		// A link put where the stored folder was: refused, naming the source and both paths.
		if err := os.Rename(filepath.Join(base, "share/one"), filepath.Join(base, "share/one.old")); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(base, "outside"), filepath.Join(base, "share/one")); err != nil {
			t.Fatal(err)
		}
		_, err = b.ix.Run(ctx, src)
		if err == nil || !strings.Contains(err.Error(), "source linked") || !strings.Contains(err.Error(), src.Root) ||
			!strings.Contains(err.Error(), filepath.Join(base, "outside")) {
			t.Fatalf("run on a re-pointed root: %v, want a refusal naming the source and both paths", err)
		}
		var outside int
		b.pool.QueryRow(ctx, `SELECT count(*) FROM chunks WHERE text LIKE '%OUTSIDE%'`).Scan(&outside)
		if outside != 0 {
			t.Error("the folder the root now points at was indexed")
		}
		st, serr := source.Report(ctx, b.pool, "linked")
		if serr != nil || st[0].LastRun == nil || st[0].LastRun.Error != err.Error() {
			t.Errorf("the refusal is not the recorded outcome of the run: %+v (%v)", st, serr)
		}
	})

	t.Run("RootStoredBeforeIsResolvedOnItsFirstRun", func(t *testing.T) {
		mk("legacy/real/doc.md", "# Legacy\n\nlegacy\n")
		os.Symlink(filepath.Join(base, "legacy/real"), filepath.Join(base, "legacy/link"))
		src, err := source.Add(ctx, b.pool, source.Source{Name: "legacy", Root: filepath.Join(base, "legacy/link")})
		if err != nil {
			t.Fatal(err)
		}
		// As a row written before migration 00007 looks: the path as given, not resolved.
		if _, err := b.pool.Exec(ctx, `UPDATE sources SET root = $2, root_resolved = false WHERE id = $1`, src.ID, filepath.Join(base, "legacy/link")); err != nil {
			t.Fatal(err)
		}
		src, _ = source.Get(ctx, b.pool, "legacy")
		if _, err := b.ix.Run(ctx, src); err != nil {
			t.Fatal(err)
		}
		src, _ = source.Get(ctx, b.pool, "legacy")
		if src.Root != filepath.Join(base, "legacy/real") || !src.RootResolved {
			t.Errorf("after its first run: root %s, resolved %v", src.Root, src.RootResolved)
		}
	})
}

// TestOpenOriginal: a download opens only the file that was indexed.
func TestOpenOriginal(t *testing.T) {
	t.Parallel()
	b := setupEng(t)
	ctx := context.Background()
	b.write(t, "public.md", "# Public\n\nPUBLIC-TEXT-0123456789\n")
	b.write(t, "secret/plan.md", "# Plan\n\nSECRET-PLAN-0123456789\n") // the same size
	b.write(t, "caf\xe9 100%.md", "# Latin-1\n\nname\n")
	b.run(t)
	id := func(path string) int64 {
		var id int64
		if err := b.pool.QueryRow(ctx, `SELECT id FROM documents WHERE path = $1`, path).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	read := func(id int64) (string, error) {
		o, err := source.OpenOriginal(ctx, b.pool, id)
		if err != nil {
			return "", err
		}
		defer o.Close()
		var sb strings.Builder
		buf := make([]byte, 7)
		for {
			n, err := o.Read(buf)
			sb.Write(buf[:n])
			if err != nil {
				if errors.Is(err, io.EOF) {
					return sb.String(), nil
				}
				return sb.String(), err
			}
		}
	}
	if got, err := read(id("caf%E9 100%25.md")); err != nil || !strings.Contains(got, "name") {
		t.Errorf("a file whose name is not UTF-8: %q, %v", got, err)
	}
	pub := id("public.md")
	if got, err := read(pub); err != nil || !strings.Contains(got, "PUBLIC-TEXT") {
		t.Fatalf("public.md: %q, %v", got, err)
	}
	os.Remove(filepath.Join(b.root, "public.md"))
	os.Symlink("secret/plan.md", filepath.Join(b.root, "public.md"))
	if got, err := read(pub); !errors.Is(err, source.ErrChanged) || got != "" {
		t.Errorf("public.md replaced by a link to a restricted file of its size: %q, %v; want ErrChanged before any byte", got, err)
	}
	os.Remove(filepath.Join(b.root, "public.md"))
	os.Symlink(filepath.Join(t.TempDir()), filepath.Join(b.root, "public.md"))
	if _, err := read(pub); !errors.Is(err, source.ErrChanged) {
		t.Errorf("public.md replaced by a link out of the folder: %v, want ErrChanged", err)
	}
}

// TestWideUnicodeText: UTF-16 and UTF-32 text with a byte-order mark, as Windows tools write
// it, is decoded rather than skipped as binary.
func TestWideUnicodeText(t *testing.T) {
	t.Parallel()
	b := setup(t)
	text := "Expense policy\r\n\r\nCafé receipts ✓ are kept for 𝄞 seven years.\r\n"
	units := utf16.Encode([]rune(text))
	encode := func(bom []byte, width int, order binary.AppendByteOrder) []byte {
		out := append([]byte{}, bom...)
		if width == 2 {
			for _, u := range units {
				out = order.AppendUint16(out, u)
			}
			return out
		}
		for _, r := range text {
			out = order.AppendUint32(out, uint32(r))
		}
		return out
	}
	files := map[string][]byte{
		"utf16le.txt": encode([]byte{0xff, 0xfe}, 2, binary.LittleEndian),
		"utf16be.md":  encode([]byte{0xfe, 0xff}, 2, binary.BigEndian),
		"utf32le.csv": encode([]byte{0xff, 0xfe, 0, 0}, 4, binary.LittleEndian),
		"utf32be.txt": encode([]byte{0, 0, 0xfe, 0xff}, 4, binary.BigEndian),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(b.root, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b.run(t)
	got := b.outcomes(t)
	for name := range files {
		if got[name] != "indexed: " {
			t.Errorf("%s: %q", name, got[name])
			continue
		}
		var body string
		if err := b.pool.QueryRow(context.Background(), `SELECT body FROM documents WHERE path = $1`, name).Scan(&body); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(body, "Café receipts ✓ are kept for 𝄞 seven years.") || strings.ContainsRune(body, '\uFEFF') {
			t.Errorf("%s: text %q", name, body)
		}
	}
}

// TestLegacyEncodings: text in Windows-1252 (Excel's CSV, old Notepad files) and HTML pages in
// the charset they declare are decoded, not indexed with U+FFFD for every accented letter;
// UTF-8 stays UTF-8, whatever a page declares or a stray byte suggests, and what reads as
// neither (GBK without a declaration) is not turned into Latin letters.
func TestLegacyEncodings(t *testing.T) {
	t.Parallel()
	b := setup(t)
	encode := func(e encoding.Encoding, s string) string {
		out, err := e.NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	files := map[string]string{
		"latin1.txt": encode(charmap.Windows1252, "Reisekosten\r\n\r\nDie Größe der Belege: über 2 MB – „Café“ kostet 3 €.\r\n"),
		"excel.csv":  encode(charmap.Windows1252, "Name;Stadt\r\nMüller;Köln\r\nNoël;Besançon\r\n"),
		"polish.html": encode(charmap.ISO8859_2, `<html><head><meta charset="iso-8859-2"><title>Zażółć</title></head>`+
			`<body><p>Zażółć gęślą jaźń.</p></body></html>`),
		"japanese.html": encode(japanese.ShiftJIS, `<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">`+
			`<title>経費</title></head><body><p>経費の精算は月末までに行います。</p></body></html>`),
		"mislabelled.html": `<html><head><meta charset="iso-8859-1"><title>Größe</title></head><body><p>Die Größe ändern.</p></body></html>`,
		"stray.md":         "# Größe\n\nDie Größe ändern, café \xff au lait.\n",
		"gbk.txt":          encode(simplifiedchinese.GBK, "经费报销政策：发票须在月底前提交给财务部门审核。\n"),
	}
	for name, data := range files {
		b.write(t, name, data)
	}
	b.run(t)
	bodies := map[string]string{}
	rows, err := b.pool.Query(context.Background(), `SELECT path, title || ' | ' || body FROM documents`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var p, text string
		if err := rows.Scan(&p, &text); err != nil {
			t.Fatal(err)
		}
		bodies[p] = text
	}
	for name, want := range map[string][]string{
		"latin1.txt":       {"Die Größe der Belege: über 2 MB – „Café“ kostet 3 €."},
		"excel.csv":        {"Müller", "Köln", "Noël", "Besançon"},
		"polish.html":      {"Zażółć |", "Zażółć gęślą jaźń."},
		"japanese.html":    {"経費 |", "経費の精算は月末までに行います。"},
		"mislabelled.html": {"Größe |", "Die Größe ändern."},
		"stray.md":         {"Die Größe ändern, café \uFFFD au lait."},
	} {
		for _, w := range want {
			if !strings.Contains(bodies[name], w) {
				t.Errorf("%s: %q, want it to hold %q", name, bodies[name], w)
			}
		}
	}
	if gbk := bodies["gbk.txt"]; strings.ContainsFunc(gbk, func(r rune) bool { return r >= 0xC0 && r <= 0xFF }) {
		t.Errorf("gbk.txt read as Latin letters: %q", gbk)
	}
}

// TestHostileHeadingsAreCleaned: titles, headings and anchors come from the file as much as its
// text does, and are stored the same way: valid UTF-8 without NULs or other control characters.
// An RTF heading with a \'00 escape and an e-mail's HTML heading with a NUL were refused by
// PostgreSQL, failing the file; control characters from HTML and Markdown reached the index.
func TestHostileHeadingsAreCleaned(t *testing.T) {
	t.Parallel()
	b := setup(t)
	files := map[string]string{
		"a.html": "<h1 id=\"a&#1;b\x01c\xff\">Fir&#1;st\x01 he\x1bading\xff</h1><p>alpha text</p><h2 id=\"\xc3\">Second</h2><p>beta text</p>",
		"b.md":   "# Mark\x01down\x1b[31m heading \xff\x00\n\ngamma text\n\n## Two {#x\x01y}\n\ndelta text\n",
		"c.rtf":  `{\rtf1 {\pard\outlinelevel0 Rich\'00 heading\'01\par}{\pard epsilon text\par}}`,
		"d.eml":  "Subject: Mail\x00 subject\x01\r\nContent-Type: text/html; charset=x-unknown\r\n\r\n<h1 id=\"i\xff\x00d\">Mail\x00 heading\xff\x01</h1><p>zeta text</p>",
	}
	for name, data := range files {
		b.write(t, name, data)
	}
	if sum := b.run(t); sum.Added != len(files) || sum.Failed+sum.Skipped != 0 {
		t.Fatalf("run: %+v, outcomes %v", sum, b.outcomes(t))
	}
	rows, err := b.pool.Query(context.Background(), `SELECT d.path, d.title, c.heading, c.anchor FROM chunks c JOIN documents d ON d.id = c.document_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	headings := map[string][]string{}
	for rows.Next() {
		var p, title, heading, anchor string
		if err := rows.Scan(&p, &title, &heading, &anchor); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{title, heading, anchor} {
			if strings.ContainsFunc(s, unicode.IsControl) || !utf8.ValidString(s) {
				t.Errorf("%s: title %q, heading %q, anchor %q: a control character stored", p, title, heading, anchor)
			}
		}
		headings[p] = append(headings[p], heading)
	}
	// The cleaning keeps the words.
	for p, want := range map[string]string{"a.html": "First heading", "b.md": "Markdown[31m heading", "c.rtf": "Rich heading", "d.eml": "Mail heading"} {
		if len(headings[p]) == 0 || !strings.HasPrefix(headings[p][0], want) {
			t.Errorf("%s: headings %q, want the first to start %q", p, headings[p], want)
		}
	}
}

// TestSlowFileFailsAlone: a Markdown file goldmark would read for hours (see
// TestMarkdownLinkBombStopsAtItsDeadline) fails at the parse timeout, naming it, and the file
// beside it is indexed.
func TestSlowFileFailsAlone(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.ix.ParseTimeout = time.Second
	b.write(t, "links.md", strings.Repeat("[a](", 100000))
	b.write(t, "ok.md", "# Fine\n\nA normal document.\n")
	sum := b.run(t)
	if got := b.outcomes(t); got["links.md"] != "failed: extraction took longer than 1s" || got["ok.md"] != "indexed: " || sum.Failed != 1 {
		t.Errorf("run %+v, outcomes %v", sum, got)
	}
}

// TestSphinxSourcesAreSkipped: the copies of pages' sources Sphinx writes beside a built site
// (_sources/…) are skipped where their page is indexed, so a search finds each page once, not
// again as reStructuredText; a source whose page is not there is indexed as any text file.
func TestSphinxSourcesAreSkipped(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for name, data := range map[string]string{
		"manual/library/os.html":             "<html><head><title>os</title></head><body><h1>os</h1><p>Miscellaneous operating system interfaces.</p></body></html>",
		"manual/_sources/library/os.rst.txt": "os\n==\n\nMiscellaneous operating system interfaces.\n",
		"manual/os.path.html":                "<html><head><title>os.path</title></head><body><h1>os.path</h1><p>Common pathname manipulations.</p></body></html>",
		"manual/_sources/os.path.txt":        "os.path\n=======\n\nCommon pathname manipulations.\n",
		"manual/_sources/orphan.rst.txt":     "orphan\n======\n\nA page that was not built.\n",
	} {
		b.write(t, name, data)
	}
	b.run(t)
	got := b.outcomes(t)
	for name, want := range map[string]string{
		"manual/library/os.html":             "indexed: ",
		"manual/_sources/library/os.rst.txt": "skipped: the source of manual/library/os.html as Sphinx copies it; the page is indexed",
		"manual/_sources/os.path.txt":        "skipped: the source of manual/os.path.html as Sphinx copies it; the page is indexed",
		"manual/_sources/orphan.rst.txt":     "indexed: ",
	} {
		if got[name] != want {
			t.Errorf("%s: %q, want %q", name, got[name], want)
		}
	}
}
