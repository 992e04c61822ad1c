// Native convolutions for the TensorFlow.js wasm backend: oneDNN (Debian libdnnl 2.6) runs
// Conv2D, its input gradient and its filter gradient directly on the wasm heap (NHWC tensors,
// HWIO filters), so a training step keeps every tensor where tfjs put it and only the
// convolutions — ~88 % of a step on wasm — leave the 128-bit SIMD sandbox for AVX-512 and
// all cores. See docs/native-backend.md; the JavaScript side is src/lib/engine/native/.
//
// One call: conv(mode, heap, params)
//   mode   0 forward (x, w[, bias] -> y, optional fused ReLU)
//          1 input gradient (dy, w -> dx)
//          2 filter gradient (x, dy -> dw)
//   heap   a Uint8Array over the whole wasm memory (ArrayBuffer or SharedArrayBuffer)
//   params Float64Array, see Param below (byte offsets into the heap; -1 = absent)
#include <node_api.h>
#include <omp.h>

#include <cmath>
#include <cstdint>
#include <dnnl.hpp>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

enum Param {
  kN, kH, kW, kC, kOH, kOW, kCO, kKH, kKW, kSH, kSW, kDH, kDW,
  kPadTop, kPadLeft, kPadBottom, kPadRight,
  kA, kB, kBias, kOut,  // byte offsets: mode 0 x, w, bias, y; mode 1 dy, w, -, dx; mode 2 x, dy, -, dw
  kRelu,
  kFilterId,  // modes 0/1: an id unique to the filter tensor's contents (0 = unknown), see Plan
  kParamCount
};

enum Mode { kForward = 0, kInputGrad = 1, kFilterGrad = 2 };

// Engine, stream and plans live until the process ends and are never destroyed: static
// destructors at exit would run in construction order's reverse — the engine before the plans'
// buffers that belong to it — a use-after-free that glibc aborts on (seen intermittently).
dnnl::engine& cpuEngine() {
  static auto* e = new dnnl::engine(dnnl::engine::kind::cpu, 0);
  return *e;
}

dnnl::stream& cpuStream() {
  static auto* s = new dnnl::stream(cpuEngine());
  return *s;
}

struct Geometry {
  memory::dim N, H, W, C, OH, OW, CO, KH, KW;
  memory::dims strides, dilates, padL, padR;
  bool hasBias, relu;

  explicit Geometry(const double* p)
      : N(p[kN]), H(p[kH]), W(p[kW]), C(p[kC]), OH(p[kOH]), OW(p[kOW]), CO(p[kCO]), KH(p[kKH]), KW(p[kKW]),
        strides{(memory::dim)p[kSH], (memory::dim)p[kSW]},
        // oneDNN counts dilation from 0 (0 = dense), TensorFlow from 1.
        dilates{(memory::dim)p[kDH] - 1, (memory::dim)p[kDW] - 1},
        padL{(memory::dim)p[kPadTop], (memory::dim)p[kPadLeft]},
        padR{(memory::dim)p[kPadBottom], (memory::dim)p[kPadRight]},
        hasBias(p[kBias] >= 0), relu(p[kRelu] != 0) {}

  memory::desc x() const { return memory::desc({N, C, H, W}, dt::f32, tag::nhwc); }
  memory::desc y() const { return memory::desc({N, CO, OH, OW}, dt::f32, tag::nhwc); }
  memory::desc userFilter() const { return memory::desc({CO, C, KH, KW}, dt::f32, tag::hwio); }
  memory::desc anyFilter() const { return memory::desc({CO, C, KH, KW}, dt::f32, tag::any); }
  memory::desc bias() const { return hasBias ? memory::desc({CO}, dt::f32, tag::a) : memory::desc(); }

  dnnl::convolution_forward::primitive_desc forward(bool withPostOps) const {
    dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, x(),
                                      anyFilter(), bias(), y(), strides, dilates, padL, padR);
    dnnl::primitive_attr attr;
    if (withPostOps && relu) {
      dnnl::post_ops ops;
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      attr.set_post_ops(ops);
    }
    return dnnl::convolution_forward::primitive_desc(d, attr, cpuEngine());
  }
};

