/* test_segments.c: compare reads the kernel's segment counters through its own copy
 * of the start of Linux's struct tcp_info (tool/conn.h), since neither C library
 * shows those fields to a strict C11 + POSIX program. Here, where the kernel's own
 * header is at hand, the copy is checked against it, field by field. */
#include "suites.h"

#include "tool/conn.h"

#include <stddef.h>

#if defined(__linux__) && defined(__has_include)
#if __has_include(<linux/tcp.h>)
#include <linux/tcp.h>
#define HAVE_LINUX_TCP_H 1
#endif
#endif

START_TEST(tcp_info_copy_matches_the_kernel_header)
{
#ifdef HAVE_LINUX_TCP_H
    ck_assert_uint_eq(offsetof(struct conn_linux_tcp_info, state),
                      offsetof(struct tcp_info, tcpi_state));
    ck_assert_uint_eq(offsetof(struct conn_linux_tcp_info, other_u32),
                      offsetof(struct tcp_info, tcpi_rto));
    ck_assert_uint_eq(offsetof(struct conn_linux_tcp_info, other_u64),
                      offsetof(struct tcp_info, tcpi_pacing_rate));
    ck_assert_uint_eq(offsetof(struct conn_linux_tcp_info, segs_out),
                      offsetof(struct tcp_info, tcpi_segs_out));
    ck_assert_uint_eq(offsetof(struct conn_linux_tcp_info, segs_in),
                      offsetof(struct tcp_info, tcpi_segs_in));
#else
    /* Not Linux, or no kernel headers: compare reports n/a, and there is nothing to
     * compare the copy with. */
    ck_assert(1);
#endif
}
END_TEST

Suite *segments_suite(void)
{
    Suite *s = suite_create("04 segments");
    TCase *layout = tcase_create("tcp_info layout");
    tcase_add_test(layout, tcp_info_copy_matches_the_kernel_header);
    suite_add_tcase(s, layout);
    return s;
}
