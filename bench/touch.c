// touch: the C side of bench/memory.sh. One binary, three modes:
//
//   touch hold MIB DIR   the process crust dumps and restores. It becomes a
//                        session leader (so its tree is self-contained), maps
//                        MIB MiB of private anonymous memory and writes every
//                        byte of it with a pattern that depends on the page
//                        index, then writes its pid to DIR/ready and sleeps.
//                        On each SIGUSR1 it checks the whole area against the
//                        pattern and writes "OK" or "FAIL ..." to DIR/result,
//                        so the script can tell that the restored pages hold
//                        what was dumped, not just that RSS is right.
//   touch fill MIB FILE  the floor for a restore: time to mmap MIB MiB of
//                        anonymous memory, fault it in (MADV_POPULATE_WRITE)
//                        and pread MIB MiB of FILE into it. Prints seconds:
//                        "total populate pread".
//   touch memcpy MIB     memcpy throughput of warm memory: two buffers of MIB
//                        MiB, faulted in and copied once before timing, then
//                        the best of five copies. Prints GB/s (10^9 bytes/s).
//
// Build: cc -O2 -o touch touch.c

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define PAGE 4096UL
#define MIB (1024UL * 1024UL)

static void die(const char *what)
{
	fprintf(stderr, "touch: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t parse_mib(const char *arg)
{
	char *end;
	unsigned long mib = strtoul(arg, &end, 10);
	if (*end || mib == 0 || mib > 1024UL * 1024UL) {
		fprintf(stderr, "touch: bad size in MiB: %s\n", arg);
		exit(2);
	}
	return mib * MIB;
}

static char *map_anon(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

// Writes `text` to DIR/NAME through a temporary name and rename, so a reader
// polling for NAME never sees it half written.
static void publish(const char *dir, const char *name, const char *text)
{
	char tmp[4096], path[4096];
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die(tmp);
	size_t len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len)
		die("write");
	close(fd);
	if (rename(tmp, path) < 0)
		die("rename");
}

// Every byte of page i holds (i * 131 + 7) & 0xff, with the page index
// itself in the first 8 bytes: a page moved or swapped with another shows.
static void fill_page(char *page, uint64_t i)
{
	memset(page, (int)((i * 131 + 7) & 0xff), PAGE);
	memcpy(page, &i, sizeof(i));
}

static long first_bad_page(const char *area, size_t len)
{
	static char want[PAGE];
	for (uint64_t i = 0; i < len / PAGE; i++) {
		fill_page(want, i);
		if (memcmp(area + i * PAGE, want, PAGE) != 0)
			return (long)i;
	}
	return -1;
}

static volatile sig_atomic_t check_requested;

static void on_usr1(int sig)
{
	(void)sig;
	check_requested = 1;
}

static int hold(size_t len, const char *dir)
{
	// Our own session: crust then dumps a tree whose session and group leader
	// is inside it, whatever shell started the benchmark.
	if (setsid() < 0)
		die("setsid");
	// crust dumps every open fd and does not support pipes yet: drop whatever
	// the shell or its launcher let us inherit beyond stdio (/dev/null).
	if (close_range(3, ~0U, 0) < 0)
		die("close_range");

	// Block SIGUSR1 outside sigsuspend, so a signal cannot slip in between
	// the flag test and the sleep.
	sigset_t usr1, waitmask;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &usr1, &waitmask) < 0)
		die("sigprocmask");
	sigdelset(&waitmask, SIGUSR1);
	struct sigaction sa = {.sa_handler = on_usr1};
	if (sigaction(SIGUSR1, &sa, NULL) < 0)
		die("sigaction");

	char *area = map_anon(len);
	for (uint64_t i = 0; i < len / PAGE; i++)
		fill_page(area + i * PAGE, i);

	char line[64];
	snprintf(line, sizeof(line), "%d\n", (int)getpid());
	publish(dir, "ready", line);

	// Sleeps until killed; the script ends it, and the pid namespace it runs
	// in kills it at the latest when the run is over.
	for (;;) {
		sigsuspend(&waitmask);
		if (!check_requested)
			continue;
		check_requested = 0;
		long bad = first_bad_page(area, len);
		if (bad < 0)
			snprintf(line, sizeof(line), "OK\n");
		else
			snprintf(line, sizeof(line), "FAIL page %ld of %zu\n", bad, len / PAGE);
		publish(dir, "result", line);
	}
	return 0;
}

static int fill(size_t len, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(path);

	double t0 = now();
	char *area = map_anon(len);
	if (madvise(area, len, MADV_POPULATE_WRITE) < 0)
		die("madvise(MADV_POPULATE_WRITE)");
	double t1 = now();
	size_t done = 0;
	while (done < len) {
		ssize_t n = pread(fd, area + done, len - done, (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("pread");
		if (n == 0) {
			fprintf(stderr, "touch: %s is shorter than %zu bytes\n", path, len);
			return 1;
		}
		done += (size_t)n;
	}
	double t2 = now();

	printf("%.6f %.6f %.6f\n", t2 - t0, t1 - t0, t2 - t1);
	return 0;
}

static int copy(size_t len)
{
	char *src = map_anon(len), *dst = map_anon(len);
	memset(src, 0x5a, len);
	memcpy(dst, src, len); // faults in dst: what follows is warm memory

	double best = 0;
	for (int round = 0; round < 5; round++) {
		double t0 = now();
		memcpy(dst, src, len);
		double t = now() - t0;
		if (best == 0 || t < best)
			best = t;
		src[round] = dst[len - 1 - round]; // keep the copies observable
	}
	printf("%.3f\n", len / best / 1e9);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "hold") == 0)
		return hold(parse_mib(argv[2]), argv[3]);
	if (argc == 4 && strcmp(argv[1], "fill") == 0)
		return fill(parse_mib(argv[2]), argv[3]);
	if (argc == 3 && strcmp(argv[1], "memcpy") == 0)
		return copy(parse_mib(argv[2]));
	fprintf(stderr, "usage: touch hold MIB DIR | fill MIB FILE | memcpy MIB\n");
	return 2;
}
