// memstate: fills many kinds of process state with known values, waits for
// SIGUSR1 without touching the registers it loaded, then checks that all of
// it is still there. The e2e test dumps and restores it while it waits, so
// every mismatch is something crust lost or corrupted.
//
// Usage: memstate WORKDIR. It chdirs there and writes:
//   probe   what this CPU/kernel let it exercise ("avx512: yes", "amx: no ..."),
//   ready   "ready" once everything is loaded (written by a raw syscall from
//           inside the register-holding loop, so nothing clobbers them),
//   result  after SIGUSR1: the probe lines, then "OK" or one "FAIL ..." line
//           per broken region; exit status 0 for OK, 1 otherwise.
//
// Build: cc -O1 -mavx512f -o memstate memstate.c

#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096UL
#define FILE_PAGES 16UL
#define RESERVE_PAGES 16UL
#define WINDOW_FIRST 6UL /* first read-write page inside the reservation */
#define WINDOW_PAGES 4UL
#define DATA_WORDS 8192UL /* 64 KiB of initialised .data */
#define BSS_WORDS 131072UL /* 1 MiB of .bss */
#define STACK_WORDS 131072UL /* 1 MiB on the stack */
#define DATA_INIT 0xd47ad47ad47ad47aULL
#define ARCH_GET_XCOMP_PERM 0x1022
#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18

// Initialised data: the first half is overwritten at run time, the second
// half must keep the initialiser (it comes from the binary's .data).
static uint64_t data_arr[DATA_WORDS] = {[0 ... DATA_WORDS - 1] = DATA_INIT};
// Zero-initialised: the first 3/4 is filled, the rest must stay zero.
static uint64_t bss_arr[BSS_WORDS];

static volatile sig_atomic_t go;

// Register state, loaded from `want` and stored into `got` by one asm block.
struct regs {
	uint8_t zmm[32][64];
	uint64_t k[8];
	uint32_t mxcsr;
	uint32_t pad;
	uint8_t tilecfg[64];
	uint8_t tiles[8][1024];
	int64_t ready_write; /* what the raw write(2) of "ready" returned */
};

static struct regs want, got;
static char report[8192];
static int failures;

static void note(const char *fmt, ...)
{
	size_t used = strlen(report);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(report + used, sizeof(report) - used, fmt, ap);
	va_end(ap);
}

static void fail(const char *fmt, ...)
{
	size_t used = strlen(report);
	va_list ap;

	failures++;
	va_start(ap, fmt);
	snprintf(report + used, sizeof(report) - used, "FAIL ");
	used = strlen(report);
	vsnprintf(report + used, sizeof(report) - used, fmt, ap);
	va_end(ap);
	used = strlen(report);
	snprintf(report + used, sizeof(report) - used, "\n");
}

static void die(const char *what)
{
	fprintf(stderr, "memstate: %s: %s\n", what, strerror(errno));
	exit(2);
}

// The value of 64-bit word `index` of the pattern `seed`.
static uint64_t pattern(uint64_t seed, uint64_t index)
{
	uint64_t z = seed * 0x9e3779b97f4a7c15ULL + index + 1;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

// Fills `words` words at p with pattern `seed`, starting at pattern index `first`.
static __attribute__((noinline)) void fill(void *p, size_t words, uint64_t seed,
					   uint64_t first)
{
	uint64_t *w = p;

	for (size_t i = 0; i < words; i++)
		w[i] = pattern(seed, first + i);
}

// Checks what fill() wrote; reports the first mismatch of region `what`.
static __attribute__((noinline)) void check(const char *what, const void *p,
					    size_t words, uint64_t seed,
					    uint64_t first)
{
	const uint64_t *w = p;

	for (size_t i = 0; i < words; i++) {
		uint64_t expected = pattern(seed, first + i);

		if (w[i] != expected) {
			fail("%s byte-offset %zu expected %016llx got %016llx", what,
			     i * 8, (unsigned long long)expected,
			     (unsigned long long)w[i]);
			return;
		}
	}
}

static void check_const(const char *what, const uint64_t *w, size_t words,
			uint64_t value)
{
	for (size_t i = 0; i < words; i++) {
		if (w[i] != value) {
			fail("%s byte-offset %zu expected %016llx got %016llx", what,
			     i * 8, (unsigned long long)value,
			     (unsigned long long)w[i]);
			return;
		}
	}
}

static void write_file(const char *name, const char *text)
{
	char tmp[256];
	int fd;

	// Write then rename, so the test never sees half a file.
	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    close(fd) || rename(tmp, name))
		die(name);
}

