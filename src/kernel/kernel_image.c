// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel/kernel_image.h"

#include <errno.h>
#include <gelf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/process.h"
#include "base/util.h"

/* Documentation/x86/boot.rst: the real-mode header of a bzImage. */
#define BOOT_SETUP_SECTS 0x1f1
#define BOOT_HEADER_MAGIC 0x202		/* "HdrS" */
#define BOOT_VERSION 0x206
#define BOOT_PAYLOAD_OFFSET 0x248	/* from the protected-mode code; protocol 2.08+ */
#define BOOT_PAYLOAD_LENGTH 0x24c
#define BOOT_PAYLOAD_FIELD_SIZE 4	/* offset and length: le32 */
#define BOOT_MAGIC "HdrS"
#define BOOT_PROTOCOL_PAYLOAD 0x208	/* 2.08: the first with the payload fields */
#define BOOT_SETUP_SECTS_DEFAULT 4	/* what setup_sects 0 means */
#define BOOT_SECTOR_SIZE 512		/* the setup code follows the boot sector */

/* The uncompressed size at the end of a payload (see size_appended): le32. */
#define PAYLOAD_SIZE_FIELD 4
/* decompress() reads a payload's magic (xz's: 6 bytes) and size field: room for both. */
#define PAYLOAD_MIN 8
/* The banner is one line of a few hundred bytes: stop there in a damaged image. */
#define BANNER_MAX 1024

struct decompressor {
	const char *magic;
	size_t magic_len;
	const char *format;
	const char *argv[4];
	const char *package;	/* Debian's */
	/*
	 * Linux appends the uncompressed size to every payload (size_append);
	 * gzip's own trailer already is that size. The tools would call the
	 * extra bytes garbage.
	 */
	bool size_appended;
};

