#include "connectors/channel.hpp"

#include "connectors/reply.hpp"
#include "connectors/webhook.hpp"

#include <fmt/format.h>

#include <set>

namespace vocflow::connectors {

std::vector<std::shared_ptr<channel>> make_channels(const config& c, const inbound_sources& sources,
                                                    std::vector<std::string>& unreplied) {
  std::vector<std::shared_ptr<channel>> out;
  for (auto& w : c.notify.webhooks) out.push_back(make_webhook(w, c.notify.timeout));
  std::set<std::string> replying;  // tickets carry their mapping's source: one channel each
  for (auto& [name, src] : sources) {
    auto& rule = src.mapping.reply;
    if (!rule) continue;
    if (rule->email ? c.mail.url.empty() : src.reply.url.empty()) {
      unreplied.push_back(
          rule->email
              ? fmt::format("intake source `{}` replies by e-mail: no mail.url", name)
              : fmt::format("intake source `{}` replies through its API: no reply.url", name));
      continue;
    }
    if (!replying.insert(src.mapping.source).second) {
      unreplied.push_back(fmt::format(
          "intake source `{}`: another source already replies to the complaints of `{}`", name,
          src.mapping.source));
      continue;
    }
    out.push_back(
        make_reply_channel(src.mapping.source, *rule, src.reply, c.mail, c.notify.timeout));
  }
  return out;
}

std::vector<channel_subscription> subscriptions(const std::vector<std::shared_ptr<channel>>& chs) {
  std::vector<channel_subscription> out;
  out.reserve(chs.size());
  for (auto& ch : chs) out.push_back(ch->subscription());
  return out;
}

}  // namespace vocflow::connectors
