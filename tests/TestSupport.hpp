// Helpers shared by the tests: paths to the repository and to ../shared/data.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace safetwin::test {

inline std::filesystem::path sourceDir() { return SAFETWIN_SOURCE_DIR; }
inline std::filesystem::path binaryDir() { return SAFETWIN_BINARY_DIR; }

/// ../shared/data beside the checkout. Outside CI a missing folder skips the calling test
/// with a clear message; in CI (CI set) it fails, since CI always has it.
inline std::filesystem::path sharedData() {
    const auto dir = sourceDir().parent_path() / "shared" / "data";
    if (!std::filesystem::is_directory(dir)) {
        if (std::getenv("CI")) FAIL("CI is set but " << dir << " is missing");
        WARN("skipped: " << dir << " is missing (it exists beside the checkout in CI)");
    }
    return dir;
}

/// A fresh empty folder under the build tree for one test.
inline std::filesystem::path scratchDir(const std::string& name) {
    const auto dir = binaryDir() / "test-scratch" / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

}  // namespace safetwin::test
