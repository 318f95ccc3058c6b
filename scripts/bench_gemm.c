// scripts/bench_gemm.sh compiles and runs this: see there.
// sgemm, one thread, row-major, M x N x K: OpenBLAS (cblas), BLIS (bli_sgemm via its cblas), oneDNN.
#include "cnn_gemm.h"
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
typedef void (*cblas_fn)(int,int,int,int,int,int,float,const float*,int,const float*,int,float,float*,int);
static double cpu(void){struct timespec t;clock_gettime(CLOCK_THREAD_CPUTIME_ID,&t);return t.tv_sec+t.tv_nsec*1e-9;}
static double run(int which, cblas_fn f, int M,int N,int K,float*a,float*b,float*c){
  int reps=(int)(2e9/(2.0*M*N*K))+1; double best=0;
  for(int r=0;r<5;r++){double t0=cpu(); for(int i=0;i<reps;i++){ if(which==2) cnn_fast_sgemm(0,0,M,N,K,1,a,K,b,N,0,c,N); else f(101,111,111,M,N,K,1,a,K,b,N,0,c,N);} double t=cpu()-t0; double g=2.0*M*N*K*reps/t*1e-9; if(g>best)best=g;}
  return best;}
int main(){
  void*ob=dlopen("libopenblas.so.0",RTLD_NOW|RTLD_LOCAL); if(!ob){fprintf(stderr,"OpenBLAS not found\n");return 1;}
  void*bl=dlopen("libblis.so.4",RTLD_NOW|RTLD_LOCAL);
  cblas_fn fo=(cblas_fn)dlsym(ob,"cblas_sgemm"), fb=(cblas_fn)dlsym(bl,"cblas_sgemm");
  void(*oset)(int)=(void(*)(int))dlsym(ob,"openblas_set_num_threads"); if(oset)oset(1);
  cnn_fast_gemm_load(2);
  int sh[][3]={{16,1024,144},{32,256,288},{64,64,576},{128,128,1152},{512,49,4608},{6,784,25},{256,64,2304}};
  printf("%-18s %9s %9s %9s\n","M x N x K","OpenBLAS","BLIS","oneDNN");
  for(int s=0;s<7;s++){int M=sh[s][0],N=sh[s][1],K=sh[s][2];
    float*a=malloc(4L*M*K),*b=malloc(4L*K*N),*c=malloc(4L*M*N); for(long i=0;i<(long)M*K;i++)a[i]=1e-3f*(i%7); for(long i=0;i<(long)K*N;i++)b[i]=1e-3f*(i%5);
    printf("%4d x %4d x %4d %9.0f %9.0f %9.0f\n",M,N,K,run(0,fo,M,N,K,a,b,c),fb?run(1,fb,M,N,K,a,b,c):0.0,run(2,0,M,N,K,a,b,c));}
}