static const struct decompressor decompressors[] = {
	{ "\x1f\x8b", 2, "gzip", { "gzip", "-dc" }, "gzip", false },
	{ "\xfd" "7zXZ\0", 6, "xz", { "xz", "-dc", "--single-stream" }, "xz-utils", true },
	{ "\x28\xb5\x2f\xfd", 4, "zstd", { "zstd", "-dcq" }, "zstd", true },
	{ "\x02\x21\x4c\x18", 4, "lz4", { "lz4", "-dc" }, "lz4", true },
	{ "\x5d\x00\x00", 3, "lzma", { "xz", "-dc", "--format=lzma" }, "xz-utils", true },
	{ "BZh", 3, "bzip2", { "bzip2", "-dc" }, "bzip2", true },
	{ "\x89LZO", 4, "lzo", { "lzop", "-dc" }, "lzop", true },
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool is_elf(const uint8_t *p, size_t size)
{
	return size >= SELFMAG && !memcmp(p, ELFMAG, SELFMAG);
}

/* The compressed payload of a bzImage; -1 after an error. */
static int find_payload(const char *path, const struct mapped_file *m, const uint8_t **payload,
			size_t *len)
{
	size_t setup_sects, pm_start;
	uint32_t off, size;

	if (m->size < BOOT_PAYLOAD_LENGTH + BOOT_PAYLOAD_FIELD_SIZE ||
	    memcmp(m->data + BOOT_HEADER_MAGIC, BOOT_MAGIC, sizeof(BOOT_MAGIC) - 1))
		return error(path, "neither an ELF vmlinux nor an x86 bzImage (no HdrS header)");
	if ((m->data[BOOT_VERSION] | m->data[BOOT_VERSION + 1] << 8) < BOOT_PROTOCOL_PAYLOAD)
		return error(path, "boot protocol %u.%02u is older than 2.08: no payload fields",
			     m->data[BOOT_VERSION + 1], m->data[BOOT_VERSION]);
	setup_sects = m->data[BOOT_SETUP_SECTS] ? m->data[BOOT_SETUP_SECTS]
						: BOOT_SETUP_SECTS_DEFAULT;
	pm_start = (setup_sects + 1) * BOOT_SECTOR_SIZE;
	off = le32(m->data + BOOT_PAYLOAD_OFFSET);
	size = le32(m->data + BOOT_PAYLOAD_LENGTH);
	if (size < PAYLOAD_MIN || pm_start + off > m->size || m->size - pm_start - off < size)
		return error(path, "bzImage payload (%u bytes at 0x%zx) is outside the file", size,
			     pm_start + off);
	*payload = m->data + pm_start + off;
	*len = size;
	return 0;
}

static bool in_path(const char *tool)
{
	const char *path = getenv("PATH");
	bool found = false;
	char *copy, *dir, *save;

	copy = xstrdup(path && *path ? path : "/usr/bin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *file = xasprintf("%s/%s", *dir ? dir : ".", tool);

		found = access(file, X_OK) == 0;
		free(file);
	}
	free(copy);
	return found;
}

static int decompress(const char *path, const uint8_t *payload, size_t len, struct output *out)
{
	const struct decompressor *d = NULL;
	uint32_t want = le32(payload + len - PAYLOAD_SIZE_FIELD);
	uint8_t magic[SELFMAG];
	struct stat st;
	int fd, status;

	for (size_t i = 0; i < ARRAY_SIZE(decompressors) && !d; i++)
		if (!memcmp(payload, decompressors[i].magic, decompressors[i].magic_len))
			d = &decompressors[i];
	if (!d)
		return error(path, "unknown compression of the bzImage payload "
			     "(magic %02x %02x %02x %02x)",
			     payload[0], payload[1], payload[2], payload[3]);
	if (!in_path(d->argv[0]))
		return error(path, "the payload is %s-compressed: install %s (Debian package %s)",
			     d->format, d->argv[0], d->package);
	fflush(out->fp);
	fd = fileno(out->fp);
	status = run_filter((char *const *)d->argv, payload,
			    d->size_appended ? len - PAYLOAD_SIZE_FIELD : len, fd);
	if (status)
		return error(path, "%s failed (%s) on the %s payload", d->argv[0],
			     process_status_text(status), d->format);
	if (fstat(fd, &st) || pread(fd, magic, SELFMAG, 0) != SELFMAG ||
	    !is_elf(magic, SELFMAG))
		return error(path, "the decompressed payload is not an ELF vmlinux");
	if ((uint32_t)st.st_size != want)
		return error(path, "decompressed %lld bytes, but the bzImage says %u",
			     (long long)st.st_size, want);
	/* Writes went through the descriptor: the FILE's position is stale. */
	lseek(fd, 0, SEEK_END);
	return 0;
}

int kernel_image_extract(const char *vmlinuz, const char *out_elf)
{
	const uint8_t *payload = NULL;
	struct output out;
	struct mapped_file m;
	size_t len = 0;
	int ret = -1;

	if (map_file(vmlinuz, &m))
		return -1;
	if (output_open(&out, out_elf))
		goto unmap;
	if (is_elf(m.data, m.size)) {
		if (fwrite(m.data, 1, m.size, out.fp) == m.size)
			ret = 0;
	} else if (!find_payload(vmlinuz, &m, &payload, &len)) {
		ret = decompress(vmlinuz, payload, len, &out);
	}
	if (ret)
		output_abort(&out);
	else
		ret = output_commit(&out);
unmap:
	unmap_file(&m);
	return ret;
}

/* "Linux version 6.1.0-... (...) ... #1 SMP ... Debian 6.1.192-3 (2026-11-26)" */
static char *find_banner(const uint8_t *p, size_t size)
{
	static const char prefix[] = "Linux version ";
	const uint8_t *end = p + size, *hit;

	while ((hit = memmem(p, (size_t)(end - p), prefix, sizeof(prefix) - 1))) {
		const uint8_t *q = hit + sizeof(prefix) - 1;

		/* linux_proc_banner is "%s version %s ...": a release starts with a digit. */
		if (q < end && *q >= '0' && *q <= '9') {
			const uint8_t *e = q;

			while (e < end && *e && *e != '\n' && e - hit < BANNER_MAX)
				e++;
			return xstrndup((const char *)hit, (size_t)(e - hit));
		}
		p = hit + 1;
	}
	return NULL;
}

char *kernel_image_banner(const char *vmlinux_elf)
{
	struct mapped_file m;
	const uint8_t *area;
	size_t area_size, shstrndx;
	Elf_Scn *scn = NULL;
	char *banner;
	Elf *elf;

	if (map_file(vmlinux_elf, &m))
		return NULL;
	area = m.data;
	area_size = m.size;
	elf_version(EV_CURRENT);
	elf = elf_memory((char *)m.data, m.size);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		error(vmlinux_elf, "not an ELF file");
		goto fail;
	}
	/* Only .rodata when there are section headers: faster, and no false hits. */
	if (!elf_getshdrstrndx(elf, &shstrndx)) {
		while ((scn = elf_nextscn(elf, scn))) {
			GElf_Shdr sh;
			const char *name;

			if (!gelf_getshdr(scn, &sh))
				continue;
			name = elf_strptr(elf, shstrndx, sh.sh_name);
			if (!name)
				continue;
			if (streq(name, ".rodata") && sh.sh_type == SHT_PROGBITS &&
			    sh.sh_offset <= m.size && m.size - sh.sh_offset >= sh.sh_size) {
				area = m.data + sh.sh_offset;
				area_size = sh.sh_size;
				break;
			}
		}
	}
	banner = find_banner(area, area_size);
	if (!banner) {
		error(vmlinux_elf, "no \"Linux version\" banner in %s",
		      area == m.data ? "the file" : ".rodata");
		goto fail;
	}
	elf_end(elf);
	unmap_file(&m);
	return banner;
fail:
	if (elf)
		elf_end(elf);
	unmap_file(&m);
	return NULL;
}

static void add_segment(struct image *im, size_t *alloc, uint64_t vaddr, uint64_t size,
			uint64_t offset)
{
	if (!size || offset > im->size || im->size - offset < size)
		return;
	GROW(im->segs, im->nr_segs, *alloc, im->nr_segs + 1);
	im->segs[im->nr_segs++] = (struct segment){ vaddr, size, offset };
}

