#include "storage/memtable.hpp"

#include <rocksdb/memtablerep.h>
#include <rocksdb/slice.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <functional>
#include <new>
#include <string_view>
#include <vector>

namespace vocflow::storage {
namespace {

constexpr int max_levels = 12;  // p = 1/4: searches stay short up to ~16M entries

using link = std::atomic<const char*>;

// An entry is RocksDB's encoding (varint32 length, internal key, value). Its links to the next
// entries sit just before it, level i at (link*)entry - 1 - i; the head is a bare array of links.
link& next_link(const char* entry, int level) {
  return *(reinterpret_cast<link*>(const_cast<char*>(entry)) - 1 - level);
}

// In a memtable by ticket, a level-0 link carries a mark in its low bit: the entry it leads to
// is of another ticket than the entry it leaves. A ticket's next event then lands after its
// last one without reading the next entry's key (the cache miss that most inserts cost).
constexpr uintptr_t other_ticket = 1;
// The tags live in pointers' low bits on purpose: integer-to-pointer casts are the point here.
const char* untagged(const char* p) {
  return reinterpret_cast<const char*>(  // NOLINT(performance-no-int-to-ptr): a tagged pointer
      reinterpret_cast<uintptr_t>(p) & ~other_ticket);
}
bool leads_to_other(const char* p) {
  return reinterpret_cast<uintptr_t>(p) & other_ticket;
}
const char* tagged(const char* p, bool other) {
  return reinterpret_cast<const char*>(  // NOLINT(performance-no-int-to-ptr): a tagged pointer
      reinterpret_cast<uintptr_t>(p) | (other ? other_ticket : 0));
}
// Every read of a link goes through here.
const char* next_of(const char* entry, int level,
                    std::memory_order order = std::memory_order_acquire) {
  return untagged(next_link(entry, level).load(order));
}

rocksdb::Slice internal_key(const char* entry) {
  const auto* p = reinterpret_cast<const uint8_t*>(entry);
  uint32_t len = 0;
  for (int shift = 0; shift <= 28; shift += 7) {
    uint32_t b = *p++;
    len |= (b & 0x7f) << shift;
    if (b < 0x80) break;
  }
  return {reinterpret_cast<const char*>(p), len};
}

// The 8 bytes after the user key: sequence << 8 | type, little-endian.
uint64_t trailer(const char* at) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(at[i]);
  return v;
}

// RocksDB's InternalKeyComparator over BytewiseComparator: user keys bytewise, then the newest
// (the larger trailer) first.
int compare(const rocksdb::Slice& a, const rocksdb::Slice& b) {
  size_t ua = a.size() >= 8 ? a.size() - 8 : a.size();
  size_t ub = b.size() >= 8 ? b.size() - 8 : b.size();
  if (int r = std::memcmp(a.data(), b.data(), std::min(ua, ub))) return r;
  if (ua != ub) return ua < ub ? -1 : 1;
  uint64_t ta = a.size() >= 8 ? trailer(a.data() + ua) : 0;
  uint64_t tb = b.size() >= 8 ? trailer(b.data() + ub) : 0;
  return ta > tb ? -1 : ta < tb ? 1 : 0;
}

// Where the last insert through it went: the last entry before it on each of the lowest
// `Levels` levels (above them, and where there is none, the head). The entries never rise from
// one level to the next up: they were a search path. Consecutive inserts of nearby keys start
// from here, not from the top.
template <int Levels>
struct basic_finger {
  const char* prev[Levels];
  const char* at(int level, const char* head) const { return level < Levels ? prev[level] : head; }
  void set(int level, const char* entry) {
    if (level < Levels) prev[level] = entry;
  }
  void reset(const char* head) { std::fill(std::begin(prev), std::end(prev), head); }
};
using finger = basic_finger<max_levels>;
// A ticket's: most of its inserts are its next event, beside its last one, on level 0.
using ticket_finger = basic_finger<4>;

// The ticket an events key is of: up to its \0 (the benchmarks' raw appends, without one, by
// their first two bytes: their writer).
std::string_view ticket_of(const rocksdb::Slice& internal) {
  std::string_view user{internal.data(), internal.size() >= 8 ? internal.size() - 8 : 0};
  if (auto z = user.find('\0'); z != std::string_view::npos) return user.substr(0, z + 1);
  return user.substr(0, std::min<size_t>(2, user.size()));
}

class skiplist_rep;

// Iterators that RocksDB places in its own arena are destroyed but never freed by it
// (MemTableIterator calls only the destructor). Their storage is kept here and reused, per
// thread, so that a block is reused only after its destructor has returned.
struct iterator_blocks {
  std::vector<void*> free;
  ~iterator_blocks() {
    for (void* p : free) ::operator delete(p);
  }
};
thread_local iterator_blocks recycled;
constexpr size_t max_recycled = 64;

class skiplist_iterator final : public rocksdb::MemTableRep::Iterator {
 public:
  skiplist_iterator(const skiplist_rep& rep, bool recycle) : rep_(&rep), recycle_(recycle) {}
  ~skiplist_iterator() override {
    if (!recycle_) return;
    // Blocks freed earlier are fully destroyed; this one joins the list as it is.
    if (recycled.free.size() >= max_recycled) {
      ::operator delete(recycled.free.front());
      recycled.free.erase(recycled.free.begin());
    }
    recycled.free.push_back(this);
  }