// A primitive plus the filter in the layout it wants (oneDNN picks a blocked layout for the
// filter; activations stay NHWC so nothing else is copied). Cached per shape: a model has a
// few dozen distinct convs, each called every micro-batch.
//
// Re-laying a filter costs about a third of the conv itself at small inputs, and a filter is
// read by every micro-batch's forward and input gradient between two optimizer updates. So
// laid-out filters are kept per filter id (JS gives each filter tensor its own id; tfjs never
// writes a tensor in place, so same id = same values) in a few LRU slots per plan — convs of
// equal shape (ResNet's repeated blocks) share a plan, hence several slots.
struct Plan {
  static constexpr size_t kSlots = 8;
  struct Slot {
    double id = 0;
    uint64_t lastUse = 0;
    memory buf;
  };
  dnnl::primitive conv;
  memory::desc filterDesc;  // the primitive's filter (or filter-gradient) layout
  bool filterReorder = false;
  dnnl::reorder reorder;
  memory filterBuf;  // filter-gradient scratch, in filterDesc layout
  std::vector<Slot> slots;
  std::string impl;

  // The laid-out copy of the user's filter `w` with id `id` (re-laid only when not cached).
  memory laidOut(dnnl::stream& s, memory& w, double id) {
    static uint64_t tick = 0;
    tick++;
    Slot* slot = nullptr;
    for (auto& sl : slots) {
      if (id > 0 && sl.id == id) {
        sl.lastUse = tick;
        return sl.buf;
      }
    }
    if (slots.size() < kSlots) {
      slots.push_back(Slot{0, 0, memory(filterDesc, w.get_engine())});
      slot = &slots.back();
    } else {
      slot = &slots[0];
      for (auto& sl : slots)
        if (sl.lastUse < slot->lastUse) slot = &sl;
    }
    reorder.execute(s, w, slot->buf);
    slot->id = id;
    slot->lastUse = tick;
    return slot->buf;
  }
};

std::unordered_map<std::string, Plan>& plans() {
  static auto* m = new std::unordered_map<std::string, Plan>();
  return *m;
}

std::string planKey(int mode, const double* p) {
  std::string key(1, char('0' + mode));
  for (int i = 0; i < kParamCount; i++) {
    if (i == kA || i == kB || i == kOut || i == kFilterId) continue;
    key += ',';
    key += std::to_string(i == kBias ? (p[i] >= 0 ? 1LL : 0LL) : (long long)p[i]);
  }
  return key;
}

Plan& planFor(int mode, const double* p) {
  std::string key = planKey(mode, p);
  auto it = plans().find(key);
  if (it != plans().end()) return it->second;
  Geometry g(p);
  Plan plan;
  memory::desc user = g.userFilter();
  if (mode == kForward) {
    auto pd = g.forward(true);
    plan.conv = dnnl::convolution_forward(pd);
    plan.filterDesc = pd.weights_desc();
    plan.impl = pd.impl_info_str();
  } else if (mode == kInputGrad) {
    auto hint = g.forward(false);
    dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, g.x(), g.anyFilter(), g.y(),
                                            g.strides, g.dilates, g.padL, g.padR);
    dnnl::convolution_backward_data::primitive_desc pd(d, cpuEngine(), hint);
    plan.conv = dnnl::convolution_backward_data(pd);
    plan.filterDesc = pd.weights_desc();
    plan.impl = pd.impl_info_str();
  } else {
    auto hint = g.forward(false);
    dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, g.x(), g.anyFilter(), g.y(),
                                               g.strides, g.dilates, g.padL, g.padR);
    dnnl::convolution_backward_weights::primitive_desc pd(d, cpuEngine(), hint);
    plan.conv = dnnl::convolution_backward_weights(pd);
    plan.filterDesc = pd.diff_weights_desc();
    plan.impl = pd.impl_info_str();
  }
  plan.filterReorder = plan.filterDesc != user;
  if (plan.filterReorder) {
    if (mode == kFilterGrad) plan.filterBuf = memory(plan.filterDesc, cpuEngine());
    // Forward and input gradient read the user's filter; the filter gradient writes it.
    plan.reorder = mode == kFilterGrad ? dnnl::reorder(dnnl::reorder::primitive_desc(cpuEngine(), plan.filterDesc, cpuEngine(), user))
                                       : dnnl::reorder(dnnl::reorder::primitive_desc(cpuEngine(), user, cpuEngine(), plan.filterDesc));
  }
  return plans().emplace(key, std::move(plan)).first->second;
}

