/*
 * The translator directory shared by the unit tests that load translators (see
 * xl-testdir.h).
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "glusterfs/log.h"
#include "xl-testdir.h"

/* Links dir/CATEGORY/NAME.so to the built module named "CATEGORY/NAME". */
static void link_module(const char *dir, const char *module)
{
    char target[PATH_MAX], link[PATH_MAX], category[64];
    const char *slash = strchr(module, '/');

    assert_non_null(slash);
    snprintf(category, sizeof(category), "%.*s", (int)(slash - module), module);
    snprintf(target, sizeof(target), "%s/%s.so", TEST_XLATOR_DIR, module);
    if (access(target, F_OK) != 0)
        snprintf(target, sizeof(target), "%s/%s/.libs/%s.so", TEST_XLATOR_DIR, category, slash + 1);
    snprintf(link, sizeof(link), "%s/%s", dir, category);
    assert_true(mkdir(link, 0700) == 0 || access(link, F_OK) == 0);
    snprintf(link, sizeof(link), "%s/%s.so", dir, module);
    assert_int_equal(symlink(target, link), 0);
}

void xlt_dir_make(char *dir, const char *const *modules, const char *ident)
{
    char log_path[PATH_MAX];

    assert_non_null(mkdtemp(dir));
    for (; *modules; modules++)
        link_module(dir, *modules);
    snprintf(log_path, sizeof(log_path), "%s/test.log", dir);
    assert_int_equal(gf_log_init(log_path, ident), 0);
    gf_log_set_level(GF_LOG_INFO);
}

int xlt_dir_remove(const char *dir)
{
    char cmd[PATH_MAX + 16];

    gf_log_fini();
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd);
}
