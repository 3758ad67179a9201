#include "storage/codec.hpp"

#include "storage/record.hpp"

namespace vocflow::storage {
namespace {

template <size_t I = 0>
bool decode_body(size_t index, reader& r, event_body& body) {
  if constexpr (I < std::variant_size_v<event_body>) {
    if (index != I) return decode_body<I + 1>(index, r, body);
    std::variant_alternative_t<I, event_body> x;
    r.record(x);
    body = std::move(x);
    return r.ok();
  } else {
    return false;  // an event type this version does not know
  }
}

}  // namespace

std::string encode_events(const event* first, size_t count) {
  std::string out;
  out.reserve(64 * count + 1);
  out.push_back(static_cast<char>(format_version));
  writer w{out};
  for (size_t i = 0; i < count; ++i) {
    auto& e = first[i];
    std::string body;
    writer b{body};
    b.varint(e.body.index());
    b.varint(e.seq);
    b.signed_int(to_ms(e.at));
    b.bytes(e.actor);
    b.bytes(e.role);
    std::visit([&](auto& x) { b.record(x); }, e.body);
    w.bytes(body);
  }
  return out;
}

bool decode_events(std::string_view value, std::vector<event>& out) {
  if (value.empty() || static_cast<uint8_t>(value.front()) != format_version) return false;
  reader r{value.substr(1)};
  while (!r.at_end()) {
    reader b{r.bytes()};
    if (!r.ok()) return false;
    event e;
    auto index = b.varint();
    e.seq = b.varint();
    e.at = from_ms(b.signed_int());
    e.actor = std::string{b.bytes()};
    e.role = std::string{b.bytes()};
    if (!b.ok() || !decode_body(index, b, e.body)) return false;
    out.push_back(std::move(e));
  }
  return true;
}

std::string encode_ticket(const ticket& t) {
  std::string out;
  out.reserve(512);
  out.push_back(static_cast<char>(format_version));
  writer{out}.record(t);
  return out;
}

std::optional<ticket> decode_ticket(std::string_view value) {
  if (value.empty() || static_cast<uint8_t>(value.front()) != format_version) return std::nullopt;
  reader r{value.substr(1)};
  ticket t;
  r.record(t);
  if (!r.ok()) return std::nullopt;
  return t;
}

}  // namespace vocflow::storage
