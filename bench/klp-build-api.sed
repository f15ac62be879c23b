# kpatch's patch-author API, as the peer patches use it, in the words of the
# kernel's own (include/linux/livepatch_helpers.h, Linux 6.19+), for klp-build,
# which has no kpatch-macros.h or kpatch-syscall.h: bench/klp-build runs it on
# X-klp-api.patch (sed -f this X.patch) beside X.patch. The lines stay one for
# one: the hunks' counts hold.
s|^+#include "kpatch-macros.h"$|+#include <linux/livepatch_helpers.h>|
s|^+#include "kpatch-syscall.h"$|+#include <linux/livepatch_helpers.h>|
/^+/ s/\bpatch_object \*/struct klp_object */g
/^+/ s/\bKPATCH_\(PRE\|POST\)_\(UN\)\{0,1\}PATCH_CALLBACK(/KLP_\1_\2PATCH_CALLBACK(/
/^+/ s/\bKPATCH_SYSCALL_DEFINE\([0-6]\)(/KLP_SYSCALL_DEFINE\1(/
