// SPDX-License-Identifier: GPL-2.0-or-later
#include "patch/klp_module.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* Identifiers of the generated source; patch symbols must stay out of it. */
#define GEN_PREFIX "__klpdiff_mod_"

/* Where each field of a manifest record is (klp_module.h), and how many it has. */
enum { REC_TYPE, REC_OBJNAME };
enum { FUNC_OLD_NAME = REC_OBJNAME + 1, FUNC_SYMPOS, FUNC_NEW_SYMBOL, FUNC_FIELDS };
enum { CALLBACK_KIND = REC_OBJNAME + 1, CALLBACK_SYMBOL, CALLBACK_FIELDS };
enum { OBJECT_FIELDS = REC_OBJNAME + 1 };

#define BAD(o, fmt, ...) \
	error((o)->file, MANIFEST_SECTION " line %u: " fmt, (o)->line, ##__VA_ARGS__)

void klp_manifest_free(struct klp_manifest *m)
{
	struct strmap_slot *slot;

	for (size_t i = 0; i < m->nr_objs; i++) {
		struct klp_object_spec *o = &m->objs[i];

		for (size_t k = 0; k < o->nr_funcs; k++) {
			free(o->funcs[k].old_name);
			free(o->funcs[k].new_sym);
		}
		free(o->funcs);
		for_each_callback_kind(k)
			free(o->callbacks[k].sym);
		free(o->name);
	}
	free(m->objs);
	strmap_for_each(&m->funcs, slot) {
		free((char *)slot->key);
		free(slot->value);
	}
	strmap_free(&m->funcs);
	memset(m, 0, sizeof(*m));
}

struct klp_object_spec *klp_manifest_object(const struct klp_manifest *m, const char *name)
{
	for (size_t i = 0; i < m->nr_objs; i++)
		if (streq(m->objs[i].name, name))
			return &m->objs[i];
	return NULL;
}

/* The object @name, added if new; vmlinux always comes first. */
static struct klp_object_spec *get_object(struct klp_manifest *m, const char *name)
{
	struct klp_object_spec *o = klp_manifest_object(m, name);
	size_t at = m->nr_objs;

	if (o)
		return o;
	GROW(m->objs, m->nr_objs, m->alloc_objs, m->nr_objs + 1);
	if (streq(name, "vmlinux")) {
		memmove(m->objs + 1, m->objs, m->nr_objs * sizeof(*m->objs));
		at = 0;
	}
	m->nr_objs++;
	o = &m->objs[at];
	memset(o, 0, sizeof(*o));
	o->name = xstrdup(name);
	return o;
}

/*
 * Module names become C strings, sysfs directories and the OBJNAME field of
 * ".klp.rela.OBJNAME.SECTION", which the kernel reads up to the first dot.
 */
bool klp_valid_module_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > KLP_MODULE_NAME_MAX)
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return false;
	return true;
}

/* Symbol names go into C string literals and asm labels unescaped. */
static bool valid_symbol_name(const char *name)
{
	if (!*name)
		return false;
	for (const char *p = name; *p; p++)
		if (!isgraph((unsigned char)*p) || *p == '"' || *p == '\\')
			return false;
	return true;
}

static int check_objname(const struct klp_origin *o, const char *name)
{
	if (streq(name, "vmlinux") || klp_valid_module_name(name))
		return 0;
	return BAD(o, "bad object name '%s' (want vmlinux or a module name of at most %d "
		   "letters, digits, '_' and '-')", name, KLP_MODULE_NAME_MAX);
}

/* @name must be a global symbol of code defined in @obj. */
static int check_defined(const struct elf_object *obj, const struct klp_origin *o,
			 const char *name)
{
	struct elf_symbol *s;

	if (!valid_symbol_name(name))
		return BAD(o, "bad symbol name '%s'", name);
	if (starts_with(name, GEN_PREFIX))
		return BAD(o, "symbol %s: names starting with " GEN_PREFIX
			   " are reserved for the generated module code", name);
	for (s = elf_find_symbol(obj, name); s; s = s->next_same_name) {
		if (!s->sec || sym_is_local(s))
			continue;
		if (!(s->sec->sh->sh_flags & SHF_EXECINSTR))
			return BAD(o, "symbol %s is not code (defined in section %s)", name,
				   s->sec->name);
		return 0;
	}
	return BAD(o, "no global symbol %s defined in this object", name);
}

static int parse_sympos(const struct klp_origin *o, const char *s, unsigned long *pos)
{
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)*s))
		return BAD(o, "bad symbol position '%s' (want a decimal number)", s);
	*pos = strtoul(s, &end, 10);
	if (*end || errno)
		return BAD(o, "bad symbol position '%s' (want a decimal number)", s);
	return 0;
}

/*
 * The first record for function @old_name of object @objname, else NULL
 * after noting this one. Sympos 0 (the only one) and 1 (the first one) name
 * the same function.
 */
