// Routing: which flow a new ticket starts. The most specific matching flow wins (the one whose
// `match` names the most fields and tags); ties go to the flow id that sorts first; a ticket
// that matches nothing goes to the default flow. Only the newest version of a flow routes.
#pragma once

#include "workflows/diagnostics.hpp"
#include "workflows/model.hpp"
#include "workflows/ticket.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vocflow {

// `s` without the spaces, tabs and line breaks around it: how values are compared.
std::string_view trim(std::string_view s);

// `s` with its ASCII letters in lower case (other characters, Chinese among them, as they are).
std::string ascii_lower(std::string_view s);

// Whether `topic` is `parent` or below it (`apparel/size` is within `apparel`), ASCII letters in
// any case.
bool topic_within(std::string_view topic, std::string_view parent);

// Whether every field of `m` has one of its values and every tag of `m` is on the ticket (an
// empty rule holds for every ticket). `topic` holds when one of `topics` (the complaint's, as
// classified) is a listed topic or below one; never without topics.
bool holds(const match_rule& m, const ticket_fields& t,
           const std::vector<std::string>* topics = nullptr);

// nullopt when `f` does not take the ticket, else how specific the match is.
std::optional<size_t> match(const flow& f, const ticket_fields& t,
                            const std::vector<std::string>* topics = nullptr);

struct route_result {
  std::shared_ptr<const flow> chosen;
  std::string reason;  // "match category=returns", "default flow"
};

std::optional<route_result> route(const std::vector<std::shared_ptr<const flow>>& flows,
                                  const ticket_fields& t,
                                  const std::vector<std::string>* topics = nullptr);

// "category=returns channel=web|app tags=vip"
std::string describe_match(const match_rule& m);

// How a sample of real complaints meets the flows' `match` rules (the newest version of each
// flow): a warning, at its position, for each listed value and tag no complaint of the sample
// reaches — most often a name the data writes another way — with the values the data has most
// often; and for each flow that, value by value reachable, takes none of them (another flow
// takes them, or no complaint has all it asks together). Returns how many each flow takes, by
// flow id, as the routing would give them.
std::map<std::string, size_t> check_sample(const std::vector<std::shared_ptr<const flow>>& flows,
                                           const std::vector<ticket_fields>& sample,
                                           const std::string& sample_name, diagnostics& d);

}  // namespace vocflow
