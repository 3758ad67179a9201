#include "connectors/webhook.hpp"

#include "connectors/http_client.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace vocflow::connectors {
namespace {

class webhook final : public channel {
 public:
  webhook(webhook_config hook, millis timeout)
      : channel(hook.subscription()), hook_(std::move(hook)), timeout_(timeout) {
    std::string_view url = hook_.url;
    if (url.starts_with("http://")) url.remove_prefix(7);
    auto slash = url.find('/');
    base_url_ = "http://" + std::string{url.substr(0, slash)};
    target_ = slash == std::string_view::npos ? "/" : std::string{url.substr(slash)};
  }

  attempt_result deliver(const storage::outbox_entry& n) override {
    http_call call;
    call.base_url = base_url_;
    call.method = "POST";
    call.target = target_;
    call.body = n.body;
    call.timeout = timeout_;
    call.headers = {{"User-Agent", "vocflow-webhook"},
                    {"X-Vocflow-Event", n.type},
                    {"X-Vocflow-Event-Id", n.id()},
                    {"X-Vocflow-Webhook", hook_.name},
                    {"X-Vocflow-Delivery-Attempt", std::to_string(n.attempts + 1)},
                    {"X-Vocflow-Signature", webhook_signature(hook_.secret, n.body)}};
    auto res = send(call);
    if (res.status >= 200 && res.status < 300) return {};
    if (res.status == 0) return {res.error.empty() ? "no answer" : res.error};
    return {fmt::format("HTTP {}", res.status)};
  }

 private:
  webhook_config hook_;
  millis timeout_;
  std::string base_url_, target_;  // from hook_.url
};

}  // namespace

std::unique_ptr<channel> make_webhook(webhook_config hook, millis timeout) {
  return std::make_unique<webhook>(std::move(hook), timeout);
}

std::string webhook_signature(std::string_view secret, std::string_view body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &size);
  std::string out = "sha256=";
  for (unsigned int i = 0; i < size; ++i) out += fmt::format("{:02x}", mac[i]);
  return out;
}

}  // namespace vocflow::connectors
