// Fused AdamW update on the wasm heap (see src/lib/engine/native/native-adamw.ts).
#include <omp.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "napi_util.h"

namespace steel {

// adamw(heap, params) with params = [n, p, g, m, v, pOut, mOut, vOut (byte offsets),
//   decay, b1, 1-b1, b2, 1-b2, bc2Sqrt, eps, stepSize] (scalars rounded to float32 by JS).
// The same float32 operations in the same order as the tfjs composite in adamw.ts
//   p' = p·decay − (m'/(√v'/bc2Sqrt + eps))·stepSize,  m' = m·b1 + g·(1−b1),  v' = v·b2 + g²·(1−b2)
// so both paths give identical bits (built with -ffp-contract=off: no fused multiply-adds).
enum AdamParam { aN, aP, aG, aM, aV, aPOut, aMOut, aVOut, aDecay, aB1, aOneMinusB1, aB2, aOneMinusB2, aBc2Sqrt, aEps, aStep, kAdamParamCount };

napi_value AdamW(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  void* data;
  size_t heapBytes, bytes;
  if (argc < 2 || !typedArrayData(env, argv[0], &data, &heapBytes)) return Throw(env, "adamw(heap: Uint8Array, params: Float64Array)");
  uint8_t* heap = static_cast<uint8_t*>(data);
  if (!typedArrayData(env, argv[1], &data, &bytes) || bytes != sizeof(double) * kAdamParamCount) return Throw(env, "adamw: params must be a Float64Array(16)");
  const double* q = static_cast<const double*>(data);
  const int64_t n = (int64_t)q[aN];
  for (int i = aP; i <= aVOut; i++) {
    if (q[i] < 0 || q[i] + 4.0 * n > (double)heapBytes) return Throw(env, "adamw: operand " + std::to_string(i) + " lies outside the heap");
  }
  const float* p = reinterpret_cast<const float*>(heap + (size_t)q[aP]);
  const float* g = reinterpret_cast<const float*>(heap + (size_t)q[aG]);
  const float* m = reinterpret_cast<const float*>(heap + (size_t)q[aM]);
  const float* v = reinterpret_cast<const float*>(heap + (size_t)q[aV]);
  float* po = reinterpret_cast<float*>(heap + (size_t)q[aPOut]);
  float* mo = reinterpret_cast<float*>(heap + (size_t)q[aMOut]);
  float* vo = reinterpret_cast<float*>(heap + (size_t)q[aVOut]);
  const float decay = (float)q[aDecay], b1 = (float)q[aB1], c1 = (float)q[aOneMinusB1], b2 = (float)q[aB2],
              c2 = (float)q[aOneMinusB2], bc2 = (float)q[aBc2Sqrt], eps = (float)q[aEps], step = (float)q[aStep];
#pragma omp parallel for schedule(static) if (n > (1 << 16))
  for (int64_t i = 0; i < n; i++) {
    const float gi = g[i];
    const float mi = m[i] * b1 + gi * c1;
    const float vi = v[i] * b2 + (gi * gi) * c2;
    const float denom = std::sqrt(vi) / bc2 + eps;
    mo[i] = mi;
    vo[i] = vi;
    po[i] = p[i] * decay - (mi / denom) * step;
  }
  return nullptr;
}

}  // namespace steel
