// Inbound webhooks: ticket systems and mail services posting complaints and their later events.
#include "connectors/api.hpp"
#include "connectors/api_answers.hpp"
#include "connectors/bridge.hpp"
#include "connectors/importer.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <spdlog/spdlog.h>

namespace vocflow::connectors {
namespace {

using nlohmann::json;

// The signature a delivery should carry, as its source writes it.
std::string expected_signature(const signature_rule& s, const std::string& secret,
                               std::string_view timestamp, std::string_view body) {
  std::string signed_text = std::string{timestamp} + std::string{body};
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(s.algorithm == "sha1" ? EVP_sha1() : EVP_sha256(), secret.data(),
       static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(signed_text.data()),
       signed_text.size(), mac, &size);
  std::string out = s.prefix;
  if (s.encoding == "base64") {
    std::string b64(4 * ((size + 2) / 3) + 1, '\0');
    auto n =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), mac, static_cast<int>(size));
    out += b64.substr(0, static_cast<size_t>(n));
  } else {
    for (unsigned int i = 0; i < size; ++i) out += fmt::format("{:02x}", mac[i]);
  }
  return out;
}

void intake_delivery(const api_services& s, request& rq) {
  auto name = rq.params["source"];
  auto it = s.sources.find(name);
  if (it == s.sources.end())
    return rq.respond(json_error(404, "not_found", fmt::format("no intake source `{}`", name)));
  auto& src = it->second;
  auto& m = src.mapping;
  std::map<std::string, std::string> headers;
  for (auto& h : rq.http) {
    std::string key{h.name_string()};
    for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    headers[key] = std::string{h.value()};
  }
  if (!m.signature.header.empty()) {
    auto given = headers[m.signature.header];
    auto want = expected_signature(m.signature, src.secret,
                                   m.signature.timestamp_header.empty()
                                       ? std::string_view{}
                                       : std::string_view{headers[m.signature.timestamp_header]},
                                   rq.http.body());
    if (given.size() != want.size() || CRYPTO_memcmp(given.data(), want.data(), want.size()) != 0) {
      spdlog::warn("intake {}: a delivery with {} signature refused", name,
                   given.empty() ? "no" : "a wrong");
      return rq.respond(json_error(
          401, "bad_signature",
          fmt::format("the delivery's {} header is not its signature with this source's secret",
                      m.signature.header)));
    }
  }
  auto doc = json::parse(rq.http.body(), nullptr, false);
  if (!doc.is_object())
    return rq.respond(json_error(400, "malformed_json", "the delivery is not a JSON object"));
  auto mapped = map_record(m, {.doc = &doc, .headers = &headers});
  if (auto* why = std::get_if<std::string>(&mapped)) {
    return rq.respond(bad_body({"invalid_field", *why, why->substr(0, why->find(':'))}));
  }
  auto sub = intake_command(std::get<mapped_record>(mapped), import_mode::live);
  s.commands.submit(std::move(sub), [respond = rq.respond](reply<actors::command_result> r) {
    if (!r.value) return respond(unavailable(r.error));
    auto x = import_result_of(*r.value);
    using kind = import_result::kind;
    if (x.result == kind::failed) return respond(unavailable(x.why));
    if (x.result == kind::rejected) return respond(rejection_response(r.value->why));
    respond(
        json_response(x.result == kind::imported ? 201 : 200,
                      {{"id", x.id}, {"result", x.result == kind::imported ? "done" : "already"}}));
  });
}

}  // namespace

std::vector<route> intake_routes() {
  // No token: the source signs each delivery instead.
  return {{"POST", "/v1/intake/{source}", {}, {}, intake_delivery}};
}

}  // namespace vocflow::connectors
