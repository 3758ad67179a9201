// Which tickets a queue shows and in which order: the filters an agent sets (status, assignee,
// customer, category, product, topic, channel, breached, words) and the urgency order (the
// late first, then the nearest deadline, then priority, then age). One definition for the
// department queues and the store's listing; pages continue from a cursor that is the last
// row's place in that order, so that a page stays right while tickets come and go.
#pragma once

#include "workflows/ticket_view.hpp"

#include <optional>
#include <string>
#include <tuple>

namespace vocflow {

struct ticket_filter {
  std::string status;    // "", "open", "resolved", "closed"
  int breached = -1;     // -1 any, 0 not breached, 1 breached
  std::string assignee;  // a person; "-" for nobody
  std::string customer, category, product, channel, priority;
  std::string topic;  // the topic or any of its children
  std::string words;  // every word in the id, customer, subject, category or product (any case)

  bool matches(const ticket_view& v) const;
};

enum class queue_order : uint8_t { id, urgency };

// A row's place in the urgency order: smaller is more urgent.
struct urgency_key {
  int late = 1;          // 0: a target of it was missed
  int64_t deadline = 0;  // the next deadline, ms; the largest value for none
  int priority = 2;      // urgent 0, high 1, normal 2, low 3
  int64_t opened = 0;    // ms
  std::string id;

  auto operator<=>(const urgency_key&) const = default;
};
urgency_key urgency_of(const ticket_view& v);

// The cursor text of a key, and back (nullopt for text that is not one).
std::string to_cursor(const urgency_key& k);
[[nodiscard]] std::optional<urgency_key> urgency_cursor(const std::string& text);

}  // namespace vocflow
