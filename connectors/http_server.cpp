#include "connectors/http_server.hpp"

#include "connectors/asio.hpp"
#include "workflows/json_codec.hpp"

#include <boost/beast/core.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <deque>

namespace vocflow::connectors {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

http_response json_error(unsigned status, std::string_view code, std::string_view message,
                         unsigned version) {
  http_response res{static_cast<http::status>(status), version};
  res.set(http::field::content_type, "application/json");
  // A message may quote what the client sent, invalid UTF-8 included: replaced, never thrown.
  res.body() = json_text({{"error", code}, {"message", message}});
  res.prepare_payload();
  return res;
}

struct http_server::impl {
  server_config cfg;
  http_handler handler;
  asio::io_context ioc;
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  std::atomic<size_t> open{0};
  std::atomic<size_t> in_flight{0};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;

  impl(server_config c, http_handler h) : cfg(std::move(c)), handler(std::move(h)) {}
  void accept();
};

namespace {

// One connection. Reading a request has two phases: waiting for its first byte (idle_timeout;
// expiry closes quietly) and receiving the rest (request_timeout; expiry answers 408).
class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket socket, http_server::impl& server)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), server_(server) {
    ++server_.open;
  }
  ~session() {
    --server_.open;
    if (answering_) --server_.in_flight;
  }

  void run() { wait_for_request(); }

  // Streaming (Server-Sent Events): the session writes whatever is queued until the client goes.
  struct sink : stream_sink {
    std::weak_ptr<session> owner;
    std::atomic<bool> alive{true};
    bool send(std::string data) override {
      auto s = owner.lock();
      if (!s || !alive) return false;
      asio::post(s->socket_.get_executor(),
                 [s, data = std::move(data)]() mutable { s->stream_write(std::move(data)); });
      return true;
    }
    bool open() const override { return alive; }
  };

  // Answers with `res` and closes (used when the server turns a connection away).
  void reject(http_response res) {
    closing_ = true;
    write(std::move(res));
  }

 private:
  enum class phase { idle, reading, handling, writing, streaming };

  void arm(std::chrono::milliseconds d) {
    timer_.expires_after(d);
    timer_.async_wait(
        [self = shared_from_this(), generation = ++generation_](beast::error_code ec) {
          if (ec || generation != self->generation_) return;
          self->timed_out_ = true;
          beast::error_code ignored;
          self->socket_.cancel(ignored);
          if (self->phase_ == phase::writing) self->socket_.close(ignored);
        });
  }
  void disarm() {
    ++generation_;
    timer_.cancel();
  }

  void wait_for_request() {
    phase_ = phase::idle;
    timed_out_ = false;
    parser_.emplace();
    parser_->body_limit(server_.cfg.max_body);
    parser_->header_limit(static_cast<uint32_t>(server_.cfg.max_header));
    if (buffer_.size() > 0) return read_request();  // pipelined bytes already here
    arm(server_.cfg.idle_timeout);
    socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](beast::error_code ec) {
      if (ec || self->timed_out_) return self->close();  // idle: closed without a word
      self->read_request();
    });
  }

  void read_request() {
    phase_ = phase::reading;
    arm(server_.cfg.request_timeout);
    http::async_read(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    disarm();
    if (timed_out_)
      return reject(json_error(408, "request_timeout",
                               "the request did not arrive within the request timeout"));
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset)
      return close();
    if (ec == http::error::body_limit)
      return reject(
          json_error(413, "payload_too_large",
                     "the body is larger than " + std::to_string(server_.cfg.max_body) + " bytes"));
    if (ec == http::error::header_limit)
      return reject(json_error(
          431, "header_too_large",
          "the headers are larger than " + std::to_string(server_.cfg.max_header) + " bytes"));
    if (ec)
      return reject(json_error(400, "bad_request", "malformed HTTP request: " + ec.message()));
    phase_ = phase::handling;
    ++server_.in_flight;
    answering_ = true;
    auto req = parser_->release();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    auto self = shared_from_this();
    auto strand = socket_.get_executor();
    // The handler may answer at once or from an actor's thread: either way, back on our strand.
    auto answered = std::make_shared<std::atomic<bool>>(false);
    server_.handler(
        std::move(req),
        [self, strand, answered](http_response res) mutable {
          if (answered->exchange(true)) return;
          asio::post(strand,
                     [self, res = std::move(res)]() mutable { self->write(std::move(res)); });
        },
        [self, strand, answered](http_response headers) -> std::shared_ptr<stream_sink> {
          if (answered->exchange(true)) return nullptr;
          auto out = std::make_shared<sink>();
          out->owner = self;
          self->sink_ = out;
          asio::post(strand, [self, headers = std::move(headers)]() mutable {
            self->start_stream(std::move(headers));
          });
          return out;
        });
  }

  void write(http_response res) {
    phase_ = phase::writing;
    res.version(version_);
    res.keep_alive(keep_alive_ && !closing_);
    if (res.find(http::field::content_length) == res.end()) res.prepare_payload();
    response_ = std::make_shared<http_response>(std::move(res));
    arm(server_.cfg.request_timeout);  // a client that does not read cannot hold us either
    http::async_write(socket_, *response_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        self->disarm();
                        if (self->answering_) {
                          self->answering_ = false;
                          --self->server_.in_flight;
                        }
                        if (ec || !self->response_->keep_alive()) return self->close();
                        self->response_.reset();
                        self->wait_for_request();
                      });
  }

  void start_stream(http_response headers) {
    phase_ = phase::streaming;
    if (answering_) {
      answering_ = false;
      --server_.in_flight;
    }
    std::string head;
    for (auto& f : headers.base())
      head += std::string{f.name_string()} + ": " + std::string{f.value()} + "\r\n";
    // No length: the body ends when the connection does.
    stream_write(
        fmt::format("HTTP/1.1 {} {}\r\n{}Cache-Control: no-cache\r\nConnection: close\r\n\r\n",
                    headers.result_int(), std::string{headers.reason()}, head));
    heartbeat();
    // The client sends nothing more: readable means it closed (or misbehaves): end the stream.
    socket_.async_wait(tcp::socket::wait_read,
                       [self = shared_from_this()](beast::error_code) { self->end_stream(); });
  }

  void stream_write(std::string data) {
    if (phase_ != phase::streaming || closing_) return;
    queued_bytes_ += data.size();
    if (queued_bytes_ > (1u << 20)) return end_stream();  // too slow: drop the client
    outbox_.push_back(std::move(data));
    if (outbox_.size() == 1) stream_next();
  }

  void stream_next() {
    asio::async_write(socket_, asio::buffer(outbox_.front()),
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->end_stream();
                        self->queued_bytes_ -= self->outbox_.front().size();
                        self->outbox_.pop_front();
                        if (!self->outbox_.empty()) self->stream_next();
                      });
  }

  // A comment line every 15 s: proxies keep the stream, and a dead client is noticed.
  void heartbeat() {
    timer_.expires_after(std::chrono::seconds(15));
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->closing_) return;
      self->stream_write(":\n\n");
      self->heartbeat();
    });
  }

  void end_stream() {
    if (closing_) return;
    closing_ = true;
    if (auto s = sink_.lock()) s->alive = false;
    timer_.cancel();
    close();
  }

  void close() {
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  http_server::impl& server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http_response> response_;
  phase phase_ = phase::idle;
  uint64_t generation_ = 0;
  bool timed_out_ = false, keep_alive_ = true, closing_ = false, answering_ = false;
  unsigned version_ = 11;
  std::weak_ptr<sink> sink_;
  std::deque<std::string> outbox_;
  size_t queued_bytes_ = 0;
};

}  // namespace

