// The tickets a partition keeps in memory, least recently used evicted first. Evicted tickets
// load again from the store; the cache only saves that read. States are immutable and shared:
// a command makes a new one rather than changing one that a reply or a subscriber still holds.
//
// A ticket may also hold a staged state: decided by a command of the group commit being built,
// not written yet. Later commands of the same group build on it; commit() makes every staged
// state the committed one once the group is written, discard() drops them when it failed.
// A ticket with a staged state is never evicted. One lookup per command serves both.
#pragma once

#include "actors/prefetch.hpp"
#include "actors/string_hash.hpp"
#include "workflows/ticket.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

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

  explicit ticket_cache(size_t capacity = 100'000)
      : capacity_(capacity),
        fresh_(capacity / 4),
        index_(capacity + capacity / 8),
        hints_(hint_slots(capacity), nullptr),
        hint_mask_(hints_.size() - 1) {}
  ticket_cache(const ticket_cache&) = delete;
  ticket_cache& operator=(const ticket_cache&) = delete;
  ticket_cache(ticket_cache&&) = default;
  ticket_cache& operator=(ticket_cache&&) = default;

  // The entry of `id`, now among the most recently used; nullptr when not cached.
  entry* find(std::string_view id) {
    size_t h = hash{}(id);
    node* n = hinted(h, id);
    if (!n) {
      auto it = index_.find(id);
      if (it == index_.end()) return nullptr;
      n = &it->second;
      hints_[h & hint_mask_] = n;
    }
    touch(*n);
    return &n->e;
  }

  // Starts loading the memory that commands for these tickets will read (cache entries,
  // states, what the states point to) without waiting for it, nor counting as uses (see
  // prefetch.hpp). In stages over the whole batch, each asking for what the previous one
  // brought the address of, so that the misses of one stage overlap.
  template <class Range, class IdOf>
  void prefetch(const Range& items, IdOf id_of) const {
    std::vector<size_t> hashes;
    hashes.reserve(std::size(items));
    for (auto& item : items) {
      hashes.push_back(hash{}(std::string_view{id_of(item)}));
      __builtin_prefetch(&hints_[hashes.back() & hint_mask_]);
    }
    for (size_t h : hashes)
      if (const node* n = hints_[h & hint_mask_]) __builtin_prefetch(n);
    std::vector<const ticket*> states;
    states.reserve(hashes.size());
    size_t i = 0;
    for (auto& item : items) {
      const node* n = hinted(hashes[i++], id_of(item));
      if (!n) continue;
      const auto* t = n->e.current().state.get();
      prefetch_state(t);
      if (t) states.push_back(t);
    }
    for (auto* t : states) prefetch_parts(*t);
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
      if (!e->committed.state || !e->committed.state->exists()) erase(e->id);
    }
    staged_.clear();
  }

  size_t size() const { return index_.size(); }
  size_t staged() const { return staged_.size(); }

 private:
  // An entry in its hash node, on a list from the most to the least recently used.
  struct node {
    entry e;
    node* newer = nullptr;
    node* older = nullptr;
    uint64_t moved = 0;  // the clock when it last went to the front
  };

  // To the front, unless it went there within the last quarter of the capacity's worth of
  // lookups: it cannot be near the back then, and the list's pointers (a cache miss each) are
  // left alone on most lookups. Exact LRU for capacities below 4.
  void touch(node& n) {
    ++clock_;
    if (clock_ - n.moved <= fresh_ && n.moved) return;
    unlink(n);
    push_front(n);
  }
  void unlink(node& n) {
    (n.newer ? n.newer->older : newest_) = n.older;
    (n.older ? n.older->newer : oldest_) = n.newer;
    n.newer = n.older = nullptr;
  }
  void push_front(node& n) {
    n.older = newest_;
    if (newest_) newest_->newer = &n;
    newest_ = &n;
    if (!oldest_) oldest_ = &n;
    n.moved = ++clock_;
  }
  entry& emplace(const std::string& id) {
    auto [it, added] = index_.try_emplace(id);
    auto& n = it->second;
    if (added) {
      n.e.id = id;
      push_front(n);
    }
    hints_[hash{}(id)&hint_mask_] = &n;
    evict(&n);
    return n.e;
  }
  void erase(const std::string& id) {
    auto it = index_.find(id);
    if (it == index_.end()) return;
    auto& hint = hints_[hash{}(id)&hint_mask_];
    if (hint == &it->second) hint = nullptr;
    unlink(it->second);
    index_.erase(it);
  }

  // A direct-mapped table beside the index, by the id's hash: a hit costs one slot and the node
  // (the index's own search reads the bucket, the node before, then the node), and its slots
  // can be prefetched. Twice the capacity, a power of two; a slot holds the last node hashed
  // to it, cleared when that node goes.
  static size_t hint_slots(size_t capacity) {
    size_t n = 4;
    while (n < 2 * capacity) n <<= 1;
    return n;
  }
  node* hinted(size_t h, std::string_view id) const {
    node* n = hints_[h & hint_mask_];
    return n && n->e.id == id ? n : nullptr;
  }
  // Least recently used first, never `keep` (the entry just added); staged tickets stay (the
  // cache may then exceed its capacity until the group commit is done).
  void evict(const node* keep = nullptr) {
    while (index_.size() > capacity_ && oldest_ && oldest_ != keep && !oldest_->e.staged)
      erase(oldest_->e.id);
  }

  using hash = string_hash;
  size_t capacity_;
  uint64_t fresh_;
  uint64_t clock_ = 0;
  node* newest_ = nullptr;
  node* oldest_ = nullptr;
  // Nodes never move (a node-based map): the list and staged_ point into it.
  std::unordered_map<std::string, node, hash, std::equal_to<>> index_;
  std::vector<node*> hints_;
  size_t hint_mask_;
  std::vector<entry*> staged_;
};

}  // namespace vocflow::actors
