// Answer lines as bytes (twin: native/twins/lines.ts): a batch's lines are
// the model's id bytes copied id by id, commas between, with no string per id
// or per line. A scoring worker writes every line of a task in two calls.
#include "kernels.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Batch {
  const int32_t* idEnds;
  size_t ids;
  size_t idBytes;  // bytes the id table may point into
  const int32_t* items;
  size_t nItems;
  const int32_t* counts;
  size_t users;
};

napi_value refuse(napi_env env, const std::string& message) { return movrec::fail(env, message.c_str(), true); }

// Checks the counts against the items; an empty string when they agree.
std::string checkCounts(const Batch& b) {
  size_t total = 0;
  for (size_t u = 0; u < b.users; u++) {
    if (b.counts[u] < 0) return "lines: user " + std::to_string(u) + " has a negative count";
    total += static_cast<size_t>(b.counts[u]);
  }
  if (total > b.nItems) return "lines: the counts add up to " + std::to_string(total) + " items, more than the " + std::to_string(b.nItems) + " given";
  return "";
}

// Every user's line length into lens; an empty string, or why the batch is refused.
std::string lengths(const Batch& b, int32_t* lens) {
  std::string why = checkCounts(b);
  if (!why.empty()) return why;
  for (size_t u = 0, at = 0; u < b.users; u++) {
    const int32_t c = b.counts[u];
    int64_t len = c > 0 ? c - 1 : 0;
    for (int32_t x = 0; x < c; x++, at++) {
      const int32_t i = b.items[at];
      if (i < 0 || static_cast<size_t>(i) >= b.ids) return "lines: item " + std::to_string(i) + " is not an index into " + std::to_string(b.ids) + " ids";
      const int32_t start = i > 0 ? b.idEnds[i - 1] : 0, end = b.idEnds[i];
      if (start < 0 || end < start || static_cast<size_t>(end) > b.idBytes) return "lines: the id table is inconsistent at item " + std::to_string(i);
      len += end - start;
    }
    if (len > INT32_MAX) return "lines: user " + std::to_string(u) + "'s line is longer than 2 GiB";
    lens[u] = static_cast<int32_t>(len);
  }
  return "";
}

// lineLengths(idEnds: Int32Array, items: Int32Array, counts: Int32Array, out: Int32Array): out[u] = user u's line length in bytes.
napi_value LineLengths(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 4) return movrec::fail(env, "lineLengths expects 4 arguments");
  Batch b{};
  void *ends, *items, *counts, *out;
  size_t nOut;
  if (!movrec::typed(env, argv[0], napi_int32_array, &ends, &b.ids)) return movrec::fail(env, "lineLengths: idEnds must be an Int32Array");
  if (!movrec::typed(env, argv[1], napi_int32_array, &items, &b.nItems)) return movrec::fail(env, "lineLengths: items must be an Int32Array");
  if (!movrec::typed(env, argv[2], napi_int32_array, &counts, &b.users)) return movrec::fail(env, "lineLengths: counts must be an Int32Array");
  if (!movrec::typed(env, argv[3], napi_int32_array, &out, &nOut)) return movrec::fail(env, "lineLengths: out must be an Int32Array");
  b.idEnds = static_cast<const int32_t*>(ends);
  b.items = static_cast<const int32_t*>(items);
  b.counts = static_cast<const int32_t*>(counts);
  b.idBytes = b.ids > 0 && b.idEnds[b.ids - 1] > 0 ? static_cast<size_t>(b.idEnds[b.ids - 1]) : 0;
  if (nOut < b.users) return refuse(env, "lines: " + std::to_string(b.users) + " users but room for " + std::to_string(nOut) + " lengths");
  const std::string why = lengths(b, static_cast<int32_t*>(out));
  if (!why.empty()) return refuse(env, why);
  return nullptr;
}

// writeLines(idBytes: Uint8Array, idEnds: Int32Array, items: Int32Array, counts: Int32Array, body: Uint8Array, starts: Int32Array):
// user u's line into body from starts[u]. Everything is checked before the first byte is written.
napi_value WriteLines(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 6) return movrec::fail(env, "writeLines expects 6 arguments");
  Batch b{};
  void *bytes, *ends, *items, *counts, *body, *starts;
  size_t nBody, nStarts;
  if (!movrec::typed(env, argv[0], napi_uint8_array, &bytes, &b.idBytes)) return movrec::fail(env, "writeLines: idBytes must be a Uint8Array");
  if (!movrec::typed(env, argv[1], napi_int32_array, &ends, &b.ids)) return movrec::fail(env, "writeLines: idEnds must be an Int32Array");
  if (!movrec::typed(env, argv[2], napi_int32_array, &items, &b.nItems)) return movrec::fail(env, "writeLines: items must be an Int32Array");
  if (!movrec::typed(env, argv[3], napi_int32_array, &counts, &b.users)) return movrec::fail(env, "writeLines: counts must be an Int32Array");
  if (!movrec::typed(env, argv[4], napi_uint8_array, &body, &nBody)) return movrec::fail(env, "writeLines: body must be a Uint8Array");
  if (!movrec::typed(env, argv[5], napi_int32_array, &starts, &nStarts)) return movrec::fail(env, "writeLines: starts must be an Int32Array");
  b.idEnds = static_cast<const int32_t*>(ends);
  b.items = static_cast<const int32_t*>(items);
  b.counts = static_cast<const int32_t*>(counts);
  if (nStarts < b.users) return refuse(env, "lines: " + std::to_string(b.users) + " users but " + std::to_string(nStarts) + " starts");
  std::vector<int32_t> lens(b.users);
  const std::string why = lengths(b, lens.data());
  if (!why.empty()) return refuse(env, why);
  const int32_t* at0 = static_cast<const int32_t*>(starts);
  for (size_t u = 0; u < b.users; u++)
    if (at0[u] < 0 || static_cast<size_t>(at0[u]) + static_cast<size_t>(lens[u]) > nBody) return refuse(env, "lines: user " + std::to_string(u) + "'s line does not fit the body at " + std::to_string(at0[u]));
  const uint8_t* src = static_cast<const uint8_t*>(bytes);
  uint8_t* out = static_cast<uint8_t*>(body);
  for (size_t u = 0, at = 0; u < b.users; u++) {
    uint8_t* o = out + at0[u];
    for (int32_t x = 0; x < b.counts[u]; x++, at++) {
      if (x > 0) *o++ = ',';
      const int32_t i = b.items[at];
      const int32_t start = i > 0 ? b.idEnds[i - 1] : 0;
      const size_t len = static_cast<size_t>(b.idEnds[i] - start);
      std::memcpy(o, src + start, len);
      o += len;
    }
  }
  return nullptr;
}

}  // namespace

MOVREC_KERNEL(lineLengths, LineLengths);
MOVREC_KERNEL(writeLines, WriteLines);
