#include "workflows/topics.hpp"

#include "workflows/load_internal.hpp"
#include "workflows/routing.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace vocflow {
namespace {

std::string lower(std::string_view s) {
  return ascii_lower(trim(s));
}

bool word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

// Where `phrase` occurs in `text` (both lower-cased): anywhere for Chinese, on word boundaries
// where the phrase begins or ends with an ASCII letter or digit. npos when it does not.
size_t find_phrase(std::string_view text, std::string_view phrase) {
  if (phrase.empty()) return std::string_view::npos;
  bool word_start = word_char(phrase.front()), word_end = word_char(phrase.back());
  for (size_t at = text.find(phrase); at != std::string_view::npos;
       at = text.find(phrase, at + 1)) {
    auto end = at + phrase.size();
    if (word_start && at > 0 && word_char(text[at - 1])) continue;
    if (word_end && end < text.size() && word_char(text[end])) continue;
    return at;
  }
  return std::string_view::npos;
}

bool valid_id(std::string_view id) {
  if (id.empty() || id.front() == '/' || id.back() == '/' || id.find("//") != id.npos) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '/';
  });
}

std::vector<std::string> phrases(yaml_context& cx, const YAML::Node& n, std::string_view what) {
  std::vector<std::string> out;
  for (auto& r : read_names(cx, n, what)) {
    auto p = lower(r.name);
    if (p.empty())
      cx.error(r.pos, "bad-value", fmt::format("an empty phrase in `{}`", what));
    else
      out.push_back(std::move(p));
  }
  return out;
}

std::optional<double> read_number(yaml_context& cx, const YAML::Node& n, std::string_view what,
                                  double min, double max) {
  double v = 0;
  try {
    v = n.as<double>();
  } catch (const YAML::Exception&) {
    cx.error(n, "bad-type", fmt::format("`{}` must be a number", what));
    return std::nullopt;
  }
  if (v < min || v > max) {
    cx.error(n, "bad-value", fmt::format("`{}` must be from {} to {}", what, min, max));
    return std::nullopt;
  }
  return v;
}

void read_spikes(yaml_context& cx, const YAML::Node& n, spike_settings& out) {
  map_view m{cx,
             n,
             "spikes",
             {"bucket", "baseline", "gap", "threshold", "min_count", "seasonal", "problem_flow"}};
  if (!m.ok()) return;
  if (auto v = m.get("bucket"))
    if (auto b = read_string(cx, *v, "bucket")) {
      if (*b == "hour" || *b == "day")
        out.hourly = *b == "hour";
      else
        cx.error(*v, "bad-value", fmt::format("bucket is `hour` or `day`, not `{}`", *b));
    }
  if (auto v = m.get("baseline"))
    if (auto x = read_int(cx, *v, "baseline", 3, 60)) out.baseline = static_cast<int>(*x);
  if (auto v = m.get("gap"))
    if (auto x = read_int(cx, *v, "gap", 0, 30)) out.gap = static_cast<int>(*x);
  if (auto v = m.get("threshold"))
    if (auto x = read_number(cx, *v, "threshold", 0.5, 20)) out.threshold = *x;
  if (auto v = m.get("min_count"))
    if (auto x = read_int(cx, *v, "min_count", 1, 1'000'000)) out.min_count = static_cast<int>(*x);
  if (auto v = m.get("seasonal"))
    if (auto x = read_bool(cx, *v, "seasonal")) out.seasonal = *x;
  if (auto v = m.get("problem_flow"))
    if (auto x = read_name(cx, *v, "problem_flow")) {
      out.problem_flow = x->name;
      out.problem_pos = x->pos;
    }
}

void read_repeats(yaml_context& cx, const YAML::Node& n, repeat_settings& out) {
  map_view m{cx, n, "repeat_contacts", {"enabled", "within", "similarity"}};
  if (!m.ok()) return;
  if (auto v = m.get("enabled"))
    if (auto x = read_bool(cx, *v, "enabled")) out.enabled = *x;
  if (auto v = m.get("within"))
    if (auto x = read_duration(cx, *v, "within")) out.within = *x;
  if (auto v = m.get("similarity"))
    if (auto x = read_percent(cx, *v, "similarity")) out.similarity = *x / 100;
}

}  // namespace

std::string topic::parent() const {
  auto slash = id.rfind('/');
  return slash == std::string::npos ? std::string{} : id.substr(0, slash);
}

const topic* topic_set::find(std::string_view id) const {
  for (auto& t : topics)
    if (t.id == id) return &t;
  return nullptr;
}

