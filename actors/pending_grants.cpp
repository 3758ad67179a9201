#include "actors/pending_grants.hpp"

namespace vocflow::actors {

money pending_grants::hold::pending() const {
  auto it = stripe_->by_customer.find(customer_);
  return it == stripe_->by_customer.end() ? money{} : it->second;
}

void pending_grants::hold::add(money amount) {
  auto it = stripe_->by_customer.find(customer_);
  if (it == stripe_->by_customer.end())
    stripe_->by_customer.emplace(std::string{customer_}, amount);
  else
    it->second += amount;
}

void pending_grants::release(std::string_view customer, money amount) {
  auto& s = stripe_of(customer);
  std::lock_guard guard{s.lock};
  auto it = s.by_customer.find(customer);
  if (it == s.by_customer.end()) return;
  it->second = it->second - amount;
  if (it->second.minor <= 0) s.by_customer.erase(it);  // nothing pending: no entry kept
}

}  // namespace vocflow::actors
