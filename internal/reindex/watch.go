package reindex

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/docent-search/docent/internal/source"
)

// Watch queues a re-index of every source marked Watch within Settle of a change in its
// folder, coalescing bursts (a checkout, a copy of many files) into one job. The job is an
// ordinary incremental run: it re-reads only the files whose size or time changed. The set of
// watched sources is reloaded every Reload (sources added or changed from elsewhere). It runs
// until ctx ends.
func (q *Queue) Watch(ctx context.Context, settle, reload time.Duration) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	watched := map[string]string{} // folder → source name
	refresh := func() {
		sources, err := source.List(ctx, q.pool)
		if err != nil {
			q.log.Warn("watch: listing sources", "err", err)
			return
		}
		want := map[string]string{}
		for _, s := range sources {
			if s.Watch {
				walkDirs(s.Root, func(dir string) { want[dir] = s.Name })
			}
		}
		for dir := range watched {
			if _, ok := want[dir]; !ok {
				w.Remove(dir)
				delete(watched, dir)
			}
		}
		for dir, name := range want {
			if _, ok := watched[dir]; ok {
				continue
			}
			if err := w.Add(dir); err != nil {
				q.log.Warn("watch: cannot watch folder (raise fs.inotify.max_user_watches for large trees)", "source", name, "dir", dir, "err", err)
				continue
			}
			watched[dir] = name
		}
	}
	refresh()
	pending := map[string]time.Time{} // source → time of its latest change
	tick := time.NewTicker(min(settle, time.Second))
	defer tick.Stop()
	reloadTick := time.NewTicker(reload)
	defer reloadTick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return errors.New("watcher closed")
			}
			name, ok := watched[filepath.Dir(ev.Name)]
			if !ok {
				name, ok = watched[ev.Name]
			}
			if !ok || strings.HasPrefix(filepath.Base(ev.Name), ".") {
				continue
			}
			pending[name] = time.Now()
			if ev.Has(fsnotify.Create) {
				if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() {
					walkDirs(ev.Name, func(dir string) {
						if w.Add(dir) == nil {
							watched[dir] = name
						}
					})
				}
			}
		case err := <-w.Errors:
			q.log.Warn("watch", "err", err)
		case <-reloadTick.C:
			refresh()
		case now := <-tick.C:
			for name, at := range pending {
				if now.Sub(at) < settle {
					continue
				}
				delete(pending, name)
				if _, err := q.Enqueue(ctx, name, "watch"); err != nil && ctx.Err() == nil {
					q.log.Warn("watch: queueing a re-index", "source", name, "err", err)
				}
			}
		}
	}
}

// walkDirs calls fn for root and every folder below it that the crawler would enter.
func walkDirs(root string, fn func(dir string)) {
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			return fs.SkipDir
		}
		fn(p)
		return nil
	})
}
