#include "app/server_commands.hpp"
#include "app/ticket_text.hpp"
#include "storage/store.hpp"
#include "workflows/json_codec.hpp"
#include "workflows/ticket_view.hpp"

#include <fmt/format.h>

#include <iostream>
#include <map>

namespace vocflow::app {
namespace {

// A read that failed: said, with what could not be read; exit code 1. A store that cannot be
// read is never shown as an empty one.
int unreadable(const std::string& what, const storage::status& st) {
  std::cerr << "cannot read " << what << ": " << st.message() << "\n";
  return 1;
}

int show_ticket(const storage::store& db, const std::string& id, bool json, const display& d) {
  ticket t;
  if (auto st = db.load(id, t); !st) {
    if (!st.is_not_found()) return unreadable("ticket " + id, st);
    std::cerr << "no ticket " << id << "\n";
    return 1;
  }
  std::vector<event> history;
  if (auto st = db.history(id, history); !st) return unreadable("the history of " + id, st);
  // What GET /v1/tickets/{id} answers, from the store (the flow is not at hand here: no allowed
  // actions; times in the zone --tz names, else this machine's).
  auto view = to_json(project(t), project_detail(t, nullptr));
  nlohmann::json events = nlohmann::json::array();
  for (auto& e : history) events.push_back(to_json(e));
  view["history"] = std::move(events);
  if (json) {
    std::cout << view.dump(2) << "\n";
    return 0;
  }
  print_ticket(std::cout, view, d);
  std::cout << "\nhistory\n";
  print_events(std::cout, view["history"], d, d.zone_for(view));
  return 0;
}

}  // namespace

int run_inspect(const inspect_options& o) {
  storage::status st;
  auto db = storage::store::open(
      {.path = o.data_dir, .sync = false, .cache_mb = 16, .read_only = true}, st);
  if (!db) {
    std::cerr << "cannot open " << o.data_dir << ": " << st.message() << "\n";
    return 1;
  }
  std::string error;
  auto d = make_display(o.tz, error);
  if (!d) {
    std::cerr << error << "\n";
    return 2;
  }
  if (!o.ticket.empty()) return show_ticket(*db, o.ticket, o.json, *d);
  if (o.due) {
    st = db->for_each_due([&](uint16_t p, const storage::due_timer& d) {
      std::cout << fmt::format("{}  partition {}  {}  timer {}\n", format_utc(d.due), p, d.ticket,
                               d.timer);
      return true;
    });
    return st ? 0 : unreadable("the due timers", st);
  }
  std::map<std::string, size_t> by_status, by_flow;
  size_t tickets = 0, due = 0, flows = 0;
  st = db->for_each_ticket([&](const ticket& t) {
    ++tickets;
    ++by_status[std::string{to_string(t.status)}];
    ++by_flow[fmt::format("{}@{}", t.flow, t.version)];
    return true;
  });
  if (!st) return unreadable("the tickets", st);
  std::optional<time_point> earliest;
  st = db->for_each_due([&](uint16_t, const storage::due_timer& d) {
    ++due;
    if (!earliest || d.due < *earliest) earliest = d.due;
    return true;
  });
  if (!st) return unreadable("the due timers", st);
  st = db->for_each_flow([&](auto& id, auto, auto&) { flows += id != ":topics"; });
  if (!st) return unreadable("the flows", st);
  if (o.json) {
    std::cout << nlohmann::json{{"tickets", tickets},
                                {"by_status", by_status},
                                {"by_flow", by_flow},
                                {"due_timers", due},
                                {"flow_versions", flows},
                                {"earliest_due", earliest ? format_utc(*earliest) : ""}}
                     .dump(2)
              << "\n";
    return 0;
  }
  std::cout << fmt::format("tickets        {}\n", tickets);
  for (auto& [s, n] : by_status) std::cout << fmt::format("  {:<12} {}\n", s, n);
  std::cout << fmt::format("by flow\n");
  for (auto& [f, n] : by_flow) std::cout << fmt::format("  {:<28} {}\n", f, n);
  std::cout << fmt::format("due timers     {}{}\n", due,
                           earliest ? ", earliest " + format_utc(*earliest) : "");
  std::cout << fmt::format("flow versions  {}\n", flows);
  return 0;
}

}  // namespace vocflow::app
