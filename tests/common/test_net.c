/* test_net.c: listening and connecting by name, on loopback only. */
#include "harness.h"
#include "suites.h"

#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- Listening --------------------------------------------------------------------- */

/* Port "0" lets the kernel pick a free port, and net_local_port() tells which. */
START_TEST(listen_on_port_zero_picks_a_port)
{
    char why[256] = "";
    int fd = net_listen("127.0.0.1", "0", 8, why, sizeof why);
    ck_assert_msg(fd >= 0, "net_listen: %s", why);
    int port = net_local_port(fd);
    ck_assert_int_gt(port, 0);
    ck_assert_int_le(port, 65535);
    close(fd);
}
END_TEST

/* The line a server prints: "http://127.0.0.1:PORT/", with the real port. */
START_TEST(listen_url_ipv4)
{
    char why[256] = "";
    int fd = net_listen("127.0.0.1", "0", 8, why, sizeof why);
    ck_assert_msg(fd >= 0, "net_listen: %s", why);
    char url[NET_ADDRSTRLEN + 16];
    char expected[NET_ADDRSTRLEN + 16];
    ck_assert_int_eq(net_listen_url(fd, "http", url, sizeof url), 0);
    snprintf(expected, sizeof expected, "http://127.0.0.1:%d/", net_local_port(fd));
    ck_assert_str_eq(url, expected);

    ck_assert_int_eq(net_listen_url(fd, "chat", url, sizeof url), 0);
    snprintf(expected, sizeof expected, "chat://127.0.0.1:%d/", net_local_port(fd));
    ck_assert_str_eq(url, expected);
    close(fd);
}
END_TEST

/* An IPv6 address goes in brackets: "http://[::1]:PORT/". Skipped (passes) only where
 * the machine has no IPv6 loopback. */
START_TEST(listen_url_ipv6_in_brackets)
{
    char why[256] = "";
    int fd = net_listen("::1", "0", 8, why, sizeof why);
    if (fd < 0 && (errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT)) {
        fprintf(stderr, "skipped: no IPv6 loopback here (%s)\n", why);
        return;
    }
    ck_assert_msg(fd >= 0, "net_listen ::1: %s", why);
    char url[NET_ADDRSTRLEN + 16];
    char expected[NET_ADDRSTRLEN + 16];
    ck_assert_int_eq(net_listen_url(fd, "http", url, sizeof url), 0);
    snprintf(expected, sizeof expected, "http://[::1]:%d/", net_local_port(fd));
    ck_assert_str_eq(url, expected);

    char port[16];
    snprintf(port, sizeof port, "%d", net_local_port(fd));
    int client = net_connect("::1", port, why, sizeof why);
    ck_assert_msg(client >= 0, "net_connect ::1: %s", why);
    char peer[NET_ADDRSTRLEN];
    ck_assert_int_eq(net_peer_address(client, peer, sizeof peer), 0);
    ck_assert_str_eq(peer, "::1");
    close(client);
    close(fd);
}
END_TEST

/* The URL must fit: exactly its length plus the NUL works, one byte less is ENOSPC. */
START_TEST(listen_url_buffer_boundary)
{
    char why[256] = "";
    int fd = net_listen("127.0.0.1", "0", 8, why, sizeof why);
    ck_assert_msg(fd >= 0, "net_listen: %s", why);
    char url[NET_ADDRSTRLEN + 16];
    ck_assert_int_eq(net_listen_url(fd, "http", url, sizeof url), 0);
    size_t need = strlen(url) + 1;
    char exact[NET_ADDRSTRLEN + 16];
    ck_assert_int_eq(net_listen_url(fd, "http", exact, need), 0);
    ck_assert_str_eq(exact, url);
    errno = 0;
    ck_assert_int_eq(net_listen_url(fd, "http", exact, need - 1), -1);
    ck_assert_int_eq(errno, ENOSPC);
    close(fd);
}
END_TEST

/* A port already listened on cannot be taken again, SO_REUSEADDR or not, and the
 * reason names the port, so the user knows which one. */
