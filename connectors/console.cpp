#include "connectors/console.hpp"

#include <fmt/format.h>

#include <array>
#include <random>

// Each file of the console's build between two symbols of the read-only data.
#define VOCFLOW_EMBED(symbol, file)                                                   \
  asm(".section .rodata\n"                                                            \
      ".global " #symbol "_begin\n" #symbol                                           \
      "_begin:\n"                                                                     \
      ".incbin \"" VOCFLOW_CONSOLE_DIR "/" file                                       \
      "\"\n"                                                                          \
      ".global " #symbol "_end\n" #symbol                                             \
      "_end:\n"                                                                       \
      ".previous\n");                                                                 \
  extern "C" const char symbol##_begin[]; /* NOLINT(readability-identifier-naming) */ \
  extern "C" const char symbol##_end[];   /* NOLINT(readability-identifier-naming) */

VOCFLOW_EMBED(vocflow_console_index, "index.html")
VOCFLOW_EMBED(vocflow_console_js, "app.js")
VOCFLOW_EMBED(vocflow_console_css, "app.css")

namespace vocflow::connectors {
namespace {

namespace http = boost::beast::http;

struct asset {
  std::string_view path, type;
  const char* begin;
  const char* end;
};

const std::array<asset, 4> assets = {{
    {"/", "text/html; charset=utf-8", vocflow_console_index_begin, vocflow_console_index_end},
    {"/console/", "text/html; charset=utf-8", vocflow_console_index_begin,
     vocflow_console_index_end},
    {"/console/app.js", "text/javascript; charset=utf-8", vocflow_console_js_begin,
     vocflow_console_js_end},
    {"/console/app.css", "text/css; charset=utf-8", vocflow_console_css_begin,
     vocflow_console_css_end},
}};

// Scripts from this origin only (no inline script, no eval); style sheets from this origin or
// carrying this answer's nonce (the editor writes its own, nonced), style attributes (the
// editor and the charts set them); data: images for the editor's icons; requests to this
// origin only; no frames, no plugins.
std::string policy(const std::string& nonce) {
  return "default-src 'self'; script-src 'self'; style-src 'self' 'nonce-" + nonce +
         "'; style-src-attr 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
         "font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
         "form-action 'self'";
}

// A fresh nonce for each page: 128 random bits, hex.
std::string new_nonce() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:016x}{:016x}", rng(), rng());
}

constexpr std::string_view nonce_slot = "VOCFLOW_STYLE_NONCE";

}  // namespace

std::optional<http_response> console_file(std::string_view path) {
  for (auto& a : assets) {
    if (a.path != path) continue;
    http_response res{http::status::ok, 11};
    res.set(http::field::content_type, {a.type.data(), a.type.size()});
    auto nonce = new_nonce();
    res.set("Content-Security-Policy", policy(nonce));
    res.set("X-Content-Type-Options", "nosniff");
    res.set("X-Frame-Options", "DENY");
    res.set("Referrer-Policy", "no-referrer");
    res.set(http::field::cache_control, "no-cache");
    res.body().assign(a.begin, static_cast<size_t>(a.end - a.begin));
    // The page tells its script the nonce its style sheets carry.
    if (auto at = res.body().find(nonce_slot); at != std::string::npos)
      res.body().replace(at, nonce_slot.size(), nonce);
    res.prepare_payload();
    return res;
  }
  return std::nullopt;
}

}  // namespace vocflow::connectors
