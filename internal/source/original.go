package source

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrChanged is returned for a document whose file on disk is no longer the one indexed: its
// groups were decided for the indexed file, so what is there now is not served.
var ErrChanged = errors.New("the file changed since it was indexed: re-index needed")

// ErrInside is returned by OpenOriginal for a document with no file of its own, kept inside
// another file (an e-mail's attachment): OpenInside serves it. It is also fs.ErrNotExist.
var ErrInside = fmt.Errorf("a document kept inside another file: %w", fs.ErrNotExist)

// Original is the original file of an indexed document, verified to be the file that was
// indexed. It serves at most the indexed size, and a read from the start to the end fails
// with ErrChanged if what it read does not hash to the indexed content (the file was
// rewritten in place while being served).
type Original struct {
	ModTime time.Time
	f       *os.File
	size    int64
	want    []byte
	h       hash.Hash // nil once reads are no longer sequential from the start
	pos     int64
}

// OpenOriginal opens the file of the indexed document id for download; the caller has
// checked that the reader may see the document. The file is opened within the source's folder,
// never through a link out of it; it must be a regular file of the indexed size whose content
// hashes to the indexed hash, checked before any byte is served, else ErrChanged. A missing
// file is fs.ErrNotExist, a missing document ErrNotFound.
func OpenOriginal(ctx context.Context, pool *pgxpool.Pool, id int64) (*Original, error) {
	var root, stored string
	var resolved bool
	o := &Original{}
	err := pool.QueryRow(ctx, `SELECT s.root, s.root_resolved, d.path, d.size, d.hash
		FROM documents d JOIN sources s ON s.id = d.source_id WHERE d.id = $1 AND d.status = 'indexed'`, id).
		Scan(&root, &resolved, &stored, &o.size, &o.want)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("document %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading document %d: %w", id, err)
	}
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, err
	}
	if resolved && real != root {
		return nil, fmt.Errorf("%w: the folder %s now resolves to %s", ErrChanged, root, real)
	}
	name, err := UnescapePath(stored)
	if err != nil {
		return nil, err
	}
	r, err := os.OpenRoot(real)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	f, fi, err := OpenRegular(r, filepath.FromSlash(name))
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission):
		return nil, err
	case errors.Is(err, syscall.ENOTDIR):
		// An e-mail attachment's document ("inbox/offer.eml/prices.xlsx"): no file of its own.
		return nil, fmt.Errorf("%s is an attachment, kept only inside its message: %w", name, ErrInside)
	case err != nil:
		// A link out of the folder, a folder, a FIFO: not the file that was indexed.
		return nil, fmt.Errorf("%w: %v", ErrChanged, err)
	}
	o.f, o.ModTime = f, fi.ModTime()
	if err := o.verify(fi); err != nil {
		f.Close()
		return nil, err
	}
	return o, nil
}

// verify checks the whole file against the indexed size and hash, and rewinds it.
func (o *Original) verify(fi fs.FileInfo) error {
	if fi.Size() != o.size {
		return fmt.Errorf("%w: %d bytes, indexed %d", ErrChanged, fi.Size(), o.size)
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.LimitReader(o.f, o.size+1)); err != nil {
		return err
	}
	if !bytes.Equal(h.Sum(nil), o.want) {
		return fmt.Errorf("%w: its content differs", ErrChanged)
	}
	_, err := o.Seek(0, io.SeekStart)
	return err
}

// Read reads the file up to the indexed size, hashing what a read from the start sees.
func (o *Original) Read(p []byte) (int, error) {
	if o.pos >= o.size {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), o.size-o.pos)]
	n, err := o.f.Read(p)
	o.pos += int64(n)
	if o.h != nil {
		o.h.Write(p[:n])
		if o.pos == o.size && !bytes.Equal(o.h.Sum(nil), o.want) {
			return n, fmt.Errorf("%w: its content changed while being served", ErrChanged)
		}
	}
	if err == io.EOF && o.pos < o.size {
		return n, fmt.Errorf("%w: it shrank while being served", ErrChanged)
	}
	return n, err
}

