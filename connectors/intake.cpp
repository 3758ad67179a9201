#include "connectors/intake.hpp"

#include "actors/runtime.hpp"
#include "workflows/actions.hpp"
#include "workflows/diagnostics.hpp"
#include "workflows/json_codec.hpp"
#include "workflows/utf8.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace vocflow::connectors {
namespace {

using nlohmann::json;

// The parser's message without its "[json.exception.parse_error.101] " tag.
std::string plain(const json::exception& e) {
  std::string_view what = e.what();
  if (auto tag = what.find("] "); what.starts_with("[json.exception.") && tag != what.npos)
    what.remove_prefix(tag + 2);
  return std::string{what};
}

// Parses a JSON object; every key must be in `known` and appear once in its object.
std::variant<json, body_error> object_body(const std::string& body,
                                           const std::set<std::string>& known) {
  // The keys of each object being read, innermost last (a few each: a vector, not a tree).
  std::vector<std::vector<std::string>> keys;
  std::string duplicate;
  auto check = [&](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) keys.emplace_back();
    if (event == json::parse_event_t::object_end) keys.pop_back();
    if (event == json::parse_event_t::key && !keys.empty()) {
      auto& seen = keys.back();
      auto& k = parsed.get_ref<const std::string&>();
      if (std::find(seen.begin(), seen.end(), k) != seen.end()) {
        if (duplicate.empty()) duplicate = k;
      } else {
        seen.push_back(k);
      }
    }
    return true;
  };
  json j;
  try {
    j = json::parse(body, check);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for 1e999
    return body_error{"malformed_json", "the body is not JSON: " + plain(e), ""};
  }
  if (!duplicate.empty())
    return body_error{
        "malformed_json",
        fmt::format("the key `{}` appears twice in one object: which one is meant?", duplicate),
        duplicate};
  if (!j.is_object()) return body_error{"malformed_json", "the body must be a JSON object", ""};
  for (auto& [k, _] : j.items())
    if (!known.contains(k)) {
      std::vector<std::string> names(known.begin(), known.end());
      auto hint = suggest(k, names);
      return body_error{"unknown_field",
                        hint.empty()
                            ? fmt::format("unknown field `{}`", k)
                            : fmt::format("unknown field `{}` (did you mean `{}`?)", k, hint),
                        k};
    }
  return j;
}

size_t code_points(std::string_view s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return !utf8_continuation(c); }));
}

bool given(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && !it->is_null();
}

std::optional<body_error> text(const json& j, const char* key, std::string& out) {
  if (!given(j, key)) return std::nullopt;
  if (!j[key].is_string())
    return body_error{"invalid_field", fmt::format("`{}` must be a string", key), key};
  out = j[key].get<std::string>();
  if (code_points(out) > max_text)
    return body_error{"invalid_field",
                      fmt::format("`{}` is longer than {} characters", key, max_text), key};
  return std::nullopt;
}

std::optional<body_error> amount(const json& j, const char* key, std::optional<money>& out) {
  if (!given(j, key)) return std::nullopt;
  auto& v = j[key];
  std::optional<money> m;
  if (v.is_string()) {
    m = parse_money(v.get<std::string>());
  } else if (v.is_number() && v.get<double>() >= 0 && std::isfinite(v.get<double>())) {
    double cents = v.get<double>() * 100;
    if (std::abs(cents - std::round(cents)) < 1e-6 && cents < 1e15)
      m = money{static_cast<int64_t>(std::round(cents))};
  }
  if (!m)
    return body_error{"invalid_field",
                      fmt::format("`{}` must be an amount like 49.90 (two decimals at most)", key),
                      key};
  out = m;
  return std::nullopt;
}

// 64 bits of the SHA-256 of `data`, never 0 (which means "none").
uint64_t digest(std::string_view data) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), d, &size, EVP_sha256(), nullptr);
  uint64_t out = 0;
  for (int i = 0; i < 8; ++i) out = (out << 8) | d[i];
  return out ? out : 1;
}

