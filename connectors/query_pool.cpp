#include "connectors/query_pool.hpp"

#include "actors/scheduler.hpp"

#include <boost/asio/post.hpp>

namespace vocflow::connectors {

query_pool::query_pool(size_t threads, size_t max_queries, int nice)
    : pool_(std::max<size_t>(1, threads)), max_(std::max<size_t>(1, max_queries)), nice_(nice) {}

query_pool::~query_pool() {
  pool_.join();
}

bool query_pool::try_run(std::function<void()> job) {
  if (admitted_.fetch_add(1) >= max_) {
    --admitted_;
    return false;
  }
  boost::asio::post(pool_, [this, job = std::move(job)] {
    // Asio's pool has no hook for its threads' start: each lowers itself on its first query.
    thread_local bool lowered = (actors::lower_this_thread(nice_), true);
    (void)lowered;
    job();
    --admitted_;
  });
  return true;
}

}  // namespace vocflow::connectors
