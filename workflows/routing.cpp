#include "workflows/routing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace vocflow {
namespace {

bool same_letter(char x, char y) {
  return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), same_letter);
}

}  // namespace

std::string_view trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool match_value::matches(std::string_view value) const {
  auto v = trim(value);
  switch (how) {
    case kind::equals:
      return iequals(v, text);
    case kind::prefix:
      return v.size() >= text.size() && iequals(v.substr(0, text.size()), text);
    case kind::contains:
      return std::search(v.begin(), v.end(), text.begin(), text.end(), same_letter) != v.end();
    case kind::regex:
      return re && std::regex_search(v.begin(), v.end(), *re);
  }
  return false;
}

std::string match_value::describe() const {
  switch (how) {
    case kind::equals:
      return text;
    case kind::prefix:
      return "prefix:" + text;
    case kind::contains:
      return "contains:" + text;
    case kind::regex:
      return "/" + text + "/";
  }
  return text;
}

std::optional<size_t> match(const flow& f, const ticket_fields& t) {
  if (f.match.specificity() == 0) return std::nullopt;
  for (auto& [field, values] : f.match.fields) {
    auto v = field_value(t, field);
    if (std::none_of(values.begin(), values.end(), [&](auto& x) { return x.matches(v); }))
      return std::nullopt;
  }
  for (auto& tag : f.match.tags)
    if (std::none_of(t.tags.begin(), t.tags.end(), [&](auto& x) { return iequals(trim(x), tag); }))
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
  for (auto& [field, values] : m.fields) {
    std::vector<std::string> shown;
    for (auto& v : values) shown.push_back(v.describe());
    parts.push_back(fmt::format("{}={}", field, fmt::join(shown, "|")));
  }
  if (!m.tags.empty()) parts.push_back(fmt::format("tags={}", fmt::join(m.tags, ",")));
  return fmt::format("{}", fmt::join(parts, " "));
}

}  // namespace vocflow
