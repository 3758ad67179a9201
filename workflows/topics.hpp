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

struct topic_set {
  std::string file;
  int32_t version = 0;
  std::vector<topic> topics;  // parents before their children

  const topic* find(std::string_view id) const;
};

// Reads a `kind: topics` document, reporting every error at its position; nullopt when it has
// no topics at all (the topics with errors are left out or incomplete: check the error count).
std::optional<topic_set> read_topics(yaml_context& cx, const YAML::Node& doc);

// The departments that own the topics must be the organization's.
void check_topics(yaml_context& cx, const topic_set& t,
                  const std::vector<std::string>& departments);

// A topic a complaint is about, and why: the rule and the words it matched.
struct topic_hit {
  std::string topic;
  std::string why;  // `any "偏小"`, `regex /(大|小)了/ "小了"`, `match category=clothes`
  bool operator==(const topic_hit&) const = default;
};

// The topics of a complaint (in the set's order); none when no topic's rules hold.
std::vector<topic_hit> classify(const topic_set& t, const ticket_fields& complaint);

}  // namespace vocflow