// Seek moves within the indexed size. Reads verify the content only when they start at the
// beginning: a range request was verified by OpenOriginal alone.
func (o *Original) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += o.pos
	case io.SeekEnd:
		offset += o.size
	}
	if offset < 0 {
		return 0, errors.New("seek before the start of the file")
	}
	if _, err := o.f.Seek(offset, io.SeekStart); err != nil {
		return 0, err
	}
	o.pos, o.h = offset, nil
	if offset == 0 {
		o.h = sha256.New()
	}
	return offset, nil
}

// Close closes the file.
func (o *Original) Close() error { return o.f.Close() }

// Inside is the content of a document kept inside another file (an e-mail's attachment),
// verified to be the content that was indexed.
type Inside struct {
	*bytes.Reader
	// ModTime is the holding file's.
	ModTime time.Time
	// Holder is the id of the document of the file on disk that holds it.
	Holder int64
}

// Extract returns the content of the document reached by names inside holder, the bytes of
// a file on disk: names[0] is what holder carries, each further name what the one before it
// carries (ingest.MailAttachment for e-mail).
type Extract func(holder []byte, names []string) ([]byte, error)

// OpenInside reads the document id that OpenOriginal reported as ErrInside from the file on
// disk that holds it, at request time: that file is opened and verified as OpenOriginal does
// (a missing one is fs.ErrNotExist, a changed one ErrChanged), extract takes the document out
// of it, and what it returns must be of the indexed size and hash, else ErrChanged. The caller
// has checked that the reader may see document id; the holder's groups are not checked again
// (a document inside another has its holder's groups).
func OpenInside(ctx context.Context, pool *pgxpool.Pool, id int64, extract Extract) (*Inside, error) {
	var src int64
	var stored string
	var size int64
	var want []byte
	err := pool.QueryRow(ctx, `SELECT source_id, path, size, hash FROM documents WHERE id = $1 AND status = 'indexed'`, id).Scan(&src, &stored, &size, &want)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("document %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading document %d: %w", id, err)
	}
	// The holder is the outermost indexed document whose path leads to this one's: the file
	// on disk ("inbox/offer.eml" for "inbox/offer.eml/fwd.eml/prices.xlsx").
	prefixes := Enclosing(stored)
	in := &Inside{}
	var holder string
	err = pool.QueryRow(ctx, `SELECT id, path FROM documents WHERE source_id = $1 AND path = ANY($2) AND status = 'indexed'
		ORDER BY length(path) LIMIT 1`, src, prefixes).Scan(&in.Holder, &holder)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%s: no indexed file holds it: %w", stored, fs.ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the holder of document %d: %w", id, err)
	}
	var names []string
	for _, n := range strings.Split(stored[len(holder)+1:], "/") {
		name, err := UnescapePath(n)
		if err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	o, err := OpenOriginal(ctx, pool, in.Holder)
	if err != nil {
		return nil, err
	}
	defer o.Close()
	in.ModTime = o.ModTime
	data, err := io.ReadAll(o) // verified against the holder's hash as it is read
	if err != nil {
		return nil, err
	}
	content, err := extract(data, names)
	if err != nil {
		return nil, fmt.Errorf("%w: %s no longer holds %s: %v", ErrChanged, holder, strings.Join(names, "/"), err)
	}
	if sum := sha256.Sum256(content); int64(len(content)) != size || !bytes.Equal(sum[:], want) {
		return nil, fmt.Errorf("%w: %s in %s is not the content indexed", ErrChanged, strings.Join(names, "/"), holder)
	}
	in.Reader = bytes.NewReader(content)
	return in, nil
}

// Enclosing returns the paths that path runs through, outermost first ("inbox",
// "inbox/offer.eml" for "inbox/offer.eml/notes.txt"): folders, or for an e-mail attachment's
// document (see ingest.AttachmentPath) the documents of the messages that carry it.
func Enclosing(path string) []string {
	var out []string
	for i := range len(path) {
		if path[i] == '/' {
			out = append(out, path[:i])
		}
	}
	return out
}
