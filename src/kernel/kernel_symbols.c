// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel/kernel_symbols.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"

struct sort_item {
	uint64_t addr;
	size_t index;
};

static int cmp_addr(const void *a, const void *b)
{
	const struct sort_item *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * kallsyms lists code and data symbols; not files, sections or absolutes, nor
 * what scripts/mksysmap drops: arm's and arm64's mapping symbols ($x, $d).
 */
static bool in_kallsyms(const GElf_Sym *s, const char *name)
{
	unsigned type = GELF_ST_TYPE(s->st_info);

	if (!*name || s->st_shndx == SHN_UNDEF || s->st_shndx == SHN_ABS || *name == '$' ||
	    starts_with(name, "__pi_$") || starts_with(name, "__kvm_nvhe_$"))
		return false;
	return type == STT_FUNC || type == STT_OBJECT || type == STT_NOTYPE || type == STT_TLS;
}

/* Chain same-named symbols in kallsyms order, and index that order. */
static void index_symbols(struct kernel_symbols *ks, struct sort_item *order, size_t count,
			  bool by_address)
{
	struct strmap tails;

	/* vmlinux's kallsyms is sorted by address; a module's is its symtab order. */
	if (by_address)
		sort(order, count, sizeof(*order), cmp_addr);
	ks->by_order = xcalloc(count + 1, sizeof(*ks->by_order));
	strmap_init(&ks->by_name, count);
	strmap_init(&tails, count);
	for (size_t k = 0; k < count; k++) {
		struct ksym *s = &ks->syms[order[k].index];
		void **head = strmap_slot(&ks->by_name, s->name);
		void **tail = strmap_slot(&tails, s->name);

		s->order = k;
		ks->by_order[k] = s;
		if (!*head)
			*head = s;
		else
			((struct ksym *)*tail)->next = s;
		*tail = s;
		s->first = *head;
	}
	strmap_free(&tails);
}

static int read_symtab(struct kernel_symbols *ks, Elf *elf, bool by_address)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	Elf_Data *data = NULL, *strdata;
	struct sort_item *order;
	const char *unit = NULL;
	uint32_t files = 0;
	size_t n, count = 0;

	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB)
			break;
	if (!scn || !(data = elf_getdata(scn, NULL)))
		return error(ks->path, "no symbol table");
	strdata = elf_getdata(elf_getscn(elf, sh.sh_link), NULL);
	if (!strdata || !strdata->d_size)
		return error(ks->path, "no symbol string table");
	ks->strtab = xmalloc(strdata->d_size + 1);
	memcpy(ks->strtab, strdata->d_buf, strdata->d_size);
	ks->strtab[strdata->d_size] = '\0';
	n = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
	ks->syms = xcalloc(n, sizeof(*ks->syms));
	order = xcalloc(n, sizeof(*order));
	for (size_t i = 1; i < n; i++) {
		GElf_Sym s;
		const char *name;

		if (!gelf_getsym(data, (int)i, &s) || s.st_name >= strdata->d_size)
			return error(ks->path, "malformed symbol %zu", i);
		name = ks->strtab + s.st_name;
		if (GELF_ST_TYPE(s.st_info) == STT_FILE) {
			unit = name;
			files++;
			ks->has_units = true;
			continue;
		}
		/* vmlinux's kallsyms comes from nm, which lists no local labels. */
		if (!in_kallsyms(&s, name) || (by_address && starts_with(name, ".L")))
			continue;
		ks->syms[count] = (struct ksym){ .name = name, .addr = s.st_value, .size = s.st_size,
						 .shndx = by_address ? 0 : s.st_shndx,
						 .local = GELF_ST_BIND(s.st_info) == STB_LOCAL,
						 .func = GELF_ST_TYPE(s.st_info) == STT_FUNC };
		ks->syms[count].unit = ks->syms[count].local ? unit : NULL;
		ks->syms[count].file = ks->syms[count].local && unit ? files : 0;
		order[count] = (struct sort_item){ by_address ? s.st_value : 0, count };
		count++;
	}
	ks->nr = count;
	ks->symtab_order = !by_address;
	index_symbols(ks, order, count, by_address);
	free(order);
	return 0;
}