// A complaint's tags, order value and extra attributes, when given.
std::optional<body_error> tags_value_extra(const json& j, ticket_fields& t) {
  if (given(j, "tags")) {
    if (!j["tags"].is_array())
      return body_error{"invalid_field", "`tags` must be a list of strings", "tags"};
    for (auto& tag : j["tags"]) {
      if (!tag.is_string())
        return body_error{"invalid_field", "`tags` must be a list of strings", "tags"};
      t.tags.push_back(tag.get<std::string>());
    }
  }
  std::optional<money> order;
  if (auto e = amount(j, "order_value", order)) return *e;
  if (order) t.order_value = *order;
  if (given(j, "extra")) {
    if (!j["extra"].is_object())
      return body_error{"invalid_field", "`extra` must be an object of strings", "extra"};
    for (auto& [k, v] : j["extra"].items()) {
      if (!v.is_string())
        return body_error{"invalid_field", fmt::format("`extra.{}` must be a string", k),
                          "extra." + k};
      t.extra[k] = v.get<std::string>();
    }
  }
  return std::nullopt;
}

// The inputs of an action (workflows/actions.hpp) by their request field.
constexpr std::pair<const char*, uint16_t> input_fields[] = {
    {"text", inputs::text},          {"to", inputs::to},     {"amount", inputs::amount},
    {"request", inputs::request},    {"task", inputs::task}, {"csat", inputs::csat},
    {"sentiment", inputs::sentiment}};

}  // namespace

std::variant<open_request, body_error> parse_open(const std::string& body) {
  auto parsed = object_body(body, {"customer", "channel", "category", "product", "severity", "tier",
                                   "text", "tags", "order_value", "extra", "flow"});
  if (auto* e = std::get_if<body_error>(&parsed)) return *e;
  auto& j = std::get<json>(parsed);
  open_request r;
  auto& t = r.info;
  for (auto [key, out] : {std::pair{"customer", &t.customer},
                          {"channel", &t.channel},
                          {"category", &t.category},
                          {"product", &t.product},
                          {"severity", &t.severity},
                          {"tier", &t.tier},
                          {"text", &t.text},
                          {"flow", &r.flow}})
    if (auto e = text(j, key, *out)) return *e;
  if (t.customer.empty())
    return body_error{"missing_field", "`customer` is required: who complains", "customer"};
  if (auto e = tags_value_extra(j, t)) return *e;
  // Keys sorted, no spaces: the same request written differently has the same fingerprint.
  r.fingerprint = digest(j.dump());
  return r;
}

std::variant<action_request, body_error> parse_action(const std::string& body) {
  auto parsed = object_body(body, {"action", "text", "to", "request", "task", "amount", "csat",
                                   "sentiment", "on_behalf_of"});
  if (auto* e = std::get_if<body_error>(&parsed)) return *e;
  auto& j = std::get<json>(parsed);
  action_request r;
  for (auto [key, out] : {std::pair{"action", &r.action},
                          {"text", &r.text},
                          {"to", &r.to},
                          {"request", &r.request},
                          {"task", &r.task}})
    if (auto e = text(j, key, *out)) return *e;
  if (r.action.empty())
    return body_error{"missing_field", "`action` is required, e.g. respond", "action"};
  auto& a = action_of(r.action);
  // Opening is POST /v1/tickets; timers are the system's.
  if (a.id == action::open || !(a.takers & (takers::staff | takers::customer)))
    return body_error{"invalid_field", fmt::format("`{}` is not an action on a ticket", r.action),
                      "action"};
  for (auto [field, bit] : input_fields) {
    if (given(j, field) && !(a.takes & bit))
      return body_error{"invalid_field",
                        a.takes ? fmt::format("`{}` does not take `{}`; it takes {}", r.action,
                                              field, fmt::join(input_names(a.takes), ", "))
                                : fmt::format("`{}` does not take `{}`", r.action, field),
                        field};
    if (!given(j, field) && (a.needs & bit))
      return body_error{"missing_field", fmt::format("`{}` needs `{}`", r.action, field), field};
  }
  if (auto e = amount(j, "amount", r.amount)) return *e;
  if (given(j, "csat")) {
    if (!j["csat"].is_number_integer())
      return body_error{"invalid_field", "`csat` must be a whole number from 1 to 5", "csat"};
    r.csat = j["csat"].get<int32_t>();
  }
  if (given(j, "sentiment")) {
    if (!j["sentiment"].is_number())
      return body_error{"invalid_field", "`sentiment` must be a number from -1 to 1", "sentiment"};
    r.sentiment = j["sentiment"].get<double>();
  }
  std::string behalf;
  if (auto e = text(j, "on_behalf_of", behalf)) return *e;
  if (!behalf.empty() && behalf != "customer")
    return body_error{"invalid_field", "`on_behalf_of` can only be `customer`", "on_behalf_of"};
  r.on_behalf_of_customer = !behalf.empty();
  return r;
}