void* at(uint8_t* heap, double offset) { return heap + (size_t)offset; }

void run(int mode, uint8_t* heap, const double* p) {
  Geometry g(p);
  Plan& plan = planFor(mode, p);
  auto& s = cpuStream();
  auto& e = cpuEngine();
  if (mode == kForward) {
    memory x(g.x(), e, at(heap, p[kA])), w(g.userFilter(), e, at(heap, p[kB])), y(g.y(), e, at(heap, p[kOut]));
    memory wp = plan.filterReorder ? plan.laidOut(s, w, p[kFilterId]) : w;
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, wp}, {DNNL_ARG_DST, y}};
    if (g.hasBias) args.insert({DNNL_ARG_BIAS, memory(g.bias(), e, at(heap, p[kBias]))});
    plan.conv.execute(s, args);
  } else if (mode == kInputGrad) {
    memory dy(g.y(), e, at(heap, p[kA])), w(g.userFilter(), e, at(heap, p[kB])), dx(g.x(), e, at(heap, p[kOut]));
    memory wp = plan.filterReorder ? plan.laidOut(s, w, p[kFilterId]) : w;
    plan.conv.execute(s, {{DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_WEIGHTS, wp}, {DNNL_ARG_DIFF_SRC, dx}});
  } else {
    memory x(g.x(), e, at(heap, p[kA])), dy(g.y(), e, at(heap, p[kB])), dw(g.userFilter(), e, at(heap, p[kOut]));
    memory dwp = plan.filterReorder ? plan.filterBuf : dw;
    plan.conv.execute(s, {{DNNL_ARG_SRC, x}, {DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_DIFF_WEIGHTS, dwp}});
    if (plan.filterReorder) plan.reorder.execute(s, plan.filterBuf, dw);
  }
  s.wait();
}

// ---- N-API glue -------------------------------------------------------------------------

napi_value Throw(napi_env env, const std::string& msg) {
  napi_throw_error(env, nullptr, ("steel_dnnl: " + msg).c_str());
  return nullptr;
}

bool typedArrayData(napi_env env, napi_value v, void** data, size_t* bytes) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return false;
  napi_typedarray_type type;
  size_t length, offset;
  napi_value buffer;
  if (napi_get_typedarray_info(env, v, &type, &length, data, &buffer, &offset) != napi_ok) return false;
  size_t elem = type == napi_float64_array ? 8 : type == napi_float32_array ? 4 : 1;
  *bytes = length * elem;
  return true;
}