/* A module's "depends=" (the modules it links against), from its .modinfo. */
static void read_depends(struct kernel_symbols *ks, Elf *elf)
{
	static const char key[] = "depends=";
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Shdr sh;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)) ||
		    !streq(name, ".modinfo") || !(d = elf_getdata(scn, NULL)) || !d->d_buf)
			continue;
		for (size_t at = 0; at < d->d_size;) {
			const char *s = (const char *)d->d_buf + at;
			size_t len = strnlen(s, d->d_size - at);

			if (len > strlen(key) && len < d->d_size - at && starts_with(s, key)) {
				free(ks->depends);
				ks->depends = xstrdup(s + strlen(key));
			}
			at += len + 1;
		}
	}
}

static int read_elf(struct kernel_symbols *ks, int fd)
{
	Elf *elf;
	GElf_Ehdr eh;
	int ret;

	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh))
		ret = error(ks->path, "not an ELF file");
	else
		ret = read_symtab(ks, elf, eh.e_type == ET_EXEC || eh.e_type == ET_DYN);
	if (elf && !ret) {
		ks->machine = eh.e_machine;
		ks->elf_data = eh.e_ident[EI_DATA];
		if (eh.e_type == ET_REL)
			read_depends(ks, elf);
	}
	if (elf)
		elf_end(elf);
	return ret;
}

/*
 * One "ADDRESS TYPE NAME[\t[MODULE]]" line. Returns 1 for a vmlinux symbol
 * kallsyms can name, 0 for one to skip, -1 if the line is malformed.
 */
static int parse_kallsyms_line(char *line, struct ksym *sym)
{
	/* After the address: " T NAME", the type letter and the name at these offsets. */
	enum { TYPE_AT = 1, NAME_AT = 3 };
	char *end, *name;
	char type;

	sym->addr = strtoull(line, &end, 16);
	if (end == line || *end != ' ' || !end[TYPE_AT] || end[NAME_AT - 1] != ' ' ||
	    !end[NAME_AT])
		return -1;
	type = end[TYPE_AT];
	name = end + NAME_AT;
	end = name + strcspn(name, " \t");
	if (*end) {
		if (strchr(end, '['))
			return 0;	/* a module's symbol */
		*end = '\0';
	}
	/* Per-CPU variables are absolute ('A') with KALLSYMS_ABSOLUTE_PERCPU. */
	if (type == 'U' || type == 'w' || type == 'W')
		return 0;
	*sym = (struct ksym){ .name = name, .addr = sym->addr,
			      .local = type >= 'a' && type <= 'z', .func = type == 't' || type == 'T',
			      .absolute = type == 'A' || type == 'a' };
	return 1;
}

/* /proc/kallsyms or System.map: listed in the kernel's kallsyms order already. */
static int read_kallsyms(struct kernel_symbols *ks)
{
	struct sort_item *order;
	size_t len, lines = 1, count = 0, lineno = 0;
	char *line, *next;

	ks->strtab = read_file(ks->path, &len);
	if (!ks->strtab)
		return error(ks->path, "cannot read: %s", strerror(errno));
	for (const char *p = ks->strtab; *p; p++)
		lines += *p == '\n';
	ks->syms = xcalloc(lines, sizeof(*ks->syms));
	order = xcalloc(lines, sizeof(*order));
	for (line = ks->strtab; *line; line = next) {
		int kept;

		lineno++;
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		kept = parse_kallsyms_line(line, &ks->syms[count]);
		if (kept < 0) {
			free(order);
			return error(ks->path, "line %zu: neither an ELF file nor a kallsyms listing "
				     "(ADDRESS TYPE NAME lines)",
				     lineno);
		}
		if (kept) {
			order[count] = (struct sort_item){ 0, count };
			count++;
		}
	}
	if (!count) {
		free(order);
		return error(ks->path, "no vmlinux symbols in this kallsyms listing");
	}
	ks->nr = count;
	index_symbols(ks, order, count, false);
	free(order);
	return 0;
}

