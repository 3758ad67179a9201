// The voice read model: what the complaints say together. It folds every commit into
//  - counts of distinct customers (and tickets, and their sentiment) per topic per hour and per
//    day, kept per partition and merged when asked (a merge is a union of customer sets: it
//    holds however partitions are spread over nodes);
//  - the customer index: each customer's (and contact's) open tickets, for repeat contacts;
//  - spikes (workflows/voice.hpp decides) and the problems they open: a problem is a ticket on
//    the topics' problem flow; the complaints of the spike's bucket are linked to it, later ones
//    as they come, and when it is resolved every linked complaint is told (problem_resolved);
//  - markers ("app 5.2 released"), stored, returned beside the counts.
// Seeded at start from the ticket snapshots (counts, index, problems) and the stored spikes and
// markers; linking and telling are commands to the partitions, like any other.
#pragma once

#include "actors/env.hpp"
#include "actors/interfaces.hpp"

#include <functional>
#include <map>
#include <set>

namespace vocflow::actors {

using repeat_atom = caf::atom_constant<caf::atom("repeat")>;
using series_atom = caf::atom_constant<caf::atom("series")>;
using topics_atom = caf::atom_constant<caf::atom("topics")>;
using spikes_atom = caf::atom_constant<caf::atom("spikes")>;
using problems_atom = caf::atom_constant<caf::atom("problems")>;
using marker_atom = caf::atom_constant<caf::atom("marker")>;

struct spike_record {
  std::string topic;
  bool hourly = false;
  time_point bucket;  // where the bucket starts
  time_point at;      // when it was flagged
  int count = 0;
  double mean = 0, deviation = 0, score = 0;
  std::string why;
  std::string problem;  // the ticket it opened, "" when none
};

struct marker {
  std::string id;
  time_point at;
  std::string text;
  std::string topic;  // "" for every topic
};

struct problem_info {
  std::string ticket, topic;
  time_point opened;
  std::string status;  // open, resolved, closed
  std::string owner;   // the department that owns the problem now
  std::vector<std::string> linked;
};

struct series_point {
  time_point bucket;
  int customers = 0, tickets = 0;
  double sentiment = 0;  // mean, when `tickets` have one
};

struct series_query {
  std::string topic;  // "" for every topic
  time_point from, to;
  bool hourly = false;
};

struct topic_series {
  std::string topic;
  bool hourly = false;
  std::vector<series_point> points;  // every bucket of the period, empty ones included
  std::vector<marker> markers;
  std::vector<spike_record> spikes;
};

struct topic_summary {
  std::string id, title, owner;
  int customers_day = 0, customers_week = 0;  // the last 24 hours and 7 days, to now
  std::string problem;                        // the open problem, if any
};

// An open ticket of the same customer on the same matter, and why; ticket "" when none.
struct repeat_match {
  std::string ticket;
  std::string reason;
};

// What the voice keeps of one ticket at start (from its snapshot).
struct voice_seed {
  struct entry {
    std::string id, customer, contact, text;
    std::vector<std::string> topics;
    time_point opened;
    bool open = false, historical = false;
    std::string problem_topic;  // set for a problem ticket
    std::string status, owner;
    std::vector<std::string> linked;
    double sentiment = 0;
    bool has_sentiment = false;
  };
  std::vector<entry> tickets;
  void add(const ticket& t);
};

//   committed: from every partition.
//   repeat:    the open ticket a new complaint repeats (before it is opened).
//   series, topics, spikes (from, to), problems: queries.
//   marker:    store a marker; "" when stored, else why not.
using voice_actor = subscriber_actor::extend<
    caf::replies_to<repeat_atom, ticket_fields>::with<repeat_match>,
    caf::replies_to<series_atom, series_query>::with<topic_series>,
    caf::replies_to<topics_atom>::with<std::vector<topic_summary>>,
    caf::replies_to<spikes_atom, time_point, time_point>::with<std::vector<spike_record>>,
    caf::replies_to<problems_atom>::with<std::vector<problem_info>>,
    caf::replies_to<marker_atom, marker>::with<std::string>>;

// `partition_for`: where a ticket's commands go (the runtime's routing, kept current across
// partition restarts).
voice_actor spawn_voice(caf::actor_system& sys, runtime_env env, voice_seed seed,
                        std::function<partition_actor(const std::string&)> partition_for);

}  // namespace vocflow::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(vocflow::ticket_fields)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(vocflow::actors::repeat_match)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(vocflow::actors::series_query)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(vocflow::actors::topic_series)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<vocflow::actors::topic_summary>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<vocflow::actors::spike_record>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<vocflow::actors::problem_info>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(vocflow::actors::marker)
