// An outbound channel: where the rows of its outbox go — a webhook's notifications, or what is
// said to the customers of an intake source's complaints (a comment posted back to the ticket
// system, an e-mail). A channel only delivers one row; the rest is the same for every kind
// (connectors/notifier.hpp): rows written with the events they tell about, delivered at least
// once across restarts, retried with backoff, dead letters, metrics by the channel's name.
#pragma once

#include "config/config.hpp"
#include "connectors/mapping.hpp"
#include "storage/store.hpp"

#include <memory>
#include <string>
#include <vector>

namespace vocflow::connectors {

// The outcome of one delivery attempt.
struct attempt_result {
  std::string error;   // "" when the receiver took it
  bool final = false;  // trying again cannot help (the receiver refused it): a dead letter now
};

class channel {
 public:
  explicit channel(channel_subscription s) : subscription_(std::move(s)) {}
  virtual ~channel() = default;
  channel(const channel&) = delete;
  channel& operator=(const channel&) = delete;

  const std::string& name() const { return subscription_.name; }
  // What it carries (the partitions write its rows by this).
  const channel_subscription& subscription() const { return subscription_; }
  // One delivery attempt of `n` (its body: the row's JSON, see actors/outbox.hpp), blocking up
  // to the channel's own timeout.
  virtual attempt_result deliver(const storage::outbox_entry& n) = 0;

 private:
  channel_subscription subscription_;
};

// Every outbound channel of a node: the configured webhooks, then a channel back to each intake
// source whose mapping has a `reply` and whose target (its reply url, or the mail server) is
// configured, named reply:<the mapping's source> (the source its tickets carry). `unreplied`
// gets a line for each source with a reply rule and no target (its customers hear nothing from
// vocflow), or whose mapping's source another already replies to.
std::vector<std::shared_ptr<channel>> make_channels(const config& c, const inbound_sources& sources,
                                                    std::vector<std::string>& unreplied);

std::vector<channel_subscription> subscriptions(const std::vector<std::shared_ptr<channel>>& chs);

}  // namespace vocflow::connectors
