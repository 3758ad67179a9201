// The ready intake sources of examples/intake/ as a test delivers to them: each signs as its
// system signs, and what its samples say.
#pragma once

#include "connectors/encoding.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <fstream>
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace vocflow::testing {

using headers = std::map<std::string, std::string>;

inline const std::string samples = std::string{VOCFLOW_SOURCE_DIR} + "/examples/intake/";

inline std::string slurp(const std::string& path) {
  std::ifstream in{path};
  EXPECT_TRUE(in) << path;
  return {std::istreambuf_iterator<char>{in}, {}};
}

using connectors::base64;

inline std::string hmac(const EVP_MD* md, const std::string& key, const std::string& text) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &size);
  return {reinterpret_cast<const char*>(mac), size};
}

inline std::string hex(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes) out += fmt::format("{:02x}", c);
  return out;
}

// A ready source: how it signs, and what its samples say.
struct source_case {
  std::string name;
  std::string secret;
  // The headers of a delivery of `body`, signed with `key`; `sample` is created, reply, reopen
  // or another name (sources that say the event in a header).
  std::function<headers(const std::string& sample, const std::string& body, const std::string& key)>
      sign;
  std::string external_id, contact, opening_text, reply_text;
  bool reopens = true;  // has a reopen sample
};

inline void PrintTo(const source_case& s, std::ostream* out) {
  *out << s.name;
}

inline std::vector<source_case> sources() {
  return {
      {"zendesk", "zendesk-secret-0123456789",
       [](const std::string&, const std::string& body, const std::string& key) {
         std::string ts = "2026-12-05T03:00:00Z";
         return headers{{"X-Zendesk-Webhook-Signature", base64(hmac(EVP_sha256(), key, ts + body))},
                        {"X-Zendesk-Webhook-Signature-Timestamp", ts}};
       },
       "35436", "jane.doe@example.com",
       "Since version 4.2 the app closes as soon as I open my orders.",
       "It is a Pixel 7 with Android 14."},
      {"zammad", "zammad-token-0123456789",
       [](const std::string& sample, const std::string& body, const std::string& key) {
         static const std::map<std::string, std::string> triggers = {
             {"created", "vocflow: ticket created"},
             {"reply", "vocflow: customer reply"},
             {"reopen", "vocflow: ticket reopened"}};
         auto t = triggers.find(sample);
         return headers{{"X-Hub-Signature", "sha1=" + hex(hmac(EVP_sha1(), key, body))},
                        {"X-Zammad-Trigger", t != triggers.end() ? t->second : sample},
                        {"X-Zammad-Delivery", "d-" + sample + "-" + std::to_string(body.size())}};
       },
       "81", "emily.adams@example.com",
       "Since version 4.2 the app closes as soon as I open my orders.\n\nOrder list & history are "
       "empty.",
       "It is a Pixel 7 with Android 14."},
      {"jira", "jira-secret-0123456789",
       [](const std::string& sample, const std::string& body, const std::string& key) {
         return headers{{"X-Hub-Signature", "sha256=" + hex(hmac(EVP_sha256(), key, body))},
                        {"X-Atlassian-Webhook-Identifier", "wh-" + sample}};
       },
       "SUP-42", "li.wei@example.com",
       "I returned the jacket on 20 November and the refund has still not arrived.",
       "The return label number is RL-55120."},
      {"mail", "mail-secret-0123456789",
       [](const std::string&, const std::string&, const std::string& key) {
         return headers{{"Authorization", "Basic " + base64("vocflow:" + key)}};
       },
       "73e6d360-66eb-11e1-8e72-a8904824019b", "jane.doe@example.com",
       "Hello,\n\nthe toaster I bought on 14 November (order 55120) no longer heats.\nI would "
       "like a replacement.\n\nJane",
       "Yes, the serial number is TX-2291-B.", false},
  };
}

}  // namespace vocflow::testing
