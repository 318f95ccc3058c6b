#define ACCELERATE_NEW_LAPACK 1
#include <Accelerate/Accelerate.h>
// Accelerate needs no thread setting here: the engine calls it from its own threads.
static inline void cnn_blas_set_single_threaded(void) { }
