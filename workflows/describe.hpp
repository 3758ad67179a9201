// One line of plain language per event, for timelines and ticket histories.
#pragma once

#include "workflows/calendar.hpp"
#include "workflows/events.hpp"

#include <string>

namespace vocflow {

// Times are shown in the calendar's zone; `currency` labels amounts.
std::string describe(const event& e, const calendar& cal, std::string_view currency = {});

}  // namespace vocflow
