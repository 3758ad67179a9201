// An intake mapping (`kind: intake-mapping`): how the records of one outside source — a file
// export, a ticket system's webhook, a mail service's inbound parse — become tickets and
// actions. Written by people and checked like flows: errors at file:line:column, unknown keys
// refused. One mapping serves the file import and the inbound webhooks alike.
//
//   kind: intake-mapping
//   source: cfpb                 # external ids are cfpb:<id>; it acts as intake:cfpb
//   format: csv                  # csv, jsonl (files) or json (webhook deliveries)
//   encoding: utf-8              # utf-8, gb18030 or gbk (converted on the way in)
//   delimiter: ","
//   fields:                      # ticket field: where its value comes from
//     external_id: { column: Complaint ID }
//     customer: { columns: [ZIP code, Company], hash: true }
//     text: { columns: [Issue, Sub-issue], join: " - " }
//     opened_at: { column: Date received, date: "%m/%d/%Y", zone: America/New_York }
//   attributes:                  # anything else worth keeping, by name
//     State: { column: State }
//
// A value is taken from `column`/`columns` (CSV), `pointer`/`pointers` (JSON), `header` (an
// HTTP header of a delivery), `value` (a constant) or `line: true` (the record's line in its
// file); several are joined with `join`, or only the `first: true` with a value is kept; then
// `html: true` keeps the text of HTML, `regex` keeps its first group, `map` translates it through a
// table (keys compared trimmed and ignoring case; `default` for the rest), `hash` turns it into a
// pseudonymous id, `split` makes a list (tags), and `date` with `zone` reads a time (`iso8601` for
// RFC 3339 times). A rule with no value falls back to its `otherwise` rule (the ticket's reference
// in a mail's subject, otherwise the mail's own id).
//
// Webhooks also say which event a delivery is (`event`, its value mapped to `open`, an action,
// or `ignore`), which deliveries to acknowledge and leave alone (`ignore`: a comment by an
// agent, an internal note), how deliveries are signed, and how a reply to the customer goes
// back (`reply`).
#pragma once

#include "config/config.hpp"
#include "workflows/catalog.hpp"
#include "workflows/diagnostics.hpp"
#include "workflows/ticket.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

namespace date {
class time_zone;
}

