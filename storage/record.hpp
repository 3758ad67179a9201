// Binary records for any struct that lists its fields (workflows/fields.hpp): the building
// block of the stored encoding (codec.hpp). Header-only so that any struct can be stored.
#pragma once

#include "workflows/fields.hpp"
#include "workflows/money.hpp"
#include "workflows/shared_value.hpp"
#include "workflows/time.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>

namespace vocflow::storage {

// Where a writer puts bytes: a string, or a counter that only measures.
struct byte_counter {
  size_t size = 0;
  void push_back(char) { ++size; }
  void append(const char*, size_t n) { size += n; }
  void append(std::string_view s) { size += s.size(); }
};

// Appends to a string through a cursor: the string grows ahead of what is written and is cut
// to size when the sink goes, so that a value costs one capacity check, not a string append.
// The string holds garbage past the cursor meanwhile: nothing else may use it until then.
class string_sink {
 public:
  explicit string_sink(std::string& s) : s_(s), end_(s.size()) {}
  ~string_sink() { s_.resize(end_); }
  string_sink(const string_sink&) = delete;
  string_sink& operator=(const string_sink&) = delete;

  void push_back(char c) {
    *room(1) = c;
    ++end_;
  }
  void append(const char* p, size_t n) {
    if (n) std::memcpy(room(n), p, n);
    end_ += n;
  }
  void append(std::string_view v) { append(v.data(), v.size()); }
  // Room for up to `n` bytes at the cursor; advance() says how many were written.
  char* room(size_t n) {
    if (end_ + n > s_.size()) [[unlikely]]
      grow(n);
    return s_.data() + end_;
  }
  void advance(size_t n) { end_ += n; }
  size_t size() const { return end_; }
  // Resizes the `had` bytes at `at` to `want` bytes, moving everything after them.
  char* resize_at(size_t at, size_t had, size_t want) {
    room(want > had ? want - had : 0);
    std::memmove(s_.data() + at + want, s_.data() + at + had, end_ - at - had);
    end_ = end_ + want - had;
    return s_.data() + at;
  }

 private:
  void grow(size_t n) { s_.resize(std::max(2 * s_.size(), end_ + n + 256)); }
  std::string& s_;
  size_t end_;
};

template <class Sink>
class basic_writer {
 public:
  template <class Target>
  explicit basic_writer(Target& out) : out_(out) {}

  [[gnu::always_inline]] void varint(uint64_t v) {
    if constexpr (std::is_same_v<Sink, string_sink>) {
      out_.advance(put_varint(out_.room(10), v));
    } else {
      char b[10];
      out_.append(b, put_varint(b, v));
    }
  }
  [[gnu::always_inline]] void signed_int(int64_t v) {
    varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  void bytes(std::string_view s) {
    varint(s.size());
    out_.append(s);
  }

  template <class T>
  void value(const T& v) {
    if constexpr (std::is_same_v<T, std::string>) {
      bytes(v);
    } else if constexpr (std::is_same_v<T, bool>) {
      out_.push_back(v ? 1 : 0);
    } else if constexpr (std::is_same_v<T, double>) {
      char b[8];
      std::memcpy(b, &v, 8);
      out_.append(b, 8);
    } else if constexpr (std::is_enum_v<T>) {
      varint(static_cast<uint64_t>(v));
    } else if constexpr (std::is_integral_v<T>) {
      signed_int(static_cast<int64_t>(v));
    } else if constexpr (std::is_same_v<T, time_point>) {
      signed_int(to_ms(v));
    } else if constexpr (std::is_same_v<T, millis>) {
      signed_int(v.count());
    } else if constexpr (std::is_same_v<T, money>) {
      signed_int(v.minor);
    } else if constexpr (is_vector<T>::value) {
      varint(v.size());
      for (auto& x : v) value(x);
    } else if constexpr (is_map<T>::value) {
      varint(v.size());
      for (auto& [k, x] : v) value(k), value(x);
    } else if constexpr (is_shared_value<T>::value) {
      value(*v);
    } else if constexpr (has_fields<T>) {
      record(v);
    } else {
      static_assert(sizeof(T) == 0, "no encoding for this type");
    }
  }

  // A length-prefixed record of a struct's fields. Into a string: the fields first, then their
  // length put in front of them (one pass over them); elsewhere the length is measured first.
  template <class T>
  void record(const T& v) {
    if constexpr (std::is_same_v<Sink, string_sink>) {
      size_t at = out_.size();
      out_.append("\0\0", 2);  // room for a length below 16384, the usual case
      T::fields(v, [&](std::string_view, const auto& x) { value(x); });
      char b[10];
      size_t n = put_varint(b, out_.size() - at - 2);
      std::memcpy(out_.resize_at(at, 2, n), b, n);
    } else {
      basic_writer<byte_counter> measure{measured_};
      measured_.size = 0;
      T::fields(v, [&](std::string_view, const auto& x) { measure.value(x); });
      varint(measured_.size);
      T::fields(v, [&](std::string_view, const auto& x) { value(x); });
    }
  }

 private:
  [[gnu::always_inline]] static size_t put_varint(char* b, uint64_t v) {
    if (v < 0x80) {
      *b = static_cast<char>(v);
      return 1;
    }
    size_t n = 0;
    while (v >= 0x80) {
      b[n++] = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    b[n++] = static_cast<char>(v);
    return n;
  }

  // A string target is written through a sink of its own; a counter directly.
  using holder = std::conditional_t<std::is_same_v<Sink, string_sink>, string_sink, Sink&>;
  holder out_;
  byte_counter measured_;
};

// Appends to a string; the string has its final size once the writer is gone.
using writer = basic_writer<string_sink>;

class reader {
 public:
  explicit reader(std::string_view in) : in_(in) {}

  bool ok() const { return ok_; }
  bool at_end() const { return in_.empty(); }
  std::string_view rest() const { return in_; }  // what has not been read

  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in_.empty()) return fail();
      auto b = static_cast<uint8_t>(in_.front());
      in_.remove_prefix(1);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    return fail();
  }
  int64_t signed_int() {
    auto u = varint();
    return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  }
  std::string_view bytes() {
    auto n = varint();
    if (!ok_ || n > in_.size()) return fail(), std::string_view{};
    auto s = in_.substr(0, n);
    in_.remove_prefix(n);
    return s;
  }

  template <class T>
  void value(T& v) {
    if (!ok_) return;
    if constexpr (std::is_same_v<T, std::string>) {
      v = std::string{bytes()};
    } else if constexpr (std::is_same_v<T, bool>) {
      if (in_.empty()) return void(fail());
      v = in_.front() != 0;
      in_.remove_prefix(1);
    } else if constexpr (std::is_same_v<T, double>) {
      if (in_.size() < 8) return void(fail());
      std::memcpy(&v, in_.data(), 8);
      in_.remove_prefix(8);
    } else if constexpr (std::is_enum_v<T>) {
      v = static_cast<T>(varint());
    } else if constexpr (std::is_integral_v<T>) {
      v = static_cast<T>(signed_int());
    } else if constexpr (std::is_same_v<T, time_point>) {
      v = from_ms(signed_int());
    } else if constexpr (std::is_same_v<T, millis>) {
      v = millis{signed_int()};
    } else if constexpr (std::is_same_v<T, money>) {
      v.minor = signed_int();
    } else if constexpr (is_vector<T>::value) {
      auto n = varint();
      if (n > in_.size()) return void(fail());  // each item takes at least a byte
      v.clear();
      v.resize(n);
      for (auto& x : v) value(x);
    } else if constexpr (is_map<T>::value) {
      auto n = varint();
      if (n > in_.size()) return void(fail());
      v.clear();
      for (uint64_t i = 0; i < n && ok_; ++i) {
        typename T::key_type k;
        typename T::mapped_type x;
        value(k), value(x);
        v.emplace(std::move(k), std::move(x));
      }
    } else if constexpr (is_shared_value<T>::value) {
      std::remove_cvref_t<decltype(*v)> inner;
      value(inner);
      v = T{std::move(inner)};
    } else if constexpr (has_fields<T>) {
      record(v);
    }
  }

  // Reads the fields a record holds; missing trailing fields keep their defaults and unknown
  // trailing ones are skipped.
  template <class T>
  void record(T& v) {
    reader inner{bytes()};
    T::fields(v, [&](std::string_view, auto& x) {
      if (!inner.at_end()) inner.value(x);
    });
    if (!inner.ok()) fail();
  }

  uint64_t fail() {
    ok_ = false;
    return 0;
  }

 private:
  std::string_view in_;
  bool ok_ = true;
};

// One struct as a record; decode_record is false when the bytes are not such a record.
template <class T>
std::string encode_record(const T& v) {
  std::string out;
  writer{out}.record(v);
  return out;
}

template <class T>
[[nodiscard]] bool decode_record(std::string_view bytes, T& v) {
  reader r{bytes};
  r.record(v);
  return r.ok();
}

}  // namespace vocflow::storage
