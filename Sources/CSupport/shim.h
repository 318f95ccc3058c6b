#include <stdio.h>
// Line-buffered standard output, so a log written to a file or pipe shows each line as it is printed.
// (Swift 6 does not allow touching C's `stdout` global directly.)
static inline void cnn_line_buffered_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }
