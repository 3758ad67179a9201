// UTF-8 as customers' texts arrive in it: read a code point, write one, check a text, count
// characters, cut on a character's boundary.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

namespace vocflow {

struct utf8_char {
  char32_t cp = 0;
  size_t size = 0;  // bytes; 0 when the bytes at that place are not UTF-8
};

// The character at byte `i` of `s`.
inline utf8_char decode_utf8(std::string_view s, size_t i) {
  auto b = static_cast<unsigned char>(s[i]);
  size_t more = b < 0x80             ? 0
                : (b & 0xE0) == 0xC0 ? 1
                : (b & 0xF0) == 0xE0 ? 2
                : (b & 0xF8) == 0xF0 ? 3
                                     : 4;
  if (more == 4 || i + more >= s.size()) return {};
  char32_t cp = more == 0 ? b : b & (0x3F >> more);
  for (size_t k = 1; k <= more; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return {};
    cp = (cp << 6) | (c & 0x3F);
  }
  return {cp, more + 1};
}

inline void append_utf8(std::string& out, char32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

inline bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto c = decode_utf8(s, i);
    if (c.size == 0) return false;
    i += c.size;
  }
  return true;
}

// Whether byte `b` continues a character (10xxxxxx) rather than starting one.
inline bool utf8_continuation(char b) {
  return (static_cast<unsigned char>(b) & 0xC0) == 0x80;
}

// `at`, moved back to the first byte of the character it falls in.
inline size_t utf8_boundary(std::string_view s, size_t at) {
  at = std::min(at, s.size());
  while (at > 0 && at < s.size() && utf8_continuation(s[at])) --at;
  return at;
}

}  // namespace vocflow
