// The training batch norm's memory-bound passes on the wasm heap (see
// src/lib/engine/batch-norm-simd.ts, which keeps the math and calls these).
#include <omp.h>

#include <cstdint>
#include <vector>

#include "napi_util.h"

namespace steel {

// Per-channel sums over `pix` pixels of C channels (NHWC, channel fastest), multi-threaded: each
// thread sums a fixed contiguous range of pixels in float64, partials are added in thread order
// (deterministic for a given thread count).
//   bnSums(kind, heap, params [x, dy, pix, C, mean], out Float64Array)
//     kind 0: out[c] = Σ x                    kind 1: out[c] = Σ (x − mean)²
//     kind 2: out[c] = Σ dy, out[C + c] = Σ dy·(x − mean)
//   bnApply(kind, heap, params [x, dy, pix, C, mean, a, b, d, out])   (float32, no FMA: the wasm bits)
//     kind 0: out = (x − mean)·a + b          kind 1: out = dy·a + (x − mean)·b + d
enum BnParam { bX, bDy, bPix, bC, bMean, bA, bB, bD, bOut, kBnParamCount };

napi_value BnSums(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t kind = -1;
  void *heapData, *pData, *outData;
  size_t heapBytes, pBytes, outBytes;
  if (argc < 4 || napi_get_value_int32(env, argv[0], &kind) != napi_ok || kind < 0 || kind > 2 ||
      !typedArrayData(env, argv[1], &heapData, &heapBytes) || !typedArrayData(env, argv[2], &pData, &pBytes) ||
      pBytes < sizeof(double) * 5 || !typedArrayData(env, argv[3], &outData, &outBytes)) {
    return Throw(env, "bnSums(kind 0|1|2, heap, params: Float64Array(5), out: Float64Array)");
  }
  const double* q = static_cast<const double*>(pData);
  const int64_t pix = (int64_t)q[bPix], C = (int64_t)q[bC];
  const int nOut = kind == 2 ? 2 : 1;
  const double bytes = 4.0 * pix * C;
  if (outBytes != sizeof(double) * nOut * C || q[bX] < 0 || q[bX] + bytes > heapBytes ||
      (kind == 2 && (q[bDy] < 0 || q[bDy] + bytes > heapBytes)) || (kind > 0 && (q[bMean] < 0 || q[bMean] + 4.0 * C > heapBytes))) {
    return Throw(env, "bnSums: operands outside the heap or wrong output size");
  }
  uint8_t* heap = static_cast<uint8_t*>(heapData);
  const float* x = reinterpret_cast<const float*>(heap + (size_t)q[bX]);
  const float* dy = kind == 2 ? reinterpret_cast<const float*>(heap + (size_t)q[bDy]) : nullptr;
  const float* mean = kind > 0 ? reinterpret_cast<const float*>(heap + (size_t)q[bMean]) : nullptr;
  double* out = static_cast<double*>(outData);
  const int threads = pix * C > (1 << 15) ? omp_get_max_threads() : 1;
  std::vector<double> partial((size_t)threads * nOut * C, 0.0);
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num(), T = omp_get_num_threads();
    const int64_t p0 = pix * t / T, p1 = pix * (t + 1) / T;
    double* acc = partial.data() + (size_t)t * nOut * C;
    for (int64_t p = p0; p < p1; p++) {
      const float* xr = x + p * C;
      if (kind == 0) {
        for (int64_t c = 0; c < C; c++) acc[c] += xr[c];
      } else if (kind == 1) {
        for (int64_t c = 0; c < C; c++) {
          const double d = xr[c] - mean[c];
          acc[c] += d * d;
        }
      } else {
        const float* dr = dy + p * C;
        for (int64_t c = 0; c < C; c++) {
          acc[c] += dr[c];
          acc[C + c] += (double)dr[c] * (double)(xr[c] - mean[c]);
        }
      }
    }
  }
  for (int64_t i = 0; i < nOut * C; i++) {
    double sum = 0;
    for (int t = 0; t < threads; t++) sum += partial[(size_t)t * nOut * C + i];
    out[i] = sum;
  }
  return nullptr;
}

napi_value BnApply(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t kind = -1;
  void *heapData, *pData;
  size_t heapBytes, pBytes;
  if (argc < 3 || napi_get_value_int32(env, argv[0], &kind) != napi_ok || kind < 0 || kind > 1 ||
      !typedArrayData(env, argv[1], &heapData, &heapBytes) || !typedArrayData(env, argv[2], &pData, &pBytes) ||
      pBytes != sizeof(double) * kBnParamCount) {
    return Throw(env, "bnApply(kind 0|1, heap, params: Float64Array(9))");
  }
  const double* q = static_cast<const double*>(pData);
  const int64_t pix = (int64_t)q[bPix], C = (int64_t)q[bC];
  const double big = 4.0 * pix * C, vec = 4.0 * C;
  const double ranges[7][2] = {{q[bX], big}, {q[bDy], kind == 1 ? big : 0}, {q[bMean], vec}, {q[bA], vec}, {q[bB], vec}, {q[bD], kind == 1 ? vec : 0}, {q[bOut], big}};
  for (auto& r : ranges) {
    if (r[1] > 0 && (r[0] < 0 || r[0] + r[1] > (double)heapBytes)) return Throw(env, "bnApply: operand outside the heap");
  }
  uint8_t* heap = static_cast<uint8_t*>(heapData);
  auto f = [&](int i) { return reinterpret_cast<const float*>(heap + (size_t)q[i]); };
  const float *x = f(bX), *mean = f(bMean), *a = f(bA), *b = f(bB);
  const float* dy = kind == 1 ? f(bDy) : nullptr;
  const float* d = kind == 1 ? f(bD) : nullptr;
  float* out = reinterpret_cast<float*>(heap + (size_t)q[bOut]);
#pragma omp parallel for schedule(static) if (pix * C > (1 << 15))
  for (int64_t p = 0; p < pix; p++) {
    const float* xr = x + p * C;
    float* o = out + p * C;
    if (kind == 0) {
      for (int64_t c = 0; c < C; c++) o[c] = (xr[c] - mean[c]) * a[c] + b[c];
    } else {
      const float* dr = dy + p * C;
      for (int64_t c = 0; c < C; c++) o[c] = dr[c] * a[c] + (xr[c] - mean[c]) * b[c] + d[c];
    }
  }
  return nullptr;
}

}  // namespace steel
