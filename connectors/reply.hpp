// Replies that reach the customer, through the channel the complaint came from: a public
// comment posted back through the source's REST API (Zendesk, Zammad, Jira Service
// Management: the mapping's `reply` says the method, the path and the JSON body), or an e-mail
// by SMTP to the complaint's contact. Both go through libcurl.
//
// A reply channel delivers the rows of actors::reply_rows, at least once like every outbox:
// a receiver deduplicates on the row's id (ticket:seq) — sent as Idempotency-Key to REST APIs
// and in the e-mail's Message-ID. A refusal that trying again cannot mend (an HTTP 4xx other
// than 408 and 429, an SMTP 5xx, a complaint with no address to write to) makes the row a
// dead letter at once; anything else is retried.
#pragma once

#include "connectors/channel.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace vocflow::connectors {

// The channel back to the complaints whose source is `source` (a mapping's): reply:<source>.
std::unique_ptr<channel> make_reply_channel(const std::string& source, const reply_rule& rule,
                                            const reply_target& target, const mail_config& mail,
                                            millis timeout);

// `tmpl` with each {name} replaced by the reply row's value of that name (text, type,
// external_id, contact, ticket, or an attribute), passed through `escape`; {name} with no value
// becomes "".
std::string fill_template(std::string_view tmpl, const nlohmann::json& row,
                          const std::function<std::string(std::string_view)>& escape);

// The e-mail of a reply row (RFC 5322: UTF-8 text in base64, a subject in an encoded word when
// it is not ASCII, Message-ID <ticket.seq@from-domain>, Date of the event).
std::string reply_mail(const nlohmann::json& row, const std::string& from, const std::string& to,
                       const std::string& subject);

}  // namespace vocflow::connectors
