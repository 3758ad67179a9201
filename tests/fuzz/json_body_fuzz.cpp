// Fuzz target: any bytes as the JSON body of POST /v1/tickets and of an action. Each parse ends
// in a request or in an error that names its code and says what is wrong; nothing crashes.
#include "connectors/intake.hpp"

#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

namespace {

void check(const vocflow::connectors::body_error& e) {
  static const std::set<std::string> codes = {"malformed_json", "unknown_field", "invalid_field",
                                              "missing_field"};
  if (!codes.contains(e.code) || e.message.empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body{reinterpret_cast<const char*>(data), size};
  auto open = vocflow::connectors::parse_open(body);
  if (auto* e = std::get_if<vocflow::connectors::body_error>(&open)) check(*e);
  auto action = vocflow::connectors::parse_action(body);
  if (auto* e = std::get_if<vocflow::connectors::body_error>(&action))
    check(*e);
  else if (std::get<vocflow::connectors::action_request>(action).action.empty())
    std::abort();
  return 0;
}
