/*
 * The etcd cluster of the unit tests (see etcd-cluster.h). Members are started
 * with short Raft timings (25 ms heartbeat, 250 ms election, unless asked) so that failover
 * tests stay fast, and with PR_SET_PDEATHSIG so that none outlives a crashed
 * test.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "etcd-client.h"
#include "etcd-cluster.h"

void ec_sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

struct timespec ec_after_ms(long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

int ec_free_port(int *fd)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    *fd = socket(AF_INET, SOCK_STREAM, 0);
    if (*fd < 0 || bind(*fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        getsockname(*fd, (struct sockaddr *)&a, &len) < 0)
        return -1;
    return ntohs(a.sin_port);
}

static int choose_ports(ec_cluster_t *ec)
{
    int fds[2 * EC_MEMBERS];
    int ok = 1;
    for (int i = 0; i < EC_MEMBERS; i++) {
        ec_member_t *m = &ec->m[i];
        m->client_port = ec_free_port(&fds[2 * i]);
        m->peer_port = ec_free_port(&fds[2 * i + 1]);
        ok = ok && m->client_port > 0 && m->peer_port > 0 && m->client_port != 2379 &&
             m->peer_port != 2380;
        snprintf(m->url, sizeof(m->url), "http://127.0.0.1:%d", m->client_port);
    }
    for (int i = 0; i < 2 * EC_MEMBERS; i++)
        close(fds[i]);
    snprintf(ec->urls, sizeof(ec->urls), "%s,%s,%s", ec->m[0].url, ec->m[1].url, ec->m[2].url);
    return ok ? 0 : -1;
}

/* Member i's data is in DIR/m<i>, its log in DIR/m<i>.log. */
void ec_spawn(ec_cluster_t *ec, int i)
{
    char name[8], data[PATH_MAX], log[PATH_MAX], peer[64], cluster[512], token[64];
    char elect[16], beat[16];
    size_t off = 0;
    pid_t pid;
    snprintf(name, sizeof(name), "m%d", i);
    snprintf(data, sizeof(data), "%s/m%d", ec->dir, i);
    snprintf(log, sizeof(log), "%s/m%d.log", ec->dir, i);
    snprintf(peer, sizeof(peer), "http://127.0.0.1:%d", ec->m[i].peer_port);
    snprintf(token, sizeof(token), "gfs-test-%d", (int)getpid());
    snprintf(elect, sizeof(elect), "%d", ec->election_ms);
    snprintf(beat, sizeof(beat), "%d", ec->election_ms / 10);
    for (int k = 0; k < EC_MEMBERS; k++)
        off += (size_t)snprintf(cluster + off, sizeof(cluster) - off, "%sm%d=http://127.0.0.1:%d",
                                k ? "," : "", k, ec->m[k].peer_port);
    pid = fork();
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execlp(ec->etcd, "etcd", "--name", name, "--data-dir", data, "--listen-client-urls",
               ec->m[i].url, "--advertise-client-urls", ec->m[i].url, "--listen-peer-urls", peer,
               "--initial-advertise-peer-urls", peer, "--initial-cluster", cluster,
               "--initial-cluster-state", "new", "--initial-cluster-token", token,
               "--heartbeat-interval", beat, "--election-timeout", elect, (char *)NULL);
        _exit(127);
    }
    ec->m[i].pid = pid > 0 ? pid : 0;
}

void ec_kill(ec_cluster_t *ec, int i, int sig)
{
    if (ec->m[i].pid <= 0)
        return;
    kill(ec->m[i].pid, sig);
    kill(ec->m[i].pid, SIGCONT); /* a member a test left stopped must still see sig */
    waitpid(ec->m[i].pid, NULL, 0);
    ec->m[i].pid = 0;
}

/* One read's answer, for ec_ready. */
typedef struct probe {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done, err;
} probe_t;

static void probe_cb(const gd_etcd_reply_t *reply, void *cookie)
{
    probe_t *p = cookie;
    pthread_mutex_lock(&p->mu);
    p->err = reply->err;
    p->done = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* One read through c: whether it was answered without error. A probe not
 * answered in time is left to its late callback (leaked, in a failing run). */
static int probe_once(gd_etcd_t *c)
{
    probe_t *p = calloc(1, sizeof(*p));
    struct timespec until = ec_after_ms(2000);
    int ok, done;
    if (!p)
        return 0;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (gd_etcd_range(c, "ready", 0, probe_cb, p) != 0) {
        free(p);
        return 0;
    }
    pthread_mutex_lock(&p->mu);
    while (!p->done && pthread_cond_timedwait(&p->cv, &p->mu, &until) == 0)
        ;
    done = p->done;
    ok = done && p->err == 0;
    pthread_mutex_unlock(&p->mu);
    if (done)
        free(p);
    return ok;
}

int ec_ready(ec_cluster_t *ec, int i)
{
    gd_etcd_opts_t opts = {.deadline_ms = 300, .attempt_ms = 300};
    gd_etcd_t *c;
    int ok = 0;
    if (gd_etcd_new(ec->m[i].url, ec->events, ec->timers, &opts, &c) != 0)
        return 0;
    for (int tries = 0; tries < 60 && !ok; tries++) {
        ok = probe_once(c);
        if (!ok)
            ec_sleep_ms(100);
    }
    gd_etcd_destroy(c);
    return ok;
}

const char *ec_find_etcd(void)
{
    static char found[PATH_MAX];
    const char *env = getenv("ETCD"), *path = getenv("PATH");
    char *copy, *save = NULL;
    if (env && *env)
        return access(env, X_OK) == 0 ? env : NULL;
    copy = strdup(path ? path : "/usr/bin:/bin");
    for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        snprintf(found, sizeof(found), "%s/etcd", d);
        if (access(found, X_OK) == 0) {
            free(copy);
            return found;
        }
    }
    free(copy);
    return NULL;
}

int ec_start(ec_cluster_t *ec, const char *etcd)
{
    return ec_start_timed(ec, etcd, 250);
}

int ec_start_timed(ec_cluster_t *ec, const char *etcd, int election_ms)
{
    memset(ec, 0, sizeof(*ec));
    ec->etcd = etcd;
    ec->election_ms = election_ms;
    snprintf(ec->dir, sizeof(ec->dir), "/tmp/gfs-test-etcd-XXXXXX");
    if (!mkdtemp(ec->dir) || choose_ports(ec) != 0)
        return -1;
    ec->events = gf_event_pool_new(2);
    ec->timers = gf_timer_wheel_new();
    if (!ec->events || !ec->timers)
        return -1;
    for (int i = 0; i < EC_MEMBERS; i++)
        ec_spawn(ec, i);
    for (int i = 0; i < EC_MEMBERS; i++) {
        if (!ec_ready(ec, i)) {
            fprintf(stderr, "etcd member %d did not start; see %s/m%d.log\n", i, ec->dir, i);
            return -1;
        }
    }
    return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

void ec_stop(ec_cluster_t *ec)
{
    for (int i = 0; i < EC_MEMBERS; i++)
        ec_kill(ec, i, SIGTERM);
    if (ec->events)
        gf_event_pool_destroy(ec->events);
    if (ec->timers)
        gf_timer_wheel_destroy(ec->timers);
    ec->events = NULL;
    ec->timers = NULL;
    if (ec->dir[0])
        nftw(ec->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}
