package ingest

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// file is one entry found under a source root.
type file struct {
	Rel   string // slash-separated path relative to the root
	Abs   string // the path to read: a symlink's target inside the root
	Size  int64
	MTime time.Time
	// Skip, when set, is why the file is not read (special file, symlink leaving the root…).
	Skip string
	// Fail, when set, is why the entry could not be examined (permission denied…).
	Fail string
}

// crawl lists every file under root without following symlinks out of it. Folders reached by
// symlink are not descended (that is how loops start); special files are reported, not opened.
func crawl(root string) ([]file, error) {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, err
	}
	var out []file
	err = filepath.WalkDir(realRoot, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(realRoot, p)
		rel = filepath.ToSlash(rel)
		if err != nil {
			if p == realRoot {
				return err
			}
			out = append(out, file{Rel: rel, Fail: "cannot read: " + plainError(err)})
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
		f := file{Rel: rel, Abs: p}
		if d.Type()&fs.ModeSymlink != 0 {
			f.Skip = resolveLink(realRoot, &f)
		}
		if f.Skip == "" && f.Fail == "" {
			fi, err := os.Stat(f.Abs)
			switch {
			case err != nil:
				f.Fail = "cannot read: " + plainError(err)
			case !fi.Mode().IsRegular():
				f.Skip = "not a regular file (" + fileKind(fi.Mode()) + ")"
			default:
				f.Size, f.MTime = fi.Size(), fi.ModTime()
			}
		}
		out = append(out, f)
		return nil
	})
	return out, err
}

// resolveLink points f.Abs at a symlink's target and returns a reason to skip it, if any.
func resolveLink(root string, f *file) string {
	target, err := filepath.EvalSymlinks(f.Abs)
	if err != nil {
		return "broken or looping symlink"
	}
	if target != root && !strings.HasPrefix(target, root+string(filepath.Separator)) {
		return "symlink to a path outside the source folder"
	}
	if fi, err := os.Stat(target); err == nil && fi.IsDir() {
		return "symlink to a folder (not followed)"
	}
	f.Abs = target
	return ""
}

func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "FIFO"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	case m.IsDir():
		return "folder"
	}
	return "special file"
}

// plainError drops the path from an *fs.PathError: the path is reported beside it.
func plainError(err error) string {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// OpenInSource opens the file at rel under root for reading, refusing any path that leaves the
// root, through ".." or a symlink, and anything but a regular file.
func OpenInSource(root, rel string) (*os.File, error) {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, err
	}
	p, err := filepath.EvalSymlinks(filepath.Join(realRoot, filepath.FromSlash(rel)))
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(p, realRoot+string(filepath.Separator)) {
		return nil, fs.ErrPermission
	}
	// Checked before opening: opening a FIFO would block.
	if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
		return nil, fs.ErrPermission
	}
	return os.Open(p)
}
