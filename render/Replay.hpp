// A recorded run for replay: `safetwin run SCENARIO --record` writes DIR/replay.bin, the
// frames of the run at a fixed rate (people, doors, counters, gas maps and volume, detectors),
// with the scenario's path and a hash of its content. Replay::open(DIR) reads it back with
// clear errors for a folder without one, an older format or another scenario, and
// frameAt(t) interpolates between the recorded frames. Format: docs/FORMAT.md "Replay files".
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "render/Frame.hpp"

namespace safetwin {
class Simulation;
}

namespace safetwin::render {

constexpr uint32_t kReplayVersion = 1;
constexpr const char* kReplayFileName = "replay.bin";

/// FNV-1a (64 bit) of a file's bytes, as 16 hex digits. Throws InputError if it cannot be read.
std::string fileHash(const std::filesystem::path& file);

class ReplayRecorder {
public:
    /// Records `sim` (built from the scenario file `scenario_file`) every 1/rate seconds.
    ReplayRecorder(const Simulation& sim, const std::string& scenario_file, double rate_hz = 2.0);
    /// Call after construction and after each step: records a frame when one is due.
    void capture(const Simulation& sim);
    /// Records the final state (if not just recorded) and returns the file's bytes.
    std::string finish(const Simulation& sim);
    size_t frames() const { return frames_; }

private:
    void record(const Simulation& sim);
    std::string body_;
    std::string header_;
    double interval_;
    double next_ = 0.0;
    double last_ = -1.0;
    size_t frames_ = 0;
};

class Replay {
public:
    /// Reads DIR/replay.bin. Throws InputError naming the folder and what to do when there
    /// is none, when its format is older or newer than this build's, or when it is damaged.
    static Replay open(const std::filesystem::path& dir);

    /// The scenario file the run was made from (absolute path when recorded).
    const std::string& scenarioFile() const { return scenarioFile_; }
    const std::string& scenarioName() const { return scenarioName_; }
    const std::string& scenarioHash() const { return hash_; }
    uint64_t seed() const { return seed_; }
    /// Throws InputError unless `scenario_file`'s content is the one recorded.
    void checkScenario(const std::string& scenario_file) const;

    size_t frames() const { return frames_.size(); }
    double startTime() const;
    double endTime() const;
    /// The frame at time t: positions, headings, speeds and doses interpolated linearly
    /// between the recorded frames around t; states, doors and counters from the nearer one;
    /// gas from the last recorded frame at or before t. Clamped to the recorded span.
    Frame frameAt(double t) const;
    const Frame& recorded(size_t k) const { return *frames_[k]; }

private:
    std::string dir_, scenarioFile_, scenarioName_, hash_;
    uint64_t seed_ = 0;
    std::vector<std::shared_ptr<const Frame>> frames_;
};

}  // namespace safetwin::render
