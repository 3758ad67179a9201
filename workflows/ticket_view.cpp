#include "workflows/ticket_view.hpp"

#include "workflows/engine.hpp"
#include "workflows/utf8.hpp"

#include <date/tz.h>

#include <algorithm>

namespace vocflow {
namespace {

std::optional<outcome_view> outcome_of(int8_t met, millis taken, millis margin) {
  if (met < 0) return std::nullopt;
  auto seconds = [](millis m) {
    return static_cast<int64_t>(std::chrono::duration_cast<std::chrono::seconds>(m).count());
  };
  return outcome_view{met == 1, seconds(taken), seconds(margin)};
}

}  // namespace

std::string_view subject_view(std::string_view text, size_t limit) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  // Only the first `limit` bytes can make the subject: a long narrative is not read through.
  auto head = text.substr(0, limit + 1);
  auto line = head.substr(
      0, static_cast<size_t>(
             std::find_if(head.begin(), head.end(), [](char c) { return c == '\n' || c == '\r'; }) -
             head.begin()));
  if (line.size() <= limit) return line;
  return line.substr(0, utf8_boundary(line, limit));
}

std::string subject_of(std::string_view text, size_t limit) {
  return std::string{subject_view(text, limit)};
}

void project(const ticket& t, ticket_view& v, const flow* f, std::optional<time_point> decided_at) {
  auto& info = *t.info;
  v.customer = info.customer;
  v.channel = info.channel;
  v.category = info.category;
  v.product = info.product;
  v.source = info.source;
  v.external_id = info.external_id;
  v.historical = t.historical;
  v.subject.assign(subject_view(info.text));
  refresh(t, v, f, decided_at);
}

void refresh(const ticket& t, ticket_view& v, const flow* f, std::optional<time_point> decided_at) {
  // Assigned in place: a read model refreshes its views on every commit, and their strings
  // keep the room they have.
  v.id = t.id;
  v.flow = t.flow;
  v.version = t.version;
  v.status = t.status;
  v.step = t.step;
  v.owner = t.owner;
  v.assignee = t.assignee;
  v.assigned_role = t.assigned_role;
  v.priority = t.priority;
  size_t n = 0;
  for (auto h : all_holds) {
    if (!(t.holds & static_cast<uint8_t>(h))) continue;
    if (n == v.waiting.size()) v.waiting.emplace_back();
    v.waiting[n++].assign(to_string(h));
  }
  v.waiting.resize(n);
  v.opened_at = t.opened_at;
  v.topics = t.topics;
  v.problem = t.problem;
  v.contacts = t.contacts;
  v.next_deadline = no_time;
  v.breached = v.warned = false;
  n = 0;
  for (auto& c : t.clocks) {
    v.breached |= c.breached;
    if (c.kind == clock_kind::timeout) continue;  // the customer's time to answer, no target
    if (n == v.deadlines.size()) v.deadlines.emplace_back();
    auto& d = v.deadlines[n++];
    d.target = c.kind, d.name = c.name, d.deadline = c.deadline, d.paused = c.paused;
    d.breached = c.breached;
    d.warned = c.fired != 0;
    if (!c.breached && c.fired != 0) v.warned = true;
    if (!c.paused && (v.next_deadline == no_time || c.deadline < v.next_deadline))
      v.next_deadline = c.deadline;
  }
  v.deadlines.resize(n);
  if (f && f->cal)
    v.time_zone.assign(f->cal->zone()->name());
  else
    v.time_zone.clear();
  v.allowed_actions.clear();
  if (f && decided_at) v.allowed_actions = allowed_actions(*f, t, *decided_at);
}

ticket_view project(const ticket& t, const flow* f, std::optional<time_point> decided_at) {
  ticket_view v;
  project(t, v, f, decided_at);
  return v;
}

ticket_detail project_detail(const ticket& t, const flow* f) {
  ticket_detail d;
  d.complaint = *t.info;
  d.tasks = t.tasks;
  d.compensation = {t.granted, f ? f->compensation.currency : std::string{}, t.requests};
  d.first_response_at = t.first_response_at;
  d.resolved_at = t.resolved_at;
  d.closed_at = t.closed_at;
  d.reopens = t.reopens;
  d.handoffs = t.handoffs;
  d.interactions = t.interactions;
  d.breaches = t.breaches;
  d.departments = *t.departments;
  d.first_responder = t.first_responder;
  d.resolved_by = t.resolved_by;
  if (t.has_before) d.sentiment_before = t.sentiment_before;
  if (t.has_after) d.sentiment_after = t.sentiment_after;
  d.linked = t.linked;
  d.outcomes.first_response =
      outcome_of(t.first_response_met, t.first_response_taken, t.first_response_margin);
  d.outcomes.resolution = outcome_of(t.resolution_met, t.resolution_taken, t.resolution_margin);
  if (t.has_feedback)
    d.feedback = feedback_view{t.csat ? std::optional{t.csat} : std::nullopt,
                               t.has_sentiment ? std::optional{t.sentiment} : std::nullopt};
  return d;
}

}  // namespace vocflow
