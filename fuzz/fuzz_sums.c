// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: the ELF loader and the checksums of `klpdiff sums`. */
#include <stdint.h>

#include "elf/elf_object.h"
#include "analysis/sums.h"
#include "base/util.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = fuzz_file(data, size, path, sizeof(path));
	struct sum_list list = { 0 };
	struct elf_object *obj;

	if (fd < 0)
		return 0;
	obj = elf_open(path, NULL);
	if (obj) {
		sums_compute(&list, obj, NULL);
		sums_sort(&list);
		sums_free(&list);
		elf_close(obj);
	}
	close(fd);
	return 0;
}
