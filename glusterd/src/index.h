/*
 * A small index from text keys to records (brick path -> brick, ...), so that
 * looking a brick up stays O(1) with thousands of bricks. The keys are not
 * copied: each must stay valid, unchanged, while its entry is in the index
 * (typically it is a field of the record). Not thread-safe.
 */
#ifndef GD_INDEX_H
#define GD_INDEX_H

typedef struct gd_index gd_index_t;

/* An empty index; NULL on ENOMEM. */
gd_index_t *gd_index_new(void);
/* Frees the index (not the records). NULL is ignored. */
void gd_index_free(gd_index_t *idx);

/* Makes key name record (replacing what it named). 0 or -ENOMEM. */
int gd_index_put(gd_index_t *idx, const char *key, void *record);
/* The record key names, or NULL. */
void *gd_index_get(const gd_index_t *idx, const char *key);
/* Forgets key (nothing when absent). */
void gd_index_del(gd_index_t *idx, const char *key);

#endif
