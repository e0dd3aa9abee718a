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
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrChanged is returned for a document whose file on disk is no longer the one indexed: its
// groups were decided for the indexed file, so what is there now is not served.
var ErrChanged = errors.New("the file changed since it was indexed: re-index needed")

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
		return nil, fmt.Errorf("%s is an attachment, kept only inside its message: %w", name, fs.ErrNotExist)
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
