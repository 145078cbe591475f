// Writing results safely: a file is written beside its destination and renamed into place,
// so a failed or interrupted run never leaves half a result over a good one.
#pragma once

#include <filesystem>
#include <string>

namespace safetwin {

/// Writes `content` to `path` atomically (temporary file + rename). Throws std::runtime_error
/// naming the file on failure (disk full, permissions).
void writeFileAtomic(const std::filesystem::path& path, const std::string& content);

/// Parses an image size "WIDTHxHEIGHT" given to `option` (e.g. "--size"); InputError naming the
/// option and the text otherwise. Each caller checks its own range.
void parsePixelSize(const std::string& text, const char* option, int& width, int& height);

/// A terminal progress bar on stderr, drawn only when stderr is a terminal and the job has
/// run for more than `delay_s` seconds.
class ProgressBar {
public:
    explicit ProgressBar(std::string label, double delay_s = 2.0);
    void update(double fraction, const std::string& detail);
    void finish();

private:
    std::string label_;
    double delay_;
    double start_;
    double lastDraw_ = -1.0;
    bool tty_;
    bool drawn_ = false;
};

}  // namespace safetwin