int kernel_symbols_read(struct kernel_symbols *ks, const char *path)
{
	int fd = open(path, O_RDONLY), ret;
	char magic[4] = "";

	memset(ks, 0, sizeof(*ks));
	ks->path = path;
	if (fd < 0)
		return error(path, "cannot open: %s", strerror(errno));
	if (pread(fd, magic, sizeof(magic), 0) == sizeof(magic) && !memcmp(magic, ELFMAG, SELFMAG))
		ret = read_elf(ks, fd);
	else
		ret = read_kallsyms(ks);
	close(fd);
	return ret;
}

void kernel_symbols_free(struct kernel_symbols *ks)
{
	kernel_symbols_unit_free(ks);
	free(ks->syms);
	free(ks->by_order);
	free(ks->by_place);
	free(ks->seen);
	free(ks->depends);
	free(ks->strtab);
	strmap_free(&ks->by_name);
	memset(ks, 0, sizeof(*ks));
}

bool kernel_symbols_has(const struct kernel_symbols *ks, const char *name)
{
	return strmap_get(&ks->by_name, name) != NULL;
}

/* "dm-mod" of a depends= list is module dm_mod: kbuild makes '-' '_' in names. */
static bool same_module_name(const char *a, size_t n, const char *b)
{
	for (size_t i = 0; i < n; i++, b++)
		if (!*b || (a[i] != *b && !(strchr("-_", a[i]) && strchr("-_", *b))))
			return false;
	return !*b;
}

bool kernel_symbols_depends_on(const struct kernel_symbols *ks, const char *module)
{
	for (const char *p = ks->depends; p && *p; p += strcspn(p, ","), p += *p == ',')
		if (same_module_name(p, strcspn(p, ","), module))
			return true;
	return false;
}

const struct ksym *kernel_symbols_at(const struct kernel_symbols *ks, const char *name,
				     long sympos)
{
	const struct ksym *s = strmap_get(&ks->by_name, name);

	for (long pos = 1; s && pos < sympos; pos++)
		s = s->next;
	return s;
}

/* Module.symvers is read whole, this much at a time (a distribution's: a few MB). */
#define SYMVERS_READ_CHUNK 65536

int symvers_read(struct symvers *sv, const char *path)
{
	FILE *fp = fopen(path, "r");
	size_t len = 0, alloc = 0, n, lineno = 0;
	char *line, *next;

	memset(sv, 0, sizeof(*sv));
	if (!fp)
		return error(path, "cannot open: %s", strerror(errno));
	do {
		GROW(sv->text, len, alloc, len + SYMVERS_READ_CHUNK);
		n = fread(sv->text + len, 1, alloc - len - 1, fp);
		len += n;
	} while (n);
	fclose(fp);
	sv->text[len] = '\0';
	strmap_init(&sv->exported, 4096);
	for (line = sv->text; *line; line = next) {
		char *crc, *sym, *mod, *save;

		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (!*line)
			continue;
		crc = strtok_r(line, "\t", &save);
		sym = strtok_r(NULL, "\t", &save);
		mod = strtok_r(NULL, "\t", &save);
		if (!crc || !sym || !mod || strncmp(crc, "0x", 2) || !strtok_r(NULL, "\t", &save))
			return error(path, "line %zu: malformed (expected CRC, symbol, module, "
				     "export type)", lineno);
		*strmap_slot(&sv->exported, sym) = mod;
	}
	return 0;
}

void symvers_free(struct symvers *sv)
{
	strmap_free(&sv->exported);
	free(sv->text);
	memset(sv, 0, sizeof(*sv));
}

const char *symvers_owner(const struct symvers *sv, const char *name)
{
	return strmap_get(&sv->exported, name);
}
