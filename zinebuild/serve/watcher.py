"""Turn file-system events under the project's folders into Builder.changed calls (watchfiles)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import watchfiles

from ..settings import CACHE_FOLDER


class _Filter(watchfiles.DefaultFilter):
    """watchfiles' defaults (VCS folders, editor swap files) plus the build's own output."""

    def __init__(self, out_dir: Path) -> None:
        super().__init__(ignore_paths=[str(out_dir)])

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        return CACHE_FOLDER not in Path(path).parts and super().__call__(change, path)


class Watcher:
    """Watches a set of folders in a thread of its own; watch() again with another set to move."""

    def __init__(self, on_change: Callable[[set[Path]], None], out_dir: Path) -> None:
        self.on_change = on_change
        self.filter = _Filter(out_dir)
        self.folders: frozenset[Path] = frozenset()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def watch(self, folders: set[Path]) -> None:
        folders = frozenset(f for f in folders if f.is_dir())
        if folders == self.folders and self._thread is not None:
            return
        self.stop()
        self.folders, self._stop = folders, threading.Event()
        self._thread = threading.Thread(target=self._loop, args=(folders, self._stop), name="zinebuild-watch",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def _loop(self, folders: frozenset[Path], stop: threading.Event) -> None:
        # watchfiles' own grouping is kept short: the Builder waits for the quiet that ends a burst.
        for changes in watchfiles.watch(*folders, watch_filter=self.filter, debounce=200, step=30,
                                        stop_event=stop, rust_timeout=500, yield_on_timeout=False,
                                        raise_interrupt=False):
            self.on_change({Path(path) for _, path in changes})
