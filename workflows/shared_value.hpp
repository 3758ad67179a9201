// An immutable value shared by every copy of the struct that holds it: copying costs a
// reference count, comparing compares the values. For parts of a ticket that never change once
// set (what the complaint says), so that the many copies of ticket states stay cheap.
#pragma once

#include <memory>

namespace vocflow {

template <class T>
class shared_value {
 public:
  shared_value() : p_(empty()) {}
  shared_value(T v) : p_(std::make_shared<const T>(std::move(v))) {}  // NOLINT: implicit on purpose

  const T& operator*() const { return *p_; }
  const T* operator->() const { return p_.get(); }
  bool operator==(const shared_value& o) const { return p_ == o.p_ || *p_ == *o.p_; }

 private:
  static const std::shared_ptr<const T>& empty() {
    static const auto none = std::make_shared<const T>();
    return none;
  }
  std::shared_ptr<const T> p_;
};

template <class T>
struct is_shared_value : std::false_type {};
template <class T>
struct is_shared_value<shared_value<T>> : std::true_type {};

}  // namespace vocflow
