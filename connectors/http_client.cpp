#include "connectors/http_client.hpp"

#include "connectors/asio.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace vocflow::connectors {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

http_result send(const http_call& call) {
  http_result out;
  std::string url = call.base_url;
  if (url.rfind("http://", 0) == 0) url = url.substr(7);
  while (!url.empty() && url.back() == '/') url.pop_back();
  auto colon = url.rfind(':');
  std::string host = colon == std::string::npos ? url : url.substr(0, colon);
  std::string port = colon == std::string::npos ? "80" : url.substr(colon + 1);
  try {
    asio::io_context ioc;
    asio::ip::tcp::resolver resolver{ioc};
    beast::tcp_stream stream{ioc};
    stream.expires_after(call.timeout);
    stream.connect(resolver.resolve(host, port));
    http::request<http::string_body> req{http::string_to_verb(call.method), call.target, 11};
    req.set(http::field::host, host);
    req.set(http::field::user_agent, "vocflow-cli");
    if (!call.token.empty()) req.set(http::field::authorization, "Bearer " + call.token);
    for (auto& [k, v] : call.headers) req.set(k, v);
    if (!call.body.empty() || call.method == "POST") {
      req.set(http::field::content_type, call.content_type);
      req.body() = call.body;
      req.prepare_payload();
    }
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256u << 20);
    http::read(stream, buffer, parser);
    auto& res = parser.get();
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    out.content_type = std::string{res[http::field::content_type]};
    for (auto& f : res) {
      std::string name{f.name_string()};
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      out.headers[name] = std::string{f.value()};
    }
    beast::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  return out;
}

std::string query_string(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (auto& [name, value] : params) {
    out += out.empty() ? '?' : '&';
    out += name;
    out += '=';
    for (unsigned char c : value) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ':')
        out += static_cast<char>(c);
      else
        out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

}  // namespace vocflow::connectors
