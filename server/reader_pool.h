// A small mutex-guarded pool of HistoryReaders for the HTTP worker threads: a reader (and its
// SQLite connection) is used by one thread at a time, and is reused instead of reopened.
//
// Thread-safety: Acquire() may be called from any thread; a Lease belongs to its caller.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <tl/expected.hpp>
#include <vector>

#include "storage/reader.h"

namespace mcpwatch {

class ReaderPool {
 public:
  // A borrowed reader, handed back to the pool on destruction.
  class Lease {
   public:
    Lease(ReaderPool* pool, std::unique_ptr<storage::HistoryReader> reader)
        : pool_(pool), reader_(std::move(reader)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) noexcept = default;
    ~Lease();

    storage::HistoryReader& operator*() { return *reader_; }
    storage::HistoryReader* operator->() { return reader_.get(); }

   private:
    ReaderPool* pool_;
    std::unique_ptr<storage::HistoryReader> reader_;
  };

  // `max_idle`: readers kept open between requests (one per HTTP worker thread is enough).
  ReaderPool(std::filesystem::path database, size_t max_idle);

  // An idle reader, or a newly opened one (the error when the database cannot be opened, e.g.
  // before the daemon has created and migrated it).
  tl::expected<Lease, std::string> Acquire();

 private:
  void Return(std::unique_ptr<storage::HistoryReader> reader);

  const std::filesystem::path database_;
  const size_t max_idle_;
  std::mutex mu_;  // guards idle_
  std::vector<std::unique_ptr<storage::HistoryReader>> idle_;
};

}  // namespace mcpwatch
