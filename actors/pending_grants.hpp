// Compensation granted but not yet durable, by customer, shared by every partition.
//
// A customer's cap counts what the ledger holds over the period, and the ledger holds a grant
// only once its group commit is written. Two tickets of one customer may sit on different
// partitions whose groups are being built at the same time: each would read the ledger without
// the other's grant, and the two together could pass the cap. A partition therefore decides a
// capped command while holding the customer's lock, counts what is pending here as well as
// what the ledger says, and adds what it grants before letting go. It takes its grants out of
// here once their group is written (or has failed): in between they count twice, which can
// refuse a grant that would just fit, never allow one that does not.
#pragma once

#include "actors/string_hash.hpp"
#include "workflows/money.hpp"

#include <array>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace vocflow::actors {

class pending_grants {
  struct stripe {
    std::mutex lock;
    std::unordered_map<std::string, money, string_hash, std::equal_to<>> by_customer;
  };

 public:
  // A customer's lock, held while a command that checks the customer's cap is decided.
  class hold {
   public:
    // Granted to the customer and not durable yet, on every partition.
    money pending() const;
    void add(money amount);

   private:
    friend class pending_grants;
    hold(stripe& s, std::string_view customer) : lock_(s.lock), stripe_(&s), customer_(customer) {}
    std::unique_lock<std::mutex> lock_;
    stripe* stripe_;
    std::string_view customer_;
  };

  hold lock(std::string_view customer) { return {stripe_of(customer), customer}; }
  void add(std::string_view customer, money amount) { lock(customer).add(amount); }
  // Takes back what `add` put in, once the grant is in the ledger or will never be.
  void release(std::string_view customer, money amount);

 private:
  stripe& stripe_of(std::string_view customer) {
    return stripes_[string_hash{}(customer) % stripes_.size()];
  }
  std::array<stripe, 16> stripes_;
};

}  // namespace vocflow::actors
