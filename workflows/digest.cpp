#include "workflows/digest.hpp"

#include "workflows/utf8.hpp"

#include <date/date.h>
#include <date/iso_week.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace vocflow {
namespace {

using json = nlohmann::json;
constexpr size_t quote_bytes = 240;

std::string quote_of(const std::string& text) {
  std::string out{text.substr(0, utf8_boundary(text, std::min(text.size(), quote_bytes)))};
  for (auto& c : out)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return out.size() < text.size() ? out + "…" : out;
}

kpi_options week_kpis(const digest_options& o, time_point from, time_point to) {
  kpi_options k;
  k.from = from;
  k.to = to;
  k.as_of = o.as_of;
  k.group_by = kpi_grouping::department;
  return k;
}

const kpi_figures* group(const kpi_report& r, const std::string& name) {
  for (auto& g : r.groups)
    if (g.group == name) return &g;
  return nullptr;
}

json rate(const kpi_share& s) {
  auto r = s.rate();
  return r ? json(*r) : json(nullptr);
}

json figures_json(const kpi_figures& k) {
  auto before = k.sentiment_before.mean(), after = k.sentiment_after.mean();
  auto median = k.cycle_business.percentile(0.5);
  return {{"tickets", k.tickets},
          {"first_response_rate", rate(k.first_response)},
          {"resolution_rate", rate(k.resolution)},
          {"first_contact_rate", rate(k.first_contact)},
          {"reopen_rate", rate(k.reopened)},
          {"breaches", k.breaches},
          {"cycle_median_business_seconds", median ? json(median->count() / 1000) : json(nullptr)},
          {"post_interaction_sentiment", before && after ? json(*after - *before) : json(nullptr)}};
}

std::string percent(const json& v) {
  return v.is_number() ? fmt::format("{:.0f}%", v.get<double>() * 100) : "-";
}

std::string signed_number(const json& v) {
  return v.is_number() ? fmt::format("{:+.2f}", v.get<double>()) : "-";
}

std::string escape_html(std::string_view s) {
  std::string out;
  for (char c : s) switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  return out;
}

// Markdown table cells and quotes: no pipe or line break breaks the layout.
std::string escape_md(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|' || c == '*' || c == '_' || c == '`' || c == '<' || c == '>') out += '\\';
    out += c;
  }
  return out;
}

json quote_json(const digest_quote& q) {
  return {{"ticket", q.ticket}, {"text", q.text},           {"topic", q.topic},
          {"agent", q.agent},   {"sentiment", q.sentiment}, {"at", format_utc(q.at)}};
}

}  // namespace

std::optional<time_point> parse_iso_week(std::string_view week) {
  int y = 0, w = 0;
  char tail = 0;
  std::string text{week};
  if (std::sscanf(text.c_str(), "%4d-W%2d%c", &y, &w, &tail) != 2 || text.size() != 8)
    return std::nullopt;
  if (w < 1 || w > 53) return std::nullopt;
  iso_week::year_weeknum_weekday d{iso_week::year{y}, iso_week::weeknum{static_cast<unsigned>(w)},
                                   iso_week::mon};
  if (!d.ok()) return std::nullopt;
  return std::chrono::time_point_cast<millis>(date::sys_days{d});
}

std::string iso_week_of(time_point t) {
  iso_week::year_weeknum_weekday d{date::floor<date::days>(t)};
  return fmt::format("{}-W{:02}", static_cast<int>(d.year()), static_cast<unsigned>(d.weeknum()));
}

digest_builder::digest_builder(std::shared_ptr<const topic_set> topics, digest_options o)
    : topics_(std::move(topics)),
      o_(std::move(o)),
      this_week_(week_kpis(o_, o_.from, o_.to)),
      last_week_(week_kpis(o_, o_.from - std::chrono::days{7}, o_.from)) {}

std::string digest_builder::owner_of(const std::string& topic) const {
  auto* t = topics_ ? topics_->find(topic) : nullptr;
  return t ? t->owner.name : std::string{};
}

bool digest_builder::wanted(const std::string& department) const {
  return !department.empty() && (o_.department.empty() || o_.department == department);
}

void digest_builder::add(const ticket& t, std::string_view currency) {
  this_week_.add(t, currency);
  last_week_.add(t, currency);
  if (problem_topic(*t.info)) return;  // a problem is no customer's voice
  auto since = o_.from - std::chrono::days{7 * o_.weeks_before};
  if (t.opened_at < since || t.opened_at >= o_.to) return;
  bool this_week = t.opened_at >= o_.from;
  // The agent who answered (a connector or the system is no agent).
  auto agent = t.resolved_by.empty() ? t.first_responder : t.resolved_by;
  if (agent.find(':') != std::string::npos) agent.clear();
  digest_quote q{t.id,
                 quote_of(t.info->text),
                 t.topics.empty() ? "" : t.topics.front(),
                 std::move(agent),
                 t.sentiment_before,
                 t.opened_at};
  for (auto& topic : t.topics) {
    if (!wanted(owner_of(topic))) continue;
    if (!this_week) {
      ++before_[topic];
      continue;
    }
    auto& w = week_[topic];
    ++w.tickets;
    w.customers.insert(t.info->customer.empty() ? t.id : t.info->customer);
    w.sentiment += t.sentiment_before;
    if (t.has_before && t.sentiment_before < 0) ++w.negative;
    if (t.has_before && t.sentiment_before < 0 && !t.info->text.empty()) {
      auto copy = q;
      copy.topic = topic;
      w.quotes.push_back(std::move(copy));
    }
  }
  // Praise: the customer's most positive words, for the department that owns the topic (or
  // the ticket, when no department owns its topics).
  if (!this_week || !t.has_before || t.sentiment_before <= 0.3 || t.info->text.empty()) return;
  std::string department;
  for (auto& topic : t.topics)
    if (department.empty()) department = owner_of(topic);
  if (department.empty() && !t.departments->empty()) department = t.departments->front();
  if (wanted(department)) praise_[department].push_back(std::move(q));
}

void digest_builder::add(digest_item item) {
  if (wanted(owner_of(item.topic)) && item.at < o_.to) items_.push_back(std::move(item));
}

digest digest_builder::finish() && {
  digest d;
  d.options = o_;
  auto week = std::move(this_week_).finish(), previous = std::move(last_week_).finish();
  std::map<std::string, digest_department> by_name;
  auto department = [&](const std::string& name) -> digest_department& {
    auto& x = by_name[name];
    if (x.name.empty()) {
      x.name = name;
      if (auto* k = group(week, name)) x.week = *k;
      if (auto* k = group(previous, name)) x.previous = *k;
    }
    return x;
  };
  // Every department the week's tickets went through, and every one that owns a topic.
  for (auto& g : week.groups)
    if (wanted(g.group)) department(g.group);
  for (auto& [topic, w] : week_) {
    digest_topic p;
    p.topic = topic;
    auto* t = topics_ ? topics_->find(topic) : nullptr;
    p.title = t && !t->title.empty() ? t->title : topic;
    p.tickets = w.tickets;
    p.negative = w.negative;
    p.customers = static_cast<int64_t>(w.customers.size());
    p.before = static_cast<double>(before_[topic]) / std::max(1, o_.weeks_before);
    if (p.before > 0) p.change = static_cast<double>(p.tickets) / p.before - 1;
    if (w.tickets) p.sentiment = w.sentiment / static_cast<double>(w.tickets);
    std::stable_sort(w.quotes.begin(), w.quotes.end(),
                     [](auto& a, auto& b) { return a.sentiment < b.sentiment; });
    std::set<std::string> said;
    for (auto& q : w.quotes)
      if (p.quotes.size() < o_.quotes && said.insert(q.text).second) p.quotes.push_back(q);
    if (p.negative > 0) department(owner_of(topic)).pain.push_back(std::move(p));
  }
  for (auto& [name, quotes] : praise_) {
    std::stable_sort(quotes.begin(), quotes.end(),
                     [](auto& a, auto& b) { return a.sentiment > b.sentiment; });
    std::set<std::string> said;
    auto& x = department(name);
    for (auto& q : quotes)
      if (x.praise.size() < o_.quotes && said.insert(q.text).second) x.praise.push_back(q);
  }
  for (auto& item : items_) department(owner_of(item.topic)).items.push_back(std::move(item));
  for (auto& [name, x] : by_name) {
    std::stable_sort(x.pain.begin(), x.pain.end(),
                     [](auto& a, auto& b) { return a.negative > b.negative; });
    if (x.pain.size() > o_.topics) x.pain.resize(o_.topics);
    d.departments.push_back(std::move(x));
  }
  return d;
}

json to_json(const digest& d) {
  json out = {{"week", d.options.week},
              {"from", format_utc(d.options.from)},
              {"to", format_utc(d.options.to)},
              {"departments", json::array()}};
  for (auto& x : d.departments) {
    json pain = json::array(), praise = json::array(), items = json::array();
    for (auto& p : x.pain) {
      json quotes = json::array();
      for (auto& q : p.quotes) quotes.push_back(quote_json(q));
      pain.push_back({{"topic", p.topic},
                      {"title", p.title},
                      {"tickets", p.tickets},
                      {"customers", p.customers},
                      {"negative", p.negative},
                      {"weekly_before", p.before},
                      {"change", p.change ? json(*p.change) : json(nullptr)},
                      {"sentiment", p.sentiment ? json(*p.sentiment) : json(nullptr)},
                      {"quotes", std::move(quotes)}});
    }
    for (auto& q : x.praise) praise.push_back(quote_json(q));
    for (auto& i : x.items)
      items.push_back({{"kind", i.kind},
                       {"topic", i.topic},
                       {"ticket", i.ticket},
                       {"text", i.text},
                       {"status", i.status},
                       {"at", format_utc(i.at)}});
    out["departments"].push_back(
        {{"department", x.name},
         {"pain", std::move(pain)},
         {"praise", std::move(praise)},
         {"kpis", {{"week", figures_json(x.week)}, {"previous", figures_json(x.previous)}}},
         {"spikes_and_problems", std::move(items)}});
  }
  return out;
}

namespace {

// The KPI lines both renderers show: label, this week, the week before.
std::vector<std::array<std::string, 3>> kpi_rows(const digest_department& x) {
  auto a = figures_json(x.week), b = figures_json(x.previous);
  auto seconds = [](const json& v) {
    return v.is_number() ? fmt::format("{:.1f}h", v.get<double>() / 3600) : "-";
  };
  return {
      {"tickets", a["tickets"].dump(), b["tickets"].dump()},
      {"first response in time", percent(a["first_response_rate"]),
       percent(b["first_response_rate"])},
      {"resolved in time", percent(a["resolution_rate"]), percent(b["resolution_rate"])},
      {"first-contact resolution", percent(a["first_contact_rate"]),
       percent(b["first_contact_rate"])},
      {"reopen rate", percent(a["reopen_rate"]), percent(b["reopen_rate"])},
      {"SLA breaches", a["breaches"].dump(), b["breaches"].dump()},
      {"cycle median (business)", seconds(a["cycle_median_business_seconds"]),
       seconds(b["cycle_median_business_seconds"])},
      {"post-interaction sentiment", signed_number(a["post_interaction_sentiment"]),
       signed_number(b["post_interaction_sentiment"])},
  };
}

std::string change_text(const digest_topic& p) {
  if (!p.change) return "new";
  return fmt::format("{:+.0f}%", *p.change * 100);
}

}  // namespace

std::string to_markdown(const digest& d) {
  std::string out = fmt::format("# Praise and pain, {} ({} to {})\n", d.options.week,
                                format_utc(d.options.from).substr(0, 10),
                                format_utc(d.options.to - std::chrono::days{1}).substr(0, 10));
  for (auto& x : d.departments) {
    out += fmt::format("\n## {}\n\n### Pain\n\n", x.name);
    if (x.pain.empty()) out += "No complaint on a topic this department owns.\n";
    for (auto& p : x.pain) {
      out += fmt::format(
          "- **{}** (`{}`): {} tickets ({} negative) from {} customers, {} against the weeks "
          "before ({:.1f} a week), sentiment {}\n",
          escape_md(p.title), p.topic, p.tickets, p.negative, p.customers, change_text(p), p.before,
          p.sentiment ? fmt::format("{:+.2f}", *p.sentiment) : "-");
      for (auto& q : p.quotes)
        out += fmt::format("  > “{}” — {} ({:+.2f})\n", escape_md(q.text), q.ticket, q.sentiment);
    }
    out += "\n### Praise\n\n";
    if (x.praise.empty()) out += "No praise this week.\n";
    for (auto& q : x.praise)
      out += fmt::format("- “{}” — {}{}{} ({:+.2f})\n", escape_md(q.text), q.ticket,
                         q.topic.empty() ? "" : ", " + q.topic,
                         q.agent.empty() ? "" : ", answered by " + escape_md(q.agent), q.sentiment);
    out += "\n### KPIs\n\n| | this week | the week before |\n|---|---|---|\n";
    for (auto& r : kpi_rows(x)) out += fmt::format("| {} | {} | {} |\n", r[0], r[1], r[2]);
    if (!x.items.empty()) {
      out += "\n### Spikes and problems\n\n";
      for (auto& i : x.items)
        out += fmt::format("- {} {} `{}` {}: {}\n", format_utc(i.at).substr(0, 16), i.kind, i.topic,
                           i.ticket.empty() ? "" : i.ticket + " (" + i.status + ")",
                           escape_md(i.text));
    }
  }
  return out;
}

std::string to_html(const digest& d) {
  std::string out = fmt::format(
      "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Praise and pain, {}</title>"
      "</head><body>\n<h1>Praise and pain, {}</h1>\n",
      d.options.week, d.options.week);
  for (auto& x : d.departments) {
    out += fmt::format("<h2>{}</h2>\n<h3>Pain</h3>\n<ul>\n", escape_html(x.name));
    for (auto& p : x.pain) {
      out += fmt::format(
          "<li><b>{}</b> ({}): {} tickets from {} customers, {} against the weeks "
          "before, sentiment {}\n<ul>\n",
          escape_html(p.title), escape_html(p.topic), p.tickets, p.customers, change_text(p),
          p.sentiment ? fmt::format("{:+.2f}", *p.sentiment) : "-");
      for (auto& q : p.quotes)
        out += fmt::format("<li><q>{}</q> {}</li>\n", escape_html(q.text), escape_html(q.ticket));
      out += "</ul></li>\n";
    }
    out += "</ul>\n<h3>Praise</h3>\n<ul>\n";
    for (auto& q : x.praise)
      out += fmt::format("<li><q>{}</q> {} {}</li>\n", escape_html(q.text), escape_html(q.ticket),
                         escape_html(q.agent));
    out +=
        "</ul>\n<h3>KPIs</h3>\n<table><tr><th></th><th>this week</th><th>the week "
        "before</th></tr>\n";
    for (auto& r : kpi_rows(x))
      out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n", r[0], r[1], r[2]);
    out += "</table>\n";
    if (!x.items.empty()) {
      out += "<h3>Spikes and problems</h3>\n<ul>\n";
      for (auto& i : x.items)
        out += fmt::format("<li>{} {} {} {}: {}</li>\n", format_utc(i.at), escape_html(i.kind),
                           escape_html(i.topic), escape_html(i.ticket), escape_html(i.text));
      out += "</ul>\n";
    }
  }
  return out + "</body></html>\n";
}

}  // namespace vocflow
