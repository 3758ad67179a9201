// The spike detector (workflows/voice.hpp) on history without spikes, and on history with one.
//   spike_bench [--series N] [--days N]
// 1. False alarms: Poisson day counts at several levels, with a weekly rhythm (weekends at half
//    the weekday rate), no spike: the share of days flagged, per level, after the history the
//    rule needs.
// 2. Power: the same series with one day multiplied (x2, x3, x5): the share of those days flagged.
// 3. Real history: the CFPB complaints of ../shared/data (Oct-Nov 2014), distinct complaints
//    per product per day: the days flagged, each with the rule's reason.
// The rule is the default of a topics file: baseline 7, gap 2, threshold 3, min_count 5, weekly.
#include "bench_common.hpp"
#include "workflows/voice.hpp"

#include <fmt/format.h>

#include <iostream>
#include <map>
#include <random>

using namespace vocflow;

namespace {

struct tally {
  long days = 0, flagged = 0;
  double rate() const {
    return days ? static_cast<double>(flagged) / static_cast<double>(days) : 0;
  }
};

// A series of `days` Poisson counts of mean `level` on weekdays and level/2 on weekends.
std::vector<int> series(std::mt19937& rng, double level, int days) {
  std::vector<int> out;
  for (int d = 0; d < days; ++d) {
    bool weekend = d % 7 >= 5;
    std::poisson_distribution<int> p{weekend ? level / 2 : level};
    out.push_back(p(rng));
  }
  return out;
}

// Every day of `s` from `first` on, judged on the history before it.
void judge(const std::vector<int>& s, size_t first, const spike_settings& rule, tally& t,
           std::optional<size_t> only = {}) {
  for (size_t d = first; d < s.size(); ++d) {
    if (only && d != *only) continue;
    auto v = detect_spike(std::span<const int>{s.data(), d + 1}, rule, 7);
    ++t.days;
    t.flagged += v.spike;
  }
}

}  // namespace

int main(int argc, char** argv) {
  int n = 200, days = 365;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string{argv[i]} == "--series") n = std::stoi(argv[i + 1]);
    if (std::string{argv[i]} == "--days") days = std::stoi(argv[i + 1]);
  }
  fmt::print("spike_bench on {} ({} cores), commit {}\n", bench::cpu_model(),
             std::thread::hardware_concurrency(), bench::git_commit());
  spike_settings rule;  // the defaults
  std::mt19937 rng{2026};
  const size_t warm = 7 * static_cast<size_t>(rule.baseline) + 1;  // full weekly history
  fmt::print("rule: baseline {}, gap {}, threshold {}, min_count {}, seasonal {}\n", rule.baseline,
             rule.gap, rule.threshold, rule.min_count, rule.seasonal);
  fmt::print("\nfalse alarms ({} series x {} days, no spike; weekends at half rate)\n", n, days);
  fmt::print("{:>10} {:>12} {:>14} {:>18}\n", "mean/day", "days judged", "days flagged",
             "false-alarm rate");
  for (double level : {2.0, 5.0, 10.0, 30.0, 100.0}) {
    tally t;
    for (int i = 0; i < n; ++i) judge(series(rng, level, days), warm, rule, t);
    fmt::print("{:>10.0f} {:>12} {:>14} {:>17.4f}%\n", level, t.days, t.flagged, 100 * t.rate());
  }
  fmt::print("\npower (one day multiplied, {} series per cell)\n", n);
  fmt::print("{:>10} {:>8} {:>8} {:>8}\n", "mean/day", "x2", "x3", "x5");
  for (double level : {2.0, 5.0, 10.0, 30.0, 100.0}) {
    std::string row = fmt::format("{:>10.0f}", level);
    for (double factor : {2.0, 3.0, 5.0}) {
      tally t;
      for (int i = 0; i < n; ++i) {
        auto s = series(rng, level, 120);
        size_t day = warm + static_cast<size_t>(rng() % (120 - warm));
        s[day] = static_cast<int>(std::lround(s[day] * factor));
        judge(s, warm, rule, t, day);
      }
      row += fmt::format(" {:>7.0f}%", 100 * t.rate());
    }
    fmt::print("{}\n", row);
  }

  auto path = std::string{VOCFLOW_SOURCE_DIR} + "/../shared/data/cfpb_complaints_2014.csv";
  std::ifstream in{path, std::ios::binary};
  if (!in) return 0;
  std::string text{std::istreambuf_iterator<char>{in}, {}};
  connectors::csv_reader csv{text};
  std::vector<std::string> row;
  csv.next(row);
  std::map<std::string, std::map<std::string, int>> by_product;  // product -> yyyy-mm-dd -> n
  while (csv.next(row))
    if (row.size() > 8 && row[8].size() == 10)
      ++by_product[row[1]][row[8].substr(6, 4) + "-" + row[8].substr(0, 5)];
  fmt::print("\nCFPB 2014, complaints per product per day (days from the first complaint on)\n");
  tally all;
  for (auto& [product, per_day] : by_product) {
    // Consecutive days: the dates are mm/dd of one autumn, in order.
    std::vector<int> s;
    std::vector<std::string> names;
    for (auto& [day, count] : per_day) s.push_back(count), names.push_back(day);
    tally t;
    std::string flagged;
    for (auto d = static_cast<size_t>(rule.baseline) + static_cast<size_t>(rule.gap); d < s.size();
         ++d) {
      auto v = detect_spike(std::span<const int>{s.data(), d + 1}, rule, 7);
      ++t.days;
      if (v.spike) ++t.flagged, flagged += fmt::format(" {} ({})", names[d], v.why);
    }
    all.days += t.days, all.flagged += t.flagged;
    fmt::print("  {:<28} {:>3} days judged, {} flagged{}\n", product, t.days, t.flagged, flagged);
  }
  fmt::print("  all products: {} of {} days flagged ({:.2f}%)\n", all.flagged, all.days,
             100 * all.rate());
  return 0;
}
