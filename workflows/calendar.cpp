#include "workflows/calendar.hpp"

#include <date/tz.h>

#include <algorithm>

namespace vocflow {
namespace {

constexpr int max_days_scanned = 3660;  // ten years without working time = no deadline

}  // namespace

calendar::calendar(calendar_definition def) : def_(std::move(def)) {
  for (auto& day : def_.week)
    std::sort(day.begin(), day.end(), [](auto& a, auto& b) { return a.begin < b.begin; });
  for (auto& [_, day] : def_.workdays)
    std::sort(day.begin(), day.end(), [](auto& a, auto& b) { return a.begin < b.begin; });
}

const std::vector<time_slot>* calendar::slots(date::local_days d) const {
  if (auto it = def_.workdays.find(d); it != def_.workdays.end()) return &it->second;
  if (def_.holidays.contains(d)) return nullptr;
  return &def_.week[date::weekday{d}.c_encoding()];
}

date::local_days calendar::local_day(time_point t) const {
  return date::floor<date::days>(def_.zone->to_local(t));
}

time_point calendar::to_sys(date::local_days d, int32_t minute) const {
  // A local time skipped by a DST change maps to the instant of the change.
  auto local = date::local_time<millis>{d} + std::chrono::minutes{minute};
  return def_.zone->to_sys(local, date::choose::earliest);
}

void calendar::intervals(date::local_days d, std::vector<interval>& out) const {
  out.clear();
  if (def_.always) {
    out.push_back({to_sys(d, 0), to_sys(d, 1440)});
    return;
  }
  if (auto* s = slots(d))
    for (auto& slot : *s) out.push_back({to_sys(d, slot.begin), to_sys(d, slot.end)});
}

time_point calendar::add_business(time_point from, millis amount) const {
  if (amount <= millis::zero()) return from;
  if (def_.always) return from + amount;
  std::vector<interval> day;
  auto d = local_day(from);
  for (int i = 0; i < max_days_scanned; ++i, d += date::days{1}) {
    intervals(d, day);
    for (auto& [a, b] : day) {
      if (b <= from) continue;
      auto start = std::max(a, from);
      auto avail = b - start;
      if (amount <= avail) return start + amount;
      amount -= avail;
    }
  }
  return time_point::max();
}

millis calendar::business_between(time_point a, time_point b) const {
  if (b <= a) return millis::zero();
  if (def_.always) return b - a;
  millis total{0};
  std::vector<interval> day;
  auto last = local_day(b);
  for (auto d = local_day(a); d <= last; d += date::days{1}) {
    intervals(d, day);
    for (auto& [x, y] : day) {
      auto lo = std::max(x, a), hi = std::min(y, b);
      if (hi > lo) total += hi - lo;
    }
  }
  return total;
}

time_point calendar::add_days(time_point from, int32_t n) const {
  if (n <= 0) return from;
  std::vector<interval> day;
  // Start at the first working instant at or after `from`.
  auto d = local_day(from);
  std::optional<time_point> start;
  for (int i = 0; i < max_days_scanned && !start; ++i, d += date::days{1}) {
    intervals(d, day);
    for (auto& [a, b] : day)
      if (b > from) {
        start = std::max(a, from);
        break;
      }
  }
  if (!start) return time_point::max();
  d = local_day(*start);
  auto time_of_day = def_.zone->to_local(*start) - date::local_time<millis>{d};
  // Move n working days on.
  int scanned = 0;
  while (n > 0) {
    d += date::days{1};
    if (++scanned > max_days_scanned) return time_point::max();
    intervals(d, day);
    if (!day.empty()) --n;
  }
  auto target =
      def_.zone->to_sys(date::local_time<millis>{d} + time_of_day, date::choose::earliest);
  // Keep the deadline inside that day's working time: the latest working instant <= target.
  if (target < day.front().begin) return day.front().begin;
  time_point best = day.front().begin;
  for (auto& [a, b] : day) {
    if (target < a) break;
    best = target < b ? target : b;
  }
  return best;
}

time_point calendar::add(time_point from, const duration_spec& d) const {
  auto t = add_days(from, d.days);
  if (t == time_point::max()) return t;
  return add_business(t, d.rest);
}

std::string calendar::zone_name() const {
  return std::string{def_.zone->name()};
}

bool calendar::is_working(time_point t) const {
  if (def_.always) return true;
  std::vector<interval> day;
  intervals(local_day(t), day);
  return std::any_of(day.begin(), day.end(), [&](auto& i) { return i.begin <= t && t < i.end; });
}

std::string calendar::format_local(time_point t) const {
  auto z = date::make_zoned(def_.zone, t);
  auto secs = date::floor<std::chrono::seconds>(t);
  if (secs.time_since_epoch().count() % 60 == 0) return date::format("%a %F %R", z);
  return date::format("%a %F %T", date::make_zoned(def_.zone, secs));
}

std::optional<time_point> calendar::parse_local(std::string_view text) const {
  if (auto utc = parse_utc(text)) return utc;
  if (auto local = parse_local_time(text)) return def_.zone->to_sys(*local, date::choose::earliest);
  return std::nullopt;
}

}  // namespace vocflow
