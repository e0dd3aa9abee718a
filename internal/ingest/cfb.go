package ingest

import "encoding/binary"

// maxStorageDepth bounds how deep a compound file's directory entries lie under its root.
// mscfb gives each entry the names of the storages above it, a slice of its own for each
// entry with children, as it opens the file: a chain of storages one inside another costs
// memory quadratic in its length (a 500 KB file of 4,000 nested storages took 132 MB, a
// 6 MB one would take 20 GB). Word and Excel nest a storage or two; Outlook two for each
// message attached as a message, so 32 is fifteen such messages deep.
const maxStorageDepth = 32

// cfbDepth returns how deep the directory entries of compound file data lie: the most
// storages above one (0 where all lie right under the root), reading the directory as mscfb's traversal will walk it: the same
// calls in the same order, as many as it makes, so that it is known before mscfb opens the
// file. A file whose header or directory chain it cannot follow gives what it read so far:
// mscfb then says what is wrong with it.
func cfbDepth(data []byte) int {
	le := binary.LittleEndian
	if len(data) < 512 {
		return 0
	}
	shift := le.Uint16(data[0x1E:])
	if shift != 9 && shift != 12 {
		return 0
	}
	size := 1 << shift
	sectors := (len(data) - size) / size // sector s lies at (s+1)*size
	sector := func(s uint32) []byte {
		if int64(s) >= int64(sectors) {
			return nil // past the file, or a special value (end of chain, free)
		}
		return data[(int(s)+1)*size : (int(s)+2)*size]
	}
	// The FAT's sectors: 109 in the header, the rest in the chain of DIFAT sectors.
	var fat []uint32
	for i := range 109 {
		fat = append(fat, le.Uint32(data[0x4C+4*i:]))
	}
	next := le.Uint32(data[0x44:])
	for k := 0; k < int(le.Uint32(data[0x48:])) && k < sectors; k++ {
		b := sector(next)
		if b == nil {
			break
		}
		for i := 0; i < size/4-1; i++ {
			fat = append(fat, le.Uint32(b[4*i:]))
		}
		next = le.Uint32(b[size-4:])
	}
	perSector := uint32(size / 4)
	fatNext := func(s uint32) uint32 {
		if k := s / perSector; int64(k) < int64(len(fat)) {
			if b := sector(fat[k]); b != nil {
				return le.Uint32(b[4*(s%perSector):])
			}
		}
		return 0xFFFFFFFE // end of chain
	}
	var entries [][]byte
	seen := map[uint32]bool{}
	for s := le.Uint32(data[0x30:]); !seen[s]; s = fatNext(s) {
		b := sector(s)
		if b == nil {
			break
		}
		seen[s] = true
		for i := 0; i+128 <= size; i += 128 {
			entries = append(entries, b[i:i+128])
		}
	}
	// mscfb's traverse, its recursion as a stack: an entry's left siblings, the entry, its
	// children (one deeper, but for the root's), its right siblings; at most one call for each
	// entry in all.
	type call struct {
		i     uint32
		depth int
	}
	stack := []call{{0, 0}}
	deepest := 0
	for calls := 1; len(stack) > 0 && calls <= len(entries); calls++ {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if int64(c.i) >= int64(len(entries)) {
			continue
		}
		e := entries[c.i]
		deepest = max(deepest, c.depth)
		child := c.depth + 1
		if c.i == 0 {
			child = c.depth
		}
		const noStream = 0xFFFFFFFF
		for _, n := range []call{{le.Uint32(e[0x48:]), c.depth}, {le.Uint32(e[0x4C:]), child}, {le.Uint32(e[0x44:]), c.depth}} {
			if n.i != noStream {
				stack = append(stack, n)
			}
		}
	}
	return deepest
}
