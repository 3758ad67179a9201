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

// Events that share when, who and in which role (the events of one command) are written as one
// group with one header:  group := count first_seq at actor role (type record)*count
void encode_events(std::string& out, const event* first, size_t count) {
  out.reserve(out.size() + 48 * count + 16);
  out.push_back(static_cast<char>(format_version));
  writer w{out};
  for (size_t i = 0; i < count;) {
    auto& head = first[i];
    size_t n = 1;
    while (i + n < count && first[i + n].at == head.at && first[i + n].actor == head.actor &&
           first[i + n].role == head.role && first[i + n].seq == head.seq + n)
      ++n;
    w.varint(n);
    w.varint(head.seq);
    w.signed_int(to_ms(head.at));
    w.bytes(head.actor);
    w.bytes(head.role);
    for (size_t k = i; k < i + n; ++k) {
      w.varint(first[k].body.index());
      std::visit([&](auto& x) { w.record(x); }, first[k].body);
    }
    i += n;
  }
}

bool decode_events(std::string_view value, std::vector<event>& out) {
  if (value.empty() || static_cast<uint8_t>(value.front()) != format_version) return false;
  reader r{value.substr(1)};
  while (r.ok() && !r.at_end()) {
    auto n = r.varint();
    auto seq = r.varint();
    auto at = from_ms(r.signed_int());
    std::string actor{r.bytes()}, role{r.bytes()};
    if (!r.ok() || n == 0 || n > value.size()) return false;
    for (uint64_t k = 0; k < n; ++k) {
      event e;
      e.seq = seq + k;
      e.at = at;
      e.actor = actor;
      e.role = role;
      if (!decode_body(r.varint(), r, e.body)) return false;
      out.push_back(std::move(e));
    }
  }
  return r.ok();
}

void encode_ticket(std::string& out, const ticket& t) {
  out.reserve(out.size() + 512);
  out.push_back(static_cast<char>(format_version));
  writer{out}.record(t);
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