actors::submission open_command(const caller& by, open_request r, std::string ticket_id,
                                std::string idempotency_key) {
  actors::submission sub;
  sub.ticket_id = std::move(ticket_id);
  sub.cmd.action = "open";
  sub.cmd.by = {by.name, by.acts_as};
  sub.cmd.info = std::move(r.info);
  sub.idempotency_key = std::move(idempotency_key);
  sub.request_fingerprint = r.fingerprint;
  sub.flow_id = std::move(r.flow);
  return sub;
}

actors::submission action_command(const caller& by, const std::string& ticket_id,
                                  action_request r) {
  actors::submission sub;
  sub.ticket_id = ticket_id;
  auto& c = sub.cmd;
  c.action = std::move(r.action);
  c.by = r.on_behalf_of_customer
             ? actor_ref{"customer (recorded by " + by.name + ")", std::string{customer_role}}
             : actor_ref{by.name, by.acts_as};
  c.text = std::move(r.text), c.to = std::move(r.to), c.request = std::move(r.request);
  c.task = std::move(r.task);
  c.amount = r.amount, c.csat = r.csat, c.sentiment = r.sentiment;
  return sub;
}

namespace {

constexpr const char* mapped_text_fields[] = {
    "source", "external_id", "customer", "channel", "category", "product", "severity",
    "tier",   "text",        "contact",  "status",  "outcome",  "action",  "delivery"};

// The text field `name` of a record (const or not): its own, or one of its ticket fields.
template <class R>
auto* mapped_field(R& r, std::string_view name) {
  if (name == "status") return &r.status;
  if (name == "outcome") return &r.outcome;
  if (name == "action") return &r.action;
  if (name == "delivery") return &r.delivery;
  return text_field(r.info, name);
}

}  // namespace

json to_json(const mapped_record& r) {
  json j = json::object();
  for (auto* name : mapped_text_fields)
    if (auto* v = mapped_field(r, name); !v->empty()) j[name] = *v;
  if (r.action == "open") j.erase("action");
  if (!r.info.tags.empty()) j["tags"] = r.info.tags;
  if (!r.info.extra.empty()) j["extra"] = r.info.extra;
  if (r.info.order_value.minor) j["order_value"] = to_string(r.info.order_value);
  if (r.opened_at != no_time) j["opened_at"] = format_utc(r.opened_at);
  if (r.closed_at != no_time) j["closed_at"] = format_utc(r.closed_at);
  return j;
}

