#include "workflows/queue_filter.hpp"

#include "workflows/routing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>

namespace vocflow {
namespace {

char ascii_fold(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

// Every word (split at spaces) in one of the fields; ASCII letters in any case, every other
// byte (Chinese, digits) as it is.
bool has_words(const ticket_view& v, std::string_view words) {
  while (!words.empty()) {
    auto end = words.find(' ');
    auto word = words.substr(0, end);
    words.remove_prefix(end == words.npos ? words.size() : end + 1);
    if (word.empty()) continue;
    auto in = [&](std::string_view field) {
      return std::search(field.begin(), field.end(), word.begin(), word.end(), [](char a, char b) {
               return ascii_fold(a) == ascii_fold(b);
             }) != field.end();
    };
    if (!in(v.id) && !in(v.customer) && !in(v.subject) && !in(v.category) && !in(v.product))
      return false;
  }
  return true;
}

int priority_rank(std::string_view p) {
  if (p == "urgent") return 0;
  if (p == "high") return 1;
  if (p == "low") return 3;
  return 2;
}

}  // namespace

bool ticket_filter::matches(const ticket_view& v) const {
  if (!status.empty() && to_string(v.status) != status) return false;
  if (breached >= 0 && v.breached != (breached == 1)) return false;
  if (!assignee.empty() && v.assignee != (assignee == "-" ? std::string{} : assignee)) return false;
  if (!customer.empty() && v.customer != customer) return false;
  if (!category.empty() && v.category != category) return false;
  if (!product.empty() && v.product != product) return false;
  if (!channel.empty() && v.channel != channel) return false;
  if (!priority.empty() && v.priority != priority) return false;
  if (!topic.empty() && std::none_of(v.topics.begin(), v.topics.end(),
                                     [&](auto& t) { return topic_within(t, topic); }))
    return false;
  return words.empty() || has_words(v, words);
}

urgency_key urgency_of(const ticket_view& v) {
  urgency_key k;
  k.late = v.breached ? 0 : 1;
  k.deadline =
      v.next_deadline == no_time ? std::numeric_limits<int64_t>::max() : to_ms(v.next_deadline);
  k.priority = priority_rank(v.priority);
  k.opened = to_ms(v.opened_at);
  k.id = v.id;
  return k;
}

std::string to_cursor(const urgency_key& k) {
  return fmt::format("{}.{}.{}.{}.{}", k.late, k.deadline, k.priority, k.opened, k.id);
}

std::optional<urgency_key> urgency_cursor(const std::string& text) {
  urgency_key k;
  const char* p = text.data();
  const char* end = p + text.size();
  auto number = [&](auto& out) {
    auto [next, ec] = std::from_chars(p, end, out);
    if (ec != std::errc{} || next == end || *next != '.') return false;
    p = next + 1;
    return true;
  };
  if (!number(k.late) || !number(k.deadline) || !number(k.priority) || !number(k.opened))
    return std::nullopt;
  k.id.assign(p, end);
  if (k.id.empty()) return std::nullopt;
  return k;
}

}  // namespace vocflow
