#include "app/client_commands.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <set>
#include <sstream>

#include "connectors/http_client.hpp"
#include "workflows/duration.hpp"

namespace vocflow::app {
namespace {

using nlohmann::json;

connectors::http_call call(const client_options& c, std::string method, std::string target) {
  connectors::http_call h;
  auto env_url = std::getenv("VOCFLOW_URL");
  auto env_token = std::getenv("VOCFLOW_TOKEN");
  h.base_url = !c.url.empty() ? c.url : env_url ? env_url : "http://127.0.0.1:8080";
  h.token = !c.token.empty() ? c.token : env_token ? env_token : "";
  h.method = std::move(method);
  h.target = std::move(target);
  return h;
}

std::string str(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "-";
  return v.dump();
}

// Prints a failed call; returns the exit code.
int failed(const connectors::http_result& r) {
  if (r.status == 0) {
    std::cerr << "cannot reach vocflow: " << r.error << "\n";
    return 2;
  }
  auto j = json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("error")) {
    std::cerr << fmt::format("error {} {}: {}", r.status, str(j["error"]),
                             str(j.value("message", json())));
    if (j.contains("allowed"))
      std::cerr << fmt::format(" [allowed: {}]", fmt::join(j["allowed"], ", "));
    std::cerr << "\n";
    if (j.contains("diagnostics"))
      for (auto& d : j["diagnostics"]) std::cerr << str(d["text"]) << "\n";
  } else {
    std::cerr << "error " << r.status << ": " << r.body << "\n";
  }
  return 1;
}

bool ok(const connectors::http_result& r) {
  return r.status >= 200 && r.status < 300;
}

// "handed_off  from=customer_service to=engineering reason=..." without bookkeeping fields.
std::string event_details(const json& e) {
  static const std::set<std::string> skip = {
      "seq", "at", "actor", "role", "type", "clock", "timer", "due", "threshold", "has_sentiment"};
  std::vector<std::string> parts;
  for (auto& [k, v] : e.items()) {
    if (skip.contains(k)) continue;
    if ((v.is_string() && v.get<std::string>().empty()) || v.is_null() ||
        (v.is_boolean() && !v.get<bool>()) || (v.is_array() && v.empty()) ||
        (v.is_object() && k != "fields"))
      continue;
    if (k == "fields") {
      parts.push_back(
          fmt::format("{} / {} via {}", str(v["category"]), str(v["product"]), str(v["channel"])));
      continue;
    }
    if ((k == "total" || k == "taken" || k == "margin" || k == "consumed") && v.is_number_integer())
      parts.push_back(fmt::format("{}={}", k, format_millis(millis{v.get<int64_t>()})));
    else
      parts.push_back(fmt::format("{}={}", k, str(v)));
  }
  return fmt::format("{}", fmt::join(parts, " "));
}

// A ticket as the API returns it: a full view (GET) or a summary (after an action). Every part
// is optional here: the client prints what it gets.
void print_ticket(const json& t) {
  auto get = [](const json& j, const char* k) {
    return j.is_object() && j.contains(k) ? j[k] : json();
  };
  std::cout << fmt::format("{}  {}@{}  {}  step {}  owner {}  priority {}\n", str(get(t, "id")),
                           str(get(t, "flow")), str(get(t, "version")), str(get(t, "status")),
                           str(get(t, "step")), str(get(t, "owner")), str(get(t, "priority")));
  if (auto f = get(t, "fields"); f.is_object()) {
    std::cout << fmt::format("  customer {}  {} / {} via {}\n", str(get(f, "customer")),
                             str(get(f, "category")), str(get(f, "product")),
                             str(get(f, "channel")));
    if (auto text = get(f, "text"); text.is_string() && !text.get<std::string>().empty())
      std::cout << fmt::format("  \"{}\"\n", str(text));
  }
  if (auto ds = get(t, "deadlines"); ds.is_array())
    for (auto& d : ds)
      std::cout << fmt::format("  SLA {:<15} {:<16} due {}{}{}\n", str(get(d, "target")),
                               str(get(d, "name")), str(get(d, "deadline")),
                               get(d, "paused") == true ? " (paused)" : "",
                               get(d, "breached") == true ? " (BREACHED)" : "");
  if (auto tasks = get(t, "tasks"); tasks.is_array())
    for (auto& k : tasks)
      std::cout << fmt::format("  task {} ({}): {}\n", str(get(k, "task")), str(get(k, "owner")),
                               str(get(k, "title")));
  if (auto c = get(t, "compensation"); c.is_object() && get(c, "granted") != "0")
    std::cout << fmt::format("  compensation {} {}\n", str(get(c, "granted")),
                             str(get(c, "currency")));
  if (auto a = get(t, "allowed_actions"); a.is_array())
    std::cout << fmt::format("  allowed: {}\n", fmt::join(a, ", "));
}

void print_events(const json& events) {
  if (!events.is_array()) return;
  for (auto& e : events)
    std::cout << fmt::format("{:>4}  {}  {:<26} {:<22} {}\n", str(e["seq"]), str(e["at"]),
                             fmt::format("{} ({})", str(e["actor"]), str(e["role"])),
                             str(e["type"]), event_details(e));
}

// Runs a command body; a server answer the client cannot read is an error, not a crash.
int guarded(const std::function<int()>& body) {
  try {
    return body();
  } catch (const json::exception& e) {
    std::cerr << "unexpected answer from the server: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

int ticket_open(const client_options& c, const open_options& o) {
  return guarded([&] {
    json body = {{"customer", o.customer}};
    for (auto [k, v] : {std::pair{"channel", &o.channel},
                        {"category", &o.category},
                        {"product", &o.product},
                        {"severity", &o.severity},
                        {"tier", &o.tier},
                        {"text", &o.text},
                        {"flow", &o.flow}})
      if (!v->empty()) body[k] = *v;
    if (!o.tags.empty()) body["tags"] = o.tags;
    for (auto& kv : o.extra) {
      auto eq = kv.find('=');
      if (eq == std::string::npos) {
        std::cerr << "--extra takes key=value, not " << kv << "\n";
        return 2;
      }
      body["extra"][kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    auto h = call(c, "POST", "/v1/tickets");
    h.body = body.dump();
    if (!o.idempotency_key.empty()) h.headers["Idempotency-Key"] = o.idempotency_key;
    auto r = send(h);
    if (!ok(r)) return failed(r);
    if (c.json) return std::cout << r.body << "\n", 0;
    auto j = json::parse(r.body);
    std::cout << fmt::format(
        "{} {} -> flow {}@{} ({})\n", j["created"].get<bool>() ? "opened" : "already open",
        str(j["id"]), str(j["flow"]), str(j["version"]), str(j.value("routed", json("given"))));
    print_ticket(j["ticket"]);
    return 0;
  });
}

int ticket_show(const client_options& c, const std::string& id) {
  return guarded([&] {
    auto r = send(call(c, "GET", "/v1/tickets/" + id));
    if (!ok(r)) return failed(r);
    if (c.json) return std::cout << r.body << "\n", 0;
    auto j = json::parse(r.body);
    print_ticket(j);
    std::cout << "\nhistory\n";
    print_events(j["history"]);
    return 0;
  });
}

int ticket_act(const client_options& c, const act_options& o) {
  return guarded([&] {
    json body = {{"action", o.action}};
    for (auto [k, v] : {std::pair{"text", &o.text},
                        {"to", &o.to},
                        {"amount", &o.amount},
                        {"request", &o.request},
                        {"task", &o.task}})
      if (!v->empty()) body[k] = *v;
    if (o.csat) body["csat"] = *o.csat;
    if (o.sentiment) body["sentiment"] = *o.sentiment;
    if (o.for_customer) body["on_behalf_of"] = "customer";
    auto h = call(c, "POST", "/v1/tickets/" + o.id + "/actions");
    h.body = body.dump();
    auto r = send(h);
    if (!ok(r)) return failed(r);
    if (c.json) return std::cout << r.body << "\n", 0;
    auto j = json::parse(r.body);
    print_ticket(j["ticket"]);
    print_events(j["events"]);
    return 0;
  });
}

int ticket_list(const client_options& c, const list_options& o) {
  return guarded([&] {
    std::vector<std::string> q;
    for (auto [k, v] : {std::pair{"department", &o.department},
                        {"status", &o.status},
                        {"breached", &o.breached},
                        {"cursor", &o.cursor}})
      if (!v->empty()) q.push_back(fmt::format("{}={}", k, *v));
    if (o.limit) q.push_back(fmt::format("limit={}", o.limit));
    auto r = send(call(
        c, "GET", "/v1/tickets" + (q.empty() ? "" : "?" + fmt::format("{}", fmt::join(q, "&")))));
    if (!ok(r)) return failed(r);
    if (c.json) return std::cout << r.body << "\n", 0;
    auto j = json::parse(r.body);
    std::cout << fmt::format("{:<16} {:<18} {:<9} {:<16} {:<8} {:<8} {}\n", "ID", "FLOW", "STATUS",
                             "STEP", "PRIORITY", "BREACHED", "NEXT DEADLINE");
    for (auto& e : j["items"])
      std::cout << fmt::format("{:<16} {:<18} {:<9} {:<16} {:<8} {:<8} {}\n", str(e["id"]),
                               str(e["flow"]), str(e["status"]), str(e["step"]), str(e["priority"]),
                               e["breached"].get<bool>() ? "yes" : "", str(e["next_deadline"]));
    if (j.contains("total")) std::cout << fmt::format("{} in this queue\n", str(j["total"]));
    if (!j["next_cursor"].is_null())
      std::cout << fmt::format("more: --cursor {}\n", str(j["next_cursor"]));
    return 0;
  });
}

int flow_deploy(const client_options& c, const std::string& file) {
  return guarded([&] {
    std::ifstream in{file};
    if (!in) {
      std::cerr << "cannot read " << file << "\n";
      return 2;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto h = call(c, "POST", "/v1/flows?file=" + file);
    h.body = text.str();
    h.content_type = "application/yaml";
    auto r = send(h);
    if (!ok(r)) return failed(r);
    if (c.json) return std::cout << r.body << "\n", 0;
    auto j = json::parse(r.body);
    for (auto& d : j["diagnostics"]) std::cerr << str(d["text"]) << "\n";
    std::cout << (j["deployed"].get<bool>() ? "deployed " : "unchanged ") << str(j["flow"]) << "\n";
    return 0;
  });
}

int flow_list(const client_options& c) {
  return guarded([&] {
    auto r = send(call(c, "GET", "/v1/flows"));
    if (!ok(r)) return failed(r);
    if (c.json) return std::cout << r.body << "\n", 0;
    auto j = json::parse(r.body);
    std::cout << fmt::format("{:<20} {:>7}  {:<8} {}\n", "FLOW", "VERSION", "", "TITLE");
    for (auto& f : j["flows"])
      std::cout << fmt::format("{:<20} {:>7}  {:<8} {}\n", str(f["id"]), str(f["version"]),
                               std::string{f["newest"].get<bool>() ? "newest" : ""} +
                                   (f["default"].get<bool>() ? "*" : ""),
                               str(f["title"]));
    return 0;
  });
}

}  // namespace vocflow::app
