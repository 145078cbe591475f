// A real mosquitto broker for the live tests (Debian's /usr/sbin/mosquitto) on a free loopback
// port, killed when the guard goes out of scope, also when a test fails.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "TestSupport.hpp"

namespace safetwin::test {

inline const char* kMosquitto = "/usr/sbin/mosquitto";

/// True if mosquitto is installed; otherwise says why the test is skipped (and fails under CI).
inline bool haveMosquitto() {
    if (std::filesystem::exists(kMosquitto)) return true;
    if (std::getenv("CI"))
        FAIL("CI is set but " << kMosquitto << " is missing (apt-get install mosquitto)");
    WARN("skipped: " << kMosquitto << " is missing (apt-get install mosquitto)");
    return false;
}

inline int freeLoopbackPort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    ::close(fd);
    return ntohs(a.sin_port);
}

inline bool portAccepts(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(uint16_t(port));
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

class MosquittoBroker {
  public:
    explicit MosquittoBroker(const std::string& name)
        : dir_(scratchDir(name)), port_(freeLoopbackPort()) {
        // No limits on queued or in-flight messages: the throughput test must not see the
        // broker drop anything on its own.
        writeFile(dir_ / "mosquitto.conf",
                  "listener " + std::to_string(port_) +
                      " 127.0.0.1\nallow_anonymous true\n"
                      "persistence false\nmax_queued_messages 0\nmax_inflight_messages 0\n"
                      "log_dest none\n");
        start();
    }
    ~MosquittoBroker() { stop(); }
    MosquittoBroker(const MosquittoBroker&) = delete;
    MosquittoBroker& operator=(const MosquittoBroker&) = delete;

    int port() const { return port_; }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

    void start() {
        if (pid_ > 0) return;
        const std::string conf = (dir_ / "mosquitto.conf").string();
        pid_ = ::fork();
        if (pid_ == 0) {
            ::execl(kMosquitto, kMosquitto, "-c", conf.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        REQUIRE(pid_ > 0);
        for (int i = 0; i < 200 && !portAccepts(port_); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        REQUIRE(portAccepts(port_));
    }
    /// Kills the broker (SIGKILL: no goodbye to its clients).
    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }

  private:
    std::filesystem::path dir_;
    int port_;
    pid_t pid_ = -1;
};

/// Polls `pred` every 10 ms for up to `timeout_s`; true once it holds.
template <typename Pred>
bool waitFor(Pred pred, double timeout_s) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    while (std::chrono::steady_clock::now() < end) {
        if (pred()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return pred();
}

}  // namespace safetwin::test
