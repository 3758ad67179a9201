// Shared by the workflow tests: the example organization and flows, loaded once, and short
// helpers to drive the engine.
#pragma once

#include "workflows/catalog.hpp"
#include "workflows/engine.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>

namespace vocflow::testing {

inline std::string source_dir() {
  return VOCFLOW_SOURCE_DIR;
}
inline std::string example(const std::string& rel) {
  return source_dir() + "/examples/" + rel;
}

// Reads files; fails the test on I/O errors.
std::vector<source_file> read_all(const std::vector<std::string>& paths);

// Every example flow with the example organization; asserts it loads without errors.
const catalog& examples();
std::shared_ptr<const flow> example_flow(const std::string& id);

// Loads YAML text (flows and organizations) as if from files with these names.
catalog load_text(const std::vector<std::pair<std::string, std::string>>& files, diagnostics& d);

// The example organization followed by one flow given as text.
catalog with_org(const std::string& flow_yaml, diagnostics& d);

// A local time in a calendar: "2026-03-06 17:50".
time_point local(const calendar& cal, const std::string& text);

// Drives one ticket through decide/apply, keeping the armed timers like a runtime does.
class driver {
 public:
  explicit driver(std::shared_ptr<const flow> f) : f_(std::move(f)) {}

  // Returns the rejection, if any; applies the decision otherwise.
  std::optional<rejection> act(command cmd, time_point at);
  std::optional<rejection> act(const std::string& action, const std::string& role, time_point at,
                               std::function<void(command&)> fill = {});
  std::optional<rejection> open(const ticket_fields& info, time_point at);
  // Sends a timer firing as `role` (the runtime sends them as the system).
  std::optional<rejection> fire(uint64_t timer, time_point at, const std::string& role = "system");
  // Fires every timer due at or before `until`, each at its due time.
  size_t run_until(time_point until);

  const ticket& state() const { return t_; }
  const std::vector<event>& events() const { return events_; }
  const std::map<uint64_t, time_point>& timers() const { return timers_; }
  std::vector<event> of_type(std::string_view type) const;
  const flow& flow_() const { return *f_; }

 private:
  std::shared_ptr<const flow> f_;
  ticket t_;
  std::vector<event> events_;
  std::map<uint64_t, time_point> timers_;
};

}  // namespace vocflow::testing
