#include "server/reader_pool.h"

#include <utility>

namespace mcpwatch {

ReaderPool::Lease::~Lease() {
  if (pool_ != nullptr && reader_ != nullptr) pool_->Return(std::move(reader_));
}

ReaderPool::ReaderPool(std::filesystem::path database, size_t max_idle)
    : database_(std::move(database)), max_idle_(max_idle) {}

tl::expected<ReaderPool::Lease, std::string> ReaderPool::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto reader = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(reader));
    }
  }
  // Opening does file I/O: outside the lock.
  auto opened = storage::HistoryReader::Open(database_);
  if (!opened) return tl::make_unexpected(opened.error());
  return Lease(this, std::make_unique<storage::HistoryReader>(std::move(*opened)));
}

void ReaderPool::Return(std::unique_ptr<storage::HistoryReader> reader) {
  std::lock_guard lock(mu_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(reader));
}

}  // namespace mcpwatch
