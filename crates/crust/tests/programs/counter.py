"""Holds state in memory and logs it: step i adds d[i] = i*i to a dict and
appends "i sum(d.values())" to the file named by argv[1]. After a dump and
restore the file must go on with i+1 and a sum that still covers every
earlier step, which only holds if the dict survived in memory."""

import sys
import time


def main():
    d = {}
    i = 0
    with open(sys.argv[1], "a") as out:
        while True:
            i += 1
            d[i] = i * i
            out.write(f"{i} {sum(d.values())}\n")
            out.flush()
            time.sleep(0.05)


main()
