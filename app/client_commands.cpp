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

// One line of the KPI report: where its figure is in the server's JSON and how to show it.
struct kpi_line {
  enum kind_t { count, share, duration, money, mean };
  const char* label;
  const char* column;  // CSV
  const char* path;    // JSON pointer into one group's figures
  kind_t kind = count;
  const char* yes = "";  // share: the field names; mean: the number format
  const char* no = "";
};

std::string number_or_dash(const json& v, const char* format) {
  return v.is_number() ? fmt::format(fmt::runtime(format), v.get<double>()) : "-";
}

std::string share_text(const json& s, const char* yes, const char* no) {
  auto y = s[yes].get<int64_t>(), n = s[no].get<int64_t>(), pending = s["pending"].get<int64_t>();
  if (y + n == 0) return pending ? fmt::format("- ({} pending)", pending) : "-";
  auto text = fmt::format("{:.1f}% ({} of {})", 100 * s["rate"].get<double>(), y, y + n);
  return pending ? fmt::format("{}, {} pending", text, pending) : text;
}

// "4.00 (3 answers)" from {"responses": 3, "mean": 4}.
std::string mean_text(const json& m, const char* format) {
  auto n = m["responses"].get<int64_t>();
  if (n == 0) return "-";
  return fmt::format("{} ({} answer{})", number_or_dash(m["mean"], format), n, n == 1 ? "" : "s");
}

std::string seconds_text(const json& v) {
  return v.is_number() ? format_millis(millis{v.get<int64_t>() * 1000}) : "-";
}

std::string compensation_text(const json& c) {
  std::vector<std::string> parts;
  for (auto& g : c["granted"]) parts.push_back(str(g["granted"]) + " " + str(g["currency"]));
  return parts.empty() ? "-" : fmt::format("{}", fmt::join(parts, ", "));
}

const std::vector<kpi_line>& kpi_lines() {
  using k = kpi_line;
  static const std::vector<kpi_line> lines = {
      {"tickets opened", "tickets", "/tickets"},
      {"still open", "open", "/open"},
      {"closed", "closed", "/closed"},
      {"first response in time", "first_response_rate", "/first_response", k::share, "met",
       "missed"},
      {"resolved in time", "resolution_rate", "/resolution", k::share, "met", "missed"},
      {"first-contact resolution", "first_contact_rate", "/first_contact_resolution", k::share,
       "first_contact", "not_first_contact"},
      {"reopen rate", "reopen_rate", "/reopen", k::share, "reopened", "not_reopened"},
      {"cycle median (business)", "cycle_median_business_seconds", "/cycle/business_seconds/median",
       k::duration},
      {"cycle p90 (business)", "cycle_p90_business_seconds", "/cycle/business_seconds/p90",
       k::duration},
      {"cycle median (wall)", "cycle_median_wall_seconds", "/cycle/wall_seconds/median",
       k::duration},
      {"cycle p90 (wall)", "cycle_p90_wall_seconds", "/cycle/wall_seconds/p90", k::duration},
      {"cross-department closed", "cross_department_closed", "/cross_department_cycle/closed"},
      {"cross-department cycle median (business)", "cross_department_median_business_seconds",
       "/cross_department_cycle/business_seconds/median", k::duration},
      {"cross-department cycle p90 (business)", "cross_department_p90_business_seconds",
       "/cross_department_cycle/business_seconds/p90", k::duration},
      {"compensation granted", "compensation", "/compensation", k::money},
      {"mean CSAT (1-5)", "csat_mean", "/csat", k::mean, "{:.2f}"},
      {"sentiment index (-1..1)", "sentiment_mean", "/sentiment", k::mean, "{:+.2f}"},
      {"SLA breaches", "breaches", "/breaches"},
  };
  return lines;
}

// The figure for people ("60.0% (3 of 5)", "3h00m") or for CSV (0.6, 10800).
std::string kpi_value(const kpi_line& l, const json& figures, bool plain) {
  auto& v = figures.at(json::json_pointer{l.path});
  switch (l.kind) {
    case kpi_line::share:
      return plain ? str(v["rate"]) : share_text(v, l.yes, l.no);
    case kpi_line::duration:
      return plain ? str(v) : seconds_text(v);
    case kpi_line::money:
      return compensation_text(v);
    case kpi_line::mean:
      return plain ? str(v["mean"]) : mean_text(v, l.yes);
    case kpi_line::count:
      break;
  }
  return str(v);
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char ch : s) out += ch == '"' ? std::string{"\"\""} : std::string{ch};
  return out + "\"";
}

