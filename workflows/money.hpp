// Amounts of money in minor units (cents, fen): never floating point.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vocflow {

struct money {
  int64_t minor = 0;  // hundredths of the currency unit

  friend money operator+(money a, money b) { return {a.minor + b.minor}; }
  friend money operator-(money a, money b) { return {a.minor - b.minor}; }
  money& operator+=(money b) {
    minor += b.minor;
    return *this;
  }
  auto operator<=>(const money&) const = default;
};

// "50", "49.9", "49.99"; nullopt for anything else (negative, three decimals, text).
[[nodiscard]] std::optional<money> parse_money(std::string_view text);

// "50", "49.90".
std::string to_string(money m);

}  // namespace vocflow
