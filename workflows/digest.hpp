// The weekly digest of praise and pain, per department: the top pain topics the department owns
// (volume, change against the weeks before, sentiment, verbatim quotes; ranked by the tickets
// whose customer sounds negative: a topic named in praise is no pain), the top praise (the most
// positive verbatims, with their topic and agent), the week's KPIs against the week before, and
// the week's spikes and open problems. Pure: fed the tickets of the week and of the weeks before
// (their snapshots: topics, first text, sentiment), it reads no store and no clock.
#pragma once

#include "workflows/kpi.hpp"
#include "workflows/topics.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace vocflow {

// "2026-W48" -> the Monday 00:00 UTC that week starts; nullopt for anything else.
[[nodiscard]] std::optional<time_point> parse_iso_week(std::string_view week);
// The ISO week `t` falls in: "2026-W48".
std::string iso_week_of(time_point t);

struct digest_options {
  std::string week;        // "2026-W48"
  time_point from, to;     // the week: [from, to)
  std::string department;  // "" for every department
  int weeks_before = 4;    // the baseline of "change"
  size_t topics = 5;       // pain topics per department
  size_t quotes = 3;       // quotes per pain topic; praise per department
  time_point as_of;        // when the digest is made (KPIs mature)
};

struct digest_quote {
  std::string ticket, text, topic, agent;
  double sentiment = 0;
  time_point at;
};

struct digest_topic {
  std::string topic, title;
  int64_t tickets = 0, customers = 0;
  int64_t negative = 0;          // of the tickets, those whose customer sounds negative: the pain
  double before = 0;             // tickets per week, the weeks before
  std::optional<double> change;  // this week against them: 0.5 = +50%
  std::optional<double> sentiment;
  std::vector<digest_quote> quotes;  // the most negative first
};

// A spike flagged or a problem open during the week.
struct digest_item {
  std::string kind;  // spike, problem
  std::string topic, ticket, text, status;
  time_point at;
};

struct digest_department {
  std::string name;
  std::vector<digest_topic> pain;
  std::vector<digest_quote> praise;
  kpi_figures week, previous;
  std::vector<digest_item> items;
};

struct digest {
  digest_options options;
  std::vector<digest_department> departments;
};

class digest_builder {
 public:
  // `topics`: who owns what (null: no topic is owned, the digest has KPIs only).
  digest_builder(std::shared_ptr<const topic_set> topics, digest_options o);
  // A ticket opened in [from - weeks_before weeks, to); the others are left out.
  void add(const ticket& t, std::string_view currency);
  void add(digest_item item);
  digest finish() &&;

 private:
  struct topic_week {
    int64_t tickets = 0, negative = 0;
    std::set<std::string> customers;
    double sentiment = 0;
    std::vector<digest_quote> quotes;
  };
  std::string owner_of(const std::string& topic) const;
  bool wanted(const std::string& department) const;

  std::shared_ptr<const topic_set> topics_;
  digest_options o_;
  std::map<std::string, topic_week> week_;                   // by topic
  std::map<std::string, int64_t> before_;                    // tickets by topic, the weeks before
  std::map<std::string, std::vector<digest_quote>> praise_;  // by department
  kpi_builder this_week_, last_week_;
  std::vector<digest_item> items_;
};

nlohmann::json to_json(const digest& d);
std::string to_markdown(const digest& d);
std::string to_html(const digest& d);

}  // namespace vocflow
