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

std::string ascii_lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
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

bool topic_within(std::string_view topic, std::string_view parent) {
  if (topic.size() < parent.size() || !iequals(topic.substr(0, parent.size()), parent))
    return false;
  return topic.size() == parent.size() || topic[parent.size()] == '/';
}

namespace {

// Whether one of the complaint's topics is one of `values`, or below one (`apparel` holds for
// `apparel/size`).
bool topic_holds(const std::vector<match_value>& values, const std::vector<std::string>* topics) {
  if (!topics) return false;
  return std::any_of(topics->begin(), topics->end(), [&](const std::string& t) {
    return std::any_of(values.begin(), values.end(), [&](const match_value& v) {
      return v.matches(t) || (v.how == match_value::kind::equals && topic_within(t, v.text));
    });
  });
}

}  // namespace

bool holds(const match_rule& m, const ticket_fields& t, const std::vector<std::string>* topics) {
  for (auto& [field, values] : m.fields) {
    if (field == "topic") {
      if (!topic_holds(values, topics)) return false;
      continue;
    }
    auto v = field_value(t, field);
    if (std::none_of(values.begin(), values.end(), [&](auto& x) { return x.matches(v); }))
      return false;
  }
  for (auto& tag : m.tags)
    if (std::none_of(t.tags.begin(), t.tags.end(), [&](auto& x) { return iequals(trim(x), tag); }))
      return false;
  return true;
}

std::optional<size_t> match(const flow& f, const ticket_fields& t,
                            const std::vector<std::string>* topics) {
  if (f.match.specificity() == 0 || !holds(f.match, t, topics)) return std::nullopt;
  return f.match.specificity();
}

std::optional<route_result> route(const std::vector<std::shared_ptr<const flow>>& flows,
                                  const ticket_fields& t, const std::vector<std::string>* topics) {
  std::map<std::string, std::shared_ptr<const flow>> newest;
  for (auto& f : flows) {
    auto& slot = newest[f->id];
    if (!slot || f->version > slot->version) slot = f;
  }
  std::shared_ptr<const flow> best, fallback;
  size_t best_score = 0;
  for (auto& [id, f] : newest) {  // in id order: the first of equally specific flows wins
    if (f->is_default && !fallback) fallback = f;
    if (auto score = match(*f, t, topics); score && *score > best_score)
      best = f, best_score = *score;
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

namespace {

// "Debt collection (1,234), Mortgage (980), ..." — the values of `field` most common in the
// sample, at most `n`.
std::string most_common(const std::vector<ticket_fields>& sample, const std::string& field,
                        size_t n) {
  std::map<std::string, size_t> counts;
  for (auto& t : sample)
    if (field == "tags") {
      for (auto& tag : t.tags) ++counts[std::string{trim(tag)}];
    } else if (auto v = trim(field_value(t, field)); !v.empty()) {
      ++counts[std::string{v.substr(0, 60)}];
    }
  std::vector<std::pair<std::string, size_t>> by_count{counts.begin(), counts.end()};
  std::stable_sort(by_count.begin(), by_count.end(),
                   [](auto& a, auto& b) { return a.second > b.second; });
  if (by_count.empty()) return {};
  std::string out;
  for (size_t i = 0; i < by_count.size() && i < n; ++i)
    out += fmt::format("{}{} ({})", i ? ", " : "", by_count[i].first, by_count[i].second);
  if (by_count.size() > n) out += fmt::format(", and {} more", by_count.size() - n);
  return out;
}

// What the sample has in `field` instead, for a warning.
std::string seen(const std::vector<ticket_fields>& sample, const std::string& field) {
  auto common = most_common(sample, field, 5);
  return common.empty() ? fmt::format("; it has no {} at all", field)
                        : fmt::format("; the most common there: {}", common);
}

}  // namespace

std::map<std::string, size_t> check_sample(const std::vector<std::shared_ptr<const flow>>& flows,
                                           const std::vector<ticket_fields>& sample,
                                           const std::string& sample_name, diagnostics& d) {
  std::map<std::string, std::shared_ptr<const flow>> newest;
  for (auto& f : flows) {
    auto& slot = newest[f->id];
    if (!slot || f->version > slot->version) slot = f;
  }
  std::map<std::string, size_t> routed;
  for (auto& [id, f] : newest) routed[id] = 0;
  for (auto& t : sample)
    if (auto r = route(flows, t); r && r->chosen) ++routed[r->chosen->id];

  auto where = fmt::format("{} ({} complaints)", sample_name, sample.size());
  for (auto& [id, f] : newest) {
    bool each_reachable = true;
    for (auto& [name, values] : f->match.fields)
      for (auto& v : values) {
        if (name == "topic") continue;  // topics are read from the text, not in the sample
        const auto& field = name;       // a lambda cannot capture a structured binding (clang 14)
        auto hit = std::any_of(sample.begin(), sample.end(),
                               [&](auto& t) { return v.matches(field_value(t, field)); });
        if (hit) continue;
        each_reachable = false;
        d.warning(f->file, v.pos, "unreached-match",
                  fmt::format("{} `{}` matches no complaint of {}{}", field, v.describe(), where,
                              seen(sample, field)));
      }
    for (auto& tag : f->match.tags) {
      auto hit = std::any_of(sample.begin(), sample.end(), [&](auto& t) {
        return std::any_of(t.tags.begin(), t.tags.end(),
                           [&](auto& x) { return iequals(trim(x), tag); });
      });
      if (hit) continue;
      each_reachable = false;
      d.warning(
          f->file, f->match.pos, "unreached-match",
          fmt::format("tag `{}` is on no complaint of {}{}", tag, where, seen(sample, "tags")));
    }
    if (each_reachable && f->match.specificity() > 0 && routed[id] == 0 && !sample.empty())
      d.warning(f->file, f->match.pos, "unreached-flow",
                fmt::format("flow `{}` takes no complaint of {}: each value it matches occurs, "
                            "but never all together, or a more specific flow takes them",
                            id, where));
  }
  return routed;
}

}  // namespace vocflow
