// The compiled form of what process owners write: an organization (roles, departments,
// business calendars) and versioned flows. Built by the loader, read by the engine; immutable
// once loaded, shared by every ticket that runs on it.
#pragma once

#include "workflows/calendar.hpp"
#include "workflows/duration.hpp"
#include "workflows/money.hpp"
#include "workflows/yaml_reader.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace vocflow {

// Why a ticket waits; the flow's pause_while names which of them stop the SLA clocks.
enum class hold : uint8_t { customer = 1, supplier = 2, approval = 4 };
std::string_view to_string(hold h);  // "waiting_customer", ...
[[nodiscard]] std::optional<hold> parse_hold(std::string_view name);
inline constexpr hold all_holds[] = {hold::customer, hold::supplier, hold::approval};

// Ticket priorities in rising order; an escalation may raise a ticket one level.
inline constexpr std::string_view priorities[] = {"low", "normal", "high", "urgent"};
bool is_priority(std::string_view p);
std::string raise_priority(std::string_view p);

// What a complaint may say of its severity: a priority, or critical (urgent). Case does not
// matter; nothing said means normal.
inline constexpr std::string_view severities[] = {"low", "normal", "high", "urgent", "critical"};
// The priority a severity asks for; nullopt for a severity that is none of the above.
[[nodiscard]] std::optional<std::string> priority_for(std::string_view severity);

// Roles that always exist: the customer, and the system (timers, connectors).
inline constexpr std::string_view customer_role = "customer";
inline constexpr std::string_view system_role = "system";

struct department {
  std::string name;
  std::string title;
  source_pos pos;
};

struct organization {
  std::string file;
  std::map<std::string, department> departments;
  std::map<std::string, source_pos> roles;
  std::map<std::string, std::shared_ptr<const calendar>> calendars;

  bool has_department(std::string_view n) const { return departments.contains(std::string{n}); }
  bool has_role(std::string_view n) const;  // declared, customer or system
};

// One level of an escalation chain: when it fires and what it does.
struct escalation_level {
  enum class anchor : uint8_t { percent, elapsed, before };
  anchor kind = anchor::percent;
  double percent = 0;  // kind == percent: (0, 100] of the target
  millis offset{0};    // kind == elapsed: after this much; before: this much before the deadline
  std::vector<named_ref> notify;      // roles or departments
  std::optional<named_ref> reassign;  // a department (new owner) or a role (new assignee)
  std::string priority;               // "", "raise" or a priority name
  source_pos pos;
};

// A service-level target: the business time allowed, its warning and escalation chain.
struct sla_target {
  duration_spec within;
  std::optional<double> warn_at;  // percent; falls back to the flow's sla.warn_at
  std::vector<escalation_level> escalate;
  source_pos pos;

  bool defined() const { return !within.is_zero(); }
};

struct transition {
  std::string action;
  named_ref target;
  source_pos pos;
};

// A branch of a parallel block: a task for one department, with its own SLA.
struct branch {
  std::string name;
  named_ref owner;
  std::string task;
  sla_target sla;
  source_pos pos;
};

struct timeout_rule {
  duration_spec after;
  named_ref go;
  source_pos pos;
};

struct step {
  std::string name;
  std::string title;
  std::optional<named_ref> owner;
  bool final = false;
  sla_target sla;
  std::vector<transition> on;
  std::vector<branch> parallel;   // non-empty: a parallel block
  std::optional<named_ref> then;  // where a parallel block goes when every branch is done
  std::optional<timeout_rule> timeout;
  std::vector<named_ref> hand_off;  // departments this step may hand off to; empty: any
  source_pos pos;

  bool is_parallel() const { return !parallel.empty(); }
  const transition* find_transition(std::string_view action) const;
  const branch* find_branch(std::string_view name) const;
};

struct role_limit {
  named_ref role;
  money limit;
};

struct root_cause_rule {
  money over;  // cumulative compensation on a ticket above which root-cause work opens
  named_ref owner;
  std::string task;
  sla_target sla;
  source_pos pos;
};

struct customer_cap {
  money limit;  // granted to one customer over `period` (calendar time)
  duration_spec period;
  source_pos pos;
};

struct compensation_policy {
  std::string currency;                   // empty: the flow grants no compensation
  std::vector<role_limit> limits;         // rising: what each role may grant on a ticket
  std::optional<named_ref> above_limits;  // the role that approves beyond every limit
  std::optional<root_cause_rule> root_cause;
  std::optional<customer_cap> per_customer;
  source_pos pos;

  bool enabled() const { return !currency.empty(); }
  const role_limit* limit_for(std::string_view role) const;
};

// What a flow does when the customer gets in touch for the `count`-th time on an open ticket
// (`escalate: [{ on: repeat_contact, count: 3, reassign: supervisor, notify: [cs_manager] }]`).
struct repeat_rule {
  int32_t count = 0;
  escalation_level level;  // its notify, reassign and priority (no timing)
};

struct reopen_rule {
  duration_spec within;  // calendar time after closing during which the customer may reopen
  named_ref to;
  source_pos pos;
};

// One value a field may have: the same (ignoring case and the spaces around either), or one
// that starts with it, contains it (ignoring case), or matches a regular expression (ECMAScript,
// ignoring case, anywhere in the value unless anchored).
struct match_value {
  enum class kind : uint8_t { equals, prefix, contains, regex };
  kind how = kind::equals;
  std::string text;                      // as written (trimmed)
  std::shared_ptr<const std::regex> re;  // for regex
  source_pos pos;

  bool matches(std::string_view value) const;
  std::string describe() const;  // "returns", "prefix:Credit card", "contains:card", "/^Mort/"
};

// Which tickets a flow takes: every listed field must match one of its values; every listed
// tag must be on the ticket (case-insensitive).
struct match_rule {
  // category, channel, product, severity, tier, customer, source, text, extra.NAME
  std::map<std::string, std::vector<match_value>> fields;
  std::vector<std::string> tags;
  source_pos pos;

  size_t specificity() const { return fields.size() + tags.size(); }
};

struct flow {
  std::string id;
  int32_t version = 0;
  std::string title;
  std::string file;
  std::string source;  // the YAML text, as deployed
  source_pos pos;

  match_rule match;
  bool is_default = false;

  named_ref calendar_ref;
  std::shared_ptr<const calendar> cal;

  sla_target first_response;
  sla_target resolution;
  uint8_t pause_mask = 0;  // holds (bit values of `hold`) that pause the SLA clocks
  std::optional<double> warn_at;

  compensation_policy compensation;
  std::optional<reopen_rule> reopen;
  std::vector<repeat_rule> on_repeat;  // by rising count

  named_ref start;
  std::vector<step> steps;

  // The organization's departments when the flow was checked: the engine validates hand-off
  // targets and tells departments from roles in reassignments with it.
  std::set<std::string> departments;

  const step* find(std::string_view name) const;
  std::string key() const;  // "id@version"
};

}  // namespace vocflow
