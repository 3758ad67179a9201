// Text from outside in the encodings exports use, converted to UTF-8 on the way in (iconv from
// the C library: GB18030 is a superset of GBK and GB2312, which Chinese exports use).
#pragma once

#include <string>
#include <string_view>

namespace vocflow::connectors {

// `bytes` in `encoding` (utf-8, gb18030 or gbk) as UTF-8, without a byte-order mark. On bytes
// the encoding does not have, "" and `error` says where.
std::string to_utf8(std::string_view bytes, std::string_view encoding, std::string& error);

}  // namespace vocflow::connectors