START_TEST(second_listen_on_same_port_fails)
{
    char why[256] = "";
    int fd = net_listen("127.0.0.1", "0", 8, why, sizeof why);
    ck_assert_msg(fd >= 0, "net_listen: %s", why);
    char port[16];
    snprintf(port, sizeof port, "%d", net_local_port(fd));

    why[0] = '\0';
    errno = 0;
    ck_assert_int_eq(net_listen("127.0.0.1", port, 8, why, sizeof why), -1);
    ck_assert_int_eq(errno, EADDRINUSE);
    ck_assert_msg(strstr(why, port) != NULL, "why \"%s\" should name port %s", why, port);
    ck_assert_msg(strstr(why, "127.0.0.1") != NULL, "why \"%s\" should name the host",
                  why);
    close(fd);
}
END_TEST

/* A name that cannot resolve fails at once (no DNS: an empty label is not a name)
 * with a reason naming it. */
START_TEST(bad_host_name_fails_with_reason)
{
    char why[256] = "";
    ck_assert_int_eq(net_listen("bad..host", "0", 8, why, sizeof why), -1);
    ck_assert_msg(strstr(why, "bad..host") != NULL, "why \"%s\" should name the host",
                  why);
    why[0] = '\0';
    ck_assert_int_eq(net_connect("bad..host", "80", why, sizeof why), -1);
    ck_assert_msg(strstr(why, "bad..host") != NULL, "why \"%s\" should name the host",
                  why);
    why[0] = '\0';
    ck_assert_int_eq(net_listen("127.0.0.1", "no-such-service-name", 8, why, sizeof why),
                     -1);
    ck_assert_msg(why[0] != '\0', "why should be filled");
}
END_TEST

/* ---- Connecting -------------------------------------------------------------------- */

/* A client reaches a listener, and each side sees the other's loopback address. */
START_TEST(connect_to_listener)
{
    char why[256] = "";
    int listener = net_listen("127.0.0.1", "0", 8, why, sizeof why);
    ck_assert_msg(listener >= 0, "net_listen: %s", why);
    char port[16];
    snprintf(port, sizeof port, "%d", net_local_port(listener));

    int client = net_connect("127.0.0.1", port, why, sizeof why);
    ck_assert_msg(client >= 0, "net_connect: %s", why);
    char peer[NET_ADDRSTRLEN];
    ck_assert_int_eq(net_peer_address(client, peer, sizeof peer), 0);
    ck_assert_str_eq(peer, "127.0.0.1");

    int server_side = accept(listener, NULL, NULL);
    ck_assert_int_ge(server_side, 0);
    ck_assert_int_eq(net_peer_address(server_side, peer, sizeof peer), 0);
    ck_assert_str_eq(peer, "127.0.0.1");
    ck_assert_int_eq(net_local_port(server_side), net_local_port(listener));

    /* the connection carries bytes */
    ck_assert_int_eq(write(client, "hi", 2), 2);
    char buf[4];
    ck_assert_int_eq(read(server_side, buf, sizeof buf), 2);
    ck_assert_int_eq(memcmp(buf, "hi", 2), 0);
    close(server_side);
    close(client);
    close(listener);
}
END_TEST

/* Nobody listening: ECONNREFUSED, and a reason naming host and port. */
START_TEST(connect_to_closed_port_is_refused)
{
    char why[256] = "";
    int listener = net_listen("127.0.0.1", "0", 8, why, sizeof why);
    ck_assert_msg(listener >= 0, "net_listen: %s", why);
    char port[16];
    snprintf(port, sizeof port, "%d", net_local_port(listener));
    close(listener); /* the port is now (very likely) free and closed */

    why[0] = '\0';
    errno = 0;
    ck_assert_int_eq(net_connect("127.0.0.1", port, why, sizeof why), -1);
    ck_assert_int_eq(errno, ECONNREFUSED);
    ck_assert_msg(strstr(why, port) != NULL, "why \"%s\" should name port %s", why, port);
    ck_assert_msg(strstr(why, "127.0.0.1") != NULL, "why \"%s\" should name the host",
                  why);
}
END_TEST

