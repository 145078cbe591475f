#include "app/Output.hpp"

#include "scenes/InputError.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace safetwin {

void writeFileAtomic(const std::filesystem::path& path, const std::string& content) {
    const std::filesystem::path tmp = path.string() + ".tmp" + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw std::runtime_error("cannot write " + tmp.string() + " (check the folder exists and is writable)");
        out.write(content.data(), std::streamsize(content.size()));
        out.flush();
        if (!out) {
            out.close();
            std::filesystem::remove(tmp);
            throw std::runtime_error("writing " + path.string() + " failed (disk full?); the previous file, if any, is kept");
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp);
        throw std::runtime_error("cannot move " + tmp.string() + " to " + path.string() + ": " + ec.message());
    }
}

static double now() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

ProgressBar::ProgressBar(std::string label, double delay_s)
    : label_(std::move(label)), delay_(delay_s), start_(now()), tty_(::isatty(STDERR_FILENO) != 0) {}

void ProgressBar::update(double fraction, const std::string& detail) {
    if (!tty_) return;
    const double t = now();
    if (t - start_ < delay_ || t - lastDraw_ < 0.2) return;
    lastDraw_ = t;
    const int width = 30;
    const int filled = int(fraction * width + 0.5);
    std::string bar(size_t(filled), '#');
    bar.resize(size_t(width), '.');
    const double eta = fraction > 0.01 ? (t - start_) * (1.0 - fraction) / fraction : 0.0;
    std::fprintf(stderr, "\r%s [%s] %3d%%  %s  eta %.0f s   ", label_.c_str(), bar.c_str(), int(fraction * 100 + 0.5), detail.c_str(), eta);
    std::fflush(stderr);
    drawn_ = true;
}

void ProgressBar::finish() {
    if (drawn_) std::fprintf(stderr, "\n");
    drawn_ = false;
}

void parsePixelSize(const std::string& text, const char* option, int& width, int& height) {
    const size_t x = text.find('x');
    try {
        if (x == std::string::npos) throw std::invalid_argument("");
        size_t end = 0;
        width = std::stoi(text.substr(0, x), &end);
        if (end != x) throw std::invalid_argument("");
        height = std::stoi(text.substr(x + 1), &end);
        if (end != text.size() - x - 1) throw std::invalid_argument("");
    } catch (const std::exception&) {
        throw InputError(std::string(option) + " '" + text + "': expected WIDTHxHEIGHT in pixels, e.g. 1920x1080");
    }
}

}  // namespace safetwin
