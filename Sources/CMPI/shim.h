// Open MPI for Swift: MPI_COMM_WORLD and the datatypes are macros over addresses of C globals, which
// Swift cannot import, so the few calls CNNBench makes are wrapped here as plain functions.
#ifndef CNN_MPI_SHIM_H
#define CNN_MPI_SHIM_H
#include <mpi.h>

/// MPI_Init_thread with MPI_THREAD_FUNNELED (only the main thread calls MPI); errors are returned, not fatal.
static inline int cnn_mpi_init(void) {
    int provided = 0;
    int rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
    if (rc == MPI_SUCCESS) MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    return rc;
}
static inline int cnn_mpi_rank(void) { int r = 0; MPI_Comm_rank(MPI_COMM_WORLD, &r); return r; }
static inline int cnn_mpi_size(void) { int s = 1; MPI_Comm_size(MPI_COMM_WORLD, &s); return s; }
static inline int cnn_mpi_gather_floats(const float *send, float *receive, int count) {
    return MPI_Gather(send, count, MPI_FLOAT, receive, count, MPI_FLOAT, 0, MPI_COMM_WORLD);
}
static inline int cnn_mpi_broadcast_floats(float *values, int count) {
    return MPI_Bcast(values, count, MPI_FLOAT, 0, MPI_COMM_WORLD);
}
static inline int cnn_mpi_broadcast_doubles(double *values, int count) {
    return MPI_Bcast(values, count, MPI_DOUBLE, 0, MPI_COMM_WORLD);
}
static inline int cnn_mpi_allgather_doubles(const double *send, double *receive, int count) {
    return MPI_Allgather(send, count, MPI_DOUBLE, receive, count, MPI_DOUBLE, MPI_COMM_WORLD);
}
static inline int cnn_mpi_error_string(int code, char *text, int capacity) {
    int length = 0;
    if (capacity < MPI_MAX_ERROR_STRING) return MPI_Error_string(code, text, &length) == MPI_SUCCESS ? 0 : 1;
    return MPI_Error_string(code, text, &length);
}
static inline int cnn_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
static inline int cnn_mpi_finalize(void) { return MPI_Finalize(); }
static inline void cnn_mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }
#endif
