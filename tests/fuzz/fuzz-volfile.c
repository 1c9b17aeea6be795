/*
 * Fuzz target of the volfile parser, gf_volfile_parse
 * (libglusterfs/src/volfile.c), which reads the volfiles a brick process gets
 * in ATTACH and a client gets from GETSPEC.
 *
 * The input is the volfile text. A parse that succeeds must describe a graph
 * the way volfile.h promises: named, typed volumes, every subvolume defined
 * before its user, the last volume on top. A parse that fails must say why.
 */
#include <string.h>

#include "fuzz.h"
#include "glusterfs/volfile.h"

static void check_graph(const gf_volfile_t *vf)
{
    FUZZ_CHECK(vf->n_vols > 0);
    FUZZ_CHECK(gf_volfile_top(vf) == &vf->vols[vf->n_vols - 1]);
    for (int i = 0; i < vf->n_vols; i++) {
        const gf_volfile_vol_t *vol = &vf->vols[i];

        FUZZ_CHECK(vol->name && vol->name[0] && vol->type && strchr(vol->type, '/'));
        FUZZ_CHECK(vol->options);
        FUZZ_CHECK(gf_volfile_find(vf, vol->name) == vol);
        for (int s = 0; s < vol->n_subvols; s++) {
            const gf_volfile_vol_t *sub = gf_volfile_find(vf, vol->subvols[s]);
            FUZZ_CHECK(sub && sub < vol);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gf_volfile_t *vf;
    char err[256] = "";

    if (gf_volfile_parse((const char *)data, size, &vf, err, sizeof(err)) != 0) {
        FUZZ_CHECK(strncmp(err, "line ", 5) == 0);
        FUZZ_CHECK(vf == NULL);
        return 0;
    }
    check_graph(vf);
    gf_volfile_free(vf);
    return 0;
}
