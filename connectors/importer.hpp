// The file import: the records of exports (CSV, JSON Lines; UTF-8 or GB18030/GBK) mapped by an
// intake mapping and brought in as tickets — opened now (live) or recorded as they happened
// (historical) — through a node in this process or a running server's batch endpoint.
//
// Each record counts once by its source:external_id, so importing a file again adds nothing,
// and an import stopped in the middle resumes by running it again. A bad record never stops
// the others: it goes to the rejects file with its line and the reason. A failure of the
// receiving side (a failing disk, a server gone) stops the import: what was acknowledged is
// kept, the rest comes with the next run.
#pragma once

#include "actors/runtime.hpp"
#include "connectors/intake.hpp"
#include "connectors/mapping.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace vocflow::connectors {

struct import_result {
  enum class kind : uint8_t { imported, already, rejected, failed };
  kind result = kind::imported;
  std::string id;   // the ticket's
  std::string why;  // rejected or failed
};

// Where mapped records go.
class import_sink {
 public:
  virtual ~import_sink() = default;
  // One result per record, in order.
  virtual std::vector<import_result> send(const std::vector<mapped_record>& batch,
                                          import_mode mode) = 0;
};
// The runtime of a node in this process.
std::unique_ptr<import_sink> runtime_sink(actors::runtime& rt);
// A running server: POST /v1/tickets:batch, JSON Lines in and out.
std::unique_ptr<import_sink> http_sink(std::string base_url, std::string token);

// The answer to a command as an import's result (shared by the batch endpoint).
import_result import_result_of(const actors::command_result& r);

struct import_progress {
  size_t rows = 0;
  size_t bytes = 0, total_bytes = 0;  // of every file
  double seconds = 0;
};

struct import_options {
  import_mode mode = import_mode::live;
  bool dry_run = false;      // map and check only; nothing is sent
  std::string rejects_path;  // CSV: file,line,reason; "" for none
  size_t batch_rows = 4000;  // records sent together at most
  size_t batch_bytes = 512 << 10;
  std::function<void(const import_progress&)> on_progress;  // after each batch
};

struct import_summary {
  size_t rows = 0, imported = 0, already = 0, rejected = 0;
  size_t ignored = 0;  // records the mapping leaves alone
  std::string error;   // why the import stopped early ("" when it read every file)
  double seconds = 0;
};

import_summary run_import(const intake_mapping& m, const std::vector<std::string>& files,
                          const import_options& o, import_sink* sink);

}  // namespace vocflow::connectors
