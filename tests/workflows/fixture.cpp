#include "tests/workflows/fixture.hpp"

#include <filesystem>

namespace vocflow::testing {

std::vector<source_file> read_all(const std::vector<std::string>& paths) {
  std::vector<source_file> out;
  diagnostics d;
  for (auto& p : paths)
    if (auto f = read_source(p, d)) out.push_back(std::move(*f));
  EXPECT_FALSE(d.has_errors()) << to_string(d.items().front());
  return out;
}

const catalog& examples() {
  static const catalog c = [] {
    std::vector<std::string> paths;
    for (auto& e : std::filesystem::directory_iterator(example("flows")))
      if (e.path().extension() == ".yaml") paths.push_back(e.path().string());
    diagnostics d;
    auto loaded = load_catalog(read_all(paths), d);
    for (auto& item : d.items()) ADD_FAILURE() << to_string(item);
    return loaded;
  }();
  return c;
}

std::shared_ptr<const flow> example_flow(const std::string& id) {
  auto f = examples().find(id);
  EXPECT_TRUE(f) << "no example flow " << id;
  return f;
}

catalog load_text(const std::vector<std::pair<std::string, std::string>>& files, diagnostics& d) {
  std::vector<source_file> sources;
  for (auto& [name, text] : files) sources.push_back({name, text});
  return load_catalog(sources, d);
}

catalog with_org(const std::string& flow_yaml, diagnostics& d) {
  auto org = read_all({example("flows/organization.yaml")});
  return load_text({{"organization.yaml", org.front().text}, {"flow.yaml", flow_yaml}}, d);
}

time_point local(const calendar& cal, const std::string& text) {
  auto t = cal.parse_local(text);
  EXPECT_TRUE(t) << text;
  return t.value_or(time_point{});
}

std::optional<rejection> driver::act(command cmd, time_point at) {
  if (cmd.ticket_id.empty()) cmd.ticket_id = "T-1";
  auto out = decide(*f_, t_, cmd, at);
  if (auto* r = std::get_if<rejection>(&out)) return *r;
  auto& d = std::get<decision>(out);
  for (auto& e : d.events) events_.push_back(e);
  for (auto& fx : d.effects) {
    if (auto* a = std::get_if<arm_timer>(&fx)) timers_[a->timer] = a->due;
    if (auto* c = std::get_if<cancel_timer>(&fx)) timers_.erase(c->timer);
  }
  t_ = std::move(d.next);
  return std::nullopt;
}

std::optional<rejection> driver::act(const std::string& action, const std::string& role,
                                     time_point at, std::function<void(command&)> fill) {
  command c;
  c.action = action;
  c.by = {role == "customer" ? "customer" : "someone", role};
  if (fill) fill(c);
  return act(std::move(c), at);
}

std::optional<rejection> driver::open(const ticket_fields& info, time_point at) {
  command c;
  c.action = "open";
  c.by = {"intake", "system"};
  c.info = info;
  return act(std::move(c), at);
}

std::optional<rejection> driver::fire(uint64_t timer, time_point at, const std::string& role) {
  command c;
  c.action = "timer";
  c.by = {role == "system" ? "system:timer" : "someone", role};
  c.timer = timer;
  return act(std::move(c), at);
}

size_t driver::run_until(time_point until) {
  size_t fired = 0;
  while (!timers_.empty()) {
    auto next = std::min_element(timers_.begin(), timers_.end(),
                                 [](auto& a, auto& b) { return a.second < b.second; });
    if (next->second > until) break;
    auto [id, due] = *next;
    timers_.erase(next);
    auto r = fire(id, due);
    EXPECT_FALSE(r) << "timer " << id << " refused: " << r->message;
    ++fired;
  }
  return fired;
}

std::vector<event> driver::of_type(std::string_view type) const {
  std::vector<event> out;
  for (auto& e : events_)
    if (e.type() == type) out.push_back(e);
  return out;
}

}  // namespace vocflow::testing
