#include "connectors/channel.hpp"

#include "connectors/webhook.hpp"

namespace vocflow::connectors {

std::vector<std::shared_ptr<channel>> make_channels(const notify_config& cfg) {
  std::vector<std::shared_ptr<channel>> out;
  for (auto& w : cfg.webhooks) out.push_back(make_webhook(w, cfg.timeout));
  return out;
}

}  // namespace vocflow::connectors