// ---- CPU features --------------------------------------------------------

static uint64_t xcr0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

static int os_xsave(void)
{
	unsigned a, b, c, d;

	return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_OSXSAVE);
}

// AVX-512F for zmm, AVX-512BW for 64-bit opmask moves; the OS must have
// enabled the SSE, AVX, opmask, ZMM_Hi256 and Hi16_ZMM state (XCR0 0xe6).
static int have_avx512(void)
{
	unsigned a, b, c, d;

	if (!os_xsave() || !__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return 0;
	return (b & bit_AVX512F) && (b & bit_AVX512BW) &&
	       (xcr0() & 0xe6) == 0xe6;
}

// AMX: cpuid amx-tile, XCR0 tile bits (17, 18), and the kernel granting
// this process the tile data state. Sets *why when it says no.
static int have_amx(const char **why)
{
	unsigned a, b, c, d;
	uint64_t perm = 0;

	if (!os_xsave() || !__get_cpuid_count(7, 0, &a, &b, &c, &d) ||
	    !(d & (1u << 24))) {
		*why = "cpuid has no amx-tile";
		return 0;
	}
	if ((xcr0() & (3ULL << 17)) != (3ULL << 17)) {
		*why = "XCR0 has no tile state";
		return 0;
	}
	if (syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA)) {
		*why = "arch_prctl(ARCH_REQ_XCOMP_PERM) refused";
		return 0;
	}
	if (syscall(SYS_arch_prctl, ARCH_GET_XCOMP_PERM, &perm) ||
	    !(perm & (1ULL << XFEATURE_XTILEDATA))) {
		*why = "ARCH_GET_XCOMP_PERM lacks XTILEDATA";
		return 0;
	}
	return 1;
}

// ---- The register-holding wait ---------------------------------------------