// Checks that every tensor the call touches lies inside the heap (a wrong offset must not
// scribble over memory outside the wasm sandbox).
bool inside(const double* p, int mode, size_t heapBytes, std::string* why) {
  Geometry g(p);
  double xBytes = 4.0 * g.N * g.H * g.W * g.C, yBytes = 4.0 * g.N * g.OH * g.OW * g.CO;
  double wBytes = 4.0 * g.KH * g.KW * g.C * g.CO;
  double a = mode == kFilterGrad ? xBytes : mode == kForward ? xBytes : yBytes;
  double b = mode == kFilterGrad ? yBytes : wBytes;
  double out = mode == kForward ? yBytes : mode == kInputGrad ? xBytes : wBytes;
  const double ranges[4][2] = {{p[kA], a}, {p[kB], b}, {p[kOut], out}, {p[kBias], 4.0 * g.CO}};
  for (int i = 0; i < 4; i++) {
    if (i == 3 && (mode != kForward || p[kBias] < 0)) continue;
    if (ranges[i][0] < 0 || ranges[i][0] + ranges[i][1] > (double)heapBytes) {
      *why = "operand " + std::to_string(i) + " [" + std::to_string((long long)ranges[i][0]) + ", +" +
             std::to_string((long long)ranges[i][1]) + ") lies outside the heap (" + std::to_string(heapBytes) + " bytes)";
      return false;
    }
  }
  return true;
}

bool readCall(napi_env env, napi_callback_info info, int* mode, uint8_t** heap, size_t* heapBytes, double** params) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 3) return false;
  int32_t m;
  if (napi_get_value_int32(env, argv[0], &m) != napi_ok || m < 0 || m > 2) return false;
  *mode = m;
  void* data;
  size_t bytes;
  if (!typedArrayData(env, argv[1], &data, heapBytes)) return false;
  *heap = static_cast<uint8_t*>(data);
  if (!typedArrayData(env, argv[2], &data, &bytes) || bytes != sizeof(double) * kParamCount) return false;
  *params = static_cast<double*>(data);
  return true;
}

napi_value Conv(napi_env env, napi_callback_info info) {
  int mode;
  uint8_t* heap;
  size_t heapBytes;
  double* p;
  if (!readCall(env, info, &mode, &heap, &heapBytes, &p)) {
    return Throw(env, "conv(mode 0|1|2, heap: Uint8Array, params: Float64Array(" + std::to_string(kParamCount) + "))");
  }
  std::string why;
  if (!inside(p, mode, heapBytes, &why)) return Throw(env, why);
  try {
    run(mode, heap, p);
  } catch (const dnnl::error& e) {
    return Throw(env, std::string(e.what()) + " (status " + std::to_string((int)e.status) + ")");
  }
  return nullptr;
}

// describe(mode, heap, params) -> the oneDNN implementation chosen for that conv (for logs and tests).
napi_value Describe(napi_env env, napi_callback_info info) {
  int mode;
  uint8_t* heap;
  size_t heapBytes;
  double* p;
  if (!readCall(env, info, &mode, &heap, &heapBytes, &p)) return Throw(env, "describe(mode, heap, params)");
  try {
    Plan& plan = planFor(mode, p);
    napi_value out;
    napi_create_string_utf8(env, plan.impl.c_str(), plan.impl.size(), &out);
    return out;
  } catch (const dnnl::error& e) {
    return Throw(env, e.what());
  }
}

// ---- fused AdamW update ---------------------------------------------------------------------
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

// release() frees every plan and laid-out filter (after training; plans rebuild on demand).
napi_value Release(napi_env env, napi_callback_info) {
  plans().clear();
  return nullptr;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t n = 0;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok || n < 1) return Throw(env, "setThreads(n >= 1)");
  omp_set_num_threads(n);
  return nullptr;
}

napi_value Info(napi_env env, napi_callback_info) {
  napi_value out, v;
  napi_create_object(env, &out);
  const dnnl_version_t* ver = dnnl_version();
  std::string version = std::to_string(ver->major) + "." + std::to_string(ver->minor) + "." + std::to_string(ver->patch);
  napi_create_string_utf8(env, version.c_str(), version.size(), &v);
  napi_set_named_property(env, out, "onednn", v);
  napi_create_int32(env, omp_get_max_threads(), &v);
  napi_set_named_property(env, out, "threads", v);
  napi_create_int32(env, (int)plans().size(), &v);
  napi_set_named_property(env, out, "plans", v);
  return out;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"conv", nullptr, Conv, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"describe", nullptr, Describe, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adamw", nullptr, AdamW, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"release", nullptr, Release, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
