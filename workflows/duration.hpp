// Durations as process owners write them: "4h", "90m", "1d4h", "2d", "30s".
//
// Hours, minutes and seconds are business time of a calendar. A day ("d") is a working day:
// N days from an instant is the same local time N working days later (see calendar.hpp), so
// "5d" on a 09:00-18:00 calendar means five working days, not 120 business hours.
#pragma once

#include "workflows/time.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vocflow {

struct duration_spec {
  int32_t days = 0;
  millis rest{0};

  bool is_zero() const { return days == 0 && rest.count() == 0; }
  bool operator==(const duration_spec&) const = default;
};

// nullopt when the text is not a duration; the units are d, h, m, s, each at most once, in
// that order ("1d4h30m"). Fractions are not allowed (write "90m", not "1.5h").
[[nodiscard]] std::optional<duration_spec> parse_duration(std::string_view text);

// "1d4h30m"; the canonical form parse_duration accepts.
std::string to_string(const duration_spec& d);

// A business-time amount for people: "0m", "45m", "3h50m", "27h05m", "1h00m30s".
std::string format_millis(millis amount);

}  // namespace vocflow
