// The weekly digest read from a store: the tickets opened in the week and the weeks before
// (snapshots), the spikes flagged in the week. Used by GET /v1/digest and `vocflow digest`.
#pragma once

#include "storage/store.hpp"
#include "workflows/digest.hpp"

#include <memory>
#include <string>
#include <variant>

namespace vocflow::connectors {

// The digest, or why the store could not be read (never an empty digest for a failed read).
[[nodiscard]] std::variant<digest, std::string> read_digest(const storage::store& db,
                                                            std::shared_ptr<const topic_set> topics,
                                                            digest_options o);

// The newest topics version stored (deployed), without an organization to check it against;
// null when none is stored, an error when the store cannot be read.
[[nodiscard]] std::variant<std::shared_ptr<const topic_set>, std::string> stored_topics(
    const storage::store& db);

// Renders a digest as `format` says: json, markdown or html.
std::string render_digest(const digest& d, const std::string& format);

}  // namespace vocflow::connectors