/* net_peer_address on an unconnected socket fails instead of inventing an address,
 * and net_local_port on something that is not a socket fails too. */
START_TEST(address_queries_fail_cleanly)
{
    char why[256] = "";
    int listener = net_listen("127.0.0.1", "0", 8, why, sizeof why);
    ck_assert_msg(listener >= 0, "net_listen: %s", why);
    char peer[NET_ADDRSTRLEN];
    ck_assert_int_eq(net_peer_address(listener, peer, sizeof peer), -1);
    close(listener);

    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(net_local_port(fds[0]), -1);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

/* ---- Non-blocking mode ------------------------------------------------------------- */

/* O_NONBLOCK goes on and off, as fcntl() sees it, and other flags survive. */
START_TEST(set_nonblocking_on_and_off)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(fcntl(fds[1], F_GETFL) & O_NONBLOCK, 0);
    int access_mode = fcntl(fds[1], F_GETFL) & O_ACCMODE;

    ck_assert_int_eq(net_set_nonblocking(fds[1], 1), 0);
    ck_assert_int_ne(fcntl(fds[1], F_GETFL) & O_NONBLOCK, 0);
    ck_assert_int_eq(net_set_nonblocking(fds[1], 1), 0); /* twice: still on */
    ck_assert_int_ne(fcntl(fds[1], F_GETFL) & O_NONBLOCK, 0);
    ck_assert_int_eq(fcntl(fds[1], F_GETFL) & O_ACCMODE, access_mode);

    ck_assert_int_eq(net_set_nonblocking(fds[1], 0), 0);
    ck_assert_int_eq(fcntl(fds[1], F_GETFL) & O_NONBLOCK, 0);
    ck_assert_int_eq(fcntl(fds[1], F_GETFL) & O_ACCMODE, access_mode);

    /* visible in behaviour too: an empty pipe's read end says EAGAIN, not wait */
    ck_assert_int_eq(net_set_nonblocking(fds[0], 1), 0);
    char c;
    errno = 0;
    ck_assert_int_eq(read(fds[0], &c, 1), -1);
    ck_assert(errno == EAGAIN || errno == EWOULDBLOCK);
    close(fds[0]);
    close(fds[1]);

    errno = 0;
    ck_assert_int_eq(net_set_nonblocking(fds[0], 1), -1); /* closed: EBADF */
    ck_assert_int_eq(errno, EBADF);
}
END_TEST

Suite *net_suite(void)
{
    Suite *s = suite_create("net");

    /* Listening: free ports, the printed URL for IPv4 and IPv6, and clear failures. */
    TCase *listening = tcase_create("listen");
    tcase_set_timeout(listening, 10);
    tcase_add_test(listening, listen_on_port_zero_picks_a_port);
    tcase_add_test(listening, listen_url_ipv4);
    tcase_add_test(listening, listen_url_ipv6_in_brackets);
    tcase_add_test(listening, listen_url_buffer_boundary);
    tcase_add_test(listening, second_listen_on_same_port_fails);
    tcase_add_test(listening, bad_host_name_fails_with_reason);
    suite_add_tcase(s, listening);

    /* Connecting: success with the peer's address, refusal with a reason. */
    TCase *connecting = tcase_create("connect");
    tcase_set_timeout(connecting, 10);
    tcase_add_test(connecting, connect_to_listener);
    tcase_add_test(connecting, connect_to_closed_port_is_refused);
    tcase_add_test(connecting, address_queries_fail_cleanly);
    suite_add_tcase(s, connecting);

    /* net_set_nonblocking: the portable fcntl() switch. */
    TCase *nonblocking = tcase_create("nonblocking");
    tcase_set_timeout(nonblocking, 5);
    tcase_add_test(nonblocking, set_nonblocking_on_and_off);
    suite_add_tcase(s, nonblocking);
    return s;
}
