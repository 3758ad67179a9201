// Business calendars: a time zone (IANA), working slots per weekday, holidays and extra
// working days. They turn "4h" of business time into a wall-clock deadline across nights,
// weekends, holidays and DST changes. Pure arithmetic: no clock is read.
#pragma once

#include "workflows/duration.hpp"
#include "workflows/time.hpp"

#include <date/date.h>

#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace date {
class time_zone;
}

namespace vocflow {

// Working time [begin, end) in minutes after local midnight; end may be 1440 (24:00).
struct time_slot {
  int32_t begin = 0;
  int32_t end = 0;
  bool operator==(const time_slot&) const = default;
};

struct calendar_definition {
  std::string name;
  const date::time_zone* zone = nullptr;       // required
  bool always = false;                         // 24x7: every instant is working time
  std::array<std::vector<time_slot>, 7> week;  // indexed by weekday, 0 = Sunday
  std::set<date::local_days> holidays;         // no working time on these dates
  std::map<date::local_days, std::vector<time_slot>> workdays;  // override week and holidays
};

class calendar {
 public:
  explicit calendar(calendar_definition def);

  const std::string& name() const { return def_.name; }
  const date::time_zone* zone() const { return def_.zone; }
  std::string zone_name() const;  // "Asia/Shanghai"
  bool always() const { return def_.always; }
  const calendar_definition& definition() const { return def_; }

  // The earliest instant at which `amount` of business time has passed since `from`.
  // time_point::max() if the calendar has no working time within ten years.
  time_point add_business(time_point from, millis amount) const;

  // Business time in [a, b); zero when b <= a.
  millis business_between(time_point a, time_point b) const;

  // `n` working days after `from`, at the same local time of day, kept within that day's
  // working time. `from` outside working time counts from the next working instant.
  time_point add_days(time_point from, int32_t n) const;

  // Deadline of a duration_spec written by a process owner: days first, then business time.
  time_point add(time_point from, const duration_spec& d) const;

  // The business length of `d` counted from `from`: what percentages of a target refer to.
  millis span(time_point from, const duration_spec& d) const {
    return business_between(from, add(from, d));
  }

  bool is_working(time_point t) const;

  // "Fri 2026-03-06 17:50" in the calendar's zone (seconds shown when not zero).
  std::string format_local(time_point t) const;

  // A local wall time in this calendar's zone ("2026-03-06 17:50", "2026-03-06T17:50:30"),
  // or an explicit UTC / offset time (parse_utc). nullopt if it is neither.
  [[nodiscard]] std::optional<time_point> parse_local(std::string_view text) const;

 private:
  struct interval {
    time_point begin, end;
  };
  // Working intervals of local day `d`, in order; fills `out` (cleared first).
  void intervals(date::local_days d, std::vector<interval>& out) const;
  const std::vector<time_slot>* slots(date::local_days d) const;
  date::local_days local_day(time_point t) const;
  time_point to_sys(date::local_days d, int32_t minute) const;

  calendar_definition def_;
};

}  // namespace vocflow