namespace vocflow::connectors {

struct value_rule {
  std::vector<std::string> columns;
  std::vector<std::string> pointers;
  std::string header;
  std::optional<std::string> constant;
  bool line = false;   // the record's line in its file (for exports without an id)
  bool first = false;  // the first of the columns or pointers with a value, not all joined
  std::string join = " ";
  std::shared_ptr<const std::regex> extract;
  std::map<std::string, std::string> table;  // keys lower-cased and trimmed
  std::optional<std::string> fallback;
  bool hash = false;
  bool html = false;  // the value is HTML: its text is kept
  std::string split;
  std::string date_format;  // "" when not a time; "iso8601" for RFC 3339
  const date::time_zone* zone = nullptr;
  std::shared_ptr<const value_rule> otherwise;  // when this rule gives no value
  source_pos pos;
};

// A delivery to acknowledge and leave alone: when `when` has a value that is one of `is`, none
// of `is_not`, or differs from `differs_from`'s (values compared trimmed, ignoring case). A rule
// whose `when` has no value never holds.
struct ignore_rule {
  value_rule when;
  std::vector<std::string> is, is_not;  // lower-cased and trimmed
  std::optional<value_rule> differs_from;
  std::string because;  // said in the answer to the delivery
};

enum class record_format : uint8_t { csv, jsonl, json };

// How a reply to the customer goes back to the source (see connectors/reply.hpp).
struct reply_rule {
  std::string method = "POST";
  std::string path;     // after the source's base URL; {external_id} filled in (URL-escaped)
  std::string body;     // a JSON template: {text}, {external_id}, {subject}, {type}, {ticket}
                        // filled in as JSON string contents (escaped, without quotes)
  bool email = false;   // by SMTP to the ticket's contact instead
  std::string subject;  // of the e-mail; the same placeholders
};

struct signature_rule {
  // hmac: a header carries an HMAC of the body; basic: the delivery's HTTP Basic credentials
  // carry the secret as the password (mail services' inbound webhooks).
  std::string scheme = "hmac";
  std::string header;                // the header carrying it; "" when deliveries are not signed
  std::string algorithm = "sha256";  // sha256 or sha1
  std::string encoding = "hex";      // hex or base64
  std::string prefix;                // e.g. "sha256="
  std::string timestamp_header;      // signed as timestamp + body (Zendesk)
};

struct intake_mapping {
  std::string file;
  std::string source;
  record_format format = record_format::csv;
  std::string encoding = "utf-8";
  char delimiter = ',';
  std::map<std::string, value_rule> fields;
  std::map<std::string, value_rule> attributes;
  // Webhooks: which action a delivery is (its value mapped to an action name; `open` when
  // absent), which id makes a replay of one delivery recognisable, the signature, the reply.
  std::optional<value_rule> event;
  std::optional<value_rule> delivery;
  std::vector<ignore_rule> ignore;
  signature_rule signature;
  std::optional<reply_rule> reply;
};

// The ticket fields a mapping may fill.
const std::vector<std::string>& mappable_fields();

// Loads and checks a mapping; nullopt (with errors at file:line:column) when it has errors.
[[nodiscard]] std::optional<intake_mapping> load_mapping(const source_file& file,
                                                         diagnostics& diags);

// One record from outside: a CSV row with its header's column index, or a JSON document; with
// the HTTP headers of its delivery (names lower-case) for webhooks.
struct record_view {
  const std::vector<std::string>* row = nullptr;
  const std::unordered_map<std::string, size_t>* columns = nullptr;
  const nlohmann::json* doc = nullptr;
  const std::map<std::string, std::string>* headers = nullptr;
  size_t line = 0;
};

// What a record says, mapped.
struct mapped_record {
  // open, an action on the ticket opened before (webhooks), or ignore (see `ignored`)
  std::string action = "open";
  std::string ignored;  // why the delivery is left alone, when action is ignore
  ticket_fields info;   // with source and external_id
  time_point opened_at = no_time;
  time_point closed_at = no_time;
  std::string status;  // open, resolved or closed; "" when the mapping does not say
  std::string outcome;
  std::string delivery;  // the id of this delivery, for replays
  // The idempotency key of the ticket: source:external_id.
  std::string key() const { return info.source + ":" + info.external_id; }
};

// Maps one record; the reason when it cannot be (a required value missing, a date that does
// not parse, text that is not UTF-8), naming the field.
std::variant<mapped_record, std::string> map_record(const intake_mapping& m, const record_view& r);

// The columns a mapping reads that a CSV header lacks ("" when it has them all).
std::string missing_columns(const intake_mapping& m,
                            const std::unordered_map<std::string, size_t>& columns);

// A {name} in a reply template (group 1: the name). JSON's own braces never match: a name
// starts with a letter or _ and has no quotes or spaces.
const std::regex& template_placeholder();
// The names a reply template may use besides the mapping's attributes.
inline const std::vector<std::string> reply_values = {"text", "type", "external_id", "contact",
                                                      "ticket"};

// A system whose webhooks bring complaints in (config intake.sources), its mapping loaded.
struct inbound_source {
  intake_mapping mapping;
  std::string secret;
  reply_target reply;
};
using inbound_sources = std::map<std::string, inbound_source>;

// The configured sources with their mappings (format json, the webhooks' format); nullopt, with
// every error at file:line:column in `error`, when one has errors.
[[nodiscard]] std::optional<inbound_sources> load_sources(const intake_config& c,
                                                          std::string& error);

}  // namespace vocflow::connectors
