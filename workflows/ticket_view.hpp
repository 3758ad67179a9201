// What clients see of a ticket, the same through every door: the API's answers and lists, the
// live feed, the notifications of every channel, the department queues and the CLI. One pure
// projection from the ticket, one serializer (to_json). A field clients should see is added
// here, once: to the view (where it stands: every door) or to the detail (the complaint and
// the record of its handling: a ticket's own page).
#pragma once

#include "workflows/model.hpp"
#include "workflows/ticket.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace vocflow {

// A running service-level target.
struct deadline_view {
  clock_kind target = clock_kind::step;
  std::string name;
  time_point deadline;
  bool paused = false;
  bool warned = false;  // a warning or escalation threshold of it fired
  bool breached = false;

  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("target", s.target), f("name", s.name), f("deadline", s.deadline), f("paused", s.paused);
    f("warned", s.warned), f("breached", s.breached);
  }
  bool operator==(const deadline_view&) const = default;
};

// Where a ticket stands.
struct ticket_view {
  std::string id;
  std::string flow;
  int32_t version = 0;
  ticket_status status = ticket_status::open;
  std::string step;
  std::string owner;          // department
  std::string assignee;       // the person who has it, "" for nobody yet
  std::string assigned_role;  // the role's queue it is in (an escalation), "" for anyone's
  std::string priority;
  std::string customer, channel, category, product;
  std::string source, external_id;   // the intake source and the complaint's id there
  bool historical = false;           // recorded from history by an import
  std::string subject;               // the complaint's first line, at most 80 characters
  std::vector<std::string> waiting;  // waiting_customer, waiting_supplier, waiting_approval
  time_point opened_at;
  time_point next_deadline;  // the nearest running deadline; no_time when none
  bool breached = false;     // a target of it was missed
  bool warned = false;       // a running target of it passed a warning threshold
  std::vector<deadline_view> deadlines;
  // With the flow: the time zone of its calendar, where deadlines are reckoned...
  std::string time_zone;
  // ...and, with the time of a decision, the actions the ticket takes then.
  std::vector<std::string> allowed_actions;
  std::vector<std::string> topics;  // as last classified
  std::string problem;              // the problem it is linked to, "" for none
  int32_t contacts = 1;             // the customer's contacts on this matter

  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("id", s.id), f("flow", s.flow), f("version", s.version), f("status", s.status);
    f("step", s.step), f("owner", s.owner), f("assignee", s.assignee);
    f("assigned_role", s.assigned_role), f("priority", s.priority);
    f("customer", s.customer), f("channel", s.channel), f("category", s.category);
    f("product", s.product), f("source", s.source), f("external_id", s.external_id);
    f("historical", s.historical), f("subject", s.subject), f("waiting", s.waiting);
    f("opened_at", s.opened_at), f("next_deadline", s.next_deadline), f("breached", s.breached);
    f("warned", s.warned);
    f("deadlines", s.deadlines), f("time_zone", s.time_zone);
    f("allowed_actions", s.allowed_actions), f("topics", s.topics), f("problem", s.problem);
    f("contacts", s.contacts);
  }
  bool operator==(const ticket_view&) const = default;
};

// A ticket-wide target once its clock stopped; business time, in seconds.
struct outcome_view {
  bool met = false;
  int64_t taken_seconds = 0;
  int64_t margin_seconds = 0;  // left to the target (negative when late)

  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("met", s.met), f("taken_seconds", s.taken_seconds), f("margin_seconds", s.margin_seconds);
  }
};

struct compensation_view {
  money granted;
  std::string currency;
  std::vector<compensation_request> pending;

  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("granted", s.granted), f("currency", s.currency), f("pending", s.pending);
  }
};

struct outcomes_view {
  std::optional<outcome_view> first_response, resolution;

  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("first_response", s.first_response), f("resolution", s.resolution);
  }
};

struct feedback_view {
  std::optional<int32_t> csat;
  std::optional<double> sentiment;

  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("csat", s.csat), f("sentiment", s.sentiment);
  }
};

// What a ticket's own page adds: the complaint itself and the record of its handling.
struct ticket_detail {
  ticket_fields complaint;  // what the customer said, as it came in
  std::vector<task> tasks;
  compensation_view compensation;
  time_point first_response_at, resolved_at, closed_at;
  int32_t reopens = 0, handoffs = 0, interactions = 0, breaches = 0;
  std::vector<std::string> departments;  // every department involved, in order
  std::string first_responder, resolved_by;
  outcomes_view outcomes;
  std::optional<feedback_view> feedback;
  // How the customer sounds: the first text, and the latest one after our first answer.
  std::optional<double> sentiment_before, sentiment_after;
  std::vector<std::string> linked;  // on a problem: its complaints

  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("fields", s.complaint), f("tasks", s.tasks), f("compensation", s.compensation);
    f("first_response_at", s.first_response_at), f("resolved_at", s.resolved_at);
    f("closed_at", s.closed_at), f("reopens", s.reopens), f("handoffs", s.handoffs);
    f("interactions", s.interactions), f("breaches", s.breaches);
    f("departments", s.departments), f("first_responder", s.first_responder);
    f("resolved_by", s.resolved_by), f("outcomes", s.outcomes), f("feedback", s.feedback);
    f("sentiment_before", s.sentiment_before), f("sentiment_after", s.sentiment_after);
    f("linked", s.linked);
  }
};

// Fills `out` with where `t` stands, reusing its storage (read models project every commit).
// With `f` (the ticket's flow): its time zone; with `f` and `decided_at`: the actions the ticket
// takes at that time.
void project(const ticket& t, ticket_view& out, const flow* f = nullptr,
             std::optional<time_point> decided_at = std::nullopt);
// The same for a view of the same ticket projected before: the complaint's parts (customer,
// channel, category, product, subject), which never change after the opening, are left as
// they are.
void refresh(const ticket& t, ticket_view& out, const flow* f = nullptr,
             std::optional<time_point> decided_at = std::nullopt);
ticket_view project(const ticket& t, const flow* f = nullptr,
                    std::optional<time_point> decided_at = std::nullopt);
ticket_detail project_detail(const ticket& t, const flow* f);

// The complaint's first line, at most `limit` bytes, cut at a character boundary.
std::string_view subject_view(std::string_view text, size_t limit = 80);
std::string subject_of(std::string_view text, size_t limit = 80);

// The one serializer of a ticket: the view, or the view and its detail as one object.
nlohmann::json to_json(const ticket_view& v);
nlohmann::json to_json(const ticket_view& v, const ticket_detail& d);

}  // namespace vocflow
