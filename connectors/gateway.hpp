// The way from HTTP handlers to the partitions under load: commands are collected per
// partition and sent as one batch each (one message, one request timeout, one reply) instead
// of one round trip per command. Batches form naturally: whatever arrived while the previous
// messages were handled goes together, so an idle server adds no delay.
#pragma once

#include "actors/runtime.hpp"
#include "connectors/bridge.hpp"

#include <functional>
#include <memory>

namespace vocflow::connectors {

class gateway {
 public:
  using callback = std::function<void(reply<actors::command_result>)>;

  explicit gateway(actors::runtime& rt);
  // Returns once the actor is gone: it holds the runtime, which may go right after.
  ~gateway();

  // Thread-safe; `done` runs on the gateway's actor (its own thread, or a CAF worker).
  void submit(actors::submission sub, callback done);

 private:
  caf::actor_system& sys_;
  caf::actor actor_;
};

}  // namespace vocflow::connectors