  bool Valid() const override { return at_ != nullptr; }
  const char* key() const override { return at_; }
  void Next() override { at_ = next_of(at_, 0); }
  void Prev() override;
  void Seek(const rocksdb::Slice& internal, const char* memtable_key) override;
  void SeekForPrev(const rocksdb::Slice& internal, const char* memtable_key) override;
  void SeekToFirst() override;
  void SeekToLast() override;

 private:
  const skiplist_rep* rep_;
  const char* at_ = nullptr;
  bool recycle_;
};

class skiplist_rep final : public rocksdb::MemTableRep {
 public:
  // `ticket_slots`: a power of two, or 0 for one finger for all inserts.
  skiplist_rep(rocksdb::Allocator* allocator, size_t ticket_slots)
      : MemTableRep(allocator), tickets_(ticket_slots) {
    for (auto& l : head_links_) l.store(nullptr, std::memory_order_relaxed);
    last_.reset(head());
    first_.reset(head());
  }

  rocksdb::KeyHandle Allocate(const size_t len, char** buf) override {
    int height = random_height();
    char* entry = allocate_aligned(height * sizeof(link), len);
    for (int i = 0; i < height; ++i) new (&next_link(entry, i)) link(nullptr);
    // The height waits in the level-0 link until the entry is inserted.
    // NOLINTNEXTLINE(performance-no-int-to-ptr): a number parked in a link, never followed
    next_link(entry, 0).store(reinterpret_cast<const char*>(static_cast<uintptr_t>(height)),
                              std::memory_order_relaxed);
    *buf = entry;
    return entry;
  }

