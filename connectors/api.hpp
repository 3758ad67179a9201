// The HTTP API of vocflow: service agents act on tickets, process owners deploy flows, ops read.
// One route table (api::routes()) says, for every endpoint, its method and path, the access
// roles that may call it, the query parameters it accepts and its handler; the handlers live
// by resource (api_tickets.cpp, api_flows.cpp, api_ops.cpp). A new endpoint is one row and
// one handler, and the OpenAPI test holds openapi.yaml to the table both ways.
//
// Every error is JSON: {"error": code, "message": ...}. Queries that read many rows (ticket
// lists, breaches, KPIs, flow graphs) run on a pool of their own, bounded: beyond it, 503.
#pragma once

#include "actors/runtime.hpp"
#include "config/config.hpp"
#include "connectors/gateway.hpp"
#include "connectors/http_server.hpp"
#include "connectors/intake.hpp"
#include "connectors/query_pool.hpp"

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace vocflow::connectors {

// One request on its way through the API: what came in, who sent it, the way back.
struct request {
  http_request http;
  responder respond;
  stream_opener open_stream;
  caller who;
  std::map<std::string, std::string> params;  // from the path's {placeholders}
  std::map<std::string, std::string> query;   // only those the route accepts

  // A query parameter, "" when not given.
  const std::string& q(const std::string& name) const;
};

// What the handlers reach.
struct api_services {
  actors::runtime& rt;
  gateway& commands;
  query_pool& queries;
  const config& cfg;
  caf::actor feed;  // the live feed of Server-Sent Events
  const std::atomic<bool>& ready;
  const inbound_sources& sources;
  std::shared_ptr<actors::manual_clock> manual_clock;  // null: the system clock
};

struct route {
  std::string method;
  std::string path;                // with {placeholders}
  std::vector<std::string> roles;  // access roles allowed; empty: no token needed
  std::vector<std::string> query;  // the query parameters it accepts; any other is a 400
  void (*handle)(const api_services&, request&) = nullptr;
};

// The routes of each resource.
std::vector<route> ticket_routes();
std::vector<route> flow_routes();
std::vector<route> ops_routes();
std::vector<route> intake_routes();
std::vector<route> voice_routes();
std::vector<route> console_routes();

class api {
 public:
  // `manual_clock`: the clock the runtime reads, when POST /v1/clock may move it.
  api(actors::runtime& rt, const config& cfg, inbound_sources sources = {},
      std::shared_ptr<actors::manual_clock> manual_clock = nullptr);
  ~api();

  void handle(http_request&& req, responder respond, stream_opener open_stream = {});

  // Readiness for /readyz: false while starting and draining.
  void set_ready(bool ready) { ready_ = ready; }

  static const std::vector<route>& routes();

 private:
  config cfg_;
  gateway gateway_;
  query_pool queries_;
  caf::actor feed_;
  std::map<std::string, caller> tokens_;
  std::atomic<bool> ready_{false};
  inbound_sources sources_;
  api_services services_;
};

// The OpenAPI document (openapi.yaml), compiled in.
const std::string& openapi_document();

}  // namespace vocflow::connectors
