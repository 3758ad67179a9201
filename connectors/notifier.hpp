// Outbound webhooks. The partitions put each notification a webhook wants into its outbox in
// RocksDB, in the same batch as the event (see actors/outbox.hpp); one notifier per webhook
// delivers them: POST with the JSON body, signed, until the receiver answers 2xx. A failed
// attempt is retried with exponential backoff; after `give_up_after` the notification becomes
// a dead letter (kept, counted in the metrics). The row leaves the outbox only after a 2xx, so
// delivery is at least once across crashes and restarts; receivers deduplicate on
// X-Vocflow-Event-Id (ticket:seq, the same on every attempt).
//
// Headers of every attempt:
//   Content-Type: application/json
//   X-Vocflow-Event: sla_breached            X-Vocflow-Event-Id: T-...:7
//   X-Vocflow-Delivery-Attempt: 1            X-Vocflow-Webhook: <name>
//   X-Vocflow-Signature: sha256=<hex HMAC-SHA256(secret, body)>
#pragma once

#include <string>
#include <string_view>

#include "actors/runtime.hpp"

namespace vocflow::connectors {

//   committed: from every partition; a batch with a notification this webhook wants starts a
//              delivery pass (its row is already in the outbox).
//   poke:      look at the outbox now (at start, after the clock jumped, more rows waiting);
//              answers, after the pass, how many notifications are left in the outbox.
//   wake:      to itself when the next retry is due (generation token: stale ones are ignored).
using notifier_actor =
    actors::subscriber_actor::extend<caf::replies_to<actors::poke_atom>::with<size_t>,
                                     caf::reacts_to<actors::wake_atom, uint64_t>>;

// A notifier on a thread of its own (an attempt blocks on the receiver for up to
// cfg.timeout). Subscribe it with runtime::subscribe; it looks at its outbox once at start.
notifier_actor spawn_notifier(caf::actor_system& sys, const actors::runtime_env& env,
                              webhook_config webhook, notify_config cfg);

// A notifier per configured webhook, each subscribed to the runtime's commits.
std::vector<notifier_actor> start_notifiers(actors::runtime& rt, const notify_config& cfg);
// Asks each to stop (an attempt under way finishes first).
void stop_notifiers(std::vector<notifier_actor>& notifiers);

// "sha256=" and the lower-case hex HMAC-SHA256 of `body` under `secret`.
std::string webhook_signature(std::string_view secret, std::string_view body);

// The wait before attempt `attempt` + 1 after `attempt` failed: initial * 2^(attempt-1), at most
// `max`.
millis retry_delay(const notify_config& cfg, int32_t attempt);

}  // namespace vocflow::connectors