/* The value of the symbol table's _text, or 0. */
static uint64_t symtab_text(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t nr = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
	GElf_Sym sym;

	for (size_t i = 0; data && i < nr; i++) {
		const char *name;

		if (!gelf_getsym(data, (int)i, &sym))
			break;
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (name && streq(name, "_text") && sym.st_shndx != SHN_UNDEF)
			return sym.st_value;
	}
	return 0;
}

/*
 * Program headers say where the loaded bytes are; section headers if there
 * are none. kallsyms' _text is where the image's is: its symbol, else the
 * start of the head code that linker scripts put first (ppc64's .head.text),
 * else of .text.
 */
static int image_index(struct image *im, Elf *elf)
{
	size_t n, alloc = 0, sec_alloc = 0, shstrndx = 0;
	Elf_Scn *scn = NULL;
	uint64_t exec_start = UINT64_MAX, head_start = 0, sym_text = 0;

	if (!elf_getphdrnum(elf, &n)) {
		for (size_t i = 0; i < n; i++) {
			GElf_Phdr ph;

			if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
				continue;
			add_segment(im, &alloc, ph.p_vaddr, ph.p_filesz, ph.p_offset);
			if ((ph.p_flags & PF_X) && ph.p_vaddr < exec_start)
				exec_start = ph.p_vaddr;
		}
	}
	elf_getshdrstrndx(elf, &shstrndx);
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB && !sym_text)
			sym_text = symtab_text(elf, scn, &sh);
		if (!(sh.sh_flags & SHF_ALLOC))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (name && streq(name, ".text"))
			im->text_start = sh.sh_addr;
		if (name && streq(name, ".head.text") && (sh.sh_flags & SHF_EXECINSTR))
			head_start = sh.sh_addr;
		if (name) {
			GROW(im->secs, im->nr_secs, sec_alloc, im->nr_secs + 1);
			im->secs[im->nr_secs++] = (struct image_section){ xstrdup(name), sh.sh_addr,
									   sh.sh_size, sh.sh_flags };
		}
		if (!n && sh.sh_type != SHT_NOBITS)
			add_segment(im, &alloc, sh.sh_addr, sh.sh_size, sh.sh_offset);
		if (!n && (sh.sh_flags & SHF_EXECINSTR) && sh.sh_addr < exec_start)
			exec_start = sh.sh_addr;
	}
	if (head_start)
		im->text_start = head_start;
	if (sym_text)
		im->text_start = sym_text;
	if (!im->text_start)
		im->text_start = exec_start;
	if (!im->nr_segs)
		return error(im->path,
			     "no loaded code (no PT_LOAD segments or allocated sections)");
	return 0;
}

int image_open(struct image *im, const char *path)
{
	struct mapped_file m;
	GElf_Ehdr eh;
	Elf *elf;
	int ret;

	memset(im, 0, sizeof(*im));
	im->path = path;
	if (map_file(path, &m))
		return -1;
	im->data = m.data;
	im->size = m.size;
	elf_version(EV_CURRENT);
	elf = elf_memory((char *)m.data, im->size);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64)
		ret = error(path, "not a 64-bit ELF file");
	else if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		ret = error(path, "not a linked kernel (ELF type %u; expected the vmlinux of "
			    "the shipped kernel image)", eh.e_type);
	else
		ret = image_index(im, elf);
	if (elf)
		elf_end(elf);
	return ret;
}

void image_close(struct image *im)
{
	struct mapped_file m = { im->data, im->size };

	unmap_file(&m);
	free(im->segs);
	for (size_t i = 0; i < im->nr_secs; i++)
		free(im->secs[i].name);
	free(im->secs);
}

const struct image_section *image_section(const struct image *im, const char *name)
{
	for (size_t i = 0; i < im->nr_secs; i++)
		if (streq(im->secs[i].name, name))
			return &im->secs[i];
	return NULL;
}

const struct image_section *image_section_at(const struct image *im, uint64_t addr)
{
	for (size_t i = 0; i < im->nr_secs; i++)
		if (addr >= im->secs[i].addr && addr - im->secs[i].addr < im->secs[i].size)
			return &im->secs[i];
	return NULL;
}

/* The bytes at @addr and how many follow in the image (*@avail), or NULL. */
const uint8_t *image_at(const struct image *im, uint64_t addr, uint64_t *avail)
{
	for (size_t i = 0; i < im->nr_segs; i++) {
		const struct segment *s = &im->segs[i];

		if (addr >= s->vaddr && addr - s->vaddr < s->size) {
			*avail = s->size - (addr - s->vaddr);
			return im->data + s->offset + (addr - s->vaddr);
		}
	}
	return NULL;
}

/* The @len bytes at @addr, or NULL if the image does not hold them all. */
const uint8_t *image_bytes(const struct image *im, uint64_t addr, uint64_t len)
{
	uint64_t avail = 0;
	const uint8_t *p = image_at(im, addr, &avail);

	return p && avail >= len ? p : NULL;
}
