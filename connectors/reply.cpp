#include "connectors/reply.hpp"

#include "connectors/encoding.hpp"
#include "workflows/time.hpp"
#include "workflows/utf8.hpp"

#include <curl/curl.h>
#include <date/date.h>
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <regex>

namespace vocflow::connectors {
namespace {

using nlohmann::json;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

using easy_handle = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using string_list = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

easy_handle new_handle(millis timeout) {
  easy_handle h{curl_easy_init(), &curl_easy_cleanup};
  if (!h) return h;
  curl_easy_setopt(h.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h.get(), CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  return h;
}

void append(string_list& list, const std::string& line) {
  if (auto* grown = curl_slist_append(list.get(), line.c_str())) {
    (void)list.release();  // grown is the same list, longer
    list.reset(grown);
  }
}

size_t keep_some(char* data, size_t size, size_t n, void* out) {
  auto& s = *static_cast<std::string*>(out);
  if (s.size() < 2048) s.append(data, std::min(size * n, 2048 - s.size()));
  return size * n;
}

struct upload {
  std::string_view rest;
};
size_t read_upload(char* buffer, size_t size, size_t n, void* from) {
  auto& u = *static_cast<upload*>(from);
  size_t k = std::min(size * n, u.rest.size());
  std::copy_n(u.rest.data(), k, buffer);
  u.rest.remove_prefix(k);
  return k;
}

std::string json_escaped(std::string_view s) {
  auto quoted = json(std::string{s}).dump();
  return quoted.substr(1, quoted.size() - 2);
}

// The address in "Name <addr>" or "addr".
std::string address_of(std::string_view mailbox) {
  auto open = mailbox.rfind('<');
  auto close = mailbox.rfind('>');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open)
    mailbox = mailbox.substr(open + 1, close - open - 1);
  return std::string{mailbox};
}

bool plausible_address(std::string_view a) {
  auto at = a.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < a.size() &&
         a.find_first_of(" \t\r\n<>,;\"") == std::string_view::npos;
}

bool ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// Non-ASCII text as RFC 2047 encoded words, each at most 75 characters, whole UTF-8 characters
// in each, on folded lines.
std::string encoded_words(std::string_view s) {
  std::string out;
  while (!s.empty()) {
    size_t cut = utf8_boundary(s, 45);
    if (cut == 0) cut = std::min<size_t>(s.size(), 45);
    if (!out.empty()) out += "\r\n ";
    out += fmt::format("=?UTF-8?B?{}?=", base64(s.substr(0, cut)));
    s.remove_prefix(cut);
  }
  return out;
}

// A header's value on one line (no header injection through a customer's subject).
std::string one_line(std::string_view s) {
  std::string out{s};
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  return out;
}

class reply_channel final : public channel {
 public:
  reply_channel(const std::string& source, reply_rule rule, reply_target target, mail_config mail,
                millis timeout)
      : channel(
            {.name = "reply:" + source, .events = customer_messages, .to = {}, .source = source}),
        rule_(std::move(rule)),
        target_(std::move(target)),
        mail_(std::move(mail)),
        timeout_(timeout) {
    global_init();
    while (target_.url.ends_with('/')) target_.url.pop_back();
  }

  attempt_result deliver(const storage::outbox_entry& n) override {
    auto row = json::parse(n.body, nullptr, false);
    if (!row.is_object()) return {"the outbox row is not JSON", true};
    return rule_.email ? by_mail(row) : by_api(row, n);
  }

