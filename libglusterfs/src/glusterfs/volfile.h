/*
 * Volfiles: the text that describes a translator graph.
 *
 *   # a comment
 *   volume NAME
 *       type CATEGORY/NAME
 *       option KEY VALUE
 *       subvolumes A B C
 *   end-volume
 *
 * One statement per line. A value holding spaces is written in double quotes,
 * with \" and \\ as the only escapes. A volume may only use volumes defined
 * before it as subvolumes, so the last volume defined is the top of the graph.
 *
 * The parser only checks the text and describes it (gf_volfile_t); loading the
 * translators and checking their options is graph.h's job.
 */
#ifndef GF_VOLFILE_H
#define GF_VOLFILE_H

#include <stddef.h>

struct gf_dict;

typedef struct gf_volfile_vol {
    char *name;
    char *type;               /* "CATEGORY/NAME" */
    struct gf_dict *options;  /* KEY -> VALUE, as strings; never NULL */
    char **subvols;           /* names of its subvolumes, in the order given */
    int n_subvols;
    int line;                 /* line of its `volume` statement */
    int subvols_line;         /* line of its `subvolumes` statement; 0 when none */
} gf_volfile_vol_t;

typedef struct gf_volfile {
    gf_volfile_vol_t *vols;   /* in definition order: every subvolume before its users */
    int n_vols;
} gf_volfile_t;

/*
 * Parses len bytes of text (need not be NUL-terminated). Returns 0 with *out set
 * (free it with gf_volfile_free), or -EINVAL with err[errlen] saying
 * "line N: what is wrong", or -ENOMEM.
 */
int gf_volfile_parse(const char *text, size_t len, gf_volfile_t **out, char *err, size_t errlen);

/* Reads and parses the file at path; errors are prefixed with the path. Returns 0,
 * -EINVAL, or the -errno of reading the file. */
int gf_volfile_from_file(const char *path, gf_volfile_t **out, char *err, size_t errlen);

void gf_volfile_free(gf_volfile_t *vf);

/* The top of the graph: the last volume defined. */
const gf_volfile_vol_t *gf_volfile_top(const gf_volfile_t *vf);

/* The volume called name, or NULL. */
const gf_volfile_vol_t *gf_volfile_find(const gf_volfile_t *vf, const char *name);

#endif
