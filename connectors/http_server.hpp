// A small HTTP/1.1 server on Boost.Beast (Asio): keep-alive, limits and timeouts, nothing about
// vocflow. A handler gets each request and answers through a responder it may call later, from
// any thread (after an actor replied): an I/O thread never waits for an actor.
//
// Limits answer with a JSON error and the server goes on: a body above max_body gets 413,
// headers above max_header 431, a malformed request 400, a request not complete within
// request_timeout (a slow client) 408; a connection idle longer than idle_timeout is closed;
// connections beyond max_connections get 503.
#pragma once

#include "config/config.hpp"

#include <boost/beast/http.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace vocflow::connectors {

using http_request = boost::beast::http::request<boost::beast::http::string_body>;
using http_response = boost::beast::http::response<boost::beast::http::string_body>;

// Answers a request; callable once, from any thread.
using responder = std::function<void(http_response)>;

// A long-lived response (Server-Sent Events): the headers first, data whenever there is some.
// Thread-safe. A client too slow to take what is sent (more than 1 MB queued) is dropped.
class stream_sink {
 public:
  virtual ~stream_sink() = default;
  // Queues `data`; false once the client is gone.
  virtual bool send(std::string data) = 0;
  virtual bool open() const = 0;
};

// Instead of answering: start a stream with these headers (the body is ignored).
using stream_opener = std::function<std::shared_ptr<stream_sink>(http_response headers)>;

using http_handler =
    std::function<void(http_request&& req, responder respond, stream_opener open_stream)>;

// {"error": code, "message": message} with that status.
http_response json_error(unsigned status, std::string_view code, std::string_view message,
                         unsigned version = 11);

class http_server {
 public:
  http_server(server_config cfg, http_handler handler);
  ~http_server();

  // Binds and starts the I/O threads. The bound port (a configured port 0 picks a free one),
  // or nullopt with `error` set.
  [[nodiscard]] std::optional<uint16_t> start(std::string& error);
  // The same in two steps: bind() takes the port (connections wait in the kernel's backlog),
  // run() starts serving them. A taken port is known before anything else starts.
  [[nodiscard]] std::optional<uint16_t> bind(std::string& error);
  void run();
  // Stops accepting new connections; open ones go on (drain with in_flight()).
  void stop_accepting();
  // Stops accepting, closes every connection, joins the I/O threads.
  void stop();

  size_t connections() const;
  size_t in_flight() const;  // requests received and not yet answered

  struct impl;  // internal: the I/O context, acceptor and sessions

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace vocflow::connectors
