// Text from outside in the encodings exports use, converted to UTF-8 on the way in (iconv from
// the C library: GB18030 is a superset of GBK and GB2312, which Chinese exports use).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vocflow::connectors {

// `bytes` in `encoding` (utf-8, gb18030 or gbk) as UTF-8, without a byte-order mark. On bytes
// the encoding does not have, "" and `error` says where.
std::string to_utf8(std::string_view bytes, std::string_view encoding, std::string& error);

// Base64 (RFC 4648, with padding, on one line) and back; nullopt for text that is not base64.
std::string base64(std::string_view bytes);
std::optional<std::string> from_base64(std::string_view text);

// The text of an HTML fragment (a ticket system's comment): tags dropped, line breaks where
// blocks and <br> end them, the content of script and style dropped, character references
// decoded (named ones of the common set, numeric ones all), blank lines collapsed, trimmed.
std::string html_text(std::string_view html);

}  // namespace vocflow::connectors
