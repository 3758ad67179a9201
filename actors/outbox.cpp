#include "actors/outbox.hpp"

#include <algorithm>

#include "workflows/json_codec.hpp"

namespace vocflow::actors {

bool wants(const webhook_config& w, const notify& n) {
  if (std::find(w.events.begin(), w.events.end(), n.event_type) == w.events.end()) return false;
  if (w.to.empty()) return true;
  return std::any_of(n.to.begin(), n.to.end(), [&](const std::string& r) {
    return std::find(w.to.begin(), w.to.end(), r) != w.to.end();
  });
}

std::vector<storage::outbox_entry> outbox_rows(const std::vector<webhook_config>& webhooks,
                                               const ticket& t, const std::vector<event>& events,
                                               const notify& n, time_point now) {
  std::vector<storage::outbox_entry> rows;
  std::string body;
  for (auto& w : webhooks) {
    if (!wants(w, n)) continue;
    if (body.empty()) {
      auto e = std::find_if(events.begin(), events.end(), [&](auto& x) { return x.seq == n.seq; });
      nlohmann::json j = {{"id", t.id + ":" + std::to_string(n.seq)},
                          {"type", n.event_type},
                          {"subject", n.subject},
                          {"to", n.to},
                          {"ticket", t.id},
                          {"flow", t.flow},
                          {"version", t.version},
                          {"status", to_string(t.status)},
                          {"step", t.step},
                          {"owner", t.owner},
                          {"priority", t.priority},
                          {"at", format_utc(e != events.end() ? e->at : now)},
                          {"event", e != events.end() ? to_json(*e) : nlohmann::json()}};
      body = json_text(j);
    }
    storage::outbox_entry row;
    row.webhook = w.name;
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
