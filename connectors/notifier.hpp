// The delivery of an outbound channel's notifications. The partitions put each notification a
// channel wants into its outbox in RocksDB, in the same batch as the event (actors/outbox.hpp);
// one notifier per channel hands them to the channel (connectors/channel.hpp) until it has
// delivered them. A failed attempt is retried with exponential backoff; after `give_up_after`,
// or at once when the receiver refused it for good, the notification becomes a dead letter (kept,
// counted in the metrics). The row leaves the outbox only once delivered, so delivery is at least
// once across crashes and restarts; receivers deduplicate on the notification's id (ticket:seq, the
// same on every attempt).
#pragma once

#include "actors/runtime.hpp"
#include "connectors/channel.hpp"

#include <memory>

namespace vocflow::connectors {

//   committed: from every partition; a batch with a notification this channel wants starts a
//              delivery pass (its row is already in the outbox).
//   poke:      look at the outbox now (at start, after the clock jumped, more rows waiting);
//              answers, after the pass, how many notifications are left in the outbox.
//   wake:      to itself when the next retry is due (generation token: stale ones are ignored).
using notifier_actor =
    actors::subscriber_actor::extend<caf::replies_to<actors::poke_atom>::with<size_t>,
                                     caf::reacts_to<actors::wake_atom, uint64_t>>;

// A notifier on a thread of its own (an attempt blocks on the receiver). Subscribe it with
// runtime::subscribe; it looks at its outbox once at start.
notifier_actor spawn_notifier(caf::actor_system& sys, const actors::runtime_env& env,
                              const std::shared_ptr<channel>& ch, const notify_config& cfg);

// A notifier per channel (connectors::make_channels), each subscribed to the runtime's commits.
std::vector<notifier_actor> start_notifiers(actors::runtime& rt,
                                            const std::vector<std::shared_ptr<channel>>& channels,
                                            const notify_config& cfg);
// Asks each to stop (an attempt under way finishes first).
void stop_notifiers(std::vector<notifier_actor>& notifiers);

// The wait before attempt `attempt` + 1 after `attempt` failed: initial * 2^(attempt-1), at most
// `max`.
millis retry_delay(const notify_config& cfg, int32_t attempt);

}  // namespace vocflow::connectors
