// SPDX-License-Identifier: GPL-2.0-or-later
#line 3 "fx.c"
/*
 * fx_f() has an entry in each special section whose layout changed between
 * kernels; each copy fx_VARIANT.c is compiled with -DV_VARIANT, which
 * changes one of them (tests/kernel/kernel-headers.t). The #line above keeps
 * __FILE__ the same in every copy.
 */
#include <linux/module.h>
#include <linux/bug.h>
#include <linux/jump_label.h>
#include <asm/alternative.h>
#include <asm/asm.h>
#ifdef CONFIG_HAVE_STATIC_CALL_INLINE
#include <linux/static_call.h>
#endif

MODULE_LICENSE("GPL");
DEFINE_STATIC_KEY_FALSE(fx_key);

#if defined(V_alt_repl)
#define REPL "lfence"
#else
#define REPL "pause"
#endif
#if defined(V_alt_feature)
#define FEATURE X86_FEATURE_XMM3
#else
#define FEATURE X86_FEATURE_XMM2
#endif

int fx_g(int x);
#ifdef CONFIG_HAVE_STATIC_CALL_INLINE
DEFINE_STATIC_CALL(fx_call, fx_g);
DEFINE_STATIC_CALL(fx_call2, fx_g);
#endif

int fx_f(int x);
int fx_f(int x)
{
	alternative("nop", REPL, FEATURE);
#if defined(V_fixup)
	asm volatile("1: nop\n2: nop\n3:\n" _ASM_EXTABLE(1b, 3b));
#else
	asm volatile("1: nop\n2: nop\n3:\n" _ASM_EXTABLE(1b, 2b));
#endif
#if defined(V_likely)
	if (static_branch_likely(&fx_key))
#else
	if (static_branch_unlikely(&fx_key))
#endif
		x++;
#if defined(V_line)
#line 300
#endif
	WARN_ON(x == 42);
#if defined(V_warn_fmt)
	WARN(x == 43, "fx: %d!\n", x);
#else
	WARN(x == 43, "fx: %d\n", x);
#endif
#if defined(CONFIG_HAVE_STATIC_CALL_INLINE) && defined(V_call_key)
	x = static_call(fx_call2)(x);
#elif defined(CONFIG_HAVE_STATIC_CALL_INLINE)
	x = static_call(fx_call)(x);
#endif
	return x;
}

int fx_g(int x)
{
	return x * 3;
}
