// Fuzz target: any text as a flow document, loaded against the example organization. The
// loader must never crash, and every problem it finds must be located (file:line:column).
#include "workflows/catalog.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

const vocflow::source_file& organization() {
  static const vocflow::source_file org = [] {
    vocflow::diagnostics d;
    auto f = vocflow::read_source(
        std::string{VOCFLOW_SOURCE_DIR} + "/examples/flows/organization.yaml", d);
    if (!f) std::abort();
    return *f;
  }();
  return org;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vocflow::diagnostics diags;
  auto cat = vocflow::load_catalog(
      {organization(), {"fuzz.yaml", std::string{reinterpret_cast<const char*>(data), size}}},
      diags);
  for (auto& d : diags.items()) {
    if (d.file == "fuzz.yaml" && (d.pos.line < 1 || d.pos.column < 1)) {
      std::fprintf(stderr, "unlocated diagnostic: %s\n", vocflow::to_string(d).c_str());
      std::abort();
    }
    if (d.message.empty()) std::abort();
  }
  return 0;
}
