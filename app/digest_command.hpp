// `vocflow digest`: the weekly digest of praise and pain, from a running server (GET /v1/digest)
// or from a stopped data folder.
#pragma once

#include "app/client_commands.hpp"

#include <string>

namespace vocflow::app {

struct digest_command_options {
  std::string week;  // 2026-W48; default the last whole week
  std::string department;
  std::string format = "markdown";  // markdown, html, json
  std::string data_dir;             // a stopped data folder instead of a server
};

// From a running server (client_commands.cpp), or from `data_dir` when it is given.
int run_digest(const client_options& c, const digest_command_options& o);
int run_digest_local(const digest_command_options& o);

}  // namespace vocflow::app
