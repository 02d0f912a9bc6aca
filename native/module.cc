// The addon's entry point: exports every kernel registered with MOVREC_KERNEL
// (see kernels.h) plus `simd`, the instruction set the kernels were built for.
#include "kernels.h"

#include <vector>

namespace movrec {
namespace {
struct Entry {
  const char* name;
  KernelFn fn;
};
// A function-local static: kernel files register from their own static
// initialisers, whose order across translation units is unspecified.
std::vector<Entry>& registry() {
  static std::vector<Entry> entries;
  return entries;
}
}  // namespace

int registerKernel(const char* name, KernelFn fn) {
  registry().push_back({name, fn});
  return static_cast<int>(registry().size());
}

napi_value fail(napi_env env, const char* message, bool range) {
  if (range) napi_throw_range_error(env, nullptr, message);
  else napi_throw_type_error(env, nullptr, message);
  return nullptr;
}

bool typed(napi_env env, napi_value v, napi_typedarray_type want, void** data, size_t* length) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return false;
  napi_typedarray_type type;
  if (napi_get_typedarray_info(env, v, &type, length, data, nullptr, nullptr) != napi_ok) return false;
  return type == want;
}
}  // namespace movrec

NAPI_MODULE_INIT() {
  for (const auto& e : movrec::registry()) {
    napi_value fn;
    if (napi_create_function(env, e.name, NAPI_AUTO_LENGTH, e.fn, nullptr, &fn) != napi_ok) return nullptr;
    if (napi_set_named_property(env, exports, e.name, fn) != napi_ok) return nullptr;
  }
  napi_value simd;
#if defined(__AMX_TILE__) && defined(__AMX_INT8__) && defined(__AVX512F__)
  napi_create_string_utf8(env, "avx512f+amx-int8", NAPI_AUTO_LENGTH, &simd);
#elif defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__AVX512VNNI__)
  napi_create_string_utf8(env, "avx512f+vnni", NAPI_AUTO_LENGTH, &simd);
#elif defined(__AVX512F__)
  napi_create_string_utf8(env, "avx512f", NAPI_AUTO_LENGTH, &simd);
#elif defined(__AVX2__) && defined(__FMA__)
  napi_create_string_utf8(env, "avx2+fma", NAPI_AUTO_LENGTH, &simd);
#else
  napi_create_string_utf8(env, "scalar", NAPI_AUTO_LENGTH, &simd);
#endif
  napi_set_named_property(env, exports, "simd", simd);
  return exports;
}
