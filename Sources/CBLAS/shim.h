#include <cblas.h>
// OpenBLAS runs single-threaded under the engine's own threads (see TOOLCHAIN.md).
static inline void cnn_blas_set_single_threaded(void) { openblas_set_num_threads(1); }
