#include "workflows/routing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace vocflow {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::optional<size_t> match(const flow& f, const ticket_fields& t) {
  if (f.match.specificity() == 0) return std::nullopt;
  for (auto& [field, values] : f.match.fields) {
    auto v = field_value(t, field);
    if (std::none_of(values.begin(), values.end(), [&](auto& x) { return iequals(x, v); }))
      return std::nullopt;
  }
  for (auto& tag : f.match.tags)
    if (std::none_of(t.tags.begin(), t.tags.end(), [&](auto& x) { return iequals(x, tag); }))
      return std::nullopt;
  return f.match.specificity();
}

std::optional<route_result> route(const std::vector<std::shared_ptr<const flow>>& flows,
                                  const ticket_fields& t) {
  std::map<std::string, std::shared_ptr<const flow>> newest;
  for (auto& f : flows) {
    auto& slot = newest[f->id];
    if (!slot || f->version > slot->version) slot = f;
  }
  std::shared_ptr<const flow> best, fallback;
  size_t best_score = 0;
  for (auto& [id, f] : newest) {  // in id order: the first of equally specific flows wins
    if (f->is_default && !fallback) fallback = f;
    if (auto score = match(*f, t); score && *score > best_score) best = f, best_score = *score;
  }
  if (best) return route_result{best, "match " + describe_match(best->match)};
  if (fallback) return route_result{fallback, "default flow"};
  return std::nullopt;
}

std::string describe_match(const match_rule& m) {
  std::vector<std::string> parts;
  for (auto& [field, values] : m.fields)
    parts.push_back(fmt::format("{}={}", field, fmt::join(values, "|")));
  if (!m.tags.empty()) parts.push_back(fmt::format("tags={}", fmt::join(m.tags, ",")));
  return fmt::format("{}", fmt::join(parts, " "));
}

}  // namespace vocflow
