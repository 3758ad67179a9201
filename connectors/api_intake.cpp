// Inbound webhooks: ticket systems and mail services posting complaints and their later events.
#include "connectors/api.hpp"
#include "connectors/api_answers.hpp"
#include "connectors/bridge.hpp"
#include "connectors/encoding.hpp"
#include "connectors/importer.hpp"
#include "workflows/routing.hpp"

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
    out += base64({reinterpret_cast<const char*>(mac), size});
  } else {
    for (unsigned int i = 0; i < size; ++i) out += fmt::format("{:02x}", mac[i]);
  }
  return out;
}

// Whether an `Authorization: Basic ...` header carries `secret` as its password.
bool basic_password_is(std::string_view header, const std::string& secret) {
  constexpr std::string_view scheme = "Basic ";
  if (!header.starts_with(scheme)) return false;
  auto plain = from_base64(header.substr(scheme.size()));
  if (!plain) return false;
  auto colon = plain->find(':');
  if (colon == std::string::npos) return false;
  auto password = std::string_view{*plain}.substr(colon + 1);
  return password.size() == secret.size() &&
         CRYPTO_memcmp(password.data(), secret.data(), secret.size()) == 0;
}

// Whether the delivery is signed by the source, as its mapping says.
bool signed_by_source(const signature_rule& s, const std::string& secret,
                      std::map<std::string, std::string>& headers, std::string_view body) {
  if (s.header.empty()) return true;
  auto& given = headers[s.header];
  if (s.scheme == "basic") return basic_password_is(given, secret);
  auto want = expected_signature(
      s, secret, s.timestamp_header.empty() ? std::string_view{} : headers[s.timestamp_header],
      body);
  return given.size() == want.size() && CRYPTO_memcmp(given.data(), want.data(), want.size()) == 0;
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
    auto name = h.name_string();
    headers[ascii_lower({name.data(), name.size()})] = std::string{h.value()};
  }
  if (!signed_by_source(m.signature, src.secret, headers, rq.http.body())) {
    spdlog::warn("intake {}: a delivery with {} signature refused", name,
                 headers[m.signature.header].empty() ? "no" : "a wrong");
    return rq.respond(json_error(
        401, "bad_signature",
        m.signature.scheme == "basic"
            ? std::string{"the delivery's credentials do not carry this source's secret"}
            : fmt::format("the delivery's {} header is not its signature with this source's "
                          "secret",
                          m.signature.header)));
  }
  auto doc = json::parse(rq.http.body(), nullptr, false);
  if (!doc.is_object())
    return rq.respond(json_error(400, "malformed_json", "the delivery is not a JSON object"));
  auto mapped = map_record(m, {.doc = &doc, .headers = &headers});
  if (auto* why = std::get_if<std::string>(&mapped)) {
    return rq.respond(bad_body({"invalid_field", *why, why->substr(0, why->find(':'))}));
  }
  auto& record = std::get<mapped_record>(mapped);
  if (record.action == "ignore")  // acknowledged, so that the source does not send it again
    return rq.respond(json_response(200, {{"result", "ignored"}, {"why", record.ignored}}));
  auto sub = intake_command(record, import_mode::live);
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
