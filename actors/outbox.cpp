#include "actors/outbox.hpp"

#include "workflows/json_codec.hpp"
#include "workflows/ticket_view.hpp"

#include <algorithm>

namespace vocflow::actors {

bool wants(const channel_subscription& c, const notify& n) {
  if (std::find(c.events.begin(), c.events.end(), n.event_type) == c.events.end()) return false;
  if (c.to.empty()) return true;
  return std::any_of(n.to.begin(), n.to.end(), [&](const std::string& r) {
    return std::find(c.to.begin(), c.to.end(), r) != c.to.end();
  });
}

std::vector<storage::outbox_entry> outbox_rows(const std::vector<channel_subscription>& channels,
                                               const ticket& t, const flow* f,
                                               const std::vector<event>& events, const notify& n,
                                               time_point now) {
  std::vector<storage::outbox_entry> rows;
  std::string body;
  for (auto& c : channels) {
    if (!wants(c, n)) continue;
    if (body.empty()) {
      auto e = std::find_if(events.begin(), events.end(), [&](auto& x) { return x.seq == n.seq; });
      nlohmann::json j = {{"id", t.id + ":" + std::to_string(n.seq)},
                          {"type", n.event_type},
                          {"subject", n.subject},
                          {"to", n.to},
                          {"at", format_utc(e != events.end() ? e->at : now)},
                          {"event", e != events.end() ? to_json(*e) : nlohmann::json()},
                          {"ticket", to_json(project(t, f))}};
      body = json_text(j);
    }
    storage::outbox_entry row;
    row.channel = c.name;
    row.ticket = t.id;
    row.seq = n.seq;
    row.type = n.event_type;
    row.created = row.next_at = now;
    row.body = body;
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace vocflow::actors