// Date-only bounds mean midnight UTC.
std::string as_time(const std::string& s) {
  return s.size() == 10 ? s + "T00:00:00Z" : s;
}

}  // namespace

int report(const client_options& c, const report_options& o) {
  static const std::set<std::string> formats = {"table", "json", "csv", "markdown"};
  if (!formats.contains(o.format)) {
    std::cerr << "--format is table, json, csv or markdown\n";
    return 2;
  }
  return guarded([&] {
    std::vector<std::pair<std::string, std::string>> q;
    if (!o.from.empty()) q.emplace_back("from", as_time(o.from));
    if (!o.to.empty()) q.emplace_back("to", as_time(o.to));
    if (!o.group_by.empty()) q.emplace_back("group_by", o.group_by);
    if (o.fcr_days) q.emplace_back("fcr_days", std::to_string(*o.fcr_days));
    auto r = send(call(c, "GET", "/v1/kpis" + connectors::query_string(q)));
    if (!ok(r)) return failed(r);
    if (c.json || o.format == "json") return std::cout << r.body << "\n", 0;
    auto j = json::parse(r.body);
    // Columns: all tickets, then each group.
    std::vector<std::string> names = {"all"};
    std::vector<const json*> figures = {&j["total"]};
    if (j.contains("groups"))
      for (auto& g : j["groups"]) {
        names.push_back(str(g["group"]));
        figures.push_back(&g);
      }
    auto& lines = kpi_lines();
    if (o.format == "csv") {
      // One row per group: the tidy shape spreadsheets and scripts want.
      std::cout << "group";
      for (auto& l : lines) std::cout << "," << l.column;
      std::cout << "\n";
      for (size_t i = 0; i < names.size(); ++i) {
        std::cout << csv_field(names[i]);
        for (auto& l : lines) std::cout << "," << csv_field(kpi_value(l, *figures[i], true));
        std::cout << "\n";
      }
      return 0;
    }
    // Table and Markdown: one row per figure, one column per group.
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"KPI"});
    for (auto& n : names) rows.back().push_back(n);
    for (auto& l : lines) {
      rows.push_back({l.label});
      for (auto* f : figures) rows.back().push_back(kpi_value(l, *f, false));
    }
    std::string period =
        fmt::format("tickets opened {} .. {} (as of {}, first contact settles after {} days)",
                    str(j["from"]), str(j["to"]), str(j["as_of"]), str(j["fcr_days"]));
    if (o.format == "markdown") {
      std::cout << "Closed-loop KPIs: " << period << "\n\n";
      for (size_t i = 0; i < rows.size(); ++i) {
        std::cout << "| " << fmt::format("{}", fmt::join(rows[i], " | ")) << " |\n";
        if (i == 0) {
          std::cout << "|---";
          for (size_t k = 1; k < rows[i].size(); ++k) std::cout << "|--:";
          std::cout << "|\n";
        }
      }
      return 0;
    }
    std::vector<size_t> width(rows.front().size(), 0);
    for (auto& row : rows)
      for (size_t k = 0; k < row.size(); ++k) width[k] = std::max(width[k], row[k].size());
    std::cout << period << "\n";
    for (auto& row : rows) {
      for (size_t k = 0; k < row.size(); ++k)
        std::cout << (k ? "  " : "")
                  << (k ? fmt::format("{:>{}}", row[k], width[k])
                        : fmt::format("{:<{}}", row[k], width[k]));
      std::cout << "\n";
    }
    return 0;
  });
}

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
    std::vector<std::pair<std::string, std::string>> q;
    for (auto [k, v] : {std::pair{"department", &o.department},
                        {"status", &o.status},
                        {"breached", &o.breached},
                        {"cursor", &o.cursor}})
      if (!v->empty()) q.emplace_back(k, *v);
    if (o.limit) q.emplace_back("limit", std::to_string(o.limit));
    auto r = send(call(c, "GET", "/v1/tickets" + connectors::query_string(q)));
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
