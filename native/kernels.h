// The one registry of native kernels: each native/*.cc registers its N-API
// functions here with MOVREC_KERNEL, and module.cc exports them all from the
// single addon native/build/movrec.node (only module.cc defines the module).
#pragma once
#include <node_api.h>

namespace movrec {
using KernelFn = napi_value (*)(napi_env, napi_callback_info);
int registerKernel(const char* name, KernelFn fn);
// Throws a JS TypeError/RangeError and returns nullptr, for `return fail(env, ...)`.
napi_value fail(napi_env env, const char* message, bool range = false);
// True when v is a typed array of type `want`; then its data and element count.
bool typed(napi_env env, napi_value v, napi_typedarray_type want, void** data, size_t* length);
}  // namespace movrec

// Registration runs at load time from a static initialiser in each kernel file.
#define MOVREC_KERNEL(name, fn) static const int movrec_kernel_##name = ::movrec::registerKernel(#name, fn)
