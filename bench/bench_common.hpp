// What every vocflow benchmark prints about where it ran, and the workload's ticket fields.
#pragma once

#include "actors/messages.hpp"
#include "build_commit.hpp"
#include "connectors/csv.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace vocflow::bench {

inline std::string cpu_model() {
  std::ifstream in{"/proc/cpuinfo"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

// The commit the benchmark was built from (bench/commit.cmake), wherever it runs.
inline std::string git_commit() {
  return VOCFLOW_BUILD_COMMIT;
}

inline long peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

// CPU time used by the whole process so far (user + system, every thread), in seconds.
inline double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

inline double percentile(std::vector<uint32_t>& xs, double p) {
  if (xs.empty()) return 0;
  auto k = static_cast<size_t>(p * static_cast<double>(xs.size() - 1));
  std::nth_element(xs.begin(), xs.begin() + static_cast<long>(k), xs.end());
  return xs[k];
}

// Where the CFPB complaints are in this workplace: beside the checkout (../shared/data). A clone
// elsewhere gives their path with --data.
inline constexpr const char* cfpb_csv =
    VOCFLOW_SOURCE_DIR "/../shared/data/cfpb_complaints_2014.csv";

// What a benchmark says when the complaints at `path` cannot be read.
inline void no_complaints(const std::string& path) {
  std::fprintf(stderr, "cannot read the CFPB complaints at %s (give their path with --data)\n",
               path.c_str());
}

// The complaints of the CFPB file, in turn, as ticket fields (WORKLOAD.md).
inline std::vector<ticket_fields> complaints(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  std::string text{std::istreambuf_iterator<char>{in}, {}};
  std::vector<ticket_fields> out;
  connectors::csv_reader r{text};
  std::vector<std::string> header, row;
  if (!r.next(header)) return out;
  while (r.next(row)) out.push_back(connectors::cfpb_fields(header, row));
  return out;
}

// The same, each shared: a command opening a ticket holds its fields without copying them.
inline std::vector<shared_value<ticket_fields>> shared(const std::vector<ticket_fields>& fields) {
  return {fields.begin(), fields.end()};
}

// Step `step` (0 open, 1 respond, 2 hand off, 3 resolve, 4 confirm) of the lifecycle workload
// for ticket `id`; `f` are its fields (used by open).
inline actors::submission lifecycle_command(const std::string& id, int step,
                                            const shared_value<ticket_fields>& f) {
  actors::submission sub;
  sub.ticket_id = id;
  auto& c = sub.cmd;
  switch (step) {
    case 0:
      c.action = "open", c.by = {"intake", "system"}, c.info = f;
      break;
    case 1:
      c.action = "respond", c.by = {"agent-7", "agent"}, c.text = "We are on it";
      break;
    case 2:
      c.action = "hand_off", c.by = {"agent-7", "agent"}, c.to = "logistics",
      c.text = "Parcel lost in transit";
      break;
    case 3:
      c.action = "resolve", c.by = {"logistics-3", "agent"}, c.text = "Refund sent";
      break;
    default:
      c.action = "confirm", c.by = {"customer", "customer"};
      break;
  }
  return sub;
}

// A read of the benchmark's own bookkeeping that failed: said on stderr (the figures printed
// after it are not to be trusted).
inline void report_failure(const storage::status& st) {
  if (!st) std::fprintf(stderr, "cannot read the store: %s\n", st.message().c_str());
}

// A partition's earliest due timer; nullopt when none, or when the index cannot be read (said).
inline std::optional<time_point> earliest_due(const storage::store& db, uint16_t partition) {
  std::optional<time_point> due;
  report_failure(db.earliest_due(partition, std::nullopt, due));
  return due;
}

inline void print_machine() {
  std::printf("machine      %u cores, %s\n", std::thread::hardware_concurrency(),
              cpu_model().c_str());
  std::printf("commit       %s\n", git_commit().c_str());
}

}  // namespace vocflow::bench
