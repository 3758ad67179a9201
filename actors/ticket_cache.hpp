// The tickets a partition keeps in memory, least recently used evicted first. Evicted tickets
// load again from their snapshot; the cache only saves that read.
#pragma once

#include <list>
#include <string>
#include <unordered_map>

#include "workflows/ticket.hpp"

namespace vocflow::actors {

class ticket_cache {
 public:
  explicit ticket_cache(size_t capacity = 100'000) : capacity_(capacity) {}

  // nullptr when not cached; a hit becomes the most recently used.
  const ticket* get(const std::string& id) {
    auto it = index_.find(id);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return &it->second->second;
  }

  void put(const std::string& id, ticket t) {
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

  void clear() {
    index_.clear();
    order_.clear();
  }
  size_t size() const { return index_.size(); }

 private:
  size_t capacity_;
  std::list<std::pair<std::string, ticket>> order_;
  std::unordered_map<std::string, std::list<std::pair<std::string, ticket>>::iterator> index_;
};

}  // namespace vocflow::actors