void http_server::impl::accept() {
  acceptor->async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec != asio::error::operation_aborted) spdlog::warn("accept: {}", ec.message());
      if (!acceptor->is_open()) return;
    } else if (open.load() >= cfg.max_connections) {
      std::make_shared<session>(std::move(socket), *this)
          ->reject(
              json_error(503, "too_many_connections", "the server is at its connection limit"));
    } else {
      // Responses are small and written as header + body: without this, Nagle's algorithm can
      // hold the second segment for the client's delayed ACK (~40 ms).
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<session>(std::move(socket), *this)->run();
    }
    accept();
  });
}

http_server::http_server(server_config cfg, http_handler handler)
    : impl_(std::make_unique<impl>(std::move(cfg), std::move(handler))) {}

http_server::~http_server() {
  stop();
}

std::optional<uint16_t> http_server::start(std::string& error) {
  auto port = bind(error);
  if (port) run();
  return port;
}

std::optional<uint16_t> http_server::bind(std::string& error) {
  beast::error_code ec;
  auto address = asio::ip::make_address(impl_->cfg.host, ec);
  if (ec) {
    error = "bad listen address " + impl_->cfg.host + ": " + ec.message();
    return std::nullopt;
  }
  // On a strand of its own: the accept handler (on either I/O thread) and the close posted by
  // stop() must never touch the acceptor at the same time.
  auto& acc = impl_->acceptor.emplace(asio::make_strand(impl_->ioc));
  tcp::endpoint endpoint{address, impl_->cfg.port};
  acc.open(endpoint.protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(endpoint, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error = "cannot listen on " + impl_->cfg.host + ":" + std::to_string(impl_->cfg.port) + ": " +
            ec.message();
    return std::nullopt;
  }
  return acc.local_endpoint().port();
}

void http_server::run() {
  if (!impl_->acceptor || !impl_->threads.empty()) return;
  impl_->work.emplace(impl_->ioc.get_executor());
  impl_->accept();
  for (uint32_t i = 0; i < impl_->cfg.threads; ++i)
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
}

void http_server::stop_accepting() {
  if (!impl_ || !impl_->acceptor) return;
  asio::post(impl_->acceptor->get_executor(), [this] {
    beast::error_code ignored;
    impl_->acceptor->close(ignored);
  });
}

size_t http_server::in_flight() const {
  return impl_->in_flight.load();
}

void http_server::stop() {
  if (!impl_) return;
  if (impl_->threads.empty()) {  // bound, never run: nothing but the listening socket
    beast::error_code ignored;
    if (impl_->acceptor) impl_->acceptor->close(ignored);
    return;
  }
  stop_accepting();
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

size_t http_server::connections() const {
  return impl_->open.load();
}

}  // namespace vocflow::connectors
