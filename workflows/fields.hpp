// Traits for the field-visitor convention: a struct lists its fields once, in
// `static void fields(Self& self, F&& f)`, calling f(name, member) for each. Encoders
// (JSON here, the storage codec in storage/) walk any such struct with one generic visitor.
#pragma once

#include <map>
#include <optional>
#include <type_traits>
#include <vector>

namespace vocflow {

template <class T>
concept has_fields = requires(T& t) {
  T::fields(t, [](auto, auto&) {});
};

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

template <class T>
struct is_map : std::false_type {};
template <class K, class V>
struct is_map<std::map<K, V>> : std::true_type {};

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

}  // namespace vocflow
