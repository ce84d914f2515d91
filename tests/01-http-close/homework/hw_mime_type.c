/* Homework 1.5: mime_type(). */
#include "exercises.h"
#include "homework.h"

#include <string.h>

static void expect_type(const char *path, const char *want)
{
    const char *got = mime_type(path);
    hw_require_started(got != NULL, "mime_type");
    ck_assert_msg(strcmp(got, want) == 0,
                  "mime_type(\"%s\") gave \"%s\", expected \"%s\"", path, got, want);
}

START_TEST(knows_web_pages)
{
    expect_type("index.html", "text/html; charset=utf-8");
    expect_type("/old/page.htm", "text/html; charset=utf-8");
    expect_type("style.css", "text/css; charset=utf-8");
    expect_type("app.js", "text/javascript; charset=utf-8");
    expect_type("data.json", "application/json");
    expect_type("hello.txt", "text/plain; charset=utf-8");
}
END_TEST

START_TEST(knows_images_and_binaries)
{
    expect_type("a.png", "image/png");
    expect_type("a.jpg", "image/jpeg");
    expect_type("a.jpeg", "image/jpeg");
    expect_type("a.gif", "image/gif");
    expect_type("a.svg", "image/svg+xml");
    expect_type("favicon.ico", "image/x-icon");
    expect_type("paper.pdf", "application/pdf");
    expect_type("module.wasm", "application/wasm");
}
END_TEST

START_TEST(ignores_case)
{
    expect_type("PHOTO.JPG", "image/jpeg");
    expect_type("Index.Html", "text/html; charset=utf-8");
}
END_TEST

START_TEST(uses_the_last_extension_of_the_last_component)
{
    expect_type("archive.tar.gz", "application/octet-stream");
    expect_type("notes.txt.png", "image/png");
    expect_type("/v1.html/data", "application/octet-stream");
}
END_TEST

START_TEST(falls_back_to_octet_stream)
{
    expect_type("Makefile", "application/octet-stream");
    expect_type(".profile", "application/octet-stream");
    expect_type("/dir/.css", "application/octet-stream");
    expect_type("file.", "application/octet-stream");
    expect_type("program.exe", "application/octet-stream");
}
END_TEST

TCase *hw_mime_type(void)
{
    TCase *tc = hw_tcase("1.5 mime_type");
    tcase_add_test(tc, knows_web_pages);
    tcase_add_test(tc, knows_images_and_binaries);
    tcase_add_test(tc, ignores_case);
    tcase_add_test(tc, uses_the_last_extension_of_the_last_component);
    tcase_add_test(tc, falls_back_to_octet_stream);
    return tc;
}
