// An outbound channel: where the notifications of its outbox go (a webhook today; e-mail and
// replies posted back to the source system next). A channel only delivers one notification;
// the rest is the same for every kind (connectors/notifier.hpp): rows written with the events
// they tell about, delivered at least once across restarts, retried with backoff, dead letters,
// metrics by the channel's name.
#pragma once

#include "config/config.hpp"
#include "storage/store.hpp"

#include <memory>
#include <string>
#include <vector>

namespace vocflow::connectors {

class channel {
 public:
  explicit channel(std::string name) : name_(std::move(name)) {}
  virtual ~channel() = default;
  channel(const channel&) = delete;
  channel& operator=(const channel&) = delete;

  const std::string& name() const { return name_; }
  // One delivery attempt of `n` (its body: the notification's JSON, see actors/outbox.hpp),
  // blocking up to the channel's own timeout: "" when the receiver took it, else why not (it
  // is attempted again later).
  virtual std::string deliver(const storage::outbox_entry& n) = 0;

 private:
  std::string name_;
};

// A channel for each one configured (the webhooks), named as configured.
std::vector<std::shared_ptr<channel>> make_channels(const notify_config& cfg);

}  // namespace vocflow::connectors
