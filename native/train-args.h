// Argument helpers shared by the training kernels (train-sgd.cc, train-als.cc).
#pragma once
#include <node_api.h>

#include <cstddef>

namespace movrec {
namespace train {
// Points *data at a typed array's elements when v is a typed array of the wanted type.
inline bool typed(napi_env env, napi_value v, napi_typedarray_type want, void** data, size_t* length) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return false;
  napi_typedarray_type type;
  if (napi_get_typedarray_info(env, v, &type, length, data, nullptr, nullptr) != napi_ok) return false;
  return type == want;
}

inline bool number(napi_env env, napi_value v, double* out) { return napi_get_value_double(env, v, out) == napi_ok; }
}  // namespace train
}  // namespace movrec
