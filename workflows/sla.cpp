#include "workflows/sla.hpp"

#include <algorithm>

namespace vocflow {

const sla_target* target_of(const flow& f, const sla_clock& c) {
  switch (c.kind) {
    case clock_kind::first_response:
      return &f.first_response;
    case clock_kind::resolution:
      return &f.resolution;
    case clock_kind::step:
      if (auto* s = f.find(c.step)) return &s->sla;
      return nullptr;
    case clock_kind::task:
      if (c.step.empty() && c.name == root_cause_task)
        return f.compensation.root_cause ? &f.compensation.root_cause->sla : nullptr;
      if (auto* s = f.find(c.step))
        if (auto* b = s->find_branch(c.name)) return &b->sla;
      return nullptr;
    case clock_kind::timeout:
      return nullptr;
  }
  return nullptr;
}

std::vector<threshold> thresholds(const flow& f, const sla_clock& c) {
  std::vector<threshold> out;
  auto total = c.total;
  if (c.kind == clock_kind::timeout) {
    out.push_back({total, threshold::kind::timeout, -1});
    return out;
  }
  auto* t = target_of(f, c);
  if (!t) return out;
  auto share = [&](double percent) {
    return millis{static_cast<int64_t>(static_cast<double>(total.count()) * percent / 100.0)};
  };
  if (auto warn = t->warn_at ? t->warn_at : f.warn_at)
    out.push_back({share(*warn), threshold::kind::warn, -1});
  out.push_back({total, threshold::kind::breach, -1});
  for (size_t i = 0; i < t->escalate.size() && out.size() < 32; ++i) {
    auto& lvl = t->escalate[i];
    millis at{0};
    switch (lvl.kind) {
      case escalation_level::anchor::percent:
        at = share(lvl.percent);
        break;
      case escalation_level::anchor::elapsed:
        at = std::min(lvl.offset, total);
        break;
      case escalation_level::anchor::before:
        at = std::max(total - lvl.offset, millis{0});
        break;
    }
    out.push_back({at, threshold::kind::level, static_cast<int32_t>(i)});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](auto& a, auto& b) { return a.at != b.at ? a.at < b.at : a.what < b.what; });
  return out;
}

}  // namespace vocflow
