// Include Asio through here: Boost 1.74's asio/awaitable.hpp uses std::exchange without
// including <utility>, which breaks under C++20 when nothing else included it first.
#pragma once

#include <utility>

#include <boost/asio.hpp>
