// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: `klpdiff diff` of two objects. The input is split in two
 * at the offset its first two bytes give.
 */
#include <stdint.h>

#include "analysis/diff.h"
#include "analysis/inputs.h"
#include "base/util.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct loaded orig = { 0 }, patched = { 0 };
	struct diff_result res = { 0 };
	char a[64], b[64];
	size_t split;
	int fa, fb;

	if (size < 2)
		return 0;
	split = ((size_t)data[0] << 8 | data[1]) % (size - 1);
	fa = fuzz_file(data + 2, split, a, sizeof(a));
	fb = fuzz_file(data + 2 + split, size - 2 - split, b, sizeof(b));
	if (fa >= 0 && fb >= 0 && !load_input(&orig, a) && !load_input(&patched, b)) {
		diff_sums(&res, &orig.sums, &patched.sums);
		diff_sort(&res);
		diff_has_changes(&res);
	}
	diff_free(&res);
	loaded_free(&orig);
	loaded_free(&patched);
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	return 0;
}
