#include "connectors/what_if.hpp"

#include "connectors/json_io.hpp"
#include "workflows/json_codec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace vocflow::connectors {
namespace {

using nlohmann::json;

// One line of the side-by-side table: counts also show their difference.
struct row {
  std::string label, recorded, replayed;
  std::optional<int64_t> a, b;
};

std::string share_text(const kpi_share& s) {
  if (s.yes + s.no == 0) return s.pending ? fmt::format("({} pending)", s.pending) : "-";
  auto text = fmt::format("{}/{} {:.0f}%", s.yes, s.yes + s.no, *s.rate() * 100);
  if (s.pending) text += fmt::format(" +{} pending", s.pending);
  return text;
}

std::string duration_text(const kpi_durations& d, double p) {
  auto v = d.percentile(p);
  return v ? format_millis(*v) : "-";
}

std::string money_text(const std::map<std::string, money>& m) {
  if (m.empty()) return "0";
  std::vector<std::string> parts;
  parts.reserve(m.size());
  for (auto& [currency, amount] : m)
    parts.push_back(fmt::format("{} {}", to_string(amount), currency));
  return fmt::format("{}", fmt::join(parts, ", "));
}

template <class K>
std::set<K> keys(const std::map<K, int64_t>& a, const std::map<K, int64_t>& b) {
  std::set<K> out;
  for (auto& [k, v] : a) out.insert(k);
  for (auto& [k, v] : b) out.insert(k);
  return out;
}

template <class K>
int64_t count_of(const std::map<K, int64_t>& m, const K& k) {
  auto it = m.find(k);
  return it == m.end() ? 0 : it->second;
}

std::vector<row> rows(const what_if_report& r) {
  auto& x = r.recorded;
  auto& y = r.replayed;
  std::vector<row> out;
  auto count = [&](std::string label, int64_t a, int64_t b) {
    out.push_back({std::move(label), std::to_string(a), std::to_string(b), a, b});
  };
  auto text = [&](std::string label, std::string a, std::string b) {
    out.push_back({std::move(label), std::move(a), std::move(b), std::nullopt, std::nullopt});
  };
  count("tickets", x.kpis.tickets, y.kpis.tickets);
  count("closed", x.kpis.closed, y.kpis.closed);
  count("still open", x.kpis.open, y.kpis.open);
  text("first response met", share_text(x.kpis.first_response), share_text(y.kpis.first_response));
  text("resolution met", share_text(x.kpis.resolution), share_text(y.kpis.resolution));
  for (auto& k : keys(x.warnings, y.warnings))
    count("warnings: " + k, count_of(x.warnings, k), count_of(y.warnings, k));
  for (auto& k : keys(x.breaches, y.breaches))
    count("breaches: " + k, count_of(x.breaches, k), count_of(y.breaches, k));
  for (auto& k : keys(x.breaches_by_department, y.breaches_by_department))
    count("breaches in " + k, count_of(x.breaches_by_department, k),
          count_of(y.breaches_by_department, k));
  for (auto& k : keys(x.escalations, y.escalations))
    count(fmt::format("escalations: level {}", k), count_of(x.escalations, k),
          count_of(y.escalations, k));
  text("compensation granted", money_text(x.kpis.compensation), money_text(y.kpis.compensation));
  auto approvals = [&](const what_if_figures& f) {
    return f.approvals
               ? fmt::format("{} ({} {})", f.approvals, to_string(f.approval_amount), r.currency)
               : "0";
  };
  out.push_back(
      {"compensation needing approval", approvals(x), approvals(y), x.approvals, y.approvals});
  text("cycle, business: median", duration_text(x.kpis.cycle_business, 0.5),
       duration_text(y.kpis.cycle_business, 0.5));
  text("cycle, business: p90", duration_text(x.kpis.cycle_business, 0.9),
       duration_text(y.kpis.cycle_business, 0.9));
  text("cycle, wall: median", duration_text(x.kpis.cycle_wall, 0.5),
       duration_text(y.kpis.cycle_wall, 0.5));
  text("cycle, wall: p90", duration_text(x.kpis.cycle_wall, 0.9),
       duration_text(y.kpis.cycle_wall, 0.9));
  return out;
}

std::string delta(const row& w) {
  if (!w.a || !w.b || *w.a == *w.b) return "";
  return fmt::format("{:+d}", *w.b - *w.a);
}

std::string headline(const what_if_report& r) {
  auto& o = r.options;
  return fmt::format(
      "What if: the {} tickets of `{}` opened {} .. {} replayed under {} (calendar {}), timers "
      "up to {}",
      r.tickets, o.recorded_flow, format_utc(o.from), format_utc(o.to), o.flow, o.calendar,
      format_utc(o.as_of));
}

json side_json(const what_if_figures& f, const std::string& currency) {
  auto j = kpi_figures_json(f.kpis);
  json levels = json::object();
  for (auto& [level, n] : f.escalations) levels[std::to_string(level)] = n;
  j["warnings_by_target"] = f.warnings;
  j["breaches_by_target"] = f.breaches;
  j["breaches_by_department"] = f.breaches_by_department;
  j["escalations_by_level"] = levels;
  j["needing_approval"] = {
      {"count", f.approvals}, {"amount", to_string(f.approval_amount)}, {"currency", currency}};
  return j;
}

json evidence_json(const audit_evidence& e) {
  auto j = to_json(e.what);
  j["ticket"] = e.ticket;
  return j;
}

std::string what_of(const event& e) {
  return fmt::format("#{} {} at {} by {} ({})", e.seq, e.type(), format_utc(e.at), e.actor, e.role);
}

}  // namespace