  void Insert(rocksdb::KeyHandle handle) override { InsertKey(handle); }
  bool InsertKey(rocksdb::KeyHandle handle) override {
    auto* entry = static_cast<const char*>(handle);
    if (tickets_.empty()) return insert(entry, last_);
    // The finger of the entry's ticket: most inserts are its next event, beside its last.
    auto key = internal_key(entry);
    auto ticket = ticket_of(key);
    uint64_t tag = std::hash<std::string_view>{}(ticket) | 1;
    auto& slot = tickets_[tag & (tickets_.size() - 1)];
    auto& level0 = next_link(entry, 0);
    auto height = reinterpret_cast<uintptr_t>(level0.load(std::memory_order_relaxed));
    if (slot.tag != tag) {
      // A new ticket (or one whose slot another took over): its first events go where the
      // last new ticket's went, near the end for ids that grow with time. Its own finger
      // starts from there (the lowest levels of a search path are one).
      slot.tag = tag;
      slot.short_run = height > 1 ? 0 : 1;
      bool inserted = insert(entry, first_);
      std::copy(first_.prev, first_.prev + 4, slot.finger.prev);
      return inserted;
    }
    // A ticket's next events stay on level 0 until `max_short_run` of them follow its last
    // taller one: each is then an append beside the last, with no search of the levels above
    // (a cache miss on every level). Seeks into a ticket's events still find a tall entry
    // within that many.
    if (height > 1 && slot.short_run < max_short_run) {
      // NOLINTNEXTLINE(performance-no-int-to-ptr): a mark parked in a link, never followed
      level0.store(reinterpret_cast<const char*>(uintptr_t{1}), std::memory_order_relaxed);
      height = 1;
    }
    slot.short_run = height > 1 ? 0 : std::min<int>(slot.short_run + 1, max_short_run);
    if (append_to_ticket(entry, key, ticket, slot.finger)) return true;
    return insert(entry, slot.finger);
  }
  void InsertWithHint(rocksdb::KeyHandle handle, void** hint) override {
    InsertKeyWithHint(handle, hint);
  }
  bool InsertKeyWithHint(rocksdb::KeyHandle handle, void** hint) override {
    auto* f = static_cast<finger*>(*hint);
    if (!f) {
      f = new (allocate_aligned(0, sizeof(finger))) finger;
      f->reset(head());
      *hint = f;
    }
    return insert(static_cast<const char*>(handle), *f);
  }

  bool Contains(const char* entry) const override {
    auto key = internal_key(entry);
    const char* at = seek(key);
    return at && compare(internal_key(at), key) == 0;
  }

  // RocksDB's own MemTableRep::Get makes an iterator and never frees it; this one walks the
  // list. A LookupKey (db/lookup_key.h, not installed) starts with three pointers: its memtable
  // key, its internal key and its end, as librocksdb 7.8's MemTableRep::Get reads them. The
  // store's tests read every table through here.
  void Get(const rocksdb::LookupKey& k, void* arg,
           bool (*callback)(void* arg, const char* entry)) override {
    struct {
      const char* memtable_key;
      const char* internal_key;
      const char* end;
    } lookup;
    std::memcpy(&lookup, &k, sizeof lookup);
    rocksdb::Slice key{lookup.internal_key, static_cast<size_t>(lookup.end - lookup.internal_key)};
    for (const char* at = seek(key); at && callback(arg, at); at = next_of(at, 0)) {
    }
  }

  // The entries are the allocator's; the ticket fingers are this memtable's own.
  size_t ApproximateMemoryUsage() override { return tickets_.size() * sizeof(ticket_slot); }

  Iterator* GetIterator(rocksdb::Arena* arena) override {
    if (!arena) return new skiplist_iterator(*this, false);
    void* block = nullptr;
    if (!recycled.free.empty()) {
      block = recycled.free.back();
      recycled.free.pop_back();
    } else {
      block = ::operator new(sizeof(skiplist_iterator));
    }
    return new (block) skiplist_iterator(*this, true);
  }

  // The first entry >= key, or nullptr.
  const char* seek(const rocksdb::Slice& key) const {
    const char* x = head();
    const char* next = nullptr;
    for (int level = height_.load(std::memory_order_acquire) - 1; level >= 0; --level) {
      for (;;) {
        next = next_of(x, level);
        if (!next || compare(internal_key(next), key) >= 0) break;
        x = next;
      }
    }
    return next;
  }
  // The last entry < key, or nullptr.
  const char* before(const rocksdb::Slice& key) const {
    const char* x = head();
    for (int level = height_.load(std::memory_order_acquire) - 1; level >= 0; --level)
      for (;;) {
        const char* next = next_of(x, level);
        if (!next || compare(internal_key(next), key) >= 0) break;
        x = next;
      }
    return x == head() ? nullptr : x;
  }
  const char* first() const { return head_links_[max_levels - 1].load(std::memory_order_acquire); }
  const char* last() const {
    const char* x = head();
    for (int level = height_.load(std::memory_order_acquire) - 1; level >= 0; --level)
      while (const char* next = next_of(x, level)) x = next;
    return x == head() ? nullptr : x;
  }

