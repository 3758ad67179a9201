// What-if replays and the KPI audit, read from a store: the tickets opened in a period, their
// snapshots and histories. Used by POST /v1/replays, GET /v1/audit and `vocflow replay` /
// `vocflow audit` on a stopped data folder. Reads only: the recorded history is never touched.
#pragma once

#include "storage/store.hpp"
#include "workflows/audit.hpp"
#include "workflows/catalog.hpp"
#include "workflows/replay.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <variant>

namespace vocflow::connectors {

// The tickets of flow `recorded_flow` opened in [o.from, o.to), replayed under `changed` with
// its timers fired up to o.as_of; or why the store could not be read (never a partial report).
[[nodiscard]] std::variant<what_if_report, std::string> read_what_if(const storage::store& db,
                                                                     const flow& changed,
                                                                     what_if_options o);

// A flow version by id and version; null when it is not known.
using flow_lookup = std::function<std::shared_ptr<const flow>(const std::string&, int32_t)>;

// The audit of the tickets opened in [o.from, o.to), with those opened from o.context_from on
// for context. `context_from` is set here when left at its default: `from` less the longest
// reopen window of `flows` and a day.
[[nodiscard]] std::variant<audit_report, std::string> read_audit(
    const storage::store& db, const flow_lookup& flows,
    const std::vector<std::shared_ptr<const flow>>& all_flows, audit_options o);

// Every flow version stored, loaded against `org`; flows that no longer load are reported in
// `diags` and left out. An error when the store cannot be read.
[[nodiscard]] std::variant<std::vector<std::shared_ptr<const flow>>, std::string> stored_flows(
    const storage::store& db, const organization& org, diagnostics& diags);

// A changed flow as a process owner sends it: its YAML, and optionally an organization
// document (new calendars or holidays) to check it against instead of `org`.
[[nodiscard]] std::shared_ptr<const flow> load_changed_flow(const source_file& flow_file,
                                                            const source_file* organization_file,
                                                            const organization& org,
                                                            diagnostics& diags);

// Renderings: `table` (a terminal), `markdown` or `json`.
nlohmann::json what_if_json(const what_if_report& r);
std::string render_what_if(const what_if_report& r, const std::string& format);
nlohmann::json audit_json(const audit_report& r);
std::string render_audit(const audit_report& r, const std::string& format);

}  // namespace vocflow::connectors
