// A disk that fails reads on demand, for tests: RocksDB's own file system with every read of a
// table file (*.sst) answered with an I/O error while `fail_reads(true)` holds. The failure
// travels RocksDB's real read path (a Get or an iterator meets it when it reads a data block), so
// the store sees exactly what a failing disk gives it.
//
// Blocks RocksDB keeps in its block cache are not read again: open the store with cache_mb = 0
// for every read to reach the disk. Index and filter blocks are read when the store opens.
#pragma once

#include <rocksdb/file_system.h>

#include <atomic>
#include <memory>
#include <string>

namespace vocflow::testing {

class faulty_fs : public rocksdb::FileSystemWrapper {
 public:
  faulty_fs() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "vocflow-faulty"; }

  void fail_reads(bool on) { failing_ = on; }
  // Reads refused since the start.
  uint64_t failed_reads() const { return failed_; }

  rocksdb::IOStatus NewRandomAccessFile(const std::string& name, const rocksdb::FileOptions& o,
                                        std::unique_ptr<rocksdb::FSRandomAccessFile>* out,
                                        rocksdb::IODebugContext* dbg) override {
    auto st = target()->NewRandomAccessFile(name, o, out, dbg);
    if (st.ok() && name.ends_with(".sst")) *out = std::make_unique<file>(std::move(*out), *this);
    return st;
  }

 private:
  class file : public rocksdb::FSRandomAccessFileOwnerWrapper {
   public:
    file(std::unique_ptr<rocksdb::FSRandomAccessFile> f, faulty_fs& fs)
        : FSRandomAccessFileOwnerWrapper(std::move(f)), fs_(fs) {}
    rocksdb::IOStatus Read(uint64_t offset, size_t n, const rocksdb::IOOptions& o,
                           rocksdb::Slice* result, char* scratch,
                           rocksdb::IODebugContext* dbg) const override {
      if (auto st = fs_.refuse(); !st.ok()) return st;
      return target()->Read(offset, n, o, result, scratch, dbg);
    }
    rocksdb::IOStatus MultiRead(rocksdb::FSReadRequest* reqs, size_t n, const rocksdb::IOOptions& o,
                                rocksdb::IODebugContext* dbg) override {
      if (auto st = fs_.refuse(); !st.ok()) {
        for (size_t i = 0; i < n; ++i) reqs[i].status = st;
        return st;
      }
      return target()->MultiRead(reqs, n, o, dbg);
    }
    rocksdb::IOStatus ReadAsync(rocksdb::FSReadRequest& req, const rocksdb::IOOptions& o,
                                std::function<void(const rocksdb::FSReadRequest&, void*)> cb,
                                void* cb_arg, void** handle, rocksdb::IOHandleDeleter* del,
                                rocksdb::IODebugContext* dbg) override {
      if (auto st = fs_.refuse(); !st.ok()) {
        req.status = st;
        cb(req, cb_arg);
        return rocksdb::IOStatus::OK();
      }
      return target()->ReadAsync(req, o, std::move(cb), cb_arg, handle, del, dbg);
    }

   private:
    faulty_fs& fs_;
  };

  rocksdb::IOStatus refuse() const {
    if (!failing_) return rocksdb::IOStatus::OK();
    ++failed_;
    return rocksdb::IOStatus::IOError("injected read failure (tests/storage/faulty_fs.hpp)");
  }

  std::atomic<bool> failing_{false};
  mutable std::atomic<uint64_t> failed_{0};
};

}  // namespace vocflow::testing
