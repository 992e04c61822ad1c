// Convolutions for the TensorFlow.js wasm backend: oneDNN (Debian libdnnl 2.6) runs
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
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <dnnl.hpp>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "napi_util.h"

namespace steel {

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

// Every primitive gets its own scratchpad, owned by its plan (oneDNN's default shares one
// library-managed buffer between primitives; the strided 1x1 filter gradient gave wrong values
// intermittently with 2 threads under it).
dnnl::primitive_attr userScratchpad() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
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
    dnnl::primitive_attr attr = userScratchpad();
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
  memory scratchpad;  // the primitive's own scratchpad
  std::vector<Slot> slots;

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
    plan.scratchpad = memory(pd.scratchpad_desc(), cpuEngine());
    plan.filterDesc = pd.weights_desc();
  } else if (mode == kInputGrad) {
    auto hint = g.forward(false);
    dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, g.x(), g.anyFilter(), g.y(),
                                            g.strides, g.dilates, g.padL, g.padR);
    dnnl::convolution_backward_data::primitive_desc pd(d, userScratchpad(), cpuEngine(), hint);
    plan.conv = dnnl::convolution_backward_data(pd);
    plan.scratchpad = memory(pd.scratchpad_desc(), cpuEngine());
    plan.filterDesc = pd.weights_desc();
  } else {
    auto hint = g.forward(false);
    dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, g.x(), g.anyFilter(), g.y(),
                                               g.strides, g.dilates, g.padL, g.padR);
    dnnl::convolution_backward_weights::primitive_desc pd(d, userScratchpad(), cpuEngine(), hint);
    plan.conv = dnnl::convolution_backward_weights(pd);
    plan.scratchpad = memory(pd.scratchpad_desc(), cpuEngine());
    plan.filterDesc = pd.diff_weights_desc();
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

// A strided 1x1 conv (no padding) only touches every s-th pixel, so all three ops reduce to the
// unit-stride conv on the subsampled grid x[:, ::sh, ::sw, :]: forward and filter gradient read
// the subsampled x, the input gradient is scattered back (zeros elsewhere). oneDNN 2.6.3's own
// strided 1x1 path (jit_1x1 avx512_core with its reduce-to-unit-stride driver, nhwc) returned a
// wrong filter gradient intermittently with 2 threads (~1 process in 4), so it is never used.
bool stridedPointwise(const double* p) {
  return p[kKH] == 1 && p[kKW] == 1 && (p[kSH] > 1 || p[kSW] > 1) && p[kPadTop] == 0 && p[kPadLeft] == 0 &&
         p[kPadBottom] == 0 && p[kPadRight] == 0;
}

// Copies between the full grid `full` [N, H, W, C] and the strided grid `sub` [N, OH, OW, C].
void strided(float* full, float* sub, const double* p, bool gather) {
  const int64_t N = p[kN], H = p[kH], W = p[kW], C = p[kC], OH = p[kOH], OW = p[kOW], sh = p[kSH], sw = p[kSW];
#pragma omp parallel for schedule(static) if (N * OH * OW * C > (1 << 15))
  for (int64_t r = 0; r < N * OH; r++) {
    const int64_t n = r / OH, oh = r % OH;
    float* f = full + ((n * H + oh * sh) * W) * C;
    float* g = sub + r * OW * C;
    for (int64_t ow = 0; ow < OW; ow++) {
      if (gather) std::memcpy(g + ow * C, f + ow * sw * C, sizeof(float) * C);
      else std::memcpy(f + ow * sw * C, g + ow * C, sizeof(float) * C);
    }
  }
}

void run(int mode, uint8_t* heap, const double* p, float* subsampled);

void runStridedPointwise(int mode, uint8_t* heap, const double* p) {
  static auto* buf = new std::vector<float>();
  double q[kParamCount];
  std::copy(p, p + kParamCount, q);
  q[kH] = p[kOH];
  q[kW] = p[kOW];
  q[kSH] = q[kSW] = 1;
  buf->resize((size_t)(p[kN] * p[kOH] * p[kOW] * p[kC]));
  if (mode == kInputGrad) {
    float* dx = reinterpret_cast<float*>(heap + (size_t)p[kOut]);
    run(kInputGrad, heap, q, buf->data());  // dx on the strided grid, into buf
    std::memset(dx, 0, sizeof(float) * (size_t)(p[kN] * p[kH] * p[kW] * p[kC]));
    strided(dx, buf->data(), p, false);
    return;
  }
  strided(reinterpret_cast<float*>(heap + (size_t)p[kA]), buf->data(), p, true);
  run(mode, heap, q, buf->data());
}

// `subsampled`: the strided-grid buffer standing in for x (forward, filter gradient) or dx.
void run(int mode, uint8_t* heap, const double* p, float* subsampled) {
  Geometry g(p);
  Plan& plan = planFor(mode, p);
  auto& s = cpuStream();
  auto& e = cpuEngine();
  if (mode == kForward) {
    memory x(g.x(), e, subsampled ? subsampled : at(heap, p[kA])), w(g.userFilter(), e, at(heap, p[kB])), y(g.y(), e, at(heap, p[kOut]));
    memory wp = plan.filterReorder ? plan.laidOut(s, w, p[kFilterId]) : w;
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, wp}, {DNNL_ARG_DST, y}, {DNNL_ARG_SCRATCHPAD, plan.scratchpad}};
    if (g.hasBias) args.insert({DNNL_ARG_BIAS, memory(g.bias(), e, at(heap, p[kBias]))});
    plan.conv.execute(s, args);
  } else if (mode == kInputGrad) {
    memory dy(g.y(), e, at(heap, p[kA])), w(g.userFilter(), e, at(heap, p[kB])), dx(g.x(), e, subsampled ? subsampled : at(heap, p[kOut]));
    memory wp = plan.filterReorder ? plan.laidOut(s, w, p[kFilterId]) : w;
    plan.conv.execute(s, {{DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_WEIGHTS, wp}, {DNNL_ARG_DIFF_SRC, dx}, {DNNL_ARG_SCRATCHPAD, plan.scratchpad}});
  } else {
    memory x(g.x(), e, subsampled ? subsampled : at(heap, p[kA])), dy(g.y(), e, at(heap, p[kB])), dw(g.userFilter(), e, at(heap, p[kOut]));
    memory dwp = plan.filterReorder ? plan.filterBuf : dw;
    plan.conv.execute(s, {{DNNL_ARG_SRC, x}, {DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_DIFF_WEIGHTS, dwp}, {DNNL_ARG_SCRATCHPAD, plan.scratchpad}});
    if (plan.filterReorder) plan.reorder.execute(s, plan.filterBuf, dw);
  }
  s.wait();
}


}  // namespace

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
    if (stridedPointwise(p)) {
      runStridedPointwise(mode, heap, p);
    } else {
      run(mode, heap, p, nullptr);
    }
  } catch (const dnnl::error& e) {
    return Throw(env, std::string(e.what()) + " (status " + std::to_string((int)e.status) + ")");
  }
  return nullptr;
}

// release() frees every plan and laid-out filter (after training; plans rebuild on demand).
napi_value ReleasePlans(napi_env env, napi_callback_info) {
  plans().clear();
  return nullptr;
}

int planCount() { return (int)plans().size(); }

}  // namespace steel
