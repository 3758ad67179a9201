// The webhook channel: each notification POSTed as JSON to the webhook's URL, signed.
//
// Headers of every attempt:
//   Content-Type: application/json
//   X-Vocflow-Event: sla_breached            X-Vocflow-Event-Id: T-...:7
//   X-Vocflow-Delivery-Attempt: 1            X-Vocflow-Webhook: <name>
//   X-Vocflow-Signature: sha256=<hex HMAC-SHA256(secret, body)>
// Any 2xx answer means delivered; anything else (or none within the timeout) is retried.
#pragma once

#include "connectors/channel.hpp"

#include <memory>
#include <string_view>

namespace vocflow::connectors {

std::unique_ptr<channel> make_webhook(webhook_config hook, millis timeout);

// "sha256=" and the lower-case hex HMAC-SHA256 of `body` under `secret`.
std::string webhook_signature(std::string_view secret, std::string_view body);

}  // namespace vocflow::connectors
