// The web console's files, embedded in the binary when it is built (console/, bundled by
// esbuild), served at / and /console/ with a Content-Security-Policy that allows no inline
// script and no other origin: vocflow serves every asset itself.
#pragma once

#include "connectors/http_server.hpp"

#include <optional>
#include <string_view>

namespace vocflow::connectors {

// The answer to GET `path` when it is the console's ("/", "/console/app.js", ...).
[[nodiscard]] std::optional<http_response> console_file(std::string_view path);

}  // namespace vocflow::connectors
