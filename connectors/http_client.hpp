// A plain synchronous HTTP/1.1 client (Boost.Beast) for the vocflow CLI and tests: one call,
// one connection, a deadline on the whole exchange.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace vocflow::connectors {

struct http_result {
  int status = 0;  // 0 when there was no answer (see error)
  std::string body;
  std::string content_type;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string error;                           // connection problems
};

struct http_call {
  std::string base_url;  // http://host:port
  std::string method = "GET";
  std::string target;  // /v1/tickets?limit=5
  std::string token;   // bearer token, if any
  std::string body;
  std::string content_type = "application/json";
  std::map<std::string, std::string> headers;
  std::chrono::milliseconds timeout{10'000};
};

http_result send(const http_call& call);

// A query string from name=value pairs, values percent-encoded ("?a=1&b=x%2B1"); "" when empty.
std::string query_string(const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace vocflow::connectors
