#pragma once

// What the fuzz targets share: a contract check that aborts (libFuzzer records the input), and an empty
// LLVMFuzzerInitialize for the targets that need no set-up.

#include <cstdio>
#include <cstdlib>

namespace pimscope::fuzz {

/** Aborts with "TARGET: broken contract: WHAT" unless `condition` holds. */
inline void check(bool condition, const char *target, const char *what)
{
    if (!condition) {
        std::fprintf(stderr, "%s: broken contract: %s\n", target, what);
        std::abort();
    }
}

} // namespace pimscope::fuzz

#define PIMSCOPE_FUZZ_NO_INITIALIZE                                                                                    \
    extern "C" int LLVMFuzzerInitialize(int *, char ***)                                                               \
    {                                                                                                                  \
        return 0;                                                                                                      \
    }
