// Small Node-API helpers shared by the addon's files.
#pragma once
#include <node_api.h>

#include <string>

namespace steel {

// Throws a JS Error "steel_dnnl: msg"; returns nullptr for `return Throw(...)`.
inline napi_value Throw(napi_env env, const std::string& msg) {
  napi_throw_error(env, nullptr, ("steel_dnnl: " + msg).c_str());
  return nullptr;
}

// The data pointer and byte size of a typed array (over an ArrayBuffer or a SharedArrayBuffer).
inline bool typedArrayData(napi_env env, napi_value v, void** data, size_t* bytes) {
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

// The N-API functions each file defines (registered in addon.cc).
napi_value Conv(napi_env env, napi_callback_info info);
napi_value ReleasePlans(napi_env env, napi_callback_info info);
int planCount();
napi_value AdamW(napi_env env, napi_callback_info info);
napi_value BnSums(napi_env env, napi_callback_info info);
napi_value BnApply(napi_env env, napi_callback_info info);

}  // namespace steel
