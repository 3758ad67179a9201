// Where the API's queries that read many rows run (ticket lists, breaches, KPIs, flow graphs): a
// few threads of their own, below the priority of the path every reply waits on, so that a long
// scan holds neither an I/O thread nor an actor scheduler worker; and a bound on how many run
// or wait at once: a query beyond it is refused at once (the API answers 503), not queued
// behind the others.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <functional>

namespace vocflow::connectors {

class query_pool {
 public:
  // `threads` run the queries, `nice` above the process's priority (0-19); at most
  // `max_queries` are admitted (running or waiting) at once.
  query_pool(size_t threads, size_t max_queries, int nice);
  // Waits for the queries admitted.
  ~query_pool();
  query_pool(const query_pool&) = delete;
  query_pool& operator=(const query_pool&) = delete;

  // Runs `job` on the pool; false, and `job` dropped, when max_queries are already admitted.
  // Thread-safe.
  [[nodiscard]] bool try_run(std::function<void()> job);
  size_t admitted() const { return admitted_.load(); }
  size_t limit() const { return max_; }

 private:
  boost::asio::thread_pool pool_;
  std::atomic<size_t> admitted_{0};
  size_t max_;
  int nice_;
};

}  // namespace vocflow::connectors
