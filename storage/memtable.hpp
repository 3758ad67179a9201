// vocflow's own RocksDB memtable: a skip list for tables whose keys compare bytewise.
//
// Why not RocksDB's: Debian's librocksdb 7.8 is built with its assertions on, and the skip
// list's insert checks every level of its search path with extra key comparisons, each of them
// a virtual call and two thread-local lookups in the shared library. With vocflow's keys (events
// of ~4,000 tickets in flight, interleaved) that was ~90 comparisons and ~14,000 instructions per
// insert, a quarter of all CPU in the lifecycle benchmark (bench/RESULTS.md).
//
// This one compares internal keys itself (user key bytewise, then newest first: the order of
// RocksDB's InternalKeyComparator over BytewiseComparator, which every vocflow table uses) and
// keeps fingers where inserts went: with `by_ticket` (keys that begin with a ticket id and a
// \0, as the events table's do) one per ticket in flight, so that the next event of a ticket
// lands next to its previous one in a few comparisons (and, up to 8 in a row, on the lowest level
// only: no search of the levels above); otherwise (and with RocksDB's
// `memtable_insert_with_hint_prefix_extractor`, one per hint) one for all inserts.
//
// Contract (RocksDB's for a memtable without concurrent inserts): one writer at a time
// (`allow_concurrent_memtable_write = false`), any number of concurrent readers; no duplicate
// internal keys.
#pragma once

#include <memory>

namespace rocksdb {
class MemTableRepFactory;
}

namespace vocflow::storage {

// `ticket_slots`: fingers kept by ticket (rounded up to a power of two); more tickets in flight
// than that share slots, and one that lost its slot starts over from a search. Tests make it
// small to have them share.
std::shared_ptr<rocksdb::MemTableRepFactory> skiplist_memtable(bool by_ticket = false,
                                                               size_t ticket_slots = 65536);

}  // namespace vocflow::storage
