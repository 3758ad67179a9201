// `vocflow replay` (what if the tickets of a flow had run under a changed flow or calendar) and
// `vocflow audit` (tickets whose KPI figures deserve a second look): from a running server
// (POST /v1/replays, GET /v1/audit; client_commands.cpp) or from a stopped data folder.
#pragma once

#include "app/client_commands.hpp"

#include <string>

namespace vocflow::app {

struct replay_options {
  std::string flow_file;          // the changed flow
  std::string organization_file;  // its organization; default organization.yaml beside it
  std::string flow_id;            // the recorded flow replayed; default the changed flow's id
  std::string from, to;           // a date (midnight UTC) or a time; default the last 30 days
  std::string as_of;              // with --data: timers fire up to here; default now
  std::string format = "table";   // table, markdown, json
  int limit = 50;                 // changed tickets and impossible actions listed
  std::string data_dir;           // a stopped data folder instead of a server
};
int run_replay(const client_options& c, const replay_options& o);
int run_replay_local(const replay_options& o);

struct audit_command_options {
  std::string from, to, as_of;
  std::string kind;  // comma-separated kinds to list
  std::string format = "table";
  int limit = 100;
  std::string data_dir;
  // With --data: the organization the stored flows are checked against.
  std::string organization_file = "examples/flows/organization.yaml";
};
int run_audit(const client_options& c, const audit_command_options& o);
int run_audit_local(const audit_command_options& o);

}  // namespace vocflow::app
