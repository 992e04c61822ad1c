// The workspace's native addon for the TensorFlow.js wasm backend (built by
// environment/build-native.sh into build/native/steel_dnnl.node): oneDNN convolutions
// (conv.cc), the fused AdamW update (adamw.cc) and the batch norm passes (batch_norm.cc), all
// working in place on the wasm heap. See docs/native-backend.md; the JavaScript side is
// src/lib/engine/native/.
#include <omp.h>

#include <dnnl.hpp>
#include <string>

#include "napi_util.h"

namespace steel {
namespace {

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
  napi_create_int32(env, planCount(), &v);
  napi_set_named_property(env, out, "plans", v);
  return out;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"conv", nullptr, Conv, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adamw", nullptr, AdamW, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"bnSums", nullptr, BnSums, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"bnApply", nullptr, BnApply, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"release", nullptr, ReleasePlans, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace
}  // namespace steel

NAPI_MODULE(NODE_GYP_MODULE_NAME, steel::Init)