static const struct klp_origin *seen_func(struct klp_manifest *m, const char *objname,
					  const char *old_name, unsigned long sympos,
					  const struct klp_origin *o)
{
	char *key = xasprintf("%s %s %lu", objname, old_name, sympos ? sympos : 1);
	void **slot = strmap_slot(&m->funcs, key);
	struct klp_origin *first;

	if (*slot) {
		free(key);
		return *slot;
	}
	first = xmalloc(sizeof(*first));
	*first = *o;
	*slot = first;
	return NULL;
}

static int add_func(struct klp_manifest *m, const struct elf_object *obj,
		    const struct klp_origin *o, char **field)
{
	const char *objname = field[REC_OBJNAME], *old_name = field[FUNC_OLD_NAME];
	const char *new_sym = field[FUNC_NEW_SYMBOL];
	const struct klp_origin *first;
	struct klp_object_spec *os;
	struct klp_func_spec *f;
	unsigned long sympos = 0;

	if (check_objname(o, objname) || parse_sympos(o, field[FUNC_SYMPOS], &sympos) ||
	    check_defined(obj, o, new_sym))
		return -1;
	if (!valid_symbol_name(old_name))
		return BAD(o, "bad function name '%s'", old_name);
	first = seen_func(m, objname, old_name, sympos, o);
	if (first)
		return BAD(o, "%s function %s (sympos %lu) is already patched by %s line %u",
			   objname, old_name, sympos, first->file, first->line);
	os = get_object(m, objname);
	GROW(os->funcs, os->nr_funcs, os->alloc_funcs, os->nr_funcs + 1);
	f = &os->funcs[os->nr_funcs++];
	f->old_name = xstrdup(old_name);
	f->sympos = sympos;
	f->new_sym = xstrdup(new_sym);
	f->origin = *o;
	return 0;
}

static int add_callback(struct klp_manifest *m, const struct elf_object *obj,
			const struct klp_origin *o, char **field)
{
	const char *objname = field[REC_OBJNAME], *kind_name = field[CALLBACK_KIND];
	const char *sym = field[CALLBACK_SYMBOL];
	struct klp_callback_spec *cb;
	int kind;

	if (check_objname(o, objname))
		return -1;
	kind = callback_kind_by_name(kind_name);
	if (!kind)
		return BAD(o, "unknown callback kind '%s' (want pre_patch, post_patch, "
			   "pre_unpatch or post_unpatch)", kind_name);
	if (check_defined(obj, o, sym))
		return -1;
	cb = &get_object(m, objname)->callbacks[kind];
	if (cb->sym)
		return BAD(o, "%s already has a %s callback (%s, from %s line %u)", objname,
			   kind_name, cb->sym, cb->origin.file, cb->origin.line);
	cb->sym = xstrdup(sym);
	cb->origin = *o;
	return 0;
}

/* Split @line at single spaces into at most @max fields; returns the count or -1. */
static int split_fields(const struct klp_origin *o, char *line, char **field, int max)
{
	int n = 0;

	for (char *p = line; *p; p++)
		if (!isprint((unsigned char)*p))
			return BAD(o, "unexpected character 0x%02x", (unsigned char)*p);
	while (line) {
		char *f = strsep(&line, " ");

		if (!*f)
			return BAD(o, "empty field (fields are separated by single spaces)");
		if (n == max)
			return BAD(o, "too many fields");
		field[n++] = f;
	}
	return n;
}

static int parse_record(struct klp_manifest *m, const struct elf_object *obj,
			const struct klp_origin *o, char *line)
{
	char *field[FUNC_FIELDS + 1];	/* one more: "too many fields" */
	int n;

	if (!*line)
		return BAD(o, "empty line");
	n = split_fields(o, line, field, (int)ARRAY_SIZE(field));
	if (n < 0)
		return -1;
	if (streq(field[REC_TYPE], "func")) {
		if (n != FUNC_FIELDS)
			return BAD(o, "want 'func OBJNAME OLD_NAME SYMPOS NEW_SYMBOL'");
		return add_func(m, obj, o, field);
	}
	if (streq(field[REC_TYPE], "callback")) {
		if (n != CALLBACK_FIELDS)
			return BAD(o, "want 'callback OBJNAME KIND SYMBOL'");
		return add_callback(m, obj, o, field);
	}
	if (streq(field[REC_TYPE], "object")) {
		if (n != OBJECT_FIELDS)
			return BAD(o, "want 'object OBJNAME'");
		if (check_objname(o, field[REC_OBJNAME]))
			return -1;
		get_object(m, field[REC_OBJNAME]);
		return 0;
	}
	return BAD(o, "unknown record '%s' (want func, callback or object)", field[REC_TYPE]);
}

int klp_manifest_add(struct klp_manifest *m, struct elf_object *obj)
{
	struct elf_section *sec = elf_find_section(obj, MANIFEST_SECTION);
	struct klp_origin o = { obj->path, 0 };
	char *text, *p, *line;
	size_t size;
	int ret = 0;

	if (!sec)
		return error(obj->path, "no " MANIFEST_SECTION " section: not a patch object "
			     "from 'klpdiff extract'");
	if (sec->sh->sh_type != SHT_PROGBITS || !sec->data)
		return error(obj->path, MANIFEST_SECTION " is empty or not SHT_PROGBITS");
	/* Tolerate the NUL padding a section may get; a NUL inside is an error below. */
	size = sec->sh->sh_size;
	while (size && !sec->data[size - 1])
		size--;
	if (size == 0)
		return error(obj->path, MANIFEST_SECTION " has no records");
	if (sec->data[size - 1] == '\n')
		size--;
	text = xstrndup((const char *)sec->data, size);
	if (strlen(text) != size) {
		free(text);
		return error(obj->path, MANIFEST_SECTION " contains a NUL byte");
	}
	for (p = text; p && !ret;) {
		line = strsep(&p, "\n");
		o.line++;
		ret = parse_record(m, obj, &o, line);
	}
	free(text);
	return ret;
}

