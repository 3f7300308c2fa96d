#include "worker_pool.h"

WorkerPool::WorkerPool(int num_threads) {
    for (int i = 0; i < num_threads; i++) threads_.emplace_back([this] { work(); });
}

WorkerPool::~WorkerPool() {
    wait();
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    work_ready_.notify_all();
    for (auto &t : threads_) t.join();
}

void WorkerPool::start(int n, std::function<void(int)> task) {
    if (threads_.empty()) {
        for (int i = 0; i < n; i++) task(i);
        return;
    }
    wait();
    {
        std::lock_guard<std::mutex> lock(mutex_);
        task_ = std::move(task);
        num_tasks_ = n;
        next_task_ = 0;
        remaining_ = n;
        batch_++;
    }
    work_ready_.notify_all();
}

void WorkerPool::wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    work_done_.wait(lock, [this] { return remaining_ == 0; });
}

void WorkerPool::work() {
    uint64_t seen = 0;
    for (;;) {
        int n;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            work_ready_.wait(lock, [&] { return stopping_ || batch_ != seen; });
            if (stopping_) return;
            seen = batch_;
            n = num_tasks_;
        }
        int finished = 0;
        for (int i = next_task_.fetch_add(1); i < n; i = next_task_.fetch_add(1)) {
            task_(i);
            finished++;
        }
        if (finished > 0) {
            std::lock_guard<std::mutex> lock(mutex_);
            remaining_ -= finished;
            if (remaining_ == 0) work_done_.notify_all();
        }
    }
}
