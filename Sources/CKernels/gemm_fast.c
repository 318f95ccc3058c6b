// oneDNN's sgemm, loaded with dlopen so that building and running need no oneDNN: see include/cnn_gemm.h.
#include "cnn_gemm.h"
#include "cnn_cpu.h"
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__) || defined(__APPLE__)
#include <dlfcn.h>
#define HAVE_DLOPEN 1
#endif

typedef int (*sgemm_fn)(char, char, int64_t, int64_t, int64_t, float, const float *, int64_t, const float *,
                        int64_t, float, float *, int64_t);
typedef int (*set_isa_fn)(int);
typedef struct { int major, minor, patch; const char *hash; unsigned cpu_runtime, gpu_runtime; } version_t;
typedef const version_t *(*version_fn)(void);

static sgemm_fn sgemm;
static int loaded = -1;
static char name[64];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

#ifdef HAVE_DLOPEN
static void *open_library(void) {
    static const char *names[] = {"libdnnl.so.3", "libdnnl.so.2", "libdnnl.so", "libdnnl.3.dylib", "libdnnl.2.dylib", "libdnnl.dylib"};
    // oneDNN runs on OpenMP, which reads OMP_NUM_THREADS once, when it is loaded: one thread under
    // the engine's own. The variable is put back afterwards, so child processes (PyTorch) keep theirs.
    const char *old = getenv("OMP_NUM_THREADS");
    char *saved = old ? strdup(old) : NULL;
    setenv("OMP_NUM_THREADS", "1", 1);
    void *handle = NULL;
    for (size_t i = 0; i < sizeof names / sizeof *names && !handle; i++) handle = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (saved) { setenv("OMP_NUM_THREADS", saved, 1); free(saved); } else unsetenv("OMP_NUM_THREADS");
    return handle;
}
#endif

int cnn_fast_gemm_load(int max_isa) {
    pthread_mutex_lock(&lock);
    if (loaded < 0) {
        loaded = 0;
#ifdef HAVE_DLOPEN
        void *handle = open_library();
        if (handle) {
            sgemm = (sgemm_fn)dlsym(handle, "dnnl_sgemm");
            set_isa_fn set_isa = (set_isa_fn)dlsym(handle, "dnnl_set_max_cpu_isa");
            version_fn version = (version_fn)dlsym(handle, "dnnl_version");
            if (sgemm) {
                // dnnl_cpu_isa_t: sse41 0x1, avx2 0x7, avx512_core 0x27 (oneDNN 2.x and 3.x alike).
                int isa = max_isa >= CNN_ISA_AVX512 ? 0x27 : max_isa == CNN_ISA_AVX2 ? 0x7 : 0x1;
                if (set_isa) set_isa(isa);
                const version_t *v = version ? version() : NULL;
                if (v) snprintf(name, sizeof name, "oneDNN %d.%d.%d", v->major, v->minor, v->patch);
                else snprintf(name, sizeof name, "oneDNN");
                loaded = 1;
            }
        }
#else
        (void)max_isa;
#endif
    }
    int result = loaded;
    pthread_mutex_unlock(&lock);
    return result;
}

const char *cnn_fast_gemm_name(void) { return loaded == 1 ? name : ""; }

int cnn_fast_sgemm(int transpose_a, int transpose_b, long m, long n, long k, float alpha, const float *a,
                   long lda, const float *b, long ldb, float beta, float *c, long ldc) {
    return sgemm(transpose_a ? 'T' : 'N', transpose_b ? 'T' : 'N', m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
