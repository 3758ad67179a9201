#include "workflows/yaml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

namespace vocflow {

std::optional<YAML::Node> parse_yaml(const std::string& path, const std::string& text,
                                     diagnostics& diags) {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    diags.error(path, {e.mark.line + 1, e.mark.column + 1}, "yaml-syntax", e.msg);
    return std::nullopt;
  }
}

source_pos yaml_context::pos(const YAML::Node& n) {
  auto m = n.Mark();
  if (m.is_null()) return {};
  return {m.line + 1, m.column + 1};
}

void yaml_context::error(const YAML::Node& at, std::string code, std::string message) {
  error(pos(at), std::move(code), std::move(message));
}

void yaml_context::error(source_pos at, std::string code, std::string message) {
  diags_.error(file_, at, std::move(code), std::move(message));
}

void yaml_context::warning(source_pos at, std::string code, std::string message) {
  diags_.warning(file_, at, std::move(code), std::move(message));
}

namespace {

std::string_view type_name(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Null:
      return "nothing";
    default:
      return "an undefined value";
  }
}

}  // namespace

map_view::map_view(yaml_context& cx, const YAML::Node& node, std::string_view what,
                   std::vector<std::string> known)
    : cx_(cx), node_(node), what_(what) {
  if (!node.IsMap()) {
    cx.error(node, "bad-type", fmt::format("{} must be a mapping, not {}", what, type_name(node)));
    return;
  }
  ok_ = true;
  std::set<std::string> seen;
  for (auto kv : node) {  // yaml-cpp yields (key, value) proxies by value
    YAML::Node key = kv.first;
    if (!key.IsScalar()) {
      cx.error(key, "bad-type", fmt::format("keys of {} must be scalars", what));
      continue;
    }
    const auto& k = key.Scalar();
    if (!seen.insert(k).second) {
      cx.error(key, "duplicate-key", fmt::format("duplicate key `{}` in {}", k, what));
      continue;
    }
    if (!known.empty() && std::find(known.begin(), known.end(), k) == known.end()) {
      auto hint = suggest(k, known);
      cx.error(key, "unknown-field",
               hint.empty()
                   ? fmt::format("unknown field `{}` in {}", k, what)
                   : fmt::format("unknown field `{}` in {} (did you mean `{}`?)", k, what, hint));
      continue;
    }
    entries_.emplace_back(key, kv.second);
  }
}

std::optional<YAML::Node> map_view::get(std::string_view key) const {
  for (auto& [k, v] : entries_)
    if (k.Scalar() == key) return v;
  return std::nullopt;
}

std::optional<YAML::Node> map_view::require(std::string_view key) const {
  auto v = get(key);
  if (!v && ok_) cx_.error(node_, "missing-field", fmt::format("{} needs `{}`", what_, key));
  return v;
}

std::optional<std::string> read_string(yaml_context& cx, const YAML::Node& n,
                                       std::string_view what) {
  if (!n.IsScalar()) {
    cx.error(n, "bad-type", fmt::format("{} must be a scalar, not {}", what, type_name(n)));
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<named_ref> read_name(yaml_context& cx, const YAML::Node& n, std::string_view what) {
  auto s = read_string(cx, n, what);
  if (!s) return std::nullopt;
  if (s->empty()) {
    cx.error(n, "bad-value", fmt::format("{} must not be empty", what));
    return std::nullopt;
  }
  return named_ref{*s, yaml_context::pos(n)};
}

std::optional<int64_t> read_int(yaml_context& cx, const YAML::Node& n, std::string_view what,
                                int64_t min, int64_t max) {
  auto s = read_string(cx, n, what);
  if (!s) return std::nullopt;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (ec != std::errc{} || end != s->data() + s->size() || v < min || v > max) {
    cx.error(n, "bad-value",
             fmt::format("{} must be a whole number from {} to {}, not `{}`", what, min, max, *s));
    return std::nullopt;
  }
  return v;
}

std::optional<bool> read_bool(yaml_context& cx, const YAML::Node& n, std::string_view what) {
  auto s = read_string(cx, n, what);
  if (!s) return std::nullopt;
  if (*s == "true" || *s == "yes") return true;
  if (*s == "false" || *s == "no") return false;
  cx.error(n, "bad-value", fmt::format("{} must be true or false, not `{}`", what, *s));
  return std::nullopt;
}

std::optional<duration_spec> read_duration(yaml_context& cx, const YAML::Node& n,
                                           std::string_view what) {
  auto s = read_string(cx, n, what);
  if (!s) return std::nullopt;
  auto d = parse_duration(*s);
  if (!d || d->is_zero()) {
    cx.error(n, "bad-duration",
             fmt::format("{}: `{}` is not a duration (write e.g. 4h, 90m, 2d, 1d4h)", what, *s));
    return std::nullopt;
  }
  return d;
}

std::optional<double> read_percent(yaml_context& cx, const YAML::Node& n, std::string_view what,
                                   double max_percent) {
  auto s = read_string(cx, n, what);
  if (!s) return std::nullopt;
  double v = 0;
  bool ok = !s->empty() && s->back() == '%';
  if (ok) {
    auto [end, ec] = std::from_chars(s->data(), s->data() + s->size() - 1, v);
    ok = ec == std::errc{} && end == s->data() + s->size() - 1 && v > 0;
  }
  if (!ok) {
    cx.error(n, "bad-percent", fmt::format("{}: `{}` is not a percentage like 80%", what, *s));
    return std::nullopt;
  }
  if (v > max_percent) {
    cx.error(n, "bad-percent", fmt::format("{}: {}% is above {}%", what, v, max_percent));
    return std::nullopt;
  }
  return v;
}

std::optional<money> read_money(yaml_context& cx, const YAML::Node& n, std::string_view what) {
  auto s = read_string(cx, n, what);
  if (!s) return std::nullopt;
  auto m = parse_money(*s);
  if (!m) {
    cx.error(n, "bad-amount",
             fmt::format("{}: `{}` is not an amount (write e.g. 50 or 49.90)", what, *s));
    return std::nullopt;
  }
  return m;
}

std::vector<named_ref> read_names(yaml_context& cx, const YAML::Node& n, std::string_view what) {
  std::vector<named_ref> out;
  if (n.IsSequence()) {
    for (const auto& item : n)
      if (auto r = read_name(cx, item, what)) out.push_back(std::move(*r));
  } else if (auto r = read_name(cx, n, what)) {
    out.push_back(std::move(*r));
  }
  return out;
}

void read_text(yaml_context& cx, const map_view& m, std::string_view key, std::string& out) {
  if (auto v = m.get(key))
    if (auto s = read_string(cx, *v, key)) out = *s;
}

}  // namespace vocflow
