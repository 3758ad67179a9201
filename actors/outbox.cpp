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
    if (!c.source.empty() || !wants(c, n)) continue;
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

namespace {

// What a customer-facing event says; nullptr for any other event.
const std::string* customer_text(const event& e) {
  if (auto* r = std::get_if<ev::responded>(&e.body)) return &r->text;
  if (auto* a = std::get_if<ev::asked_customer>(&e.body)) return &a->text;
  if (auto* r = std::get_if<ev::resolved>(&e.body)) return &r->text;
  return nullptr;
}

}  // namespace

std::vector<storage::outbox_entry> reply_rows(const std::vector<channel_subscription>& channels,
                                              const ticket& t, const std::vector<event>& events,
                                              time_point now) {
  std::vector<storage::outbox_entry> rows;
  if (t.historical || t.info->source.empty() || t.info->external_id.empty()) return rows;
  for (auto& c : channels) {
    if (c.source != t.info->source) continue;
    for (auto& e : events) {
      auto* text = customer_text(e);
      if (!text || std::find(c.events.begin(), c.events.end(), e.type()) == c.events.end())
        continue;
      nlohmann::json j = {{"id", t.id + ":" + std::to_string(e.seq)},
                          {"type", e.type()},
                          {"at", format_utc(e.at)},
                          {"text", *text},
                          {"ticket", t.id},
                          {"source", t.info->source},
                          {"external_id", t.info->external_id},
                          {"contact", t.info->contact},
                          {"attributes", t.info->extra}};
      storage::outbox_entry row;
      row.channel = c.name;
      row.ticket = t.id;
      row.seq = e.seq;
      row.type = std::string{e.type()};
      row.created = row.next_at = now;
      row.body = json_text(j);
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

}  // namespace vocflow::actors