static void write_declarations(FILE *fp, const struct klp_manifest *m)
{
	fprintf(fp, "/* Defined in the patch objects. */\n");
	for (size_t i = 0; i < m->nr_objs; i++) {
		const struct klp_object_spec *o = &m->objs[i];

		for (size_t k = 0; k < o->nr_funcs; k++)
			fprintf(fp, "extern void " GEN_PREFIX "func_%zu_%zu(void) "
				    "__asm__(\"%s\");\n", i, k, o->funcs[k].new_sym);
		for_each_callback_kind(k)
			if (o->callbacks[k].sym)
				fprintf(fp, "extern %s " GEN_PREFIX "%s_%zu(struct klp_object "
					    "*obj) __asm__(\"%s\");\n",
					callback_kinds[k].returns, callback_kinds[k].name, i,
					o->callbacks[k].sym);
	}
	fputc('\n', fp);
}

/* klp requires .funcs even for an object with callbacks only: an empty list then. */
static void write_funcs(FILE *fp, const struct klp_object_spec *o, size_t i)
{
	fprintf(fp, "static struct klp_func " GEN_PREFIX "funcs_%zu[] = {\n", i);
	for (size_t k = 0; k < o->nr_funcs; k++)
		fprintf(fp, "\t{\n"
			    "\t\t.old_name = \"%s\",\n"
			    "\t\t.new_func = " GEN_PREFIX "func_%zu_%zu,\n"
			    "\t\t.old_sympos = %lu,\n"
			    "\t},\n",
			o->funcs[k].old_name, i, k, o->funcs[k].sympos);
	fprintf(fp, "\t{ }\n};\n\n");
}

static void write_object(FILE *fp, const struct klp_object_spec *o, size_t i)
{
	bool any_callback = false;

	fprintf(fp, "\t{\n");
	if (streq(o->name, "vmlinux"))
		fprintf(fp, "\t\t.name = NULL,\t/* vmlinux */\n");
	else
		fprintf(fp, "\t\t.name = \"%s\",\n", o->name);
	fprintf(fp, "\t\t.funcs = " GEN_PREFIX "funcs_%zu,\n", i);
	for_each_callback_kind(k) {
		if (!o->callbacks[k].sym)
			continue;
		if (!any_callback)
			fprintf(fp, "\t\t.callbacks = {\n");
		any_callback = true;
		fprintf(fp, "\t\t\t.%s = " GEN_PREFIX "%s_%zu,\n", callback_kinds[k].name,
			callback_kinds[k].name, i);
	}
	if (any_callback)
		fprintf(fp, "\t\t},\n");
	fprintf(fp, "\t},\n");
}

void klp_write_source(FILE *fp, const struct klp_manifest *m, bool replace)
{
	fprintf(fp, "// SPDX-License-Identifier: GPL-2.0-or-later\n"
		    "/* Generated by klpdiff module: the live patch of the patch objects. */\n"
		    "#include <linux/module.h>\n"
		    "#include <linux/kernel.h>\n"
		    "#include <linux/livepatch.h>\n\n");
	write_declarations(fp, m);
	for (size_t i = 0; i < m->nr_objs; i++)
		write_funcs(fp, &m->objs[i], i);
	fprintf(fp, "static struct klp_object " GEN_PREFIX "objs[] = {\n");
	for (size_t i = 0; i < m->nr_objs; i++)
		write_object(fp, &m->objs[i], i);
	fprintf(fp, "\t{ }\n};\n\n");
	fprintf(fp, "static struct klp_patch " GEN_PREFIX "patch = {\n"
		    "\t.mod = THIS_MODULE,\n"
		    "\t.objs = " GEN_PREFIX "objs,\n"
		    "\t.replace = %s,\n"
		    "};\n\n", replace ? "true" : "false");
	fprintf(fp, "static int __init " GEN_PREFIX "init(void)\n"
		    "{\n"
		    "\treturn klp_enable_patch(&" GEN_PREFIX "patch);\n"
		    "}\n\n"
		    "static void __exit " GEN_PREFIX "exit(void)\n"
		    "{\n"
		    "}\n\n"
		    "module_init(" GEN_PREFIX "init);\n"
		    "module_exit(" GEN_PREFIX "exit);\n"
		    "MODULE_LICENSE(\"GPL\");\n"
		    "MODULE_INFO(livepatch, \"Y\");\n"
		    "MODULE_DESCRIPTION(\"Live patch built by klpdiff " KLPDIFF_VERSION "\");\n");
}