 private:
  // The head's level-i link is head_links_[max_levels - 1 - i], as for any entry.
  const char* head() const { return reinterpret_cast<const char*>(head_links_ + max_levels); }

  // `links` bytes aligned for links, then `len` bytes; returns where the `len` bytes begin.
  char* allocate_aligned(size_t links, size_t len) {
    char* raw = nullptr;
    MemTableRep::Allocate(links + len + alignof(link) - 1, &raw);
    auto at = reinterpret_cast<uintptr_t>(raw);
    at = (at + alignof(link) - 1) & ~static_cast<uintptr_t>(alignof(link) - 1);
    return reinterpret_cast<char*>(at) + links;  // NOLINT(performance-no-int-to-ptr): aligned
  }

  int random_height() {
    // xorshift64*, advanced by the one writer
    rng_ ^= rng_ >> 12, rng_ ^= rng_ << 25, rng_ ^= rng_ >> 27;
    uint64_t r = rng_ * 2685821657736338717ull;
    int height = 1;
    while (height < max_levels && (r & 3) == 0) ++height, r >>= 2;
    return height;
  }

  // The usual insert into a memtable by ticket: a one-level entry right after its ticket's last
  // one, whose link says the entry after is another ticket's, so the key fits between without
  // reading that entry (keys of one ticket are contiguous: `T\0...` sorts before any other).
  // False when that does not hold; insert() then does it the long way.
  bool append_to_ticket(const char* entry, const rocksdb::Slice& key, std::string_view ticket,
                        ticket_finger& f) {
    auto& level0 = next_link(entry, 0);
    if (reinterpret_cast<uintptr_t>(level0.load(std::memory_order_relaxed)) != 1) return false;
    const char* prev = f.prev[0];
    if (prev == head()) return false;
    auto prev_key = internal_key(prev);
    if (ticket_of(prev_key) != ticket || compare(prev_key, key) >= 0) return false;
    const char* after = next_link(prev, 0).load(std::memory_order_relaxed);
    if (untagged(after) && !leads_to_other(after)) return false;
    level0.store(after, std::memory_order_relaxed);  // the same entry after, another ticket's
    next_link(prev, 0).store(entry, std::memory_order_release);  // same ticket: no mark
    f.prev[0] = entry;
    return true;
  }