// Loads zmm0-31, k0-7, MXCSR (and, with amx, the tile config and tmm0-7)
// from `want`, writes "ready" to ready_fd with a raw syscall (the kernel
// keeps the vector state across syscalls), spins on `go` with pause, then
// stores every one of those registers into `got`. One asm block, so no
// compiler- or libc-generated code runs while the values must survive.
static __attribute__((noinline)) void hold_registers(int ready_fd, int amx)
{
	static const char msg[] = "ready\n";
	uint32_t saved_mxcsr;

	__asm__ volatile("stmxcsr %0" : "=m"(saved_mxcsr));
	__asm__ volatile(
		".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n\t"
		"vmovdqu64 \\i*64(%[in]), %%zmm\\i\n\t"
		".endr\n\t"
		".irp i,0,1,2,3,4,5,6,7\n\t"
		"kmovq %c[koff]+\\i*8(%[in]), %%k\\i\n\t"
		".endr\n\t"
		"ldmxcsr %c[moff](%[in])\n\t"
		"test %[amx], %[amx]\n\t"
		"jz 1f\n\t"
		"ldtilecfg %c[coff](%[in])\n\t"
		"lea %c[toff](%[in]), %%rsi\n\t"
		"mov $64, %%rdx\n\t"
		".irp i,0,1,2,3,4,5,6,7\n\t"
		"tileloadd (%%rsi,%%rdx,1), %%tmm\\i\n\t"
		"add $1024, %%rsi\n\t"
		".endr\n"
		"1:\n\t"
		/* write(ready_fd, "ready\n", 6) */
		"mov $1, %%eax\n\t"
		"mov %[fd], %%edi\n\t"
		"mov %[msg], %%rsi\n\t"
		"mov $6, %%edx\n\t"
		"syscall\n\t"
		"mov %%rax, %c[woff](%[out])\n"
		/* wait for SIGUSR1; the handler only sets `go` */
		"2:\n\t"
		"pause\n\t"
		"cmpl $0, %[go]\n\t"
		"je 2b\n\t"
		".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n\t"
		"vmovdqu64 %%zmm\\i, \\i*64(%[out])\n\t"
		".endr\n\t"
		".irp i,0,1,2,3,4,5,6,7\n\t"
		"kmovq %%k\\i, %c[koff]+\\i*8(%[out])\n\t"
		".endr\n\t"
		"stmxcsr %c[moff](%[out])\n\t"
		"test %[amx], %[amx]\n\t"
		"jz 3f\n\t"
		"sttilecfg %c[coff](%[out])\n\t"
		"lea %c[toff](%[out]), %%rsi\n\t"
		"mov $64, %%rdx\n\t"
		".irp i,0,1,2,3,4,5,6,7\n\t"
		"tilestored %%tmm\\i, (%%rsi,%%rdx,1)\n\t"
		"add $1024, %%rsi\n\t"
		".endr\n\t"
		"tilerelease\n"
		"3:\n\t"
		"vzeroupper\n\t"
		:
		: [in] "r"(&want), [out] "r"(&got), [amx] "r"(amx),
		  [fd] "r"(ready_fd), [msg] "r"(msg), [go] "m"(go),
		  [koff] "i"(offsetof(struct regs, k)),
		  [moff] "i"(offsetof(struct regs, mxcsr)),
		  [coff] "i"(offsetof(struct regs, tilecfg)),
		  [toff] "i"(offsetof(struct regs, tiles)),
		  [woff] "i"(offsetof(struct regs, ready_write))
		: "rax", "rcx", "rdx", "rsi", "rdi", "r11", "memory", "cc",
		  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
		  "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
		  "xmm15", "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21",
		  "xmm22", "xmm23", "xmm24", "xmm25", "xmm26", "xmm27", "xmm28",
		  "xmm29", "xmm30", "xmm31", "k0", "k1", "k2", "k3", "k4", "k5",
		  "k6", "k7");
	__asm__ volatile("ldmxcsr %0" : : "m"(saved_mxcsr));
}

// Without AVX-512 there are no registers to hold: just say ready and wait.
static void wait_plain(int ready_fd)
{
	if (write(ready_fd, "ready\n", 6) != 6)
		die("ready");
	while (!go)
		__asm__ volatile("pause");
}

static void prepare_registers(int amx)
{
	for (int i = 0; i < 32; i++)
		fill(want.zmm[i], 8, 100 + i, 0);
	for (int i = 0; i < 8; i++)
		want.k[i] = pattern(200, i);
	// Round toward zero, flush-to-zero and denormals-are-zero, all
	// exceptions masked: far from the default 0x1f80.
	want.mxcsr = 0x1f80 | 0x6000 | 0x8000 | 0x40;
	if (amx) {
		want.tilecfg[0] = 1; /* palette 1 */
		for (int t = 0; t < 8; t++) {
			uint16_t colsb = 64;

			memcpy(&want.tilecfg[16 + 2 * t], &colsb, 2);
			want.tilecfg[48 + t] = 16; /* rows */
		}
		fill(want.tiles, sizeof(want.tiles) / 8, 300, 0);
	}
	memset(&got, 0, sizeof(got));
}

static void check_registers(int amx)
{
	char what[32];

	if (got.ready_write != 6)
		fail("ready-write returned %lld", (long long)got.ready_write);
	for (int i = 0; i < 32; i++) {
		snprintf(what, sizeof(what), "zmm%d", i);
		check(what, got.zmm[i], 8, 100 + i, 0);
	}
	for (int i = 0; i < 8; i++)
		if (got.k[i] != want.k[i])
			fail("k%d expected %016llx got %016llx", i,
			     (unsigned long long)want.k[i],
			     (unsigned long long)got.k[i]);
	if (got.mxcsr != want.mxcsr)
		fail("mxcsr expected %08x got %08x", want.mxcsr, got.mxcsr);
	if (!amx)
		return;
	for (int i = 0; i < 64; i++)
		if (got.tilecfg[i] != want.tilecfg[i]) {
			fail("tilecfg byte %d expected %02x got %02x", i,
			     want.tilecfg[i], got.tilecfg[i]);
			break;
		}
	for (int t = 0; t < 8; t++) {
		snprintf(what, sizeof(what), "tmm%d", t);
		check(what, got.tiles[t], 128, 300, t * 128);
	}
}

