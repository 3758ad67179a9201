#include "connectors/encoding.hpp"

#include "workflows/utf8.hpp"

#include <fmt/format.h>
#include <iconv.h>
#include <openssl/evp.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdint>

namespace vocflow::connectors {

std::string to_utf8(std::string_view bytes, std::string_view encoding, std::string& error) {
  error.clear();
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  if (encoding == "utf-8") return std::string{bytes};
  // GBK text is GB18030 text: one converter reads both.
  iconv_t cd = iconv_open("UTF-8", "GB18030");
  // iconv_open's failure is (iconv_t)-1, by its contract.
  if (cd == reinterpret_cast<iconv_t>(-1)) {  // NOLINT(performance-no-int-to-ptr)
    error = fmt::format("this system cannot convert {} to UTF-8", encoding);
    return {};
  }
  std::string out(bytes.size() * 3 / 2 + 16, '\0');
  auto* in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size(), done = 0;
  while (in_left > 0) {
    char* to = out.data() + done;
    size_t to_left = out.size() - done;
    size_t r = iconv(cd, &in, &in_left, &to, &to_left);
    done = out.size() - to_left;
    if (r != static_cast<size_t>(-1)) break;
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
      continue;
    }
    error = fmt::format("byte {} is not {} text", bytes.size() - in_left + 1, encoding);
    iconv_close(cd);
    return {};
  }
  iconv_close(cd);
  out.resize(done);
  return out;
}

namespace {

// A character reference at the start of `s` ("&amp;", "&#39;", "&#x4e2d;"): how many bytes it
// takes (0 when it is none) and the code point.
size_t reference(std::string_view s, uint32_t& cp) {
  auto end = s.find(';');
  if (end == std::string_view::npos || end < 2 || end > 10) return 0;
  auto name = s.substr(1, end - 1);
  if (name.front() == '#') {
    bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
    auto digits = name.substr(hex ? 2 : 1);
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
    return ec == std::errc{} && p == digits.data() + digits.size() ? end + 1 : 0;
  }
  static constexpr std::array<std::pair<std::string_view, uint32_t>, 12> named{{{"amp", '&'},
                                                                                {"lt", '<'},
                                                                                {"gt", '>'},
                                                                                {"quot", '"'},
                                                                                {"apos", '\''},
                                                                                {"nbsp", 0xA0},
                                                                                {"ndash", 0x2013},
                                                                                {"mdash", 0x2014},
                                                                                {"hellip", 0x2026},
                                                                                {"euro", 0x20AC},
                                                                                {"copy", 0xA9},
                                                                                {"yen", 0xA5}}};
  for (auto& [n, c] : named)
    if (n == name) {
      cp = c;
      return end + 1;
    }
  return 0;
}

bool ends_a_line(std::string_view tag) {  // "br", "/p", "/div", ...
  static constexpr std::array<std::string_view, 13> tags{
      "br",  "br/", "/p",  "/div",        "/li",  "/tr",   "/h1",
      "/h2", "/h3", "/h4", "/blockquote", "/pre", "/table"};
  for (auto t : tags)
    if (tag == t) return true;
  return false;
}

}  // namespace

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<const unsigned char*>(bytes.data()),
                           static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> from_base64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  auto n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<const unsigned char*>(text.data()),
                           static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<size_t>(n));
  // EVP_DecodeBlock counts the padding as zero bytes.
  for (auto rest = text; rest.ends_with('=') && !out.empty(); rest.remove_suffix(1)) out.pop_back();
  return out;
}

std::string html_text(std::string_view html) {
  std::string out;
  size_t newlines = 2;  // at the start: no blank lines
  auto put = [&](char c) {
    if (c == '\n') {
      if (newlines >= 2) return;
      while (!out.empty() && out.back() == ' ') out.pop_back();
      ++newlines;
    } else if (c == ' ') {
      if (newlines > 0 || (!out.empty() && out.back() == ' ')) return;
    } else {
      newlines = 0;
    }
    out += c;
  };
  for (size_t i = 0; i < html.size();) {
    char c = html[i];
    if (c == '<') {
      if (html.substr(i, 4) == "<!--") {
        auto end = html.find("-->", i + 4);
        i = end == std::string_view::npos ? html.size() : end + 3;
        continue;
      }
      auto end = html.find('>', i);
      if (end == std::string_view::npos) break;
      std::string tag;
      for (size_t k = i + 1; k < end && !std::isspace(static_cast<unsigned char>(html[k])); ++k)
        tag += static_cast<char>(std::tolower(static_cast<unsigned char>(html[k])));
      i = end + 1;
      if (tag == "script" || tag == "style") {
        auto close = html.find("</" + tag, i);
        i = close == std::string_view::npos ? html.size() : html.find('>', close) + 1;
        if (i == 0) i = html.size();
        continue;
      }
      if (ends_a_line(tag)) put('\n');
      continue;
    }
    if (c == '&') {
      uint32_t cp = 0;
      if (auto n = reference(html.substr(i), cp)) {
        i += n;
        if (cp == 0xA0)
          put(' ');
        else if (cp < 0x80)
          put(static_cast<char>(cp));
        else {
          newlines = 0;
          append_utf8(out, cp == 0 ? 0xFFFD : cp);
        }
        continue;
      }
    }
    put(c == '\r' || c == '\t' || (c == '\n') ? ' ' : c);
    ++i;
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace vocflow::connectors
