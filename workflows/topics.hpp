// What complaints are about: a hierarchy of topics the process owner writes (`kind: topics`),
// each with rules over the text and the fields and the department that owns its cause.
//
//   kind: topics
//   version: 3
//   topics:
//     apparel:                       # a parent: its `match` also holds for its children
//       match: { category: [clothes, apparel] }
//     apparel/size:
//       title: Size and fit
//       owner: ecommerce_ops         # the department that owns the cause
//       any: [偏小, 偏大, 尺码不准, too small, too big]   # one of these words or phrases
//       regex: ['(大|小)了(一|两)码']                  # or one of these expressions
//       all: [...]                   # and every one of these
//       none: [尺码标准, 尺码合适]     # and none of these (exclusions)
//       match: { channel: app }      # and these fields, as a flow's match says them
//
// Text is matched as written, without word segmentation: a Chinese phrase anywhere in the text,
// an English one on word boundaries, both ignoring case. A topic needs at least one rule; a
// parent with no rule over the text only groups its children (it is no topic of its own).
#pragma once

#include "workflows/diagnostics.hpp"
#include "workflows/model.hpp"
#include "workflows/ticket.hpp"
#include "workflows/yaml_reader.hpp"

#include <memory>
#include <regex>
#include <string>
#include <vector>

namespace vocflow {

struct topic_regex {
  std::string text;
  std::shared_ptr<const std::regex> re;
};

struct topic {
  std::string id;  // "apparel/size"
  std::string title;
  named_ref owner;                          // "" when no department owns it
  std::vector<std::string> any, all, none;  // lower-cased
  std::vector<topic_regex> regex;
  match_rule match;
  source_pos pos;

  // The parent's id ("apparel" for "apparel/size"), "" at the top.
  std::string parent() const;
};

// When a topic's count is a spike (workflows/voice.hpp has the detector):
//   spikes: { bucket: day, baseline: 7, gap: 2, threshold: 3, min_count: 5, seasonal: true,
//             problem_flow: problem }
struct spike_settings {
  bool hourly = false;       // buckets of an hour, else of a day (in UTC)
  int baseline = 7;          // earlier buckets the count is compared with
  int gap = 2;               // buckets left out between them and the current one
  double threshold = 3;      // how many standard deviations above their mean
  int min_count = 5;         // fewer distinct customers are never a spike
  bool seasonal = true;      // also against the same bucket of earlier weeks, when there are 4
  std::string problem_flow;  // the flow a spike opens a problem on; "" for none
  source_pos problem_pos;
};

// When a new complaint is the same matter as an open ticket of the customer:
//   repeat_contacts: { within: 14d, similarity: 30% }
struct repeat_settings {
  bool enabled = true;
  duration_spec within{14, {}};  // since the open ticket was opened
  double similarity = 0.3;       // character-bigram Jaccard of the texts, when no topic is shared
};

struct topic_set {
  std::string file;
  int32_t version = 0;
  std::vector<topic> topics;  // parents before their children
  spike_settings spikes;
  repeat_settings repeats;
  std::string source;  // the YAML text, as deployed

  const topic* find(std::string_view id) const;
};

// Reads a `kind: topics` document, reporting every error at its position; nullopt when it has
// no topics at all (the topics with errors are left out or incomplete: check the error count).
std::optional<topic_set> read_topics(yaml_context& cx, const YAML::Node& doc);

// The departments that own the topics must be the organization's.
void check_topics(yaml_context& cx, const topic_set& t,
                  const std::vector<std::string>& departments);

// The flow spikes open problems on must be one of `flows`.
void check_problem_flow(yaml_context& cx, const topic_set& t,
                        const std::vector<std::string>& flows);

// A topic a complaint is about, and why: the rule and the words it matched.
struct topic_hit {
  std::string topic;
  std::string why;  // `any "偏小"`, `regex /(大|小)了/ "小了"`, `match category=clothes`
  bool operator==(const topic_hit&) const = default;
};

// The topics of a complaint (in the set's order); none when no topic's rules hold.
std::vector<topic_hit> classify(const topic_set& t, const ticket_fields& complaint);

}  // namespace vocflow
