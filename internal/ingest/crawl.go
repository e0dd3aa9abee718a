package ingest

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/docent-search/docent/internal/source"
)

// file is one entry found under a source root.
type file struct {
	Rel string // slash-separated path relative to the root, escaped (see source.EscapePath)
	// Raw is Rel as it is on disk, which rules match: a rule for "100%/**" means the folder
	// "100%", stored as "100%25".
	Raw string
	// Open is the OS path, relative to the root, of the content: a symlink's target.
	Open string
	// Target is a symlink's target, as Raw: its rules apply too (groupsOf).
	Target string
	Size   int64
	MTime  time.Time
	// info is the file as listed: reading refuses a file that was replaced since.
	info fs.FileInfo
	// Skip, when set, is why the file is not read (special file, symlink leaving the root…).
	Skip string
	// Fail, when set, is why the entry could not be examined (permission denied…).
	Fail string
	// data and groups are an attachment's content and its message's groups: an attachment
	// is no file on disk.
	data   []byte
	groups []string
}

// crawl lists every file under realRoot (a path with no symlink in it) without following
// symlinks out of it. Folders reached by symlink are not descended: that is how loops and
// second copies of a folder start. Special files are reported, not opened.
func crawl(realRoot string) ([]file, error) {
	var out []file
	err := filepath.WalkDir(realRoot, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(realRoot, p)
		f := file{Rel: source.EscapePath(filepath.ToSlash(rel)), Raw: filepath.ToSlash(rel), Open: rel}
		if err != nil {
			if p == realRoot {
				return err
			}
			f.Fail = "cannot read: " + plainError(err)
			out = append(out, f)
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p != realRoot && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir // .git, .cache and the like are never documents
			}
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "~$") {
			return nil // hidden files and Office lock files
		}
		if d.Type()&fs.ModeSymlink != 0 {
			f.Skip = resolveLink(realRoot, p, &f)
		}
		if f.Skip == "" {
			fi, err := os.Stat(filepath.Join(realRoot, f.Open))
			switch {
			case err != nil:
				f.Fail = "cannot read: " + plainError(err)
			case !fi.Mode().IsRegular():
				f.Skip = "not a regular file (" + source.FileKind(fi.Mode()) + ")"
			default:
				f.Size, f.MTime, f.info = fi.Size(), fi.ModTime(), fi
			}
		}
		out = append(out, f)
		return nil
	})
	skipPageSources(out)
	return out, err
}

// skipPageSources marks the copies of pages' sources that Sphinx writes beside the site it
// builds (html_copy_source, on by default) as skipped when the page is there too:
// _sources/library/os.rst.txt for library/os.html (_sources/library/os.txt before Sphinx
// 1.5). Indexed, each page came twice, once as reStructuredText with its markup: 497 of the
// 1,039 files of Python's manual as Debian installs it.
func skipPageSources(files []file) {
	pages := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f.Raw, ".html") {
			pages[f.Raw] = true
		}
	}
	for i, f := range files {
		dir, rest, ok := strings.Cut(f.Raw, "_sources/")
		if !ok || dir != "" && !strings.HasSuffix(dir, "/") || !strings.HasSuffix(rest, ".txt") || f.Skip != "" || f.Fail != "" {
			continue
		}
		name := strings.TrimSuffix(rest, ".txt")
		for _, page := range []string{dir + name + ".html", dir + strings.TrimSuffix(name, path.Ext(name)) + ".html"} {
			if pages[page] {
				files[i].Skip = "the source of " + page + " as Sphinx copies it; the page is indexed"
				break
			}
		}
	}
}

// resolveLink points f.Open at the target of the symlink at p and returns a reason to skip
// it, if any.
func resolveLink(realRoot, p string, f *file) string {
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "broken or looping symlink"
	}
	rel, err := filepath.Rel(realRoot, target)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "symlink to a path outside the source folder"
	}
	if fi, err := os.Stat(target); err == nil && fi.IsDir() {
		return "symlink to a folder (not followed)"
	}
	f.Open, f.Target = rel, filepath.ToSlash(rel)
	return ""
}

// plainError drops the path from an *fs.PathError: the path is reported beside it.
func plainError(err error) string {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}
