#include "workflows/model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace vocflow {

std::string_view to_string(hold h) {
  switch (h) {
    case hold::customer:
      return "waiting_customer";
    case hold::supplier:
      return "waiting_supplier";
    case hold::approval:
      return "waiting_approval";
  }
  return "?";
}

std::optional<hold> parse_hold(std::string_view name) {
  for (auto h : all_holds)
    if (to_string(h) == name) return h;
  return std::nullopt;
}

bool is_priority(std::string_view p) {
  return std::find(std::begin(priorities), std::end(priorities), p) != std::end(priorities);
}

std::string raise_priority(std::string_view p) {
  auto it = std::find(std::begin(priorities), std::end(priorities), p);
  if (it == std::end(priorities)) return "normal";
  if (it + 1 == std::end(priorities)) return std::string{p};
  return std::string{*(it + 1)};
}

std::optional<std::string> priority_for(std::string_view severity) {
  if (severity.empty()) return "normal";
  auto same = [&](std::string_view name) {  // case does not matter, and nothing is allocated
    return name.size() == severity.size() &&
           std::equal(name.begin(), name.end(), severity.begin(), [](char a, char b) {
             return a == std::tolower(static_cast<unsigned char>(b));
           });
  };
  for (auto p : priorities)
    if (same(p)) return std::string{p};
  if (same("critical")) return "urgent";
  return std::nullopt;
}

bool organization::has_role(std::string_view n) const {
  return n == customer_role || n == system_role || roles.contains(std::string{n});
}

const transition* step::find_transition(std::string_view action) const {
  for (auto& t : on)
    if (t.action == action) return &t;
  return nullptr;
}

const branch* step::find_branch(std::string_view n) const {
  for (auto& b : parallel)
    if (b.name == n) return &b;
  return nullptr;
}

const role_limit* compensation_policy::limit_for(std::string_view role) const {
  for (auto& l : limits)
    if (l.role.name == role) return &l;
  return nullptr;
}

const step* flow::find(std::string_view name) const {
  for (auto& s : steps)
    if (s.name == name) return &s;
  return nullptr;
}

std::string flow::key() const {
  return fmt::format("{}@{}", id, version);
}

}  // namespace vocflow
