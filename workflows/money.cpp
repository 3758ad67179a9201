#include "workflows/money.hpp"

#include <fmt/format.h>

#include <cctype>

namespace vocflow {

std::optional<money> parse_money(std::string_view text) {
  int64_t units = 0, cents = 0;
  size_t i = 0, digits = 0;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, ++digits) {
    units = units * 10 + (text[i] - '0');
    if (units > 1'000'000'000'000) return std::nullopt;
  }
  if (digits == 0) return std::nullopt;
  if (i < text.size()) {
    if (text[i] != '.') return std::nullopt;
    auto frac = text.substr(i + 1);
    if (frac.empty() || frac.size() > 2) return std::nullopt;
    for (char c : frac)
      if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    cents = (frac[0] - '0') * 10 + (frac.size() == 2 ? frac[1] - '0' : 0);
  }
  return money{units * 100 + cents};
}

std::string to_string(money m) {
  auto sign = m.minor < 0 ? "-" : "";
  auto v = m.minor < 0 ? -m.minor : m.minor;
  if (v % 100 == 0) return fmt::format("{}{}", sign, v / 100);
  return fmt::format("{}{}.{:02}", sign, v / 100, v % 100);
}

}  // namespace vocflow
