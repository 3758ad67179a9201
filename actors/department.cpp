#include "actors/department.hpp"

#include "actors/prefetch.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace vocflow::actors {
namespace {

struct department_state {
  static inline const char* name = "vocflow.department";
  std::string department;
  uint64_t bit = ~uint64_t{0};
  queue_map queue;
};

// Whether the ticket is on the department's queue: owned while not closed, or with a task.
bool concerns(const ticket& t, const std::string& department) {
  if (t.owner == department && t.status != ticket_status::closed) return true;
  return std::any_of(t.tasks.begin(), t.tasks.end(),
                     [&](const task& k) { return k.owner == department; });
}

// A page in id order: the map's own.
queue_page page_by_id(const queue_map& queue, const queue_query& q) {
  queue_page page;
  for (auto& [id, e] : queue) page.total += q.filter.matches(e.view);
  auto it = q.cursor.empty() ? queue.begin() : queue.upper_bound(q.cursor);
  for (; it != queue.end() && page.entries.size() < q.limit; ++it)
    if (q.filter.matches(it->second.view)) page.entries.push_back(it->second);
  for (; it != queue.end(); ++it)
    if (q.filter.matches(it->second.view)) {
      page.next_cursor = page.entries.empty() ? "" : page.entries.back().view.id;
      break;
    }
  return page;
}

// A page in urgency order: the matching rows ranked, then those after the cursor.
queue_page page_by_urgency(const queue_map& queue, const queue_query& q) {
  queue_page page;
  std::vector<std::pair<urgency_key, const queue_entry*>> rows;
  auto after = q.cursor.empty() ? std::nullopt : urgency_cursor(q.cursor);
  for (auto& [id, e] : queue) {
    if (!q.filter.matches(e.view)) continue;
    ++page.total;
    auto k = urgency_of(e.view);
    if (!after || *after < k) rows.emplace_back(std::move(k), &e);
  }
  auto n = std::min(rows.size(), q.limit);
  std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(n), rows.end(),
                    [](auto& a, auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < n; ++i) page.entries.push_back(*rows[i].second);
  if (rows.size() > n && n > 0) page.next_cursor = to_cursor(rows[n - 1].first);
  return page;
}

department_actor::behavior_type department_behavior(
    department_actor::stateful_pointer<department_state> self, std::string name, uint64_t bit,
    queue_map initial) {
  self->state.department = std::move(name);
  self->state.bit = bit;
  self->state.queue = std::move(initial);
  return {
      [=](committed_atom, const commit_batch& batch) {
        auto& s = self->state;
        for (auto& c : *batch)
          if (c.departments & s.bit) prefetch_state(c.state.get()), prefetch_state(c.before.get());
        for (auto& c : *batch) {
          // Most commits concern other departments: their tickets are not even read. A bit of
          // its own (not the one shared from the 64th department on) says this one is
          // concerned, before or after, without comparing names.
          if (!(c.departments & s.bit)) continue;
          if (s.bit == department_bits::bit(63) && !concerns(*c.before, s.department) &&
              !concerns(*c.state, s.department))
            continue;
          // One search serves both: most of these commits are a ticket joining or leaving.
          auto& id = c.state->id;
          auto it = s.queue.lower_bound(id);
          if (it == s.queue.end() || it->first != id) {
            queue_entry e;
            if (queue_view(*c.state, c.flow, s.department, e))
              s.queue.emplace_hint(it, id, std::move(e));
          } else if (!queue_view(*c.state, c.flow, s.department, it->second, true)) {
            s.queue.erase(it);
          }
        }
      },
      [=](queue_atom, const queue_query& q) -> queue_page {
        return q.order == queue_order::urgency ? page_by_urgency(self->state.queue, q)
                                               : page_by_id(self->state.queue, q);
      },
  };
}

}  // namespace

bool queue_view(const ticket& t, const flow* f, const std::string& department, queue_entry& e,
                bool refreshing) {
  if (!concerns(t, department)) return false;
  e.owned = t.owner == department && t.status != ticket_status::closed;
  e.tasks.clear();
  for (auto& k : t.tasks)
    if (k.owner == department) e.tasks.push_back(k.name);
  if (refreshing)
    refresh(t, e.view, f);
  else
    project(t, e.view, f);
  return true;
}

department_bits::department_bits(const organization& org) {
  size_t i = 0;
  for (auto& [name, _] : org.departments) bits_.emplace(name, bit(i++));
}

uint64_t department_bits::bit_of(const std::string& department) const {
  if (department.empty()) return 0;
  auto it = bits_.find(std::string_view{department});
  return it == bits_.end() ? bit(63) : it->second;  // not in the organization: the shared bit
}

uint64_t department_bits::of(const ticket& t) const {
  uint64_t bits = t.status != ticket_status::closed ? bit_of(t.owner) : 0;
  for (auto& k : t.tasks) bits |= bit_of(k.owner);
  return bits;
}

department_actor spawn_department(caf::actor_system& sys, std::string name, uint64_t bit,
                                  queue_map initial) {
  return sys.spawn(department_behavior, std::move(name), bit, std::move(initial));
}

}  // namespace vocflow::actors
