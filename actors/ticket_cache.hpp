// The tickets a partition keeps in memory, least recently used evicted first. Evicted tickets
// load again from the store; the cache only saves that read. States are immutable and shared:
// a command makes a new one rather than changing one that a reply or a subscriber still holds.
#pragma once

#include <list>
#include <memory>
#include <string>
#include <unordered_map>

#include "workflows/ticket.hpp"

namespace vocflow::actors {

struct cached_ticket {
  std::shared_ptr<const ticket> state;
  uint64_t snapshot_seq = 0;  // the seq of the ticket's latest stored snapshot
};

class ticket_cache {
 public:
  explicit ticket_cache(size_t capacity = 100'000) : capacity_(capacity) {}

  // nullptr when not cached; a hit becomes the most recently used.
  const cached_ticket* get(const std::string& id) {
    auto it = index_.find(id);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return &it->second->second;
  }

  void put(const std::string& id, cached_ticket t) {
    if (auto it = index_.find(id); it != index_.end()) {
      it->second->second = std::move(t);
      order_.splice(order_.begin(), order_, it->second);
      return;
    }
    order_.emplace_front(id, std::move(t));
    index_[id] = order_.begin();
    if (index_.size() > capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
  }

  size_t size() const { return index_.size(); }

 private:
  using entry = std::pair<std::string, cached_ticket>;
  size_t capacity_;
  std::list<entry> order_;
  std::unordered_map<std::string, std::list<entry>::iterator> index_;
};

}  // namespace vocflow::actors
