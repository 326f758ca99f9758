/* The test runner: every Check suite of the project in one SRunner, so that `make check` ends
 * with Check's own summary line. The suites are listed in build/tests/suites.def, collected by
 * the Makefile from the `Suite *suite_<name>(void)` functions of tests/test_*.c.
 * One suite: CK_RUN_SUITE=<name>. TAP or XML for a course platform: CK_TAP_LOG_FILE_NAME or
 * CK_XML_LOG_FILE_NAME (Check's own variables). */
#include <check.h>
#include <stdlib.h>

#define SUITE(name) Suite *suite_##name(void);
#include "suites.def"
#undef SUITE

int main(void)
{
    /* Check's default per-test timeout is 4 s; numeric tests and the demonstrations run longer
     * (CK_TIMEOUT_MULTIPLIER scales it again under the sanitizers). */
    setenv("CK_DEFAULT_TIMEOUT", "120", 0);
    SRunner *sr = srunner_create(NULL);
#define SUITE(name) srunner_add_suite(sr, suite_##name());
#include "suites.def"
#undef SUITE
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
