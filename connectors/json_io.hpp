// The JSON of the API's answers beside the ticket's own (workflows/ticket_view.hpp): queue
// items, event lists, the KPI report.
#pragma once

#include "actors/messages.hpp"
#include "workflows/kpi.hpp"

#include <nlohmann/json.hpp>

#include <vector>

namespace vocflow::connectors {

// A department queue's item: the ticket's view, and what it asks of the department.
nlohmann::json queue_item_json(const actors::queue_entry& e);
nlohmann::json events_json(const std::vector<event>& events);
// One set of KPI figures, as GET /v1/kpis gives its total and each group.
nlohmann::json kpi_figures_json(const kpi_figures& k);
// GET /v1/kpis: the report's period and options, the totals, and one entry per group.
nlohmann::json kpi_json(const kpi_report& r);

}  // namespace vocflow::connectors
