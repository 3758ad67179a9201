#include "workflows/duration.hpp"

#include <fmt/format.h>

#include <cctype>

namespace vocflow {

std::optional<duration_spec> parse_duration(std::string_view text) {
  static constexpr std::string_view units = "dhms";
  duration_spec out;
  size_t i = 0;
  size_t next_unit = 0;  // units must come in order, each at most once
  bool any = false;
  while (i < text.size()) {
    int64_t n = 0;
    size_t digits = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      n = n * 10 + (text[i] - '0');
      if (n > 100'000'000) return std::nullopt;
      ++i, ++digits;
    }
    if (digits == 0 || i == text.size()) return std::nullopt;
    auto u = units.find(text[i], next_unit);
    if (u == std::string_view::npos) return std::nullopt;
    next_unit = u + 1;
    ++i;
    switch (units[u]) {
      case 'd':
        if (n > 3650) return std::nullopt;
        out.days = static_cast<int32_t>(n);
        break;
      case 'h':
        out.rest += std::chrono::hours{n};
        break;
      case 'm':
        out.rest += std::chrono::minutes{n};
        break;
      case 's':
        out.rest += std::chrono::seconds{n};
        break;
    }
    any = true;
  }
  if (!any) return std::nullopt;
  return out;
}

std::string to_string(const duration_spec& d) {
  std::string out;
  if (d.days) out += fmt::format("{}d", d.days);
  auto ms = d.rest.count();
  auto h = ms / 3'600'000, m = ms / 60'000 % 60, s = ms / 1000 % 60;
  if (h) out += fmt::format("{}h", h);
  if (m) out += fmt::format("{}m", m);
  if (s) out += fmt::format("{}s", s);
  return out.empty() ? "0m" : out;
}

std::string format_millis(millis amount) {
  auto ms = amount.count();
  std::string sign = ms < 0 ? "-" : "";
  if (ms < 0) ms = -ms;
  auto h = ms / 3'600'000, m = ms / 60'000 % 60, s = ms / 1000 % 60;
  std::string out = h ? fmt::format("{}{}h{:02}m", sign, h, m) : fmt::format("{}{}m", sign, m);
  if (s) out += fmt::format("{:02}s", s);
  return out;
}

}  // namespace vocflow