std::variant<what_if_report, std::string> read_what_if(const storage::store& db,
                                                       const flow& changed, what_if_options o) {
  o.flow = changed.key();
  o.calendar = changed.cal->name();
  if (o.recorded_flow.empty()) o.recorded_flow = changed.id;
  what_if_builder b{o};
  // What the replays granted to each customer, for the flow's per-customer cap.
  std::map<std::string, std::vector<std::pair<time_point, money>>> ledger;
  granted_elsewhere granted = [&](const std::string& customer, time_point since, time_point at) {
    money sum;
    for (auto& [when, amount] : ledger[customer])
      if (when >= since && when < at) sum += amount;
    return sum;
  };
  storage::status failed;
  auto st = db.for_each_opened(o.from, o.to, [&](const std::string& id) {
    ticket t;
    if (auto got = db.load(id, t); !got) return failed = got, false;
    if (t.flow != o.recorded_flow) return true;
    std::vector<event> history;
    if (auto got = db.history(id, history); !got) return failed = got, false;
    auto r = replay_under(changed, history, o.as_of, granted);
    for (auto& e : r.events)
      if (auto* g = std::get_if<ev::compensation_granted>(&e.body))
        ledger[t.info->customer].emplace_back(e.at, g->amount);
    b.add(t, history, std::move(r), changed);
    return true;
  });
  if (!st) return "cannot read the tickets: " + st.message();
  if (!failed) return "cannot read a ticket: " + failed.message();
  return std::move(b).finish();
}

std::variant<audit_report, std::string> read_audit(
    const storage::store& db, const flow_lookup& flows,
    const std::vector<std::shared_ptr<const flow>>& all_flows, audit_options o) {
  if (o.context_from == time_point{}) {
    millis longest{0};
    for (auto& f : all_flows)
      if (f->reopen)
        longest = std::max<millis>(
            longest, std::chrono::days{f->reopen->within.days} + f->reopen->within.rest);
    o.context_from = o.from - longest - std::chrono::days{1};
  }
  audit_builder b{o};
  std::map<std::string, std::shared_ptr<const flow>> held;  // alive while the builder points
  storage::status failed;
  auto st = db.for_each_opened(o.context_from, o.as_of + millis{1}, [&](const std::string& id) {
    ticket t;
    if (auto got = db.load(id, t); !got) return failed = got, false;
    std::vector<event> history;
    if (auto got = db.history(id, history); !got) return failed = got, false;
    auto key = fmt::format("{}@{}", t.flow, t.version);
    auto it = held.find(key);
    if (it == held.end()) it = held.emplace(key, flows(t.flow, t.version)).first;
    b.add(it->second.get(), t, history);
    return true;
  });
  if (!st) return "cannot read the tickets: " + st.message();
  if (!failed) return "cannot read a ticket: " + failed.message();
  return std::move(b).finish();
}

std::variant<std::vector<std::shared_ptr<const flow>>, std::string> stored_flows(
    const storage::store& db, const organization& org, diagnostics& diags) {
  std::vector<std::shared_ptr<const flow>> out;
  auto st = db.for_each_flow([&](const std::string& id, int32_t version, const std::string& text) {
    if (id.starts_with(":")) return;  // topics versions are kept among the flows
    if (auto f = load_flow({fmt::format("stored:{}@{}", id, version), text}, org, diags))
      out.push_back(std::move(f));
  });
  if (!st) return "cannot read the deployed flows: " + st.message();
  return out;
}

std::shared_ptr<const flow> load_changed_flow(const source_file& flow_file,
                                              const source_file* organization_file,
                                              const organization& org, diagnostics& diags) {
  if (!organization_file) return load_flow(flow_file, org, diags);
  auto c = load_catalog({*organization_file, flow_file}, diags);
  if (diags.has_errors()) return nullptr;
  for (auto& f : c.flows)
    if (f->file == flow_file.path) return f;
  return nullptr;
}

