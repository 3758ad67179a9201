#include "app/digest_command.hpp"

#include "connectors/voice_report.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>

namespace vocflow::app {

int run_digest_local(const digest_command_options& o) {
  storage::status st;
  auto db = storage::store::open(
      {.path = o.data_dir, .sync = false, .cache_mb = 16, .read_only = true}, st);
  if (!db) {
    std::cerr << "vocflow digest: cannot open " << o.data_dir << ": " << st.message() << "\n";
    return 1;
  }
  auto topics = connectors::stored_topics(*db);
  if (auto* e = std::get_if<std::string>(&topics)) {
    std::cerr << "vocflow digest: " << *e << "\n";
    return 1;
  }
  auto now = std::chrono::time_point_cast<millis>(std::chrono::system_clock::now());
  digest_options d;
  d.as_of = now;
  d.week = o.week.empty() ? iso_week_of(now - std::chrono::days{7}) : o.week;
  auto from = parse_iso_week(d.week);
  if (!from) {
    std::cerr << "vocflow digest: `" << d.week << "` is not an ISO week like 2026-W48\n";
    return 1;
  }
  d.from = *from;
  d.to = *from + std::chrono::days{7};
  d.department = o.department;
  auto out = connectors::read_digest(*db, std::get<std::shared_ptr<const topic_set>>(topics), d);
  if (auto* e = std::get_if<std::string>(&out)) {
    std::cerr << "vocflow digest: " << *e << "\n";
    return 1;
  }
  std::cout << connectors::render_digest(std::get<digest>(out), o.format);
  return 0;
}

}  // namespace vocflow::app
