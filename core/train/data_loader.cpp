// DataLoader: workers claim batch numbers in order, at most kAhead beyond the one the trainer waits for,
// and file the finished batches (or their exception) under their number.
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "core/train/dataset.h"

namespace stylescope::train {

struct DataLoader::State {
  std::shared_ptr<ImageDataset> dataset;
  int batch_size = 0;
  uint64_t seed = 0;
  int64_t start = 0;
  int64_t ahead = 0;  // batches prepared beyond the one next() returns next

  std::mutex mutex;
  std::condition_variable changed;
  bool stopping = false;
  int64_t next_claim = 0;
  int64_t next_return = 0;
  std::map<int64_t, Batch> ready;
  std::map<int64_t, std::exception_ptr> failed;
  std::vector<std::thread> threads;

  Batch build(int64_t k) {
    const DatasetInfo& info = dataset->info();
    Batch batch;
    batch.images = torch::empty({batch_size, info.channels, info.resolution, info.resolution}, torch::kUInt8);
    batch.labels = torch::empty({batch_size, info.label_dim}, torch::kFloat32);
    const int64_t first = start + k * batch_size;
    for (int i = 0; i < batch_size; ++i) {
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (stopping) return batch;  // abandoned; nobody will read it
      }
      const DatasetItem item = dataset->get(sample_index(dataset->size(), seed, first + i));
      batch.images[i].copy_(item.image);
      batch.labels[i].copy_(item.label);
    }
    batch.position_after = first + batch_size;
    return batch;
  }

  void work() {
    for (;;) {
      int64_t k = 0;
      {
        std::unique_lock<std::mutex> lock(mutex);
        changed.wait(lock, [&] { return stopping || next_claim <= next_return + ahead; });
        if (stopping) return;
        k = next_claim++;
      }
      Batch batch;
      std::exception_ptr error;
      try {
        batch = build(k);
      } catch (...) {
        error = std::current_exception();
      }
      std::lock_guard<std::mutex> lock(mutex);
      if (error) {
        failed[k] = error;
      } else {
        ready[k] = std::move(batch);
      }
      changed.notify_all();
    }
  }
};

DataLoader::DataLoader(std::shared_ptr<ImageDataset> dataset, int batch_size, uint64_t seed,
                       int64_t start_position, int workers)
    : state_(std::make_shared<State>()) {
  if (!dataset) throw std::invalid_argument("DataLoader: no dataset");
  if (batch_size <= 0) throw std::invalid_argument("DataLoader: batch size must be positive");
  if (start_position < 0) throw std::invalid_argument("DataLoader: negative start position");
  state_->dataset = std::move(dataset);
  state_->batch_size = batch_size;
  state_->seed = seed;
  state_->start = start_position;
  const int count = std::max(1, workers);
  state_->ahead = count + 1;
  for (int i = 0; i < count; ++i) state_->threads.emplace_back([state = state_.get()] { state->work(); });
}

DataLoader::~DataLoader() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stopping = true;
  }
  state_->changed.notify_all();
  for (std::thread& t : state_->threads) t.join();
}

Batch DataLoader::next() {
  std::unique_lock<std::mutex> lock(state_->mutex);
  const int64_t k = state_->next_return;
  state_->changed.wait(lock, [&] { return state_->ready.count(k) > 0 || state_->failed.count(k) > 0; });
  state_->next_return = k + 1;
  state_->changed.notify_all();
  if (auto it = state_->failed.find(k); it != state_->failed.end()) {
    const std::exception_ptr error = it->second;
    state_->failed.erase(it);
    std::rethrow_exception(error);
  }
  Batch batch = std::move(state_->ready[k]);
  state_->ready.erase(k);
  return batch;
}

}  // namespace stylescope::train
