// Helpers shared by the tests: paths to the repository and to ../shared/data.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
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

inline std::string readFile(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream os;
    os << in.rdbuf();
    return os.str();
}

inline void writeFile(const std::filesystem::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
    REQUIRE(out.good());
}

/// 1-based line of the first line of `text` containing `needle`.
inline int lineOf(const std::string& text, const std::string& needle) {
    const size_t at = text.find(needle);
    REQUIRE(at != std::string::npos);
    int line = 1;
    for (size_t k = 0; k < at; ++k) line += text[k] == '\n';
    return line;
}

/// A 20 m x 10 m hall with an exit door at each end (EAST, WEST); four people near the east one,
/// no pre-movement time. Shared by the director-action and viewer tests.
inline const char* twoExitHall() {
    return R"(name: two exits
duration: 120
scene:
  levels:
    - id: L0
      walls: [{points: [[0,0],[20,0],[20,10],[0,10],[0,0]]}]
      doors:
        - {id: EAST, at: [20, 5], width: 1.2, exit: true}
        - {id: WEST, at: [0, 5], width: 1.2, exit: true}
populations:
  - name: p
    where: {level: L0, points: [[15, 3], [15, 7], [17, 4], [17, 6]]}
    premovement: 0
)";
}

/// A 10 m square room with one exit door D in the east wall, `count` people waiting
/// `premovement` seconds (a long wait keeps a run going while its gas is checked), up to and
/// including the `gas:` key: append the gas section, indented by two spaces. Shared by the gas,
/// director and render tests.
inline std::string gasRoom(int count, int premovement) {
    return R"(name: gas room
duration: 200
scene:
  levels:
    - id: L0
      walls: [{points: [[0,0],[10,0],[10,10],[0,10],[0,0]]}]
      doors: [{id: D, at: [10, 5], width: 1.2, exit: true}]
populations:
  - {name: p, count: )" + std::to_string(count) + R"(, where: {level: L0, rect: {min: [2, 2], max: [8, 8]}}, premovement: )" +
           std::to_string(premovement) + R"(}
gas:
)";
}

}  // namespace safetwin::test
