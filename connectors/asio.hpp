// Include Asio through here: Boost 1.74's asio/awaitable.hpp uses std::exchange without
// including <utility>, which breaks under C++20 when nothing else included it first. So
// <utility> comes first, out of the usual include order.
#pragma once

// clang-format off
#include <utility>
#include <boost/asio.hpp>
// clang-format on
