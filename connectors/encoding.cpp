#include "connectors/encoding.hpp"

#include <fmt/format.h>
#include <iconv.h>

#include <cerrno>

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

}  // namespace vocflow::connectors