// ---- Memory regions ----------------------------------------------------------

struct regions {
	uint64_t *heap_big; /* 8 MiB: glibc serves it with its own mmap */
	uint64_t *heap_small; /* 64 KiB: from the brk heap */
	uint8_t *priv; /* MAP_PRIVATE of priv.dat, first half written */
	uint8_t *shared; /* MAP_SHARED of shared.dat, all written */
	int shared_fd;
	uint8_t *reserve; /* PROT_NONE with a read-write window */
};

static void *map_file(const char *name, int flags, uint64_t seed, int *fd_out)
{
	size_t len = FILE_PAGES * PAGE;
	int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
	void *p;

	if (fd < 0)
		die(name);
	if (seed) {
		uint64_t *buf = malloc(len);

		fill(buf, len / 8, seed, 0);
		if (write(fd, buf, len) != (ssize_t)len)
			die(name);
		free(buf);
	} else if (ftruncate(fd, len)) {
		die(name);
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (p == MAP_FAILED)
		die(name);
	*fd_out = fd;
	return p;
}

static void setup_regions(struct regions *r)
{
	size_t half = FILE_PAGES * PAGE / 2;
	int priv_fd;

	r->heap_big = malloc(8UL << 20);
	r->heap_small = malloc(64UL << 10);
	if (!r->heap_big || !r->heap_small)
		die("malloc");
	fill(r->heap_big, (8UL << 20) / 8, 1, 0);
	fill(r->heap_small, (64UL << 10) / 8, 2, 0);

	fill(data_arr, DATA_WORDS / 2, 4, 0);
	fill(bss_arr, BSS_WORDS * 3 / 4, 5, 0);

	// The file holds pattern 6; writing the first half of the private
	// mapping makes copy-on-write pages with pattern 7, the second half
	// still shows the file.
	r->priv = map_file("priv.dat", MAP_PRIVATE, 6, &priv_fd);
	close(priv_fd);
	fill(r->priv, half / 8, 7, 0);

	r->shared = map_file("shared.dat", MAP_SHARED, 0, &r->shared_fd);
	fill(r->shared, FILE_PAGES * PAGE / 8, 8, 0);

	r->reserve = mmap(NULL, RESERVE_PAGES * PAGE, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r->reserve == MAP_FAILED)
		die("mmap reserve");
	if (mprotect(r->reserve + WINDOW_FIRST * PAGE, WINDOW_PAGES * PAGE,
		     PROT_READ | PROT_WRITE))
		die("mprotect");
	fill(r->reserve + WINDOW_FIRST * PAGE, WINDOW_PAGES * PAGE / 8, 9, 0);
}

// Finds the /proc/self/maps line containing `addr`.
static int find_vma(uintptr_t addr, uintptr_t *start, uintptr_t *end,
		    char perms[5])
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int found = 0;

	if (!f)
		die("/proc/self/maps");
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long s, e;

		if (sscanf(line, "%lx-%lx %4s", &s, &e, perms) == 3 &&
		    s <= addr && addr < e) {
			*start = s;
			*end = e;
			found = 1;
		}
	}
	fclose(f);
	return found;
}