std::variant<mapped_record, body_error> parse_mapped(std::string_view line) {
  std::set<std::string> known(std::begin(mapped_text_fields), std::end(mapped_text_fields));
  known.insert({"tags", "extra", "order_value", "opened_at", "closed_at"});
  auto parsed = object_body(std::string{line}, known);
  if (auto* e = std::get_if<body_error>(&parsed)) return *e;
  auto& j = std::get<json>(parsed);
  mapped_record r;
  r.action.clear();
  for (auto* name : mapped_text_fields)
    if (auto e = text(j, name, *mapped_field(r, name))) return *e;
  if (r.action.empty()) r.action = "open";
  if (r.info.source.empty() || r.info.external_id.empty())
    return body_error{"missing_field", "`source` and `external_id` are required: they key it",
                      r.info.source.empty() ? "source" : "external_id"};
  if (r.action == "open" && r.info.customer.empty())
    return body_error{"missing_field", "`customer` is required: who complains", "customer"};
  if (r.action != "open") {
    auto* a = find_action(r.action);
    if (!a || !(a->takers & takers::system) || a->id == action::timer || a->id == action::record)
      return body_error{"invalid_field",
                        fmt::format("`{}` is not an action an intake takes", r.action), "action"};
  }
  if (!r.status.empty() && r.status != "open" && r.status != "resolved" && r.status != "closed")
    return body_error{"invalid_field", "`status` is open, resolved or closed", "status"};
  for (auto [key, out] : {std::pair{"opened_at", &r.opened_at}, {"closed_at", &r.closed_at}}) {
    std::string v;
    if (auto e = text(j, key, v)) return *e;
    if (v.empty()) continue;
    auto t = parse_utc(v);
    if (!t)
      return body_error{"invalid_field",
                        fmt::format("`{}` must be a time like 2026-03-06T09:50:00Z", key), key};
    *out = *t;
  }
  if (auto e = tags_value_extra(j, r.info)) return *e;
  return r;
}

actors::submission intake_command(const mapped_record& r, import_mode mode) {
  actors::submission sub;
  auto& c = sub.cmd;
  c.by = {"intake:" + r.info.source, std::string{system_role}};
  auto key = r.key();
  sub.ticket_id = actors::runtime::ticket_id_for_key(key);
  if (r.action == "open") {
    sub.idempotency_key = std::move(key);
    sub.request_fingerprint = digest(json_text(to_json(r)));
    c.info = r.info;
    if (mode == import_mode::historical) {
      c.action = "record";
      bool closed = r.status == "closed" || r.status == "resolved" ||
                    (r.status.empty() && r.closed_at != no_time);
      // Closed with no time of its own: closed when it was opened (no cycle time invented).
      c.past = past_record{r.opened_at,
                           closed ? (r.closed_at != no_time ? r.closed_at : r.opened_at) : no_time,
                           r.outcome};
    } else {
      c.action = "open";
    }
    return sub;
  }
  // A later event of a ticket opened through this source.
  if (!r.delivery.empty()) sub.idempotency_key = key + ":" + r.delivery;
  c.action = r.action;
  c.text = r.info.text;
  // The customer's own words and requests are the customer's.
  if (auto& a = action_of(r.action); a.takers & takers::customer)
    c.by = {"customer (via " + r.info.source + ")", std::string{customer_role}};
  return sub;
}

std::variant<marker_request, body_error> parse_marker(const std::string& body) {
  auto parsed = object_body(body, {"at", "text", "topic"});
  if (auto* e = std::get_if<body_error>(&parsed)) return *e;
  auto& j = std::get<json>(parsed);
  marker_request r;
  if (!j.contains("text") || !j["text"].is_string() || j["text"].get<std::string>().empty())
    return body_error{"missing_field", "a marker needs `text`: what happened", "text"};
  r.text = j["text"].get<std::string>();
  if (r.text.size() > 500)
    return body_error{"invalid_field", "`text` is longer than 500 bytes", "text"};
  if (j.contains("topic")) {
    if (!j["topic"].is_string())
      return body_error{"invalid_field", "`topic` must be a topic id (app/crash)", "topic"};
    r.topic = j["topic"].get<std::string>();
  }
  if (j.contains("at")) {
    auto t = j["at"].is_string() ? parse_utc(j["at"].get<std::string>()) : std::nullopt;
    if (!t)
      return body_error{"invalid_field", "`at` must be a time like 2026-03-09T04:50:00Z", "at"};
    r.at = *t;
  }
  return r;
}

}  // namespace vocflow::connectors