 private:
  attempt_result by_api(const json& row, const storage::outbox_entry& n) {
    auto h = new_handle(timeout_);
    if (!h) return {"libcurl: no handle"};
    auto path = fill_template(rule_.path, row, [&](std::string_view v) {
      std::unique_ptr<char, decltype(&curl_free)> e{
          curl_easy_escape(h.get(), v.data(), static_cast<int>(v.size())), &curl_free};
      return e ? std::string{e.get()} : std::string{};
    });
    auto url = fmt::format("{}{}", target_.url, path);
    auto body = fill_template(rule_.body, row, json_escaped);
    string_list headers{nullptr, &curl_slist_free_all};
    append(headers, "Content-Type: application/json");
    append(headers, "Accept: application/json");
    append(headers, fmt::format("Idempotency-Key: vocflow-{}", n.id()));
    append(headers, "User-Agent: vocflow-reply");
    if (!target_.authorization.empty())
      append(headers, fmt::format("Authorization: {}", target_.authorization));
    std::string answer;
    curl_easy_setopt(h.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(h.get(), CURLOPT_CUSTOMREQUEST, rule_.method.c_str());
    curl_easy_setopt(h.get(), CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(h.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(h.get(), CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h.get(), CURLOPT_WRITEFUNCTION, keep_some);
    curl_easy_setopt(h.get(), CURLOPT_WRITEDATA, &answer);
    if (!target_.user.empty()) {
      curl_easy_setopt(h.get(), CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
      curl_easy_setopt(h.get(), CURLOPT_USERNAME, target_.user.c_str());
      curl_easy_setopt(h.get(), CURLOPT_PASSWORD, target_.password.c_str());
    }
    auto rc = curl_easy_perform(h.get());
    if (rc != CURLE_OK)
      return {fmt::format("{} {}: {}", rule_.method, url, curl_easy_strerror(rc))};
    long status = 0;
    curl_easy_getinfo(h.get(), CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200 && status < 300) return {};
    bool final = status >= 400 && status < 500 && status != 408 && status != 429;
    return {fmt::format("{} {}: HTTP {} {}", rule_.method, url, status, answer.substr(0, 200)),
            final};
  }

  attempt_result by_mail(const json& row) {
    auto to = row.value("contact", "");
    if (!plausible_address(to))
      return {fmt::format("no e-mail address to write to (contact `{}`)", to), true};
    auto subject =
        fill_template(rule_.subject, row, [](std::string_view v) { return std::string{v}; });
    auto message = reply_mail(row, mail_.from, to, subject);
    auto h = new_handle(timeout_);
    if (!h) return {"libcurl: no handle"};
    string_list rcpt{nullptr, &curl_slist_free_all};
    append(rcpt, fmt::format("<{}>", to));
    auto from = fmt::format("<{}>", address_of(mail_.from));
    upload u{message};
    curl_easy_setopt(h.get(), CURLOPT_URL, mail_.url.c_str());
    curl_easy_setopt(h.get(), CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(h.get(), CURLOPT_MAIL_RCPT, rcpt.get());
    curl_easy_setopt(h.get(), CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h.get(), CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(h.get(), CURLOPT_READDATA, &u);
    curl_easy_setopt(h.get(), CURLOPT_INFILESIZE, static_cast<long>(message.size()));
    curl_easy_setopt(h.get(), CURLOPT_USE_SSL,
                     static_cast<long>(mail_.starttls == "required"   ? CURLUSESSL_ALL
                                       : mail_.starttls == "optional" ? CURLUSESSL_TRY
                                                                      : CURLUSESSL_NONE));
    if (!mail_.user.empty()) {
      curl_easy_setopt(h.get(), CURLOPT_USERNAME, mail_.user.c_str());
      curl_easy_setopt(h.get(), CURLOPT_PASSWORD, mail_.password.c_str());
    }
    auto rc = curl_easy_perform(h.get());
    if (rc == CURLE_OK) return {};
    long code = 0;
    curl_easy_getinfo(h.get(), CURLINFO_RESPONSE_CODE, &code);
    bool final = code >= 500 && code < 600 && rc != CURLE_LOGIN_DENIED;
    return {fmt::format("SMTP {} to {}: {}{}", mail_.url, to, curl_easy_strerror(rc),
                        code ? fmt::format(" ({})", code) : ""),
            final};
  }

  reply_rule rule_;
  reply_target target_;
  mail_config mail_;
  millis timeout_;
};

}  // namespace

std::string fill_template(std::string_view tmpl, const json& row,
                          const std::function<std::string(std::string_view)>& escape) {
  std::string text{tmpl}, out;
  size_t done = 0;
  for (std::sregex_iterator it{text.begin(), text.end(), template_placeholder()}, end; it != end;
       ++it) {
    auto& m = *it;
    out.append(text, done, static_cast<size_t>(m.position(0)) - done);
    done = static_cast<size_t>(m.position(0) + m.length(0));
    auto name = m[1].str();
    const json* v = nullptr;
    if (name != "attributes" && row.contains(name))
      v = &row[name];
    else if (auto a = row.find("attributes"); a != row.end() && a->contains(name))
      v = &(*a)[name];
    if (v && v->is_string()) out += escape(v->get_ref<const std::string&>());
  }
  out.append(text, done);
  return out;
}

std::string reply_mail(const json& row, const std::string& from, const std::string& to,
                       const std::string& subject) {
  auto id = row.value("id", "");
  std::replace(id.begin(), id.end(), ':', '.');
  auto sender = address_of(from);
  auto domain = sender.substr(sender.find('@') + 1);
  auto at = parse_utc(row.value("at", "")).value_or(time_point{});
  auto line = one_line(subject);
  auto date = date::format("%a, %d %b %Y %H:%M:%S +0000", date::floor<std::chrono::seconds>(at));
  std::string out = fmt::format(
      "Date: {}\r\nFrom: {}\r\nTo: <{}>\r\nSubject: {}\r\nMessage-ID: <{}@{}>\r\n"
      "X-Vocflow-Ticket: {}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\n",
      date, one_line(from), to, ascii(line) ? line : encoded_words(line), id, domain,
      one_line(row.value("ticket", "")));
  auto body = base64(row.value("text", ""));
  for (size_t i = 0; i < body.size(); i += 76) {
    out.append(body, i, 76);
    out += "\r\n";
  }
  return out;
}

std::unique_ptr<channel> make_reply_channel(const std::string& source, const reply_rule& rule,
                                            const reply_target& target, const mail_config& mail,
                                            millis timeout) {
  return std::make_unique<reply_channel>(source, rule, target, mail, timeout);
}

}  // namespace vocflow::connectors
