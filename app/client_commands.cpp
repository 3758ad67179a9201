#include "app/client_commands.hpp"

#include "app/digest_command.hpp"
#include "app/ticket_text.hpp"
#include "app/what_if_commands.hpp"
#include "connectors/http_client.hpp"
#include "workflows/catalog.hpp"
#include "workflows/duration.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <set>
#include <sstream>

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

// Prints a failed call; returns the exit code.
int failed(const connectors::http_call& c, const connectors::http_result& r) {
  if (r.status == 0) {
    std::cerr << "cannot reach vocflow at " << c.base_url << ": " << r.error
              << " (is it running? --url or VOCFLOW_URL name another server)\n";
    return 2;
  }
  if (r.status == 401 && c.token.empty()) {
    std::cerr << "no token: pass --token or set VOCFLOW_TOKEN (tokens are in the server's "
                 "configuration, auth.tokens)\n";
    return 1;
  }
  auto j = json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("error")) {
    std::cerr << fmt::format("error {} {}: {}", r.status, text_of(j["error"]),
                             text_of(j.value("message", json())));
    if (j.contains("allowed"))
      std::cerr << fmt::format(" [allowed: {}]", fmt::join(j["allowed"], ", "));
    std::cerr << "\n";
    if (j.contains("diagnostics"))
      for (auto& d : j["diagnostics"]) std::cerr << text_of(d["text"]) << "\n";
  } else {
    std::cerr << "error " << r.status << ": " << r.body << "\n";
  }
  return 1;
}

bool ok(const connectors::http_result& r) {
  return r.status >= 200 && r.status < 300;
}

// The display the options ask for (--tz); nullopt, said, for a zone that does not exist.
std::optional<display> display_of(const client_options& c) {
  std::string error;
  auto d = make_display(c.tz, error);
  if (!d) std::cerr << error << "\n";
  return d;
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
  auto n = (m.contains("responses") ? m["responses"] : m["tickets"]).get<int64_t>();
  if (n == 0) return "-";
  return fmt::format("{} ({} answer{})", number_or_dash(m["mean"], format), n, n == 1 ? "" : "s");
}

std::string seconds_text(const json& v) {
  return v.is_number() ? format_millis(millis{v.get<int64_t>() * 1000}) : "-";
}

std::string compensation_text(const json& c) {
  std::vector<std::string> parts;
  for (auto& g : c["granted"])
    parts.push_back(text_of(g["granted"]) + " " + text_of(g["currency"]));
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
      {"post-interaction sentiment (after - before)", "post_interaction_sentiment",
       "/post_interaction_sentiment", k::mean, "{:+.2f}"},
      {"SLA breaches", "breaches", "/breaches"},
  };
  return lines;
}

// The figure for people ("60.0% (3 of 5)", "3h00m") or for CSV (0.6, 10800).
std::string kpi_value(const kpi_line& l, const json& figures, bool plain) {
  auto& v = figures.at(json::json_pointer{l.path});
  switch (l.kind) {
    case kpi_line::share:
      return plain ? text_of(v["rate"]) : share_text(v, l.yes, l.no);
    case kpi_line::duration:
      return plain ? text_of(v) : seconds_text(v);
    case kpi_line::money:
      return compensation_text(v);
    case kpi_line::mean:
      return plain ? text_of(v["mean"]) : mean_text(v, l.yes);
    case kpi_line::count:
      break;
  }
  return text_of(v);
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
    auto h = call(c, "GET", "/v1/kpis" + connectors::query_string(q));
    auto r = send(h);
    if (!ok(r)) return failed(h, r);
    if (c.json || o.format == "json") return std::cout << r.body << "\n", 0;
    auto j = json::parse(r.body);
    // Columns: all tickets, then each group.
    std::vector<std::string> names = {"all"};
    std::vector<const json*> figures = {&j["total"]};
    if (j.contains("groups"))
      for (auto& g : j["groups"]) {
        names.push_back(text_of(g["group"]));
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
    std::string period = fmt::format(
        "tickets opened {} .. {} (as of {}, first contact settles after {} days)",
        text_of(j["from"]), text_of(j["to"]), text_of(j["as_of"]), text_of(j["fcr_days"]));
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
    auto d = display_of(c);
    if (!d) return 2;
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
    if (!ok(r)) return failed(h, r);
    if (c.json) return std::cout << r.body << "\n", 0;
    auto j = json::parse(r.body);
    auto& t = j["ticket"];
    std::cout << fmt::format("{} {} -> flow {}@{} ({})\n",
                             j["created"].get<bool>() ? "opened" : "already open", text_of(j["id"]),
                             text_of(t["flow"]), text_of(t["version"]),
                             text_of(j.value("routed", json("given"))));
    print_ticket(std::cout, t, *d);
    return 0;
  });
}