// The reservation must still be three VMAs: ---p, rw-p window, ---p. The
// outer two may have merged with neighbours, so only inner edges are checked.
static void check_reservation(const uint8_t *base)
{
	uintptr_t b = (uintptr_t)base, s, e;
	uintptr_t w0 = b + WINDOW_FIRST * PAGE;
	uintptr_t w1 = w0 + WINDOW_PAGES * PAGE;
	char perms[5];

	if (!find_vma(b, &s, &e, perms) || strcmp(perms, "---p") || e != w0)
		fail("reservation-head %lx expected ---p ending %lx got %s ending %lx",
		     b, w0, perms, e);
	if (!find_vma(w0, &s, &e, perms) || strcmp(perms, "rw-p") || s != w0 ||
	    e != w1)
		fail("reservation-window expected rw-p %lx-%lx got %s %lx-%lx", w0,
		     w1, perms, s, e);
	if (!find_vma(w1, &s, &e, perms) || strcmp(perms, "---p") || s != w1)
		fail("reservation-tail expected ---p starting %lx got %s starting %lx",
		     w1, perms, s);
	check("reservation-window-data", base + WINDOW_FIRST * PAGE,
	      WINDOW_PAGES * PAGE / 8, 9, 0);
}

static void check_file_on_disk(const char *what, int fd, uint64_t seed)
{
	size_t len = FILE_PAGES * PAGE;
	uint64_t *buf = malloc(len);

	if (pread(fd, buf, len, 0) != (ssize_t)len)
		fail("%s short read: %s", what, strerror(errno));
	else
		check(what, buf, len / 8, seed, 0);
	free(buf);
}

static void check_regions(const struct regions *r, const uint64_t *stack_arr)
{
	size_t half = FILE_PAGES * PAGE / 2;
	int priv_fd;

	check("heap-8MiB", r->heap_big, (8UL << 20) / 8, 1, 0);
	check("heap-brk", r->heap_small, (64UL << 10) / 8, 2, 0);
	check("stack", stack_arr, STACK_WORDS, 3, 0);
	check("data-written", data_arr, DATA_WORDS / 2, 4, 0);
	check_const("data-initialised", data_arr + DATA_WORDS / 2,
		    DATA_WORDS / 2, DATA_INIT);
	check("bss-written", bss_arr, BSS_WORDS * 3 / 4, 5, 0);
	check_const("bss-zero", bss_arr + BSS_WORDS * 3 / 4, BSS_WORDS / 4, 0);
	check("private-map-written", r->priv, half / 8, 7, 0);
	check("private-map-file-pages", r->priv + half, half / 8, 6, half / 8);
	check("shared-map", r->shared, FILE_PAGES * PAGE / 8, 8, 0);
	check_file_on_disk("shared-file-on-disk", r->shared_fd, 8);
	// Private writes must never have reached the file.
	priv_fd = open("priv.dat", O_RDONLY);
	if (priv_fd < 0)
		fail("priv.dat reopen: %s", strerror(errno));
	else
		check_file_on_disk("private-file-on-disk", priv_fd, 6);
	check_reservation(r->reserve);
}

// ---- Main ----------------------------------------------------------------------

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

// Holds the 1 MiB stack array; everything after setup happens in this frame.
static __attribute__((noinline)) int run(struct regions *r, int avx512,
					 int amx)
{
	uint64_t stack_arr[STACK_WORDS];
	int ready_fd;

	fill(stack_arr, STACK_WORDS, 3, 0);
	if (avx512)
		prepare_registers(amx);
	ready_fd = open("ready", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (ready_fd < 0)
		die("ready");

	if (avx512)
		hold_registers(ready_fd, amx);
	else
		wait_plain(ready_fd);

	// Registers are safe in `got` now; libc may run again.
	if (avx512)
		check_registers(amx);
	check_regions(r, stack_arr);
	if (!failures)
		note("OK\n");
	write_file("result", report);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_usr1};
	const char *why_no_amx = "no avx512";
	struct regions r;
	int avx512, amx = 0;

	if (argc != 2 || chdir(argv[1]))
		die("usage: memstate WORKDIR");
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		die("sigaction");

	avx512 = have_avx512();
	if (avx512)
		amx = have_amx(&why_no_amx);
	note("avx512: %s\n", avx512 ? "yes" : "no");
	if (amx)
		note("amx: yes\n");
	else
		note("amx: no (%s)\n", why_no_amx);
	write_file("probe", report);

	setup_regions(&r);
	return run(&r, avx512, amx);
}
