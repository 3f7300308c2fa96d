// A fixed pool of threads that runs one batch of independent tasks at a time. With zero threads every
// batch runs inline, so results never depend on the thread count.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

class WorkerPool {
  public:
    explicit WorkerPool(int num_threads);
    ~WorkerPool();
    WorkerPool(const WorkerPool &) = delete;
    WorkerPool &operator=(const WorkerPool &) = delete;

    // Runs task(i) for every i in [0, n). Returns at once when threads exist; wait() blocks until done.
    void start(int n, std::function<void(int)> task);
    void wait();

  private:
    void work();

    std::vector<std::thread> threads_;
    std::mutex mutex_;
    std::condition_variable work_ready_;
    std::condition_variable work_done_;
    std::function<void(int)> task_;
    int num_tasks_ = 0;
    std::atomic<int> next_task_{0};
    int remaining_ = 0;
    uint64_t batch_ = 0;
    bool stopping_ = false;
};