  template <int Levels>
  bool insert(const char* entry, basic_finger<Levels>& f) {
    auto& level0 = next_link(entry, 0);
    int height =
        static_cast<int>(reinterpret_cast<uintptr_t>(level0.load(std::memory_order_relaxed)));
    auto key = internal_key(entry);
    int top = height_.load(std::memory_order_relaxed);
    if (height > top) height_.store(top = height, std::memory_order_release);

    // The lowest level at which the finger brackets the key (prev < key <= prev's next). The
    // finger's entries never rise from one level to the next up (they were a search path), so
    // from there up every one of them is before the key.
    int level = 0;
    for (; level < top; ++level) {
      const char* prev = f.at(level, head());
      if (prev != head() && compare(internal_key(prev), key) >= 0) continue;
      const char* next = next_of(prev, level, std::memory_order_relaxed);
      if (!next || compare(internal_key(next), key) >= 0) break;
    }
    int from = level == top ? top - 1 : std::max(level, height - 1);
    const char* x = level == top ? head() : f.at(from, head());

    const char* prev[max_levels] = {};
    const char* next[max_levels] = {};
    for (int i = from; i >= 0; --i) {
      for (;;) {
        const char* n = next_of(x, i, std::memory_order_relaxed);
        if (!n || compare(internal_key(n), key) >= 0) {
          next[i] = n;
          break;
        }
        x = n;
      }
      prev[i] = x;
    }
    if (next[0] && compare(internal_key(next[0]), key) == 0) return false;  // already there

    // Each level is linked before the entry is published on it, from the bottom up: a reader
    // that finds it on a level can go on from it on every level below.
    for (int i = 0; i < height; ++i) {
      bool from_other = false, to_other = false;
      if (i == 0 && !tickets_.empty()) {  // the marks of a memtable by ticket
        auto ticket = ticket_of(key);
        to_other = next[0] && ticket_of(internal_key(next[0])) != ticket;
        from_other = prev[0] != head() && ticket_of(internal_key(prev[0])) != ticket;
      }
      next_link(entry, i).store(tagged(next[i], to_other), std::memory_order_relaxed);
      next_link(prev[i], i).store(tagged(entry, from_other), std::memory_order_release);
    }
    for (int i = 0; i < height; ++i) f.set(i, entry);
    for (int i = height; i <= from; ++i) f.set(i, prev[i]);
    return true;
  }

  static constexpr uint8_t max_short_run = 8;
  struct ticket_slot {
    uint64_t tag = 0;       // the hash of the ticket whose finger this is (odd; 0: none)
    uint8_t short_run = 0;  // its entries on level 0 alone since its last taller one
    ticket_finger finger;
  };

  link head_links_[max_levels];
  std::atomic<int> height_{1};
  finger last_;                       // where the last insert went
  finger first_;                      // where the last new ticket's first insert went (by ticket)
  std::vector<ticket_slot> tickets_;  // by the hash of the ticket: empty unless by_ticket
  uint64_t rng_ = 0x9e3779b97f4a7c15ull;
};

void skiplist_iterator::Prev() {
  at_ = rep_->before(internal_key(at_));
}

void skiplist_iterator::Seek(const rocksdb::Slice& internal, const char* memtable_key) {
  at_ = rep_->seek(memtable_key ? internal_key(memtable_key) : internal);
}

void skiplist_iterator::SeekForPrev(const rocksdb::Slice& internal, const char* memtable_key) {
  auto key = memtable_key ? internal_key(memtable_key) : internal;
  at_ = rep_->seek(key);
  if (!at_)
    at_ = rep_->last();
  else if (compare(internal_key(at_), key) > 0)
    at_ = rep_->before(key);
}

void skiplist_iterator::SeekToFirst() {
  at_ = rep_->first();
}

void skiplist_iterator::SeekToLast() {
  at_ = rep_->last();
}

class skiplist_factory final : public rocksdb::MemTableRepFactory {
 public:
  explicit skiplist_factory(size_t ticket_slots) : ticket_slots_(ticket_slots) {}
  const char* Name() const override { return "vocflow.skiplist"; }
  using MemTableRepFactory::CreateMemTableRep;
  rocksdb::MemTableRep* CreateMemTableRep(const rocksdb::MemTableRep::KeyComparator&,
                                          rocksdb::Allocator* allocator,
                                          const rocksdb::SliceTransform*,
                                          rocksdb::Logger*) override {
    return new skiplist_rep(allocator, ticket_slots_);
  }
  bool IsInsertConcurrentlySupported() const override { return false; }
  bool CanHandleDuplicatedKey() const override { return true; }  // InsertKey says false

 private:
  size_t ticket_slots_;
};

}  // namespace

std::shared_ptr<rocksdb::MemTableRepFactory> skiplist_memtable(bool by_ticket,
                                                               size_t ticket_slots) {
  size_t slots = 1;
  while (slots < ticket_slots) slots <<= 1;
  return std::make_shared<skiplist_factory>(by_ticket ? slots : 0);
}

}  // namespace vocflow::storage
