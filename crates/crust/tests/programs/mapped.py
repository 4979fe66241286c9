"""Maps the file argv[1] read-only (mmap.ACCESS_READ, a shared mapping) and
closes every fd that refers to it, so that only the mapping holds the file;
then appends "i md5-of-the-mapping" to the file named by argv[2] every 50 ms.
After a dump and restore the digest must stay that of the file's bytes."""

import hashlib
import mmap
import os
import sys
import time


def main():
    path, out_path = sys.argv[1], sys.argv[2]
    with open(path, "rb") as f:
        m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    # Python's mmap keeps a dup of the fd (before 3.13's trackfd=False).
    st = os.stat(path)
    for name in os.listdir("/proc/self/fd"):
        try:
            fd_st = os.fstat(int(name))
        except OSError:
            continue
        if (fd_st.st_dev, fd_st.st_ino) == (st.st_dev, st.st_ino):
            os.close(int(name))
    i = 0
    with open(out_path, "a") as out:
        while True:
            i += 1
            out.write(f"{i} {hashlib.md5(m).hexdigest()}\n")
            out.flush()
            time.sleep(0.05)


main()
