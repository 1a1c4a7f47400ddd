// Whether constantTimeEquals takes as long whatever byte differs (docs/SECURITY.md §4): MACs of
// 64 hex digits that differ in their first, middle or last byte, or not at all, compared a few million times each,
// interleaved in rounds so that the machine's noise falls on every case alike. Prints ns per comparison and each
// case's ratio to the first. A figure, not a pass/fail test.
//
//   build/release/tests/bench/bench_compare [millions of comparisons per case, default 20]
#include "signing/hmac.h"

#include <QByteArray>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

using namespace pimscope;

int main(int argc, char **argv)
{
    const long millions = argc > 1 ? std::max(1L, std::strtol(argv[1], nullptr, 10)) : 20;
    const QByteArray mac = "d197c6a8828de9e9ea852c13b75eb815bf1a5445c6dfc9658e6a33dd5d7bbf5f";
    struct Case
    {
        const char *name;
        QByteArray other;
        double ns = 0;
    };
    Case cases[]
        = {{"differs in byte 1", mac}, {"differs in byte 32", mac}, {"differs in byte 64", mac}, {"equal", mac}};
    cases[0].other[0] = 'e';
    cases[1].other[31] = 'e';
    cases[2].other[63] = 'e';
    const int rounds = 10;
    const long perRound = millions * 1'000'000 / rounds;
    volatile int sink = 0;
    for (int round = 0; round < rounds; ++round) {
        for (Case &c : cases) {
            const auto start = std::chrono::steady_clock::now();
            for (long i = 0; i < perRound; ++i)
                sink = sink + constantTimeEquals(mac, c.other);
            c.ns += std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
        }
    }
    std::printf("constantTimeEquals on 64-byte MACs, %ld million comparisons per case\n", millions);
    for (const Case &c : cases)
        std::printf("  %-20s %7.2f ns  ratio %.3f\n", c.name, c.ns / double(perRound * rounds), c.ns / cases[0].ns);
    return sink == -1;
}