std::optional<topic_set> read_topics(yaml_context& cx, const YAML::Node& doc) {
  map_view m{
      cx, doc, "topics document", {"kind", "version", "topics", "spikes", "repeat_contacts"}};
  if (!m.ok()) return std::nullopt;
  topic_set out;
  out.file = cx.file();
  if (auto v = m.get("spikes")) read_spikes(cx, *v, out.spikes);
  if (auto v = m.get("repeat_contacts")) read_repeats(cx, *v, out.repeats);
  if (auto v = m.require("version"))
    if (auto x = read_int(cx, *v, "version", 1, 1'000'000)) out.version = static_cast<int32_t>(*x);
  auto list = m.require("topics");
  if (!list) return std::nullopt;
  map_view topics{cx, *list, "topics"};
  for (auto& [k, v] : topics.entries()) {
    topic t;
    t.id = k.Scalar();
    t.pos = yaml_context::pos(k);
    if (!valid_id(t.id)) {
      cx.error(
          k, "bad-name",
          fmt::format("`{}` is not a topic id: lower-case words joined by / (app/crash)", t.id));
      continue;
    }
    map_view r{cx, v, "topic", {"title", "owner", "any", "all", "none", "regex", "match"}};
    if (!r.ok()) continue;
    read_text(cx, r, "title", t.title);
    if (auto o = r.get("owner"))
      if (auto n = read_name(cx, *o, "owner")) t.owner = *n;
    if (auto x = r.get("any")) t.any = phrases(cx, *x, "any");
    if (auto x = r.get("all")) t.all = phrases(cx, *x, "all");
    if (auto x = r.get("none")) t.none = phrases(cx, *x, "none");
    if (auto x = r.get("regex")) {
      for (auto& e : read_names(cx, *x, "regex")) {
        try {
          t.regex.push_back({e.name, std::make_shared<const std::regex>(
                                         e.name, std::regex::ECMAScript | std::regex::icase)});
        } catch (const std::regex_error& err) {
          cx.error(e.pos, "invalid-regex",
                   fmt::format("`{}` is not a regular expression: {}", e.name, err.what()));
        }
      }
    }
    if (auto x = r.get("match")) detail::read_match(cx, *x, t.match);
    bool ruled = r.get("any") || r.get("all") || r.get("regex") || r.get("match");
    if (!ruled)
      cx.error(k, "no-rule",
               fmt::format("topic `{}` has no rule: give it any, all, regex or match", t.id));
    out.topics.push_back(std::move(t));
  }
  return out;
}

void check_topics(yaml_context& cx, const topic_set& t,
                  const std::vector<std::string>& departments) {
  for (auto& x : t.topics) {
    if (x.owner.name.empty() ||
        std::find(departments.begin(), departments.end(), x.owner.name) != departments.end())
      continue;
    auto hint = suggest(x.owner.name, departments);
    cx.error(x.owner.pos, "unknown-department",
             hint.empty()
                 ? fmt::format("`{}` is not a department of the organization", x.owner.name)
                 : fmt::format("`{}` is not a department of the organization (did you "
                               "mean `{}`?)",
                               x.owner.name, hint));
  }
}

void check_problem_flow(yaml_context& cx, const topic_set& t,
                        const std::vector<std::string>& flows) {
  auto& id = t.spikes.problem_flow;
  if (id.empty() || std::find(flows.begin(), flows.end(), id) != flows.end()) return;
  auto hint = suggest(id, flows);
  cx.error(t.spikes.problem_pos, "unknown-flow",
           hint.empty()
               ? fmt::format("problem_flow `{}` is no flow", id)
               : fmt::format("problem_flow `{}` is no flow (did you mean `{}`?)", id, hint));
}

std::vector<topic_hit> classify(const topic_set& set, const ticket_fields& complaint) {
  std::vector<topic_hit> out;
  auto text = lower(complaint.text);
  for (auto& t : set.topics) {
    // A parent with only fields groups its children: it is no topic of its own.
    bool text_rules = !t.any.empty() || !t.regex.empty() || !t.all.empty();
    if (!text_rules && std::any_of(set.topics.begin(), set.topics.end(),
                                   [&](const topic& c) { return c.parent() == t.id; }))
      continue;
    // The fields of the topic and of every ancestor that declares a match.
    bool applies = holds(t.match, complaint);
    for (auto p = t.parent(); applies && !p.empty();) {
      if (auto* parent = set.find(p)) applies = holds(parent->match, complaint);
      auto slash = p.rfind('/');
      p = slash == std::string::npos ? std::string{} : p.substr(0, slash);
    }
    if (!applies) continue;
    if (std::any_of(t.none.begin(), t.none.end(),
                    [&](auto& x) { return find_phrase(text, x) != std::string::npos; }))
      continue;
    if (!std::all_of(t.all.begin(), t.all.end(),
                     [&](auto& x) { return find_phrase(text, x) != std::string::npos; }))
      continue;
    std::string why;
    for (auto& x : t.any)
      if (find_phrase(text, x) != std::string::npos) {
        why = fmt::format("any \"{}\"", x);
        break;
      }
    if (why.empty())
      for (auto& r : t.regex) {
        std::smatch m;
        if (std::regex_search(text, m, *r.re)) {
          why = fmt::format("regex /{}/ \"{}\"", r.text, m.str(0));
          break;
        }
      }
    if (why.empty() && (!t.any.empty() || !t.regex.empty())) continue;
    if (why.empty())
      why = !t.all.empty() ? fmt::format("all \"{}\"", fmt::join(t.all, "\", \""))
                           : "match " + describe_match(t.match);
    out.push_back({t.id, std::move(why)});
  }
  return out;
}

}  // namespace vocflow
