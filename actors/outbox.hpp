// Which webhooks a notification goes to, and what they receive. The partition writes the
// rows in the same batch as the events, so a notification exists exactly when its event does.
#pragma once

#include <vector>

#include "config/config.hpp"
#include "storage/store.hpp"
#include "workflows/engine.hpp"

namespace vocflow::actors {

// A webhook wants a notification when it asks for its type and (if it names recipients)
// shares one of them.
bool wants(const webhook_config& w, const notify& n);

// The outbox rows for one notification raised by a command: one per webhook that wants it,
// due now. `events` are the command's events (one of them is the notification's).
std::vector<storage::outbox_entry> outbox_rows(const std::vector<webhook_config>& webhooks,
                                               const ticket& t, const std::vector<event>& events,
                                               const notify& n, time_point now);

}  // namespace vocflow::actors
