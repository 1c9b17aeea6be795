/*
 * The process signature of a brick: what must be equal for two bricks to share a
 * brick process. It is derived from the brick's generated volfile and the option
 * tables of its translators (xlmeta.h), never from a hand-kept list: the value of
 * every option whose scope is `process` (set in the volfile, or the translator's
 * default), which takes in the transport (type, TLS on/off, TLS material). The
 * volfile is generated for a brick not yet placed (listen port 0), so the port a
 * process listens on does not tell bricks apart.
 */
#ifndef GD_PROCSIG_H
#define GD_PROCSIG_H

#include <stddef.h>

#include "xlmeta.h"

/*
 * The signature of the brick volfile text: one line "TYPE KEY=VALUE" per
 * process-scoped option of each translator of the graph, with booleans, integers
 * and sizes in one spelling, sorted. 0 with *sig allocated (gf_free it; equal
 * signatures compare equal with strcmp), or -EINVAL (the volfile does not parse,
 * or a translator has no such option), the error of reading a translator's table
 * (xlmeta.h), or -ENOMEM, with err saying what failed.
 */
int gd_procsig(gd_xlmeta_t *meta, const char *volfile, char **sig, char *err, size_t errlen);

#endif
