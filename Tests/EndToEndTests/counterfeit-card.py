#!/usr/bin/python3
"""A counterfeit SD card for ImageFlashTests: a FUSE file system with one file, `card`, that
claims ADVERTISED bytes but stores only REAL bytes and wraps around, as fake-capacity cards do:
a write at offset o lands at o modulo REAL, over whatever was written there before, and reports
success. Every read and write reaches this process (direct_io), so no page cache hides the
wrap-around from a read-back.

usage: counterfeit-card.py MOUNTPOINT ADVERTISED REAL    (runs until unmounted)
"""
import errno
import stat
import sys

from fusepy import FUSE, FuseOSError, Operations


class CounterfeitCard(Operations):
    def __init__(self, advertised, real):
        self.advertised = advertised
        self.storage = bytearray(real)

    def _pieces(self, offset, size):
        """(storage offset, position in the request, length) for each wrap-free piece."""
        position = 0
        while position < size:
            at = (offset + position) % len(self.storage)
            length = min(size - position, len(self.storage) - at)
            yield at, position, length
            position += length

    def getattr(self, path, fh=None):
        if path == "/":
            return {"st_mode": stat.S_IFDIR | 0o755, "st_nlink": 2}
        if path == "/card":
            return {"st_mode": stat.S_IFREG | 0o666, "st_nlink": 1, "st_size": self.advertised}
        raise FuseOSError(errno.ENOENT)

    def readdir(self, path, fh):
        return [".", "..", "card"]

    def open(self, path, flags):
        return 0

    def truncate(self, path, length, fh=None):
        return 0

    def read(self, path, size, offset, fh):
        size = max(0, min(size, self.advertised - offset))
        data = bytearray(size)
        for at, position, length in self._pieces(offset, size):
            data[position:position + length] = self.storage[at:at + length]
        return bytes(data)

    def write(self, path, data, offset, fh):
        if offset >= self.advertised:
            raise FuseOSError(errno.ENOSPC)
        data = data[:self.advertised - offset]
        for at, position, length in self._pieces(offset, len(data)):
            self.storage[at:at + length] = data[position:position + length]
        return len(data)


if __name__ == "__main__":
    mountpoint, advertised, real = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    FUSE(CounterfeitCard(advertised, real), mountpoint, foreground=True, nothreads=True,
         direct_io=True)
