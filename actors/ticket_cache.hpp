// The tickets a partition keeps in memory, least recently used evicted first. Evicted tickets
// load again from the store; the cache only saves that read. States are immutable and shared:
// a command makes a new one rather than changing one that a reply or a subscriber still holds.
//
// A ticket may also hold a staged state: decided by a command of the group commit being built,
// not written yet. Later commands of the same group build on it; commit() makes every staged
// state the committed one once the group is written, discard() drops them when it failed.
// A ticket with a staged state is never evicted. One lookup per command serves both.
#pragma once

#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "workflows/ticket.hpp"

namespace vocflow::actors {

struct cached_ticket {
  std::shared_ptr<const ticket> state;
  uint64_t snapshot_seq = 0;  // the seq of the ticket's latest stored snapshot
};

class ticket_cache {
 public:
  struct entry {
    std::string id;
    cached_ticket committed;              // durable; an empty state for a ticket being opened
    std::optional<cached_ticket> staged;  // decided in the group commit being built

    // What the next command builds on.
    const cached_ticket& current() const { return staged ? *staged : committed; }
  };

  explicit ticket_cache(size_t capacity = 100'000) : capacity_(capacity) {}
  ticket_cache(const ticket_cache&) = delete;
  ticket_cache& operator=(const ticket_cache&) = delete;
  ticket_cache(ticket_cache&&) = default;
  ticket_cache& operator=(ticket_cache&&) = default;

  // The entry of `id`, now the most recently used; nullptr when not cached.
  entry* find(std::string_view id) {
    auto it = index_.find(id);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return &*it->second;
  }

  // Caches a committed state read from the store.
  entry& insert(const std::string& id, cached_ticket committed) {
    auto& e = emplace(id);
    e.committed = std::move(committed);
    return e;
  }

  // Stages a decided state on a cached ticket, or on a new entry for a ticket not cached (one
  // being opened).
  void stage(entry& e, cached_ticket next) {
    if (!e.staged) staged_.push_back(&e);
    e.staged = std::move(next);
  }
  void stage(const std::string& id, cached_ticket next) {
    if (auto* e = find(id)) return stage(*e, std::move(next));
    stage(emplace(id), std::move(next));
  }

  // The group commit was written: its staged states are the committed ones now.
  void commit() {
    for (auto* e : staged_) {
      e->committed = std::move(*e->staged);
      e->staged.reset();
    }
    staged_.clear();
    evict();
  }
  // The group commit failed: back to the committed states (tickets being opened are forgotten).
  void discard() {
    for (auto* e : staged_) {
      e->staged.reset();
      if (!e->committed.state || !e->committed.state->exists()) erase(*e);
    }
    staged_.clear();
  }

  size_t size() const { return index_.size(); }
  size_t staged() const { return staged_.size(); }

 private:
  using list = std::list<entry>;

  entry& emplace(const std::string& id) {
    order_.push_front(entry{id, {}, {}});
    index_.emplace(std::string_view{order_.front().id}, order_.begin());
    evict();
    return order_.front();
  }
  void erase(entry& e) {
    auto it = index_.find(std::string_view{e.id});
    auto pos = it->second;
    index_.erase(it);
    order_.erase(pos);
  }
  // Least recently used first, never the entry just added; staged tickets stay (the cache may
  // then exceed its capacity until the group commit is done).
  void evict() {
    while (index_.size() > capacity_ && order_.size() > 1 && !order_.back().staged)
      erase(order_.back());
  }

  size_t capacity_;
  list order_;
  std::unordered_map<std::string_view, list::iterator> index_;  // views of the entries' ids
  std::vector<entry*> staged_;
};

}  // namespace vocflow::actors
