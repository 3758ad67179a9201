// The weekly digest, POSTed to a webhook every Monday at the configured local time (digest in
// the configuration): last week's digest (GET /v1/digest), signed as the webhooks are. Times
// come from the runtime's clock. A Monday missed while vocflow was down is sent at start; a
// failed delivery is tried again every 10 minutes until the next Monday. The week last sent is
// kept in the store (meta digest/sent), so a restart does not send it twice.
#pragma once

#include "actors/runtime.hpp"
#include "config/config.hpp"
#include "connectors/notifier.hpp"

namespace vocflow::connectors {

// The next Monday at `at` (local time in `zone`; UTC when null) strictly after `after`.
time_point next_monday(time_point after, const date::time_zone* zone, millis at);

// Answers poke as a notifier does: after looking, 1 while a due digest is not delivered, else 0.
notifier_actor spawn_digest_sender(actors::runtime& rt, const digest_config& cfg);

}  // namespace vocflow::connectors
