// The way from HTTP handlers to the partitions under load: commands are collected per
// partition and sent as one batch each (one message, one request timeout, one reply) instead
// of one round trip per command. Batches form naturally: whatever arrived while the previous
// messages were handled goes together, so an idle server adds no delay.
#pragma once

#include <functional>
#include <memory>

#include "actors/runtime.hpp"
#include "connectors/bridge.hpp"

namespace vocflow::connectors {

class gateway {
 public:
  using callback = std::function<void(reply<actors::command_result>)>;

  explicit gateway(actors::runtime& rt);
  ~gateway();

  // Thread-safe; `done` runs on a CAF worker thread.
  void submit(actors::submission sub, callback done);

 private:
  caf::actor actor_;
};

}  // namespace vocflow::connectors