int ticket_show(const client_options& c, const std::string& id) {
  return guarded([&] {
    auto d = display_of(c);
    if (!d) return 2;
    auto h = call(c, "GET", "/v1/tickets/" + id);
    auto r = send(h);
    if (!ok(r)) return failed(h, r);
    if (c.json) return std::cout << r.body << "\n", 0;
    auto j = json::parse(r.body);
    print_ticket(std::cout, j, *d);
    std::cout << "\nhistory\n";
    print_events(std::cout, j["history"], *d, d->zone_for(j));
    return 0;
  });
}

int ticket_act(const client_options& c, const act_options& o) {
  return guarded([&] {
    auto d = display_of(c);
    if (!d) return 2;
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
    if (!ok(r)) return failed(h, r);
    if (c.json) return std::cout << r.body << "\n", 0;
    auto j = json::parse(r.body);
    print_ticket(std::cout, j["ticket"], *d);
    print_events(std::cout, j["events"], *d, d->zone_for(j["ticket"]));
    return 0;
  });
}

int ticket_list(const client_options& c, const list_options& o) {
  return guarded([&] {
    auto d = display_of(c);
    if (!d) return 2;
    std::vector<std::pair<std::string, std::string>> q;
    for (auto [k, v] : {std::pair{"department", &o.department},
                        {"status", &o.status},
                        {"breached", &o.breached},
                        {"cursor", &o.cursor}})
      if (!v->empty()) q.emplace_back(k, *v);
    if (o.limit) q.emplace_back("limit", std::to_string(o.limit));
    auto h = call(c, "GET", "/v1/tickets" + connectors::query_string(q));
    auto r = send(h);
    if (!ok(r)) return failed(h, r);
    if (c.json) return std::cout << r.body << "\n", 0;
    auto j = json::parse(r.body);
    print_rows(std::cout, j["items"], *d);
    if (j.contains("total")) std::cout << fmt::format("{} in this queue\n", text_of(j["total"]));
    if (!j["next_cursor"].is_null())
      std::cout << fmt::format("more: --cursor {}\n", text_of(j["next_cursor"]));
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
    if (!ok(r)) return failed(h, r);
    if (c.json) return std::cout << r.body << "\n", 0;
    auto j = json::parse(r.body);
    for (auto& d : j["diagnostics"]) std::cerr << text_of(d["text"]) << "\n";
    std::cout << (j["deployed"].get<bool>() ? "deployed " : "unchanged ") << text_of(j["flow"])
              << "\n";
    return 0;
  });
}

int flow_list(const client_options& c) {
  return guarded([&] {
    auto h = call(c, "GET", "/v1/flows");
    auto r = send(h);
    if (!ok(r)) return failed(h, r);
    if (c.json) return std::cout << r.body << "\n", 0;
    auto j = json::parse(r.body);
    std::cout << fmt::format("{:<20} {:>7}  {:<8} {}\n", "FLOW", "VERSION", "", "TITLE");
    for (auto& f : j["flows"])
      std::cout << fmt::format("{:<20} {:>7}  {:<8} {}\n", text_of(f["id"]), text_of(f["version"]),
                               std::string{f["newest"].get<bool>() ? "newest" : ""} +
                                   (f["default"].get<bool>() ? "*" : ""),
                               text_of(f["title"]));
    return 0;
  });
}