json what_if_json(const what_if_report& r) {
  auto& o = r.options;
  json changed = json::array();
  for (auto& c : r.changed) {
    json changes = json::array();
    for (auto& x : c.changes)
      changes.push_back({{"what", x.what}, {"recorded", x.recorded}, {"replayed", x.replayed}});
    changed.push_back({{"ticket", c.ticket}, {"changes", changes}});
  }
  json impossible = json::array();
  for (auto& x : r.impossible)
    impossible.push_back({{"ticket", x.ticket},
                          {"at", format_utc(x.at)},
                          {"action", x.action},
                          {"by", x.by},
                          {"role", x.role},
                          {"seq", x.seq},
                          {"code", to_string(x.why.code)},
                          {"message", x.why.message},
                          {"allowed", x.why.allowed}});
  return {
      {"label", what_if_label},
      {"flow", o.flow},
      {"recorded_flow", o.recorded_flow},
      {"calendar", o.calendar},
      {"from", format_utc(o.from)},
      {"to", format_utc(o.to)},
      {"as_of", format_utc(o.as_of)},
      {"tickets", r.tickets},
      {"actions", r.actions},
      {"timers_fired", r.timers_fired},
      {"recorded", side_json(r.recorded, r.currency)},
      {"replayed", side_json(r.replayed, r.currency)},
      {"changed", {{"count", r.changed_count}, {"tickets", changed}}},
      {"impossible",
       {{"count", r.impossible_count}, {"by_kind", r.impossible_by_kind}, {"items", impossible}}}};
}

std::string render_what_if(const what_if_report& r, const std::string& format) {
  if (format == "json") return what_if_json(r).dump(2) + "\n";
  bool md = format == "markdown";
  std::string out;
  out += md ? fmt::format("### {}\n\n*{}.*\n\n", headline(r), what_if_label)
            : fmt::format("{}\n{}\n{} recorded actions, {} timers fired\n\n", headline(r),
                          what_if_label, r.actions, r.timers_fired);
  if (md) {
    out += "| | recorded | replayed | change |\n|---|---:|---:|---:|\n";
    for (auto& w : rows(r))
      out += fmt::format("| {} | {} | {} | {} |\n", w.label, w.recorded, w.replayed, delta(w));
  } else {
    out += fmt::format("{:<34} {:>20} {:>20} {:>7}\n", "", "RECORDED", "REPLAYED", "CHANGE");
    for (auto& w : rows(r))
      out += fmt::format("{:<34} {:>20} {:>20} {:>7}\n", w.label, w.recorded, w.replayed, delta(w));
  }
  out += fmt::format("\n{}Outcomes changed on {} of {} tickets{}\n", md ? "**" : "",
                     r.changed_count, r.tickets, md ? "**\n" : "");
  for (auto& c : r.changed) {
    std::vector<std::string> parts;
    for (auto& x : c.changes)
      parts.push_back(fmt::format("{}: {} -> {}", x.what, x.recorded, x.replayed));
    out += fmt::format("{}{}  {}\n", md ? "- " : "  ", c.ticket, fmt::join(parts, "; "));
  }
  if (r.changed_count > static_cast<int64_t>(r.changed.size()))
    out += fmt::format("{}... and {} more\n", md ? "- " : "  ",
                       r.changed_count - static_cast<int64_t>(r.changed.size()));
  out += fmt::format("\n{}Actions the changed flow does not allow: {}{}\n", md ? "**" : "",
                     r.impossible_count, md ? "**\n" : "");
  for (auto& [kind, n] : r.impossible_by_kind)
    out += fmt::format("{}{} x{}\n", md ? "- " : "  ", kind, n);
  for (auto& x : r.impossible)
    out += fmt::format("{}{} {} {} ({}) `{}`: {}\n", md ? "- " : "    ", x.ticket, format_utc(x.at),
                       x.by, x.role, x.action, x.why.message);
  return out;
}

json audit_json(const audit_report& r) {
  json findings = json::array();
  for (auto& f : r.findings) {
    json evidence = json::array();
    for (auto& e : f.evidence) evidence.push_back(evidence_json(e));
    findings.push_back({{"kind", f.kind},
                        {"ticket", f.ticket},
                        {"customer", f.customer},
                        {"at", format_utc(f.at)},
                        {"summary", f.summary},
                        {"evidence", evidence}});
  }
  return {{"from", format_utc(r.options.from)},
          {"to", format_utc(r.options.to)},
          {"as_of", format_utc(r.options.as_of)},
          {"context_from", format_utc(r.options.context_from)},
          {"tickets", r.tickets},
          {"total", r.total},
          {"counts", r.counts},
          {"findings", findings}};
}

std::string render_audit(const audit_report& r, const std::string& format) {
  if (format == "json") return audit_json(r).dump(2) + "\n";
  bool md = format == "markdown";
  std::string out = fmt::format("{}KPI audit of the {} tickets opened {} .. {}: {} findings\n\n",
                                md ? "### " : "", r.tickets, format_utc(r.options.from),
                                format_utc(r.options.to), r.total);
  for (auto& [kind, n] : r.counts) out += fmt::format("{}{:<32} {}\n", md ? "- " : "  ", kind, n);
  out += "\n";
  for (auto& f : r.findings) {
    out += fmt::format("{}{} {} {}: {}\n", md ? "- " : "", format_utc(f.at), f.kind, f.ticket,
                       f.summary);
    for (auto& e : f.evidence)
      out += fmt::format("{}{} {}\n", md ? "  - " : "    ", e.ticket, what_of(e.what));
  }
  if (r.total > static_cast<int64_t>(r.findings.size()))
    out += fmt::format("... and {} more\n", r.total - static_cast<int64_t>(r.findings.size()));
  return out;
}

}  // namespace vocflow::connectors
