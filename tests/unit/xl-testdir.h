/*
 * A private translator directory for a unit test that loads real translators:
 * links to the modules of this build (TEST_XLATOR_DIR, as libtool leaves them,
 * with or without .libs/), laid out CATEGORY/NAME.so as the graph loader expects,
 * and the test's log file in it.
 */
#ifndef XL_TESTDIR_H
#define XL_TESTDIR_H

/* Makes dir (a mkdtemp template, rewritten in place), links each of modules
 * ("storage/posix", ...; NULL-terminated) into it and opens the log dir/test.log
 * under ident. Fails the test on any error. */
void xlt_dir_make(char *dir, const char *const *modules, const char *ident);

/* Closes the log and removes dir. Returns 0 or non-zero on failure. */
int xlt_dir_remove(const char *dir);

#endif
