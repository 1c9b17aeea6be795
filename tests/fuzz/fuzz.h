/*
 * What the libFuzzer targets of tests/fuzz share: the entry point's
 * declaration and a check that turns a broken invariant into a crash the
 * fuzzer reports (with the failed condition), independent of NDEBUG.
 */
#ifndef GF_FUZZ_H
#define GF_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif
