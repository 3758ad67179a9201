// The CLI client of a running vocflow: tickets, flows and reports over the HTTP API. Readable
// output by default, --json for scripts. --url / --token, or VOCFLOW_URL / VOCFLOW_TOKEN.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace vocflow::app {

struct client_options {
  std::string url;    // default: $VOCFLOW_URL, else http://127.0.0.1:8080
  std::string token;  // default: $VOCFLOW_TOKEN
  std::string tz;     // times in this zone; default: $VOCFLOW_TZ, else each ticket's own
  bool json = false;
};

struct open_options {
  std::string customer, channel, category, product, severity, tier, text, flow, idempotency_key;
  std::vector<std::string> tags, extra;  // extra as key=value
};

struct act_options {
  std::string id, action, text, to, amount, request, task;
  std::optional<int> csat;
  std::optional<double> sentiment;
  bool for_customer = false;
};

struct list_options {
  std::string department, status, breached, cursor;
  int limit = 0;
};

int ticket_open(const client_options& c, const open_options& o);
int ticket_show(const client_options& c, const std::string& id);
int ticket_act(const client_options& c, const act_options& o);
int ticket_list(const client_options& c, const list_options& o);
struct report_options {
  std::string from, to;  // a date (2026-06-01, midnight UTC) or a time; "" for the server's default
  std::string group_by;  // department, flow, agent, category
  std::string format = "table";  // table, json, csv, markdown
  std::optional<int> fcr_days;
};

// The closed-loop KPIs of the tickets opened in [from, to) (GET /v1/kpis).
int report(const client_options& c, const report_options& o);

// Reads the tickets opened in [from, to) again with the topics deployed now
// (POST /v1/reclassify); dates as for report.
int reclassify(const client_options& c, const std::string& from, const std::string& to);
int flow_deploy(const client_options& c, const std::string& file);
int flow_list(const client_options& c);

}  // namespace vocflow::app