int run_digest(const client_options& c, const digest_command_options& o) {
  if (!o.data_dir.empty()) return run_digest_local(o);
  std::vector<std::pair<std::string, std::string>> q = {{"format", o.format}};
  if (!o.week.empty()) q.emplace_back("week", o.week);
  if (!o.department.empty()) q.emplace_back("department", o.department);
  auto h = call(c, "GET", "/v1/digest" + connectors::query_string(q));
  auto r = connectors::send(h);
  if (!ok(r)) return failed(h, r);
  std::cout << r.body;
  return 0;
}

int reclassify(const client_options& c, const std::string& from, const std::string& to) {
  return guarded([&] {
    std::vector<std::pair<std::string, std::string>> q;
    if (!from.empty()) q.emplace_back("from", as_time(from));
    if (!to.empty()) q.emplace_back("to", as_time(to));
    auto h = call(c, "POST", "/v1/reclassify" + connectors::query_string(q));
    auto r = send(h);
    if (!ok(r)) return failed(h, r);
    if (c.json) return std::cout << r.body << "\n", 0;
    auto j = json::parse(r.body);
    std::cout << fmt::format("{} tickets read again: {} reclassified, {} refused, {} failed\n",
                             text_of(j["tickets"]), text_of(j["reclassified"]),
                             text_of(j["refused"]), text_of(j["failed"]));
    return j["failed"].get<int>() == 0 ? 0 : 1;
  });
}

}  // namespace vocflow::app

namespace vocflow::app {

int run_replay(const client_options& c, const replay_options& o) {
  if (!o.data_dir.empty()) return run_replay_local(o);
  return guarded([&] {
    diagnostics d;
    auto flow = read_source(o.flow_file, d);
    std::optional<source_file> org;
    if (!o.organization_file.empty()) org = read_source(o.organization_file, d);
    if (d.has_errors()) {
      for (auto& item : d.items()) std::cerr << to_string(item) << "\n";
      return 1;
    }
    json body = {{"flow", flow->text}};
    if (org) body["organization"] = org->text;
    std::vector<std::pair<std::string, std::string>> q = {{"format", o.format},
                                                          {"limit", std::to_string(o.limit)}};
    if (!o.from.empty()) q.emplace_back("from", as_time(o.from));
    if (!o.to.empty()) q.emplace_back("to", as_time(o.to));
    if (!o.flow_id.empty()) q.emplace_back("flow_id", o.flow_id);
    auto h = call(c, "POST", "/v1/replays" + connectors::query_string(q));
    h.body = body.dump();
    h.timeout = std::chrono::minutes{10};  // a long history takes its time
    auto r = send(h);
    if (!ok(r)) return failed(h, r);
    std::cout << r.body << (o.format == "json" ? "\n" : "");
    return 0;
  });
}

int run_audit(const client_options& c, const audit_command_options& o) {
  if (!o.data_dir.empty()) return run_audit_local(o);
  return guarded([&] {
    std::vector<std::pair<std::string, std::string>> q = {{"format", o.format},
                                                          {"limit", std::to_string(o.limit)}};
    if (!o.from.empty()) q.emplace_back("from", as_time(o.from));
    if (!o.to.empty()) q.emplace_back("to", as_time(o.to));
    if (!o.kind.empty()) q.emplace_back("kind", o.kind);
    auto h = call(c, "GET", "/v1/audit" + connectors::query_string(q));
    h.timeout = std::chrono::minutes{10};
    auto r = send(h);
    if (!ok(r)) return failed(h, r);
    std::cout << r.body << (o.format == "json" ? "\n" : "");
    return 0;
  });
}

}  // namespace vocflow::app
