/* wsclient.c: the chapter's raw WebSocket test client (../wsclient.c), compiled into
 * the stage program too, so that the stages and the suites speak through the same
 * code, written from RFC 6455 and independent of the server under test. */
#include "../wsclient.c"
