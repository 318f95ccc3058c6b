#include <stdio.h>
// Line-buffered standard output, so a log written to a file or pipe shows each line as it is printed.
// (Swift 6 does not allow touching C's `stdout` global directly.)
static inline void cnn_line_buffered_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }
#include <errno.h>
#include <string.h>
// Flushes standard output and says whether any write to it failed (a full disk, a closed pipe):
// 0 when all went well, else the errno of the failure (EIO when none was kept).
static inline int cnn_stdout_write_error(void) {
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) { return errno != 0 ? errno : EIO; }
    return 0;
}
