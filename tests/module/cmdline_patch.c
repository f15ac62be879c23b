// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A hand-made patch object, as `klpdiff extract` would write one, for the
 * tests of `klpdiff module`: a new cmdline_proc_show() (fs/proc/cmdline.c)
 * that prints "klpdiff: " and the command line, then the /proc/version
 * banner. It reaches two things vmlinux does not export through livepatch
 * relocations (.klpdiff.relocs entries):
 *  - saved_command_line, read with a RIP-relative load (R_X86_64_PC32),
 *  - the static version_proc_show() of fs/proc/version.c, called through a
 *    pointer in .data that the kernel fills in (R_X86_64_64).
 * And a post_patch callback for the pcspkr module that reads pcspkr's static
 * platform driver through a module livepatch relocation, which the kernel
 * applies only when pcspkr loads.
 * The test adds the .klpdiff.manifest section with objcopy.
 */
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/platform_device.h>
#include <linux/seq_file.h>

/*
 * One .klpdiff.relocs entry: u64 place, u64 name, s64 addend, u32 type,
 * u32 pad; the assembler's R_X86_64_64 relocations fill place and name.
 */
#define KLP_RELOC(place, sym, type, addend)			\
	".pushsection .klpdiff.strings, \"\", @progbits\n"	\
	"990: .asciz \"" sym "\"\n"				\
	".popsection\n"						\
	".pushsection .klpdiff.relocs, \"\", @progbits\n"	\
	".balign 8\n"						\
	".quad " place ", 990b, " #addend "\n"			\
	".long " #type ", 0\n"					\
	".popsection\n"

/* Global, so that the compiler cannot assume it stays NULL. */
int (*klpdiff_test_version_show)(struct seq_file *m, void *v) __section(".data");
asm(KLP_RELOC("klpdiff_test_version_show", ".klp.sym.vmlinux.version_proc_show,0",
	      1 /* R_X86_64_64 */, 0));

static const char *saved_cmdline(void)
{
	const char *p;

	/* movq saved_command_line(%rip), p: the kernel writes the displacement. */
	asm("movq 0(%%rip), %0\n991:\n"
	    KLP_RELOC("991b - 4", ".klp.sym.vmlinux.saved_command_line,0",
		      2 /* R_X86_64_PC32 */, -4)
	    : "=r"(p));
	return p;
}

/* A dotted name, as extract gives new functions: reachable only by asm label. */
int new_cmdline_proc_show(struct seq_file *m, void *v) __asm__("cmdline_proc_show.klpdiff");
int new_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "klpdiff: %s\n", saved_cmdline());
	return klpdiff_test_version_show(m, v);
}

void klpdiff_test_pcspkr_post_patch(struct klp_object *obj);
void klpdiff_test_pcspkr_post_patch(struct klp_object *obj)
{
	const struct platform_driver *drv;

	/* leaq pcspkr_platform_driver(%rip), drv */
	asm("leaq 0(%%rip), %0\n992:\n"
	    KLP_RELOC("992b - 4", ".klp.sym.pcspkr.pcspkr_platform_driver,0",
		      2 /* R_X86_64_PC32 */, -4)
	    : "=r"(drv));
	pr_info("klpdiff-test: %s post_patch: driver %s\n", obj->name, drv->driver.name);
}
