// The hash of unordered containers keyed by std::string and searched by std::string_view (with
// std::equal_to<>): a lookup builds no string. Not noexcept on purpose: libstdc++ then keeps
// each node's hash code, and a search compares codes before keys.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace vocflow::actors {

struct string_hash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace vocflow::actors
